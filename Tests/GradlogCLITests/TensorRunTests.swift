import Foundation
import GradlogFormats
import Testing

/// Tensor programs through the real CLI on real files: the examples record and reproduce their
/// published figures, every command reads their runs, special values come back bit for bit,
/// and bad tensor input is refused with a located message.
@Suite struct TensorRunTests {
    static let examples = repositoryRoot.appendingPathComponent("examples")

    /// micrograd's demo (demo.ipynb) prints this loss and 50% accuracy at step 0 for the data
    /// and initial weights the example ships.
    @Test func moonsGivesMicrogradsPublishedLoss() throws {
        let log = try RecordedLog()
        let result = try log.run("record", [Self.examples.appendingPathComponent("moons.grad").path, "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try parseJSON(result.stdout) as? [String: Any])
        let output = try #require(json["output"] as? [String: Any])
        let loss = try #require(output["value"] as? Double)
        #expect(abs(loss - 0.8958441028683222) <= 1e-12 * 0.8958441028683222)
        let accuracy = try log.rows(["SELECT value FROM nodes WHERE run_id = 1 AND name = 'accuracy'"])
        #expect(accuracy.first?["value"] as? Double == 0.5)
        // The stock shell reads the statistics without decoding a BLOB.
        let stats = try SQLiteShell.run(log.db, "SELECT shape, numel, value_zero FROM tensor_stats WHERE run_id = 1 AND name = 'h1'")
        let zeros = try #require(Int(stats.split(separator: "|").last ?? ""))
        #expect(stats.hasPrefix("[100, 16]|1600|"))
        // ... and they agree with the elements: the zeros of h1 counted from its BLOB.
        let hex = try SQLiteShell.run(log.db, "SELECT hex(value) FROM nodes WHERE run_id = 1 AND name = 'h1'")
        let elements = Self.doubles(hex: hex)
        #expect(elements.count == 1600 && elements.filter { $0 == 0 }.count == zeros)
    }

    /// Whether Python with torch and numpy is here (CI installs them; see .ci/run).
    static let torchAvailable = Python.canImport("torch, numpy")

    /// Both examples' values and adjoints, node by node, against PyTorch float64 rebuilding the
    /// same networks from the same files (scripts/torch_reference.py).
    @Test(.enabled(if: torchAvailable, "needs python3 with torch and numpy"), arguments: ["moons", "digits"])
    func examplesAgreeWithPyTorch(_ example: String) throws {
        let log = try RecordedLog()
        try log.record()  // the seed first, so that the example is run 2 of a mixed log
        let recorded = try log.run("record", [Self.examples.appendingPathComponent("\(example).grad").path])
        #expect(recorded.status == 0, "\(recorded.stderr)")
        let (status, text) = try Python.run([repositoryRoot.appendingPathComponent("scripts/torch_reference.py").path, log.db, "2", example])
        #expect(status == 0, "\(text)")
        #expect(text.contains(" 0 failed"), "\(text)")
    }

    @Test func everyCommandReadsATensorRun() throws {
        let log = try RecordedLog()
        let digits = Self.examples.appendingPathComponent("digits.grad").path
        for seed in ["1", "1", "2"] {
            let r = try log.run("record", [digits, "--seed", seed])
            #expect(r.status == 0, "\(r.stderr)")
        }
        let show = try log.run("show", ["1"])
        #expect(show.status == 0 && show.stdout.contains("[1797, 64] norm"), "\(show.stderr)")
        let node = try log.run("show", ["1", "W2", "--format", "json"])
        let w2 = try #require(try parseJSON(node.stdout) as? [String: Any])
        let value = try #require(w2["value"] as? [String: Any])
        #expect(value["shape"] as? [Int] == [32, 10])
        #expect((value["elements"] as? [[Double]])?.count == 32)
        // Same seed: identical; another seed: they part at W1, the first leaf drawn.
        #expect(try log.run("diff", ["1", "2"]).status == 0)
        let diff = try log.run("diff", ["1", "3", "--format", "json"])
        #expect(diff.status == 1, "\(diff.stderr)")
        let report = try #require(try parseJSON(diff.stdout) as? [String: Any])
        let first = try #require(report["first_value_divergence"] as? [String: Any])
        #expect(first["name"] as? String == "W1")
        let gradcheck = try log.run("gradcheck", ["1", "--samples", "5"])
        #expect(gradcheck.status == 0, "\(gradcheck.stdout)\(gradcheck.stderr)")
        let graph = try log.run("graph", ["1"])
        #expect(graph.status == 0 && graph.stdout.contains("digraph"), "\(graph.stderr)")
        let query = try log.rows(["SELECT count(*) AS n FROM tensor_stats WHERE run_id = 1"])
        // pixels, labels, W1, b1, W2, b2, x, x @ W1, + b1, h, h @ W2, logits.
        #expect(query.first?["n"] as? Int == 12)
    }

    /// diff on tensors: the worst element, how many differ, where a difference is born, a
    /// changed shape, and tolerances applied element by element.
    @Test func diffComparesTensorsElementByElement() throws {
        let log = try RecordedLog()
        let program = { (w: String, x: String) in "input w = \(w)\ndata x = \(x)\nh = relu(x @ w)\nloss = sum(h)\n" }
        try log.record(source: program("[[1, 2], [3, 4]]", "[1, -1]"))
        try log.record(source: program("[[1, 2], [3, 4]]", "[1, -1.000001]"))
        try log.record(source: program("[[1, 2, 0], [3, 4, 0]]", "[1, -1]"))
        let diff = try log.run("diff", ["1", "2", "--format", "json"])
        #expect(diff.status == 1)
        let report = try #require(try parseJSON(diff.stdout) as? [String: Any])
        let first = try #require(report["first_value_divergence"] as? [String: Any])
        #expect(first["name"] as? String == "x", "the data differs first; w agrees")
        let tensor = try #require(first["tensor"] as? [String: Any])
        #expect(tensor["differing"] as? Int == 1 && tensor["compared"] as? Int == 2 && tensor["worst"] as? [Int] == [1])
        #expect(first["a"] as? Double == -1 && first["b"] as? Double == -1.000001)
        #expect(try log.run("diff", ["1", "2", "--rtol", "1e-5"]).status == 0, "within tolerance element by element")
        let reshaped = try log.run("diff", ["1", "3"])
        #expect(reshaped.status == 1)
        #expect(reshaped.stdout.contains("shape [2, 2] -> [2, 3]"), "\(reshaped.stdout)")
    }

    /// A tensor element changed through SQLite fails gradcheck, so the check is not the tape
    /// checking itself.
    @Test func gradcheckFindsATamperedElement() throws {
        let log = try RecordedLog()
        let program = "input w = [[0.5, -1], [2, 0.25]]\ndata x = [1, 3]\nloss = sum(tanh(x @ w))\n"
        try log.record(source: program)
        #expect(try log.run("gradcheck", ["1"]).status == 0)
        // Element [1, 0] of w's adjoint, little-endian, set to 7.0.
        _ = try SQLiteShell.run(log.db, """
            UPDATE run_node SET grad = CAST(substr(grad, 1, 16) || x'0000000000001C40' || substr(grad, 25) AS BLOB)
            WHERE run_id = 1 AND id = 0
            """)
        let failed = try log.run("gradcheck", ["1"])
        #expect(failed.status == 1)
        #expect(failed.stdout.contains("[1, 0]") && failed.stdout.contains("1 of 4 failed"), "\(failed.stdout)")
    }

    /// NaN payloads, -0.0, ±inf and subnormals in a tensor come back bit for bit: loaded from a
    /// safetensors file, stored, and read with the stock shell.
    @Test func specialValuesInATensorAreBitExact() throws {
        let log = try RecordedLog()
        let bits: [UInt64] = [0x7FF0_0000_0000_0001, 0xFFF8_0000_0000_0000, 0x8000_0000_0000_0000, 0x7FF0_0000_0000_0000,
                              0xFFF0_0000_0000_0000, 0x0000_0000_0000_0001, 0x3FF0_0000_0000_0000]
        let path = log.dir.path("special.safetensors")
        try SafeTensorsFile.write(
            [(name: "d", shape: [7], values: bits.map(Double.init(bitPattern:)), dtype: .f64)], to: path)
        try log.record(source: "data d = load(\"\(path)\", \"d\")\ninput w = ones([7])\nloss = sum(w * d)\n")
        let hex = try SQLiteShell.run(log.db, "SELECT hex(value) FROM nodes WHERE run_id = 1 AND name = 'd'")
        #expect(Self.doubles(hex: hex).map(\.bitPattern) == bits)
        let stats = try SQLiteShell.run(log.db, "SELECT value_nan, value_pinf, value_ninf, value_zero, value_min, value_max FROM tensor_stats WHERE run_id = 1 AND name = 'd'")
        #expect(stats == "2|1|1|1|0.0|1.0")
        // d(w * d)/dw is d itself: the stored local derivative keeps the bits too.
        let local = try SQLiteShell.run(log.db, "SELECT hex(d0) FROM run_node WHERE run_id = 1 AND id = 2")
        #expect(Self.doubles(hex: local).map(\.bitPattern) == bits)
    }

    @Test func captureLevelsKeepWhatTheySay() throws {
        let log = try RecordedLog()
        let program = "input w = [[0.5, -1], [2, 0.25]]\ndata x = [1, 3]\nloss = sum(relu(x @ w))\n"
        try log.record(["--capture", "stats"], source: program)
        try log.record(["--capture", "values"], source: program)
        try log.record(source: program)
        let kept = try SQLiteShell.run(log.db, """
            SELECT r.capture, count(v.value), count(v.grad), count(v.d0) + count(v.d1)
            FROM run r JOIN run_node v ON v.run_id = r.id WHERE typeof(v.value) <> 'real' GROUP BY r.id ORDER BY r.id
            """)
        // Tensors: w, x, x@w, relu (4 rows); stats keeps none of their numbers; values keeps
        // values (4) and adjoints (3, x has none); full adds the contribution of x @ w to w (none
        // to x, which needs no gradient) and relu's local derivative.
        #expect(kept == "stats|0|0|0\nvalues|4|3|0\nfull|4|3|2")
        let stats = try SQLiteShell.run(log.db, "SELECT count(*) FROM tensor_stats WHERE run_id = 1 AND value_norm IS NOT NULL")
        #expect(stats == "4")
        #expect(try log.run("gradcheck", ["1"]).stderr.contains("--capture stats"))
    }

    struct Bad: CustomTestStringConvertible, Sendable {
        var files: [String: String]
        var program: String
        var message: String
        var testDescription: String { message }
    }

    static let bad: [Bad] = [
        Bad(files: [:], program: "input a = ones([2, 3])\ninput b = ones([2])\nf = sum(a * b)\n",
            message: "p.grad:3:11: error: mul: shapes [2, 3] and [2] do not broadcast"),
        Bad(files: ["t.csv": "a,b\n1,2\n3\n"], program: "data t = csv(\"t.csv\")\nf = sum(t)\n",
            message: "t.csv:3"),
        Bad(files: ["t.csv": "a,b\n1,2\n3,x\n"], program: "data t = csv(\"t.csv\")\nf = sum(t)\n",
            message: "t.csv:3:3"),
        Bad(files: ["t.safetensors": "not a safetensors file"], program: "data t = load(\"t.safetensors\", \"k\")\nf = sum(t)\n",
            message: "t.safetensors"),
        Bad(files: [:], program: "input a = ones([3])\nf = a * 2\n",
            message: "p.grad:2:1: error: the output 'f' has shape [3]"),
    ]

    @Test(arguments: bad)
    func badTensorInputIsRefused(_ bad: Bad) throws {
        let log = try RecordedLog()
        for (name, text) in bad.files { _ = try log.dir.write(name, text) }
        let program = try log.dir.write("p.grad", bad.program)
        let result = try CLI.run(["record", "p.grad", "--db", log.db], in: log.dir.url)
        #expect(result.status == 2 && !result.signaled)
        #expect(result.stderr.contains(bad.message), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: log.db), "nothing written")
        _ = program
    }

    /// Little-endian doubles from the shell's hex().
    static func doubles(hex: String) -> [Double] {
        let bytes = stride(from: 0, to: hex.count, by: 2).map { i -> UInt8 in
            let start = hex.index(hex.startIndex, offsetBy: i)
            return UInt8(hex[start..<hex.index(start, offsetBy: 2)], radix: 16)!
        }
        return stride(from: 0, to: bytes.count, by: 8).map { i in
            Double(bitPattern: (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[i + $1]) << (8 * $1) })
        }
    }
}

/// The machine's python3, for the tests that hold gradlog against Python's own libraries.
enum Python {
    /// Whether `python3 -c "import MODULES"` succeeds.
    static func canImport(_ modules: String) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import \(modules)"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }

    /// Runs `python3 ARGUMENTS` (with `python/` on PYTHONPATH) and returns its status and its
    /// standard output and error together.
    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(
            ["PYTHONPATH": repositoryRoot.appendingPathComponent("python").path], uniquingKeysWith: { _, new in new })
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }
}

/// Issue 10, item 6: `loss = y` makes a node that bears the name, so the output is `loss` and
/// every command finds it.
@Suite struct AliasTests {
    @Test func anAssignedNameIsANodeEveryCommandFinds() throws {
        let log = try RecordedLog()
        let program = try log.dir.write("alias.grad", "input x = 3\ny = x * 2\nloss = y\noutput loss\n")
        let recorded = try log.run("record", [program])
        #expect(recorded.status == 0 && recorded.stdout.contains("output loss = 6.0"), "\(recorded.stdout)")
        let node = try log.rows(["node", "--param", "name=loss"])
        #expect(node.count == 1 && node.first?["value"] as? Double == 6)
        let graph = try log.run("graph", ["1", "--around", "loss", "--depth", "1"])
        #expect(graph.status == 0 && graph.stdout.contains("loss  (identity)"), "\(graph.stdout)")
        let grads = try log.rows(["SELECT grad FROM inputs WHERE run_id = 1 AND name = 'x'"])
        #expect(grads.first?["grad"] as? Double == 2)
    }
}
