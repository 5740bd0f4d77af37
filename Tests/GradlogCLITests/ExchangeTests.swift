import Foundation
import GradlogFormats
import Testing

/// `export` and `import`: safetensors out and in, bit for bit, through the real CLI, read back
/// by Python's own safetensors where it is installed.
@Suite struct ExchangeTests {
    static let pythonSafetensors = Python.canImport("numpy, safetensors")

    static let program = """
        input w = [[0.5, -1], [2, 0.25]]
        data x = [1, 3]
        h = relu(x @ w)
        h = h * 2
        loss = sum(h) + 0
        """

    @Test func exportThenImportAgreesWithTheRun() throws {
        let log = try RecordedLog()
        try log.record(source: Self.program)
        let file = log.dir.path("run.safetensors")
        let exported = try log.run("export", ["1", "-o", file])
        #expect(exported.status == 0, "\(exported.stderr)")
        let read = try SafeTensorsFile.read(path: file)
        #expect(read.tensors.map(\.name) == ["w", "w.grad", "x", "h@1", "h@1.grad", "h", "h.grad", "loss", "loss.grad"])
        #expect(read.metadata.contains { $0.key == "gradlog.inputs" && $0.value == "w" })
        let w = try read.values("w.grad")
        #expect(w.shape == [2, 2] && w.values == [1 * 2, 0, 3 * 2, 0], "d(sum(2 relu(x @ w)))/dw where x @ w = [6.5, -0.25]")
        let imported = try log.run("import", [file, "--name", "back"])
        #expect(imported.status == 0, "\(imported.stderr)")
        let diff = try log.run("diff", ["1", "back"])
        #expect(diff.status == 0, "\(diff.stdout)")
        let dtype = try log.rows(["SELECT value FROM tags WHERE run_id = 2 AND key = 'import.dtype'"])
        #expect(dtype.first?["value"] as? String == "F64")
    }

    /// Python's safetensors reads what gradlog wrote, bit for bit, NaN payloads and -0.0 too.
    @Test(.enabled(if: pythonSafetensors, "needs python3 with numpy and safetensors"))
    func pythonReadsTheExportBitForBit() throws {
        let log = try RecordedLog()
        try log.record(source: "input a = [0.1, -0.0, 5e-324, 1e308]\nb = a * 3\nloss = sum(log(b))\n")
        let file = log.dir.path("run.safetensors")
        #expect(try log.run("export", ["1", "-o", file]).status == 0)
        let hex = try SQLiteShell.run(log.db, "SELECT hex(value) || ':' || hex(grad) FROM nodes WHERE run_id = 1 AND name = 'b'")
        let script = """
            import sys
            from safetensors.numpy import load_file
            d = load_file(sys.argv[1])
            print(d['b'].astype('<f8').tobytes().hex().upper() + ':' + d['b.grad'].astype('<f8').tobytes().hex().upper())
            """
        let (status, text) = try Python.run(["-c", script, file])
        #expect(status == 0 && text.trimmingCharacters(in: .whitespacesAndNewlines) == hex, "\(text)")
        #expect(hex.hasPrefix("343333333333D33F0000000000000080"), "0.1 * 3 = 0.30000000000000004 then -0.0, little-endian: \(hex)")
    }

    @Test func aFloat32TraceIsWidenedExactlyAndKeepsItsDtype() throws {
        let log = try RecordedLog()
        let file = log.dir.path("f32.safetensors")
        let values: [Double] = [0.1, -2.5, 3.4028234663852886e38]
        try SafeTensorsFile.write([(name: "fc1", shape: [3], values: values, dtype: .f32),
                                   (name: "fc1.grad", shape: [3], values: [1, 2, 3], dtype: .f32)], to: file)
        #expect(try log.run("import", [file]).status == 0)
        let hex = try SQLiteShell.run(log.db, "SELECT hex(value) FROM nodes WHERE run_id = 1 AND name = 'fc1'")
        #expect(TensorRunTests.doubles(hex: hex) == values.map { Double(Float($0)) })
        let dtype = try log.rows(["SELECT value FROM tags WHERE run_id = 1 AND key = 'import.dtype'"])
        #expect(dtype.first?["value"] as? String == "F32")
    }

    /// A float32 trace is compared in float32 ULPs: one float32 step apart is 1 ULP, not 2^29.
    @Test func aFloat32TraceCountsFloat32Ulps() throws {
        let log = try RecordedLog()
        let file = log.dir.path("f32.safetensors")
        try SafeTensorsFile.write([(name: "a", shape: [2], values: [1, 2], dtype: .f32)], to: file)
        #expect(try log.run("import", [file, "--name", "f32"]).status == 0)
        try log.record(source: "input a = [1.00000011920928955078125, 2]\nloss = sum(a)\n")  // 1 + 2^-23
        let diff = try log.run("diff", ["f32", "2", "--ulps", "1", "--format", "json"])
        #expect(diff.status == 0, "\(diff.stdout)")
        let strict = try log.run("diff", ["f32", "2", "--ulps", "0", "--format", "json"])
        let report = try #require(try parseJSON(strict.stdout) as? [String: Any])
        let nodes = try #require(report["nodes"] as? [[String: Any]])
        #expect(strict.status == 1 && nodes.first { $0["name"] as? String == "a" }?["value_ulps"] as? Int == 1)
    }

    @Test(arguments: [
        ("not safetensors at all", "cannot import"),
        ("", "cannot import"),
    ])
    func aBadFileIsRefusedAndNothingWritten(_ content: String, _ message: String) throws {
        let log = try RecordedLog()
        let file = try log.dir.write("bad.safetensors", content)
        let result = try log.run("import", [file])
        #expect(result.status == 2 && result.stderr.contains(message), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: log.db))
    }

    @Test func anOrphanGradientIsRefused() throws {
        let log = try RecordedLog()
        let file = log.dir.path("orphan.safetensors")
        try SafeTensorsFile.write([(name: "a.grad", shape: [1], values: [1], dtype: .f64)], to: file)
        let result = try log.run("import", [file])
        #expect(result.status == 2 && result.stderr.contains("'a.grad' is a gradient of a tensor the file does not hold"))
    }

    @Test func aStatsOnlyRunCannotBeExported() throws {
        let log = try RecordedLog()
        try log.record(["--capture", "stats"], source: Self.program)
        let result = try log.run("export", ["1", "-o", log.dir.path("x.safetensors")])
        #expect(result.status == 2 && result.stderr.contains("--capture stats"), "\(result.stderr)")
    }
}

/// examples/torch: a PyTorch model captured with python/gradlog_torch.py, imported, and diffed
/// against its mirror in .grad; the same model with leaky_relu parts ways at `act`.
@Suite struct TorchWorkflowTests {
    @Test(.enabled(if: TensorRunTests.torchAvailable, "needs python3 with torch and safetensors"))
    func captureImportAndDiffAgainstTheMirroredProgram() throws {
        let log = try RecordedLog()
        let example = repositoryRoot.appendingPathComponent("examples/torch")
        for (file, extra) in [("step.safetensors", [String]()), ("leaky.safetensors", ["--leaky"])] {
            let (status, text) = try Python.run([example.appendingPathComponent("model.py").path, "capture", log.dir.path(file)] + extra)
            try #require(status == 0, "\(text)")
        }
        #expect(try log.run("import", [log.dir.path("step.safetensors"), "--name", "torch"]).status == 0)
        #expect(try log.run("import", [log.dir.path("leaky.safetensors"), "--name", "leaky"]).status == 0)
        #expect(try log.run("record", [example.appendingPathComponent("model.grad").path, "--name", "mirror"]).status == 0)
        let same = try log.run("diff", ["torch", "mirror", "--by-name"])
        #expect(same.status == 0, "\(same.stdout)")
        #expect(same.stdout.contains("float64: rtol 1e-07, atol 1e-07"))
        let leaky = try log.run("diff", ["leaky", "mirror", "--format", "json"])
        #expect(leaky.status == 1)
        let report = try #require(try parseJSON(leaky.stdout) as? [String: Any])
        #expect((report["first_value_divergence"] as? [String: Any])?["name"] as? String == "act")
    }
}
