import Foundation
import Testing

/// The database file is an ordinary SQLite file: the stock shell opens it and agrees.
@Suite struct DatabaseFileTests {
    func shell(_ db: String, _ sql: String) throws -> String { try SQLiteShell.run(db, sql) }

    @Test func stockShellReadsTheLogAndIntegrityIsOK() throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("g.db")
        let seed = repositoryRoot.appendingPathComponent("examples/cs231n.grad").path
        #expect(try CLI.run(["record", seed, "--db", db]).status == 0)
        #expect(try shell(db, "PRAGMA integrity_check") == "ok")
        #expect(try shell(db, "SELECT printf('%!.17g', value) FROM nodes WHERE run_id = 1 AND name = 'f'") == "1.5456448841066441")
        #expect(try shell(db, "SELECT printf('%!.17g', grad) FROM inputs WHERE run_id = 1 AND name = 'x'") == "2.0595697955721652")
        #expect(try shell(db, "SELECT count(*) FROM edges WHERE run_id = 1") == "24")  // 10 binary + 4 unary nodes
    }

    /// -0.0, NaN, ±inf and the smallest subnormal: recorded, shown, and read by the stock shell.
    @Test func specialValuesThroughCLIAndShell() throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("g.db")
        let program = try dir.write("s.grad", """
            input z = 1
            input n = 1
            input p = 1
            input m = 1
            input t = 1
            out = z + n + p + m + t
            """)
        let record = try CLI.run(["record", program, "--db", db, "--set", "z=-0.0", "--set", "n=nan", "--set", "p=inf", "--set", "m=-inf", "--set", "t=5e-324"])
        #expect(record.status == 0, "\(record.stderr)")
        let show = try CLI.run(["show", "latest", "--db", db, "--format", "json"])
        let nodes = try #require(try parseJSON(show.stdout) as? [[String: Any]])
        #expect(show.stdout.contains(#""name":"z","op":"input","inputs":[],"local_grads":[],"value":-0.0"#))
        #expect(nodes[1]["value"] as? String == "NaN")
        #expect(nodes[2]["value"] as? String == "Infinity")
        #expect(nodes[3]["value"] as? String == "-Infinity")
        #expect(show.stdout.contains(#""value":5e-324"#))
        // The shell prints -0.0 as 0.0; its ieee754_to_blob shows the sign bit is kept.
        let shellView = try shell(db, """
            SELECT name || '=' || typeof(value) || ':' || value || ':' || coalesce(hex(ieee754_to_blob(value)), '')
            FROM inputs WHERE run_id = 1 ORDER BY node_id
            """)
        #expect(shellView.split(separator: "\n") == [
            "z=real:0.0:8000000000000000", "n=text:NaN:", "p=real:Inf:7FF0000000000000",
            "m=real:-Inf:FFF0000000000000", "t=real:4.94065645841247e-324:0000000000000001",
        ])
    }

    /// A 300,000-deep chain parses, runs backward and records without a stack overflow,
    /// and its gradient matches the closed form d/dx (x * c^n) = c^n.
    @Test func deepChainRecords() throws {
        let dir = try TemporaryDirectory()
        var source = "input x = 0.5\nv = x\n"
        source.reserveCapacity(300_000 * 20)
        for _ in 0..<300_000 { source += "v = v * 1.0000001\n" }
        let program = try dir.write("chain.grad", source)
        let result = try CLI.run(["record", program, "--db", dir.path("g.db"), "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.signaled)
        let object = try #require(try parseJSON(result.stdout) as? [String: Any])
        let inputs = try #require(object["inputs"] as? [[String: Any]])
        let grad = try #require(inputs.first?["grad"] as? Double)
        let expected = pow(1.0000001, 300_000.0)
        #expect(abs(grad - expected) <= 1e-9 * expected)
    }

    /// Runs of one program text share one stored structure. If the text was recorded before into
    /// another structure (an older gradlog, simulated here by editing the stored count), record
    /// refuses with a way out instead of mixing the two.
    @Test func sameTextWithAnotherStructureIsRefused() throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("g.db")
        let seed = repositoryRoot.appendingPathComponent("examples/cs231n.grad").path
        #expect(try CLI.run(["record", seed, "--db", db]).status == 0)
        _ = try shell(db, "UPDATE graph SET node_count = 21")
        let result = try CLI.run(["record", seed, "--db", db])
        #expect(result.status == 2)
        #expect(!result.signaled)
        #expect(result.stderr.contains("parsed into 21 nodes; this gradlog parses it into 22"), "\(result.stderr)")
        #expect(try shell(db, "SELECT count(*) FROM run") == "1")
    }

    /// A program over 64 KiB is stored zlib-compressed: gradlog reads it back exactly (gradcheck
    /// re-parses it), and so does the stock shell with sqlar_uncompress, as docs/schema.md says.
    @Test func largeProgramTextIsCompressedAndReadBack() throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("g.db")
        var source = "# a long chain\ninput x = 0.5\nv0 = x\n"
        for i in 1...6_000 { source += "v\(i) = tanh(v\(i - 1)) + x * 0.001\n" }
        let program = try dir.write("long.grad", source)
        #expect(source.utf8.count > 64 * 1024)
        #expect(try CLI.run(["record", program, "--db", db]).status == 0)
        #expect(try shell(db, "SELECT program IS NULL, program_bytes, length(program_deflate) < program_bytes / 2 FROM graph") == "1|\(source.utf8.count)|1")
        let fromShell = try shell(db, "SELECT sqlar_uncompress(program_deflate, program_bytes) = readfile('\(program)') FROM graph")
        #expect(fromShell == "1", "the shell decompresses the stored text to the file's bytes")
        let check = try CLI.run(["gradcheck", "latest", "--db", db])
        #expect(check.status == 0, "\(check.stderr)")
    }
}
