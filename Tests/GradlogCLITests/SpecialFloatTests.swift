import Foundation
import GradlogStore
import Testing

/// NaN, ±inf, subnormals and -0.0 are data: a program whose intermediates take those values is
/// recorded, queried, diffed and read and written by the stock sqlite3 shell without one bit
/// changing. The reference is the tape computed in this process; every channel must print or
/// store exactly its bits (a NaN prints as NaN, so its bits are checked through `float_bits`
/// and the shell).
@Suite struct SpecialFloatTests {
    static let source = """
        input x = 1e-160
        input z = 0
        input big = 1e308
        input n = 1
        tiny = x * x          # 1e-320, subnormal
        half = tiny * 0.5     # subnormal, and a subnormal local derivative
        negzero = z * -1      # -0.0
        r = sqrt(negzero)     # -0.0, local derivative -inf
        inf = big * 10        # +inf
        neginf = -inf         # -inf
        nan = inf + neginf    # the CPU's default NaN
        out = half + r + nan + n
        """

    /// The bits every channel must reproduce, from the tape in this process.
    struct Reference {
        var names: [String?]
        var values: [UInt64]
        var grads: [UInt64]
        /// (node, slot, d(node)/d(input)) for every edge, in node and slot order.
        var edges: [(node: Int, slot: Int, bits: UInt64)]

        init() throws {
            let computation = try Program(source: SpecialFloatTests.source, file: "s.grad").computation(setting: ["n": .nan])
            let tape = computation.tape
            names = (0..<computation.count).map { computation.names[$0] }
            values = tape.values.map(\.bitPattern)
            grads = computation.backward().adjoints.map(\.bitPattern)
            edges = (0..<tape.count).flatMap { i in
                [(0, tape.input0[i], tape.derivative0[i]), (1, tape.input1[i], tape.derivative1[i])]
                    .filter { $0.1 != Tape.noInput }
                    .map { (node: i, slot: $0.0, bits: $0.2.bitPattern) }
            }
        }

        func id(_ name: String) -> Int { names.firstIndex(of: name)! }
    }

    /// gradlog's printed form, written out from docs/schema.md rather than taken from the
    /// code under test: shortest round-trip decimal, -0.0 with its sign, Infinity, -Infinity,
    /// and NaN for every NaN.
    static func printed(_ bits: UInt64) -> String {
        switch bits {
        case 0x7FF0_0000_0000_0000: return "Infinity"
        case 0xFFF0_0000_0000_0000: return "-Infinity"
        case _ where Double(bitPattern: bits).isNaN: return "NaN"
        default: return "\(Double(bitPattern: bits))"
        }
    }

    /// The TEXT a NaN is stored as (docs/schema.md "Floats").
    static func nanText(_ bits: UInt64) -> String {
        switch bits {
        case 0x7FF8_0000_0000_0000: return "NaN"
        case 0xFFF8_0000_0000_0000: return "-NaN"
        default: return "NaN(0x" + hex(bits).lowercased() + ")"
        }
    }

    static func json(_ bits: UInt64) -> String {
        Double(bitPattern: bits).isFinite ? printed(bits) : "\"" + printed(bits) + "\""
    }

    /// What the stock shell shows for a stored float: a REAL's bits, or a NaN's TEXT.
    static func stored(_ bits: UInt64) -> String {
        Double(bitPattern: bits).isNaN ? "text:" + nanText(bits) : hex(bits)
    }

    static func hex(_ bits: UInt64) -> String {
        let digits = String(bits, radix: 16, uppercase: true)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// In the shell: a REAL's bits, a TEXT with its type (NaN), NULL as 'null'.
    static func shellEncoded(_ column: String) -> String {
        "CASE typeof(\(column)) WHEN 'real' THEN hex(ieee754_to_blob(\(column))) ELSE typeof(\(column)) || ':' || coalesce(\(column), '') END"
    }

    /// Every stored float of run 1 as its bits, through gradlog's `float_bits`.
    static let bitsOfNodes = "SELECT id, float_bits(value) AS v, float_bits(grad) AS g FROM nodes WHERE run_id = 1 ORDER BY id"
    static let bitsOfEdges = "SELECT node_id, slot, float_bits(local_grad) AS d FROM edges WHERE run_id = 1 ORDER BY node_id, slot"

    let dir: TemporaryDirectory
    let db: String
    let reference: Reference

    init() throws {
        dir = try TemporaryDirectory()
        db = dir.path("g.db")
        reference = try Reference()
        try dir.write("s.grad", Self.source)
        let result = try CLI.run(["record", "s.grad", "--set", "n=nan", "--db", "g.db"], in: dir.url)
        try #require(result.status == 0, "\(result.stderr)")
    }

    func query(_ sql: String, _ format: String, db: String = "g.db") throws -> String {
        let result = try CLI.run(["query", sql, "--format", format, "--db", db], in: dir.url)
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout
    }

    @Test func queryPrintsTheExactForms() throws {
        let sql = "SELECT name, value, grad FROM nodes WHERE run_id = 1 AND name IS NOT NULL ORDER BY id"
        #expect(try query(sql, "csv") == """
            name,value,grad
            x,1e-160,1e-160
            z,0.0,Infinity
            big,1e+308,0.0
            n,NaN,1.0
            tiny,1e-320,0.5
            half,5e-321,1.0
            negzero,-0.0,-Infinity
            r,-0.0,1.0
            inf,Infinity,0.0
            neginf,-Infinity,1.0
            nan,NaN,1.0
            out,NaN,1.0

            """)
        #expect(try query(sql, "json").contains("""
            {"name":"z","value":0.0,"grad":"Infinity"},
            {"name":"big","value":1e+308,"grad":0.0},
            {"name":"n","value":"NaN","grad":1.0},
            {"name":"tiny","value":1e-320,"grad":0.5},
            {"name":"half","value":5e-321,"grad":1.0},
            {"name":"negzero","value":-0.0,"grad":"-Infinity"},
            """))
    }

    /// Every value, adjoint and local derivative, in CSV, JSON and the shell, is the tape's.
    @Test func everyNumberIsTheTapesBits() throws {
        let r = reference
        let nodes = r.values.indices
        #expect(try query("SELECT id, value, grad FROM nodes WHERE run_id = 1 ORDER BY id", "csv")
            == "id,value,grad\n" + nodes.map { "\($0),\(Self.printed(r.values[$0])),\(Self.printed(r.grads[$0]))\n" }.joined())
        #expect(try query("SELECT id, value, grad FROM nodes WHERE run_id = 1 ORDER BY id", "json")
            == "[\n" + nodes.map { "{\"id\":\($0),\"value\":\(Self.json(r.values[$0])),\"grad\":\(Self.json(r.grads[$0]))}" }.joined(separator: ",\n") + "\n]\n")
        #expect(try query("SELECT node_id, slot, local_grad FROM edges WHERE run_id = 1 ORDER BY node_id, slot", "csv")
            == "node_id,slot,local_grad\n" + r.edges.map { "\($0.node),\($0.slot),\(Self.printed($0.bits))\n" }.joined())
        #expect(try query(Self.bitsOfNodes, "csv") == "id,v,g\n" + nodes.map { "\($0),0x\(Self.hex(r.values[$0]).lowercased()),0x\(Self.hex(r.grads[$0]).lowercased())\n" }.joined())
        #expect(try query(Self.bitsOfEdges, "csv") == "node_id,slot,d\n" + r.edges.map { "\($0.node),\($0.slot),0x\(Self.hex($0.bits).lowercased())\n" }.joined())

        #expect(try SQLiteShell.run(db, "SELECT id, \(Self.shellEncoded("value")), \(Self.shellEncoded("grad")) FROM nodes WHERE run_id = 1 ORDER BY id")
            == nodes.map { "\($0)|\(Self.stored(r.values[$0]))|\(Self.stored(r.grads[$0]))" }.joined(separator: "\n"))
        #expect(try SQLiteShell.run(db, "SELECT node_id, slot, \(Self.shellEncoded("local_grad")) FROM edges WHERE run_id = 1 ORDER BY node_id, slot")
            == r.edges.map { "\($0.node)|\($0.slot)|\(Self.stored($0.bits))" }.joined(separator: "\n"))
    }

    /// The shell reads every stored float in the documented encoding and writes it back into a
    /// wiped copy (REALs through ieee754_from_blob, NaNs as their TEXT); gradlog then reads the
    /// copy exactly as the original.
    @Test func stockShellWritesTheEncodingBack() throws {
        let copy = dir.path("copy.db")
        try FileManager.default.copyItem(atPath: db, toPath: copy)
        func literal(_ column: String) -> String {
            "CASE typeof(\(column)) WHEN 'real' THEN 'ieee754_from_blob(x''' || hex(ieee754_to_blob(\(column))) || ''')' "
                + "WHEN 'text' THEN quote(\(column)) WHEN 'null' THEN 'NULL' END"
        }
        let updates = try SQLiteShell.run(db, """
            SELECT 'UPDATE run_node SET value = ' || \(literal("value")) || ', grad = ' || \(literal("grad"))
                || ', d0 = ' || \(literal("d0")) || ', d1 = ' || \(literal("d1")) || ' WHERE run_id = 1 AND id = ' || id || ';'
            FROM run_node WHERE run_id = 1 ORDER BY id
            """)
        #expect(updates.contains("ieee754_from_blob(x'8000000000000000')"), "-0.0 goes through as bits")
        let wipe = "UPDATE run_node SET value = 7, grad = 7, d0 = CASE WHEN d0 IS NULL THEN NULL ELSE 7 END, d1 = CASE WHEN d1 IS NULL THEN NULL ELSE 7 END WHERE run_id = 1;"
        _ = try SQLiteShell.run(copy, "BEGIN;\n" + wipe + "\n" + updates + "\nCOMMIT;")

        for sql in [Self.bitsOfNodes, Self.bitsOfEdges] {
            #expect(try query(sql, "csv", db: "copy.db") == (try query(sql, "csv")))
        }
        let diff = try CLI.run(["diff", "1", "1", "--strict-zero", "--db", "g.db", "--db-b", "copy.db"], in: dir.url)
        #expect(diff.status == 0, "\(diff.stdout)\(diff.stderr)")
        #expect(try SQLiteShell.run(copy, "PRAGMA integrity_check") == "ok")
    }

    @Test func diffAgreesWithARecordingOfTheSameProgram() throws {
        let again = try CLI.run(["record", "s.grad", "--set", "n=nan", "--db", "g.db"], in: dir.url)
        #expect(again.status == 0, "\(again.stderr)")
        for extra in [[], ["--strict-zero"]] {
            let diff = try CLI.run(["diff", "1", "2", "--db", "g.db"] + extra, in: dir.url)
            #expect(diff.status == 0, "\(extra): \(diff.stdout)\(diff.stderr)")
            #expect(diff.stdout.contains("aligned by node: they agree"))
        }
    }

    /// One stored value changed in a copy: diff exits 1 and names that node, and prints both
    /// values as they are.
    @Test(arguments: [
        ("tiny", "ieee754_from_blob(x'00000000000007E9')", #""a":1e-320,"b":1.0005e-320,"abs_diff":5e-324"#, [String]()),
        ("negzero", "0.0", #""a":-0.0,"b":0.0,"#, ["--strict-zero"]),
        ("neginf", "ieee754_from_blob(x'FFEFFFFFFFFFFFFF')", #""a":"-Infinity","b":-1.7976931348623157e+308,"#, []),
        ("nan", "'NaN(0x7ff8000000000001)'", #""b":"NaN(0x7ff8000000000001)","abs_diff":null,"#, []),
    ])
    func diffNamesTheChangedNode(_ name: String, _ newValue: String, _ shown: String, _ extra: [String]) throws {
        let changed = dir.path("changed.db")
        try FileManager.default.copyItem(atPath: db, toPath: changed)
        _ = try SQLiteShell.run(changed, "UPDATE run_node SET value = \(newValue) WHERE run_id = 1 AND id = \(reference.id(name))")
        let diff = try CLI.run(["diff", "1", "1", "--db", "g.db", "--db-b", "changed.db", "--format", "json"] + extra, in: dir.url)
        #expect(diff.status == 1, "\(diff.stderr)")
        #expect(diff.stdout.contains(#""different":1,"#), "\(diff.stdout)")
        #expect(diff.stdout.contains(#""first_value_divergence":{"id_a":\#(reference.id(name)),"id_b":\#(reference.id(name)),"name":"\#(name)","#), "\(diff.stdout)")
        #expect(diff.stdout.contains(shown), "\(diff.stdout)")
    }

    /// PyTorch float64's conventions reach the file: relu(-0.0) is -0.0 and relu'(NaN) is 1,
    /// abs'(NaN) is 0, (-0.0)^0.5 is -0.0 (PyTorch takes sqrt), d(x/y)/dy at y = inf is -0.0.
    @Test func pytorchConventionsAreWhatIsStored() throws {
        let log = try RecordedLog()
        try log.record(["--set", "x=-0.0", "--set", "y=inf"], source: "input x = 1\ninput y = 2\nr = relu(x)\np = x ^ 0.5\nq = 1 / y\nf = r + p + q\n")
        try log.record(["--set", "x=nan"], source: "input x = 1\nr = relu(x)\na = abs(x)\nf = r + a\n")
        let rows = try log.rows([
            "SELECT e.run_id, n.name, float_bits(n.value) AS value, float_bits(e.local_grad) AS d, e.slot FROM edges e "
                + "JOIN nodes n ON n.run_id = e.run_id AND n.id = e.node_id WHERE n.name IN ('r', 'p', 'q', 'a') ORDER BY e.run_id, n.id, e.slot",
        ])
        let found = rows.map { "\($0["run_id"] as? Int ?? 0) \($0["name"] as? String ?? "") \($0["slot"] as? Int ?? -1) \($0["value"] as? String ?? "") \($0["d"] as? String ?? "")" }
        #expect(found == [
            "1 r 0 0x8000000000000000 0x0000000000000000",   // relu(-0.0) = -0.0, relu'(-0.0) = 0
            "1 p 0 0x8000000000000000 0xfff0000000000000",   // sqrt(-0.0) = -0.0, 0.5 / sqrt(-0.0) = -inf
            "1 p 1 0x8000000000000000 0x0000000000000000",   // a literal exponent: not differentiated
            "1 q 0 0x0000000000000000 0x0000000000000000",   // 1 / inf = 0, d/dx = 1 / inf = 0
            "1 q 1 0x0000000000000000 0x8000000000000000",   // d/dy = -(0 / inf) = -0.0
            "2 r 0 0x7ff8000000000000 0x3ff0000000000000",   // relu'(NaN) = 1
            "2 a 0 0x7ff8000000000000 0x0000000000000000",   // abs'(NaN) = 0
        ])
    }
}
