import Foundation
import Testing

/// A database file is untrusted input. Each row changes a copy of a real log the way someone
/// with the sqlite3 shell (or a damaged disk) could, then runs every reading command and
/// gradcheck on it with the real binary: each ends with exit 0 (the damage does not concern
/// it), 1 (diff and gradcheck: a "no" answer), or 2 with a message that says the file was
/// changed outside gradlog or is malformed; never a signal, a backtrace or a hang, and reading
/// commands leave the file byte for byte as it was.
@Suite struct TamperedDatabaseTests {
    /// Runs 1 (the seed), 2 (other inputs), 3 (another program), 4 (a program text over 64 KiB,
    /// stored compressed), 5...9 (a sweep), and a gradcheck of run 1.
    nonisolated(unsafe) static let seed: (dir: TemporaryDirectory, db: String) = {
        let dir = try! TemporaryDirectory()
        let db = dir.path("seed.db")
        let seedProgram = try! String(contentsOf: repositoryRoot.appendingPathComponent("examples/cs231n.grad"), encoding: .utf8)
        let eps = try! dir.write("eps.grad", seedProgram.replacingOccurrences(of: "den = sigx + xpysqr\n", with: "den = sigx + xpysqr + 1e-9\n"))
        let padding = (1...1200).map { "# padding line \($0), so that the text is stored compressed (over 64 KiB) .....\n" }.joined()
        let long = try! dir.write("long.grad", seedProgram + padding)
        for args in [
            ["record", RecordedLog.seed], ["record", RecordedLog.seed, "--set", "x=2", "--name", "probe"], ["record", eps],
            ["record", long], ["record", RecordedLog.seed, "--sweep", "x=-2:2:5"], ["gradcheck", "1"],
        ] {
            let result = try! CLI.run(args + ["--db", db])
            precondition(result.status == 0, "\(args): \(result.stderr)")
        }
        _ = try! SQLiteShell.run(db, "PRAGMA wal_checkpoint(TRUNCATE)")
        return (dir, db)
    }()

    /// Every reading command, then gradcheck (which writes its results).
    static let reading: [[String]] = [
        ["runs"], ["runs", "--format", "json"], ["show", "1"], ["show", "2", "--format", "json"],
        ["query", "node", "--param", "name=f", "--param", "run=1"], ["query", "run-health"],
        ["diff", "1", "2"], ["diff", "1", "3"], ["graph", "1"], ["graph", "1", "--diff", "3"], ["plot", "latest"],
    ]
    static let writing: [[String]] = [["gradcheck", "1"], ["gradcheck", "4"]]

    /// What a reader may say about a damaged file.
    static let explanations = ["changed outside gradlog", "malformed", "is not a gradlog database", "not a database"]

    struct Tampering: Sendable, CustomTestStringConvertible {
        var name: String
        /// SQL for the stock shell; nil when `damage` changes the bytes instead.
        var sql: String?
        var damage: (@Sendable (inout Data) -> Void)?
        /// False when the change may happen to leave every command's answer intact.
        var noticed = true

        init(_ name: String, _ sql: String) {
            self.name = name
            self.sql = sql
        }

        init(_ name: String, noticed: Bool = true, damage: @escaping @Sendable (inout Data) -> Void) {
            self.name = name
            self.damage = damage
            self.noticed = noticed
        }

        var testDescription: String { name }
    }

    static func node(_ set: String, run: Int = 1, id: Int = 21) -> String {
        "UPDATE run_node SET \(set) WHERE run_id = \(run) AND id = \(id)"
    }

    static let tamperings: [Tampering] = [
        // The issue's cases.
        Tampering("in0_back points past the run", node("in0_back = 1000")),
        Tampering("in0_back Int64.min", node("in0_back = -9223372036854775808")),
        Tampering("node_count 4e12", "UPDATE graph SET node_count = 4000000000000"),
        Tampering("node_count negative", "UPDATE graph SET node_count = -5"),
        Tampering("program_bytes 4e12 beside a tiny compressed text", "UPDATE graph SET program_bytes = 4000000000000 WHERE program IS NULL"),
        Tampering("a trigger that rewrites every run", "CREATE TRIGGER t AFTER INSERT ON gradcheck BEGIN UPDATE run_node SET value = 42; END"),
        Tampering("runs as an endless recursive CTE", """
            DROP VIEW runs; CREATE VIEW runs AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c)
            SELECT x AS id, NULL AS name, '' AS created_at, 'complete' AS status, 1 AS node_count, 0 AS output_id,
            NULL AS output_name, 0 AS output_value, NULL AS program_path, NULL AS program, NULL AS program_bytes,
            NULL AS program_sha256, '' AS tool_version, '' AS sqlite_version FROM c
            """),
        // Structure columns: hostile integers and wrong storage classes.
        Tampering("in1_back Int64.max", node("in1_back = 9223372036854775807")),
        Tampering("in1_back zero (a node its own input)", node("in1_back = 0")),
        Tampering("in0_back text", node("in0_back = 'one'")),
        Tampering("in0_back blob", node("in0_back = x'01'")),
        Tampering("in0_back real", node("in0_back = 0.5")),
        Tampering("in1_back NULL under a binary op", node("in1_back = NULL")),
        Tampering("op out of range", node("op = 99")),
        Tampering("op Int64.min", node("op = -9223372036854775808")),
        Tampering("op NULL", node("op = NULL")),
        Tampering("line_offset Int64.min", node("line_offset = -9223372036854775808")),
        Tampering("line_offset past the id", node("line_offset = 1000")),
        // Numbers of the wrong kind.
        Tampering("value blob", node("value = x'0102030405060708'", id: 20)),
        Tampering("value text", node("value = 'hello'")),
        Tampering("value NULL", node("value = NULL", run: 2, id: 3)),
        // (A NULL grad is no tampering: it is how a node that needs no gradient, data, is stored.)
        Tampering("d0 text", node("d0 = 'x'")),
        // Counts, ids and sizes of the graph and run rows.
        Tampering("node_count one short", "UPDATE graph SET node_count = 21 WHERE id = 1"),
        Tampering("node_count text", "UPDATE graph SET node_count = 'many'"),
        Tampering("node_count Int32 overflow", "UPDATE graph SET node_count = 2147483648"),
        Tampering("output_id Int64.max", "UPDATE graph SET output_id = 9223372036854775807"),
        Tampering("output_id real", "UPDATE graph SET output_id = 1e300"),
        Tampering("structure_run_id names no run", "UPDATE graph SET structure_run_id = 999"),
        Tampering("program_bytes negative", "UPDATE graph SET program_bytes = -1 WHERE program IS NULL"),
        Tampering("program_deflate zeros", "UPDATE graph SET program_deflate = zeroblob(100) WHERE program IS NULL"),
        Tampering("program text gone", "UPDATE graph SET program = NULL WHERE id = 1"),
        Tampering("program_sha256 gone", "UPDATE graph SET program_sha256 = NULL WHERE id = 1"),
        Tampering("program text changed", "UPDATE graph SET program = 'input x = 1' || char(10) || 'f = x' WHERE id = 1"),
        Tampering("graph_id names no graph", "UPDATE run SET graph_id = 999 WHERE id = 1"),
        Tampering("graph_input node_id past the run", "UPDATE graph_input SET node_id = 1000 WHERE graph_id = 1 AND position = 0"),
        Tampering("sweep tags of no input", "UPDATE run_tag SET key = 'sweep.zz' WHERE key = 'sweep.x'"),
        // Deleted rows.
        Tampering("a structure row deleted", "DELETE FROM run_node WHERE run_id = 1 AND id = 5"),
        Tampering("a number row deleted", "DELETE FROM run_node WHERE run_id = 2 AND id = 21"),
        Tampering("a run's graph deleted", "DELETE FROM graph WHERE id = 1"),
        // Schema objects.
        Tampering("an extra index", "CREATE INDEX extra ON run_node (name)"),
        Tampering("an extra table", "CREATE TABLE extra (x)"),
        Tampering("an extra view", "CREATE VIEW extra AS SELECT 1"),
        Tampering("a changed table", "ALTER TABLE run ADD COLUMN extra"),
        Tampering("a changed view", "DROP VIEW nodes; CREATE VIEW nodes AS SELECT * FROM run_node"),
        Tampering("a missing view", "DROP VIEW graph_node"),
        Tampering("a changed index", "DROP INDEX run_by_name; CREATE INDEX run_by_name ON run (name DESC)"),
        Tampering("gradlog_migration as a view", """
            CREATE TABLE m AS SELECT * FROM gradlog_migration; DROP TABLE gradlog_migration;
            CREATE VIEW gradlog_migration AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c)
            SELECT version, name, sha256, applied_at FROM m, c
            """),
        Tampering("a migration out of order", "DELETE FROM gradlog_migration WHERE version = 2"),
        // Bytes.
        Tampering("truncated to half") { data in data = data.prefix(data.count / 2) },
        Tampering("truncated to one page") { data in data = data.prefix(pageSize(data)) },
        Tampering("bytes flipped in the first page", noticed: false) { data in
            for offset in stride(from: 600, to: 4000, by: 97) { data[offset] ^= 0x5A }
        },
        Tampering("a data page's bytes flipped", noticed: false) { data in
            let page = pageSize(data) * 4
            for offset in stride(from: page + 200, to: page + 4000, by: 53) where offset < data.count { data[offset] ^= 0xA5 }
        },
        Tampering("the last page zeroed", noticed: false) { data in
            let size = pageSize(data)
            data.replaceSubrange((data.count - size)..<data.count, with: Data(count: size))
        },
    ]

    /// The page size in a database file's header (bytes 16 and 17, big-endian; 1 means 65536).
    static func pageSize(_ data: Data) -> Int {
        let start = data.startIndex
        let size = Int(data[start + 16]) << 8 | Int(data[start + 17])
        return size == 1 ? 65536 : size
    }

    /// Runs the binary, killing it after `seconds`; stdout is discarded.
    static func run(_ args: [String], seconds: Double = 30) throws -> (status: Int32, signaled: Bool, stderr: String, timedOut: Bool) {
        let process = Process()
        process.executableURL = CLI.executable
        process.arguments = args
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        let errors = FileManager.default.temporaryDirectory.appendingPathComponent("gradlog-stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errors) }
        process.standardError = try FileHandle(forWritingTo: errors)
        try process.run()
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(2000) }
        let timedOut = process.isRunning
        if timedOut { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        let stderr = String(decoding: (try? Data(contentsOf: errors)) ?? Data(), as: UTF8.self)
        return (process.terminationStatus, process.terminationReason == .uncaughtSignal, stderr, timedOut)
    }

    /// A copy of the seed, changed by `tampering`.
    static func tampered(_ tampering: Tampering, in dir: TemporaryDirectory) throws -> String {
        let db = dir.path("t.db")
        try FileManager.default.copyItem(atPath: seed.db, toPath: db)
        if let sql = tampering.sql {
            _ = try SQLiteShell.run(db, "PRAGMA ignore_check_constraints = ON; " + sql)
        }
        if let damage = tampering.damage {
            var data = try Data(contentsOf: URL(fileURLWithPath: db))
            damage(&data)
            try data.write(to: URL(fileURLWithPath: db))
        }
        return db
    }

    @Test(arguments: tamperings)
    func everyCommandRefusesOrAnswers(_ tampering: Tampering) throws {
        let dir = try TemporaryDirectory()
        let db = try Self.tampered(tampering, in: dir)
        var refusals = 0
        for command in Self.reading + Self.writing {
            let before = try Data(contentsOf: URL(fileURLWithPath: db))
            let result = try Self.run(command + ["--db", db])
            let label = "\(tampering.name): gradlog \(command.joined(separator: " "))"
            #expect(!result.timedOut, "\(label) still ran after 30 s")
            #expect(!result.signaled, "\(label) ended by a signal: \(result.stderr)")
            for mark in ["Fatal error", "Stack dump", "Backtrac", "Crash"] {
                #expect(!result.stderr.contains(mark), "\(label) printed a backtrace: \(result.stderr)")
            }
            let answers: Set<Int32> = ["diff", "gradcheck"].contains(command[0]) ? [0, 1, 2] : [0, 2]
            #expect(answers.contains(result.status), "\(label): exit \(result.status) \(result.stderr)")
            if result.status == 2 {
                refusals += 1
                #expect(Self.explanations.contains { result.stderr.contains($0) }, "\(label): \(result.stderr)")
            }
            if Self.reading.contains(command) || result.status == 2 {
                #expect(try Data(contentsOf: URL(fileURLWithPath: db)) == before, "\(label) changed the file")
            }
        }
        if tampering.noticed { #expect(refusals > 0, "\(tampering.name): no command noticed") }
    }

    /// The issue's messages, word for word where they matter.
    @Test(arguments: [
        ("in0_back points past the run", ["show", "1"], "t.db was changed outside gradlog: run 1, node 21: in0_back 1000 points outside the run"),
        ("in0_back Int64.min", ["graph", "1"], "run 1, node 21: in0_back -9223372036854775808 points outside the run"),
        ("node_count 4e12", ["diff", "1", "2"], "was changed outside gradlog: run 1: node_count 4000000000000 is outside"),
        ("node_count negative", ["graph", "1"], "was changed outside gradlog: run 1: node_count -5 is outside"),
        ("program_bytes 4e12 beside a tiny compressed text", ["gradcheck", "4"], "the program text of run 4 in t.db is damaged"),
        ("a trigger that rewrites every run", ["gradcheck", "1"], "t.db was changed outside gradlog: unexpected trigger 't'"),
        ("runs as an endless recursive CTE", ["runs"], "t.db was changed outside gradlog: view 'runs' is not gradlog's"),
        ("value blob", ["show", "1"], "run 1, node 20: value is a blob of 8 bytes, not a number"),
        ("op out of range", ["show", "1"], "run 1, node 21: op 99 is not an op code"),
        ("gradlog_migration as a view", ["runs"], "'gradlog_migration' is a view, not gradlog's table"),
    ])
    func messagesNameWhatChanged(_ name: String, _ command: [String], _ fragment: String) throws {
        let dir = try TemporaryDirectory()
        let tampering = try #require(Self.tamperings.first { $0.name == name })
        let db = try Self.tampered(tampering, in: dir)
        let result = try Self.run(command + ["--db", db])
        #expect(result.status == 2)
        #expect(result.stderr.replacingOccurrences(of: db, with: "t.db").contains(fragment), "\(result.stderr)")
    }

    /// The trigger never fired: gradcheck refused the file before writing a row.
    @Test func aPlantedTriggerNeverRuns() throws {
        let dir = try TemporaryDirectory()
        let db = try Self.tampered(try #require(Self.tamperings.first { $0.name.hasPrefix("a trigger") }), in: dir)
        #expect(try Self.run(["gradcheck", "1", "--db", db]).status == 2)
        #expect(try SQLiteShell.run(db, "SELECT count(*) FROM run_node WHERE value = 42") == "0")
    }

    /// A user's own runaway SQL stops at the time limit with a message, exit 2.
    @Test func runawayQueryStopsAtTheTimeLimit() throws {
        let started = Date()
        let result = try Self.run([
            "query", "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c",
            "--timeout", "1", "--db", Self.seed.db,
        ])
        #expect(result.status == 2)
        #expect(result.stderr.contains("the statement was stopped after running for 1.0 s, its time limit; pass --timeout SECONDS"), "\(result.stderr)")
        #expect(Date().timeIntervalSince(started) < 10)
        // The limit counts time in SQLite: an ordinary query is untouched by a short one.
        let quick = try Self.run(["query", "SELECT count(*) FROM nodes", "--timeout", "0.5", "--db", Self.seed.db])
        #expect(quick.status == 0, "\(quick.stderr)")
    }

    /// `query --write` changes rows, never the schema, so it cannot make a file gradlog refuses.
    @Test(arguments: ["CREATE VIEW mine AS SELECT 1", "CREATE INDEX mine ON run (created_at)", "DROP VIEW runs",
                      "ALTER TABLE run ADD COLUMN mine", "CREATE TRIGGER mine AFTER INSERT ON run BEGIN SELECT 1; END"])
    func queryWriteCannotChangeTheSchema(_ sql: String) throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("g.db")
        try FileManager.default.copyItem(atPath: Self.seed.db, toPath: db)
        let result = try Self.run(["query", sql, "--write", "--db", db])
        #expect(result.status == 2)
        #expect(result.stderr.contains("would create, drop or alter a table, index, view or trigger"), "\(result.stderr)")
        #expect(try Self.run(["runs", "--db", db]).status == 0)
        #expect(try Self.run(["query", "ANALYZE", "--write", "--db", db]).status == 0, "statistics are not schema")
        #expect(try Self.run(["runs", "--db", db]).status == 0)
    }

    /// Mutants saved by scripts/fuzz-db.sh stay fixed: every command on each, as the fuzzer runs
    /// them, ends without a signal, a backtrace or a hang.
    @Test func fuzzerFindingsStayFixed() throws {
        let folder = repositoryRoot.appendingPathComponent("Tests/Fuzz/db-crashes")
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".sqlite") }
        for file in files.sorted() {
            let dir = try TemporaryDirectory()
            let db = dir.path("m.db")
            try FileManager.default.copyItem(atPath: folder.appendingPathComponent(file).path, toPath: db)
            for command in Self.reading + Self.writing {
                let result = try Self.run(command + ["--db", db])
                let label = "\(file): gradlog \(command.joined(separator: " "))"
                #expect(!result.timedOut && !result.signaled && [0, 1, 2].contains(result.status), "\(label): \(result.stderr)")
                #expect(!["Fatal error", "Stack dump", "Backtrac"].contains { result.stderr.contains($0) }, "\(label): \(result.stderr)")
            }
        }
    }
}
