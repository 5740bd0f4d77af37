import Foundation
import Testing

/// What was recorded is there whole, whatever happens: killed writers, concurrent writers,
/// readers during writes. Real processes on a real file.
@Suite(.serialized) struct CrashAndConcurrencyTests {
    /// A chain program large enough that recording takes a noticeable time.
    static func chain(_ n: Int) -> String {
        var source = "input x = 0.5\ninput y = -0.3\nv = x * y\n"
        for i in 0..<n { source += i % 2 == 0 ? "v = tanh(v) + y\n" : "v = v * x\n" }
        return source
    }

    func shell(_ db: String, _ sql: String) throws -> String { try SQLiteShell.run(db, sql) }

    /// Runs whose stored node rows do not add up to their node count: must always be empty.
    static let partialRuns = """
        SELECT count(*) FROM runs r
        WHERE r.node_count != (SELECT count(*) FROM nodes n WHERE n.run_id = r.id)
        """

    @Test func killedMidWriteLeavesEarlierRunsWholeAndNoPartialRun() throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("g.db")
        let program = try dir.write("big.grad", Self.chain(40_000))
        let small = repositoryRoot.appendingPathComponent("examples/cs231n.grad").path
        #expect(try CLI.run(["record", small, "--db", db]).status == 0)

        let start = Date()
        #expect(try CLI.run(["record", program, "--db", db]).status == 0)
        let duration = Date().timeIntervalSince(start)
        var completed = 2
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<12 {
            let process = Process()
            process.executableURL = CLI.executable
            process.arguments = ["record", program, "--db", db]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(UInt32(Double.random(in: 0...duration, using: &generator) * 1_000_000))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let exitedCleanly = process.terminationReason == .exit && process.terminationStatus == 0
            #expect(try shell(db, "PRAGMA integrity_check") == "ok")
            #expect(try shell(db, Self.partialRuns) == "0")
            // The run is there whole or not at all. A writer killed after its commit but before
            // it exited has landed its run, so only a clean exit pins the count.
            let count = Int(try shell(db, "SELECT count(*) FROM runs")) ?? -1
            #expect(count == completed + 1 || (!exitedCleanly && count == completed), "\(count) runs after \(completed)")
            completed = count
        }
        // The first run is untouched by all of it.
        #expect(try shell(db, "SELECT printf('%!.17g', value) FROM nodes WHERE run_id = 1 AND name = 'f'") == "1.5456448841066441")
        #expect(try CLI.run(["record", small, "--db", db]).status == 0, "the log still takes new runs")
    }

    @Test func concurrentWritersAllLand() throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("g.db")  // created by the racing writers themselves
        let program = try dir.write("big.grad", Self.chain(5_000))
        let writers = (0..<6).map { i -> Process in
            let process = Process()
            process.executableURL = CLI.executable
            process.arguments = ["record", program, "--db", db, "--set", "x=0.\(i + 1)"]
            process.standardOutput = FileHandle.nullDevice
            return process
        }
        let errors = writers.map { process -> Pipe in
            let pipe = Pipe()
            process.standardError = pipe
            return pipe
        }
        for process in writers { try process.run() }
        // A reader running while the writers write.
        var readerStatuses: [Int32] = []
        for _ in 0..<5 {
            let reader = try CLI.run(["runs", "--db", db])
            if reader.status != 0 { #expect(reader.stderr.contains("no gradlog database"), "\(reader.stderr)") }
            readerStatuses.append(reader.status)
        }
        for (process, pipe) in zip(writers, errors) {
            let message = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "\(message)")
        }
        #expect(try shell(db, "SELECT count(*) FROM runs") == "6")
        #expect(try shell(db, Self.partialRuns) == "0")
        #expect(try shell(db, "SELECT count(DISTINCT output_value) FROM runs") == "6")
        #expect(try shell(db, "PRAGMA integrity_check") == "ok")
    }

    /// `show`, `query` and `diff` read while writers write: each succeeds, sees the earlier run
    /// as it was, and never sees a partial run.
    @Test func readersDuringWrites() throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("g.db")
        let seed = repositoryRoot.appendingPathComponent("examples/cs231n.grad").path
        #expect(try CLI.run(["record", seed, "--db", db]).status == 0)
        let shown = try CLI.run(["show", "1", "--db", db, "--format", "json"]).stdout
        let program = try dir.write("big.grad", Self.chain(40_000))
        let writers = try (0..<3).map { i -> Process in
            let process = Process()
            process.executableURL = CLI.executable
            process.arguments = ["record", program, "--db", db, "--set", "x=0.\(i + 1)"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            return process
        }
        var readsDuringWrites = 0
        while writers.contains(where: \.isRunning) {
            let show = try CLI.run(["show", "1", "--db", db, "--format", "json"])
            #expect(show.status == 0 && show.stdout == shown, "\(show.stderr)")
            let partial = try CLI.run(["query", Self.partialRuns, "--db", db, "--format", "csv"])
            #expect(partial.status == 0 && partial.stdout.hasSuffix("\n0\n"), "\(partial.stdout)\(partial.stderr)")
            let diff = try CLI.run(["diff", "1", "latest", "--db", db, "--format", "json"])
            #expect([0, 1].contains(diff.status) && !diff.signaled, "\(diff.stderr)")
            if writers.contains(where: \.isRunning) { readsDuringWrites += 1 }
        }
        for process in writers {
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
        }
        #expect(readsDuringWrites > 0, "no read overlapped a write")
        #expect(try shell(db, "SELECT count(*) FROM runs") == "4")
    }
}
