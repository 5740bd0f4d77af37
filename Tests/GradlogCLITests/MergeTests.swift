import Foundation
import Testing

/// `gradlog merge`: runs from several worker files land once each, bit for bit, with their
/// programs, tags, gradient checks and trainings; merging again adds nothing; bad inputs are
/// refused with OUT unchanged. Real files, the real binary.
@Suite struct MergeTests {
    static let seed = RecordedLog.seed
    static let moons = repositoryRoot.appendingPathComponent("examples/moons.grad").path

    /// Runs gradlog and expects success.
    @discardableResult
    func ok(_ args: [String]) throws -> String {
        let result = try CLI.run(args)
        #expect(result.status == 0 && !result.signaled, "gradlog \(args): \(result.stderr)")
        return result.stdout
    }

    /// Every stored number of every run, by run uuid and node: float bits (a tensor as its hex).
    func numbers(_ db: String) throws -> [String] {
        try ok(["query", """
            SELECT r.uuid, n.id, coalesce(float_bits(n.value), hex(n.value)) AS value, coalesce(float_bits(n.grad), hex(n.grad)) AS grad,
                   (SELECT group_concat(coalesce(float_bits(e.local_grad), hex(e.local_grad)), ' ')
                    FROM edges e WHERE e.run_id = n.run_id AND e.node_id = n.id) AS local_grads
            FROM nodes n JOIN runs r ON r.id = n.run_id
            """, "--db", db, "--format", "csv"]).split(separator: "\n").dropFirst().map(String.init)
    }

    func merge(_ out: String, _ inputs: [String], _ extra: [String] = []) throws -> [[String: Any]] {
        let text = try ok(["merge", out] + inputs + extra + ["--format", "json"])
        return try #require(try parseJSON(text) as? [[String: Any]])
    }

    func count(_ db: String, _ sql: String) throws -> Int {
        Int(try SQLiteShell.run(db, sql)) ?? -1
    }

    @Test func twoWorkersLandOnceEachAndMergingAgainAddsNothing() throws {
        let dir = try TemporaryDirectory()
        let (w1, w2, all) = (dir.path("w1.db"), dir.path("w2.db"), dir.path("all.db"))
        try ok(["record", Self.seed, "--db", w1, "--name", "probe"])
        try ok(["record", Self.seed, "--db", w1, "--sweep", "x=1:2:3"])
        try ok(["gradcheck", "latest", "--db", w1])
        try ok(["record", Self.seed, "--db", w2, "--set", "x=5", "--name", "probe5"])
        try ok(["train", Self.moons, "--steps", "3", "--lr", "0.5", "--db", w2])
        let nan = try dir.write("nan.grad", RecordedLog.nanProgram)
        try ok(["record", nan, "--db", w2, "--set", "a=-0.0"])

        let first = try merge(all, [w1, w2])
        #expect(first.map { $0["runs_added"] as? Int } == [4, 4])
        #expect(first.map { $0["programs_added"] as? Int } == [1, 2], "w2's seed runs share w1's program")
        #expect(first.map { $0["trainings_added"] as? Int } == [0, 1])
        #expect(first.map { $0["gradchecks_added"] as? Int } == [2, 0])

        // Every run once, every number bit for bit.
        #expect(try count(all, "SELECT count(*) FROM runs") == 8)
        #expect(try count(all, "SELECT count(DISTINCT uuid) FROM runs") == 8)
        #expect(try numbers(all).sorted() == (try numbers(w1) + numbers(w2)).sorted())
        #expect(try SQLiteShell.run(all, "PRAGMA integrity_check") == "ok")

        // Tags: the source, and the sweep and training ids renumbered into all.db.
        #expect(try SQLiteShell.run(all, "SELECT group_concat(value, ' ') FROM (SELECT value FROM tags WHERE key = 'source' ORDER BY run_id)")
            == ([w1, w1, w1, w1, w2, w2, w2, w2]).joined(separator: " "))
        #expect(try SQLiteShell.run(all, "SELECT group_concat(run_id || ':' || value, ' ') FROM tags WHERE key = 'sweep'") == "2:2 3:2 4:2")
        #expect(try SQLiteShell.run(all, "SELECT group_concat(run_id || ':' || value, ' ') FROM tags WHERE key = 'training'") == "6:1 7:1")
        #expect(try SQLiteShell.run(all, "SELECT count(*) FROM metrics") == SQLiteShell.run(w2, "SELECT count(*) FROM metrics"))
        #expect(try SQLiteShell.run(all, "SELECT count(*) FROM training_stats") == SQLiteShell.run(w2, "SELECT count(*) FROM training_stats"))
        #expect(try count(all, "SELECT count(*) FROM gradchecks WHERE run_id = 4") == 2)
        let plot = try CLI.run(["plot", "latest", "--db", all, "-o", dir.path("sweep.svg")])
        #expect(plot.status == 0, "the merged sweep plots: \(plot.stderr)")

        // diff across workers: the probes differ first at x.
        let diff = try CLI.run(["diff", "probe", "probe5", "--db", all])
        #expect(diff.status == 1, "\(diff.stderr)")
        #expect(diff.stdout.contains("first value divergence: x (input, line 3): 3.0 vs 5.0"), "\(diff.stdout)")

        // Again: nothing new, nothing changed.
        let before = try numbers(all)
        let again = try merge(all, [w1, w2])
        #expect(again.map { $0["runs_added"] as? Int } == [0, 0])
        #expect(again.map { $0["runs_present"] as? Int } == [4, 4])
        #expect(again.map { ($0["gradchecks_added"] as? Int, $0["metrics_added"] as? Int) }.allSatisfy { $0 == (0, 0) })
        #expect(try numbers(all) == before)
        #expect(try count(all, "SELECT count(*) FROM tags") == 8 + 3 * 2 + 2 * 2)

        // A check made on a worker after the merge comes in with the next merge, alone.
        try ok(["gradcheck", "probe", "--db", w1])
        let later = try merge(all, [w1])
        #expect(later.first?["runs_added"] as? Int == 0 && later.first?["gradchecks_added"] as? Int == 2)
    }

    @Test func aTrainingThatWentOnBringsItsNewStepsAndCheckpoints() throws {
        let dir = try TemporaryDirectory()
        let (worker, all) = (dir.path("worker.db"), dir.path("all.db"))
        try ok(["train", Self.moons, "--steps", "3", "--lr", "0.5", "--db", worker])
        #expect(try merge(all, [worker]).first?["trainings_added"] as? Int == 1)
        let metricsBefore = try count(worker, "SELECT count(*) FROM metrics")
        try ok(["train", "--resume", "1", "--steps", "2", "--db", worker])
        let again = try merge(all, [worker]).first
        #expect(again?["trainings_advanced"] as? Int == 1 && again?["runs_added"] as? Int == 1, "\(String(describing: again))")
        #expect(again?["metrics_added"] as? Int == (try count(worker, "SELECT count(*) FROM metrics")) - metricsBefore)
        for sql in ["SELECT steps_done || ' ' || status FROM trainings", "SELECT count(*) FROM metrics",
                    "SELECT group_concat(step || input || kind, ' ') FROM (SELECT * FROM training_checkpoint ORDER BY 1, 2, 3, 4)"] {
            #expect(try SQLiteShell.run(all, sql) == SQLiteShell.run(worker, sql), "\(sql)")
        }
        // The merged log resumes it, as the worker would.
        try ok(["train", "--resume", "1", "--steps", "1", "--db", all])
    }

    @Test func theMergedFileMergesOnKeepingSourcesAndIdentity() throws {
        let dir = try TemporaryDirectory()
        let (w1, w2, ab, big) = (dir.path("w1.db"), dir.path("w2.db"), dir.path("ab.db"), dir.path("big.db"))
        try ok(["record", Self.seed, "--db", w1])
        try ok(["record", Self.seed, "--db", w2, "--set", "y=2"])
        _ = try merge(ab, [w1, w2])
        let rows = try merge(big, [w2, ab], ["--source-tag", "machine=node7"])
        #expect(rows.map { $0["runs_added"] as? Int } == [1, 1], "ab's copy of w2's run is known by its uuid")
        #expect(try SQLiteShell.run(big, "SELECT group_concat(key || '=' || value, ' ') FROM (SELECT * FROM tags ORDER BY run_id, key)")
            == "machine=node7 machine=node7 source=\(w1)")
        #expect(try SQLiteShell.run(big, "SELECT group_concat(uuid, ' ') FROM (SELECT uuid FROM runs ORDER BY uuid)")
            == SQLiteShell.run(ab, "SELECT group_concat(uuid, ' ') FROM (SELECT uuid FROM runs ORDER BY uuid)"))
    }

    @Test func badInputsAreRefusedAndLeaveEverythingAsItWas() throws {
        let dir = try TemporaryDirectory()
        let (good, all) = (dir.path("good.db"), dir.path("all.db"))
        try ok(["record", Self.seed, "--db", good])
        try ok(["record", Self.seed, "--db", all, "--set", "x=1"])
        let newer = dir.path("newer.db")
        try ok(["record", Self.seed, "--db", newer, "--set", "x=2"])
        _ = try SQLiteShell.run(newer, "INSERT INTO gradlog_migration VALUES (99, '0099_future.sql', 'x', 'now')")
        let trigger = dir.path("trigger.db")
        try ok(["record", Self.seed, "--db", trigger, "--set", "x=3"])
        _ = try SQLiteShell.run(trigger, "CREATE TRIGGER t AFTER INSERT ON run BEGIN DELETE FROM run_node; END")
        let otherStructure = dir.path("structure.db")
        try ok(["record", Self.seed, "--db", otherStructure, "--set", "x=4"])
        _ = try SQLiteShell.run(otherStructure, "UPDATE run_node SET name = 'xx' WHERE run_id = 1 AND id = 0")
        let noise = try dir.write("noise.db", String(repeating: "not a database ", count: 400))
        let foreign = dir.path("foreign.db")
        _ = try SQLiteShell.run(foreign, "CREATE TABLE t (a); INSERT INTO t VALUES (1)")

        let cases: [(input: String, extra: [String], message: String)] = [
            (newer, [], "\(newer) has schema version 99, but this gradlog knows versions up to"),
            (trigger, [], "\(trigger) was changed outside gradlog: unexpected trigger 't'"),
            (otherStructure, [], "whose stored structure differs from that of the same program text in \(all)"),
            (noise, [], "\(noise) is not a gradlog database"),
            (foreign, [], "\(foreign) is not a gradlog database: it is an SQLite database of another application"),
            (dir.path("missing.db"), [], "no gradlog database at \(dir.path("missing.db"))"),
            (all, [], "\(all) is the file being merged into"),
            (good, ["--source-tag", "sweep=3"], "tag 'sweep' is reserved"),
            (good, ["--source-tag", "nokey"], "--source-tag nokey: expected KEY=VALUE"),
        ]
        for (input, extra, message) in cases {
            let files = [input, all]
            let before = try files.map { try? Data(contentsOf: URL(fileURLWithPath: $0)) }
            let result = try CLI.run(["merge", all, input] + extra)
            #expect(result.status == 2 && !result.signaled, "\(input) \(extra): \(result.stderr)")
            #expect(result.stderr.contains(message), "\(input): \(result.stderr)")
            #expect(try files.map { try? Data(contentsOf: URL(fileURLWithPath: $0)) } == before, "\(input) left as it was")
        }
        // The first bad input stops the merge; the inputs before it are in, whole.
        let result = try CLI.run(["merge", all, good, newer, otherStructure])
        #expect(result.status == 2 && result.stderr.contains("the 1 input(s) before it are merged"), "\(result.stderr)")
        #expect(try count(all, "SELECT count(*) FROM runs") == 2)
        // A good input is read, never written: its bytes (and its -wal) stay as they were.
        let goodBefore = try Data(contentsOf: URL(fileURLWithPath: good))
        #expect(try merge(dir.path("fresh.db"), [good]).first?["runs_added"] as? Int == 1)
        #expect(try Data(contentsOf: URL(fileURLWithPath: good)) == goodBefore)
    }
}

/// A merge killed at random moments leaves OUT passing integrity_check, holding whole inputs
/// only (each input is one transaction), and the next merge completes it.
@Suite(.serialized) struct MergeKillTests {
    @Test func killedMergesLeaveWholeInputsOnly() throws {
        let dir = try TemporaryDirectory()
        let script = repositoryRoot.appendingPathComponent("scripts/make-workers.sh").path
        let make = Process()
        make.executableURL = URL(fileURLWithPath: script)
        make.arguments = ["5", "4", dir.path("workers"), "chain:20000"]
        make.environment = ProcessInfo.processInfo.environment.merging(["GRADLOG": CLI.executable.path]) { _, new in new }
        make.standardOutput = FileHandle.nullDevice
        try make.run()
        make.waitUntilExit()
        try #require(make.terminationStatus == 0)
        let inputs = (1...5).map { dir.path("workers/worker-\($0).db") }

        let out = dir.path("all.db")
        let start = Date()
        #expect(try CLI.run(["merge", out] + inputs).status == 0)
        let duration = Date().timeIntervalSince(start)
        #expect(try SQLiteShell.run(out, "SELECT count(*) FROM runs") == "20")

        var generator = SystemRandomNumberGenerator()
        var partial = 0
        for kill in 0..<8 {
            try? FileManager.default.removeItem(atPath: out)
            for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: out + suffix) }
            let process = Process()
            process.executableURL = CLI.executable
            process.arguments = ["merge", out] + inputs
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(UInt32(Double.random(in: 0.05...1, using: &generator) * duration * 1_000_000))
            Foundation.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            guard FileManager.default.fileExists(atPath: out) else { continue }
            #expect(try SQLiteShell.run(out, "PRAGMA integrity_check") == "ok", "kill \(kill)")
            // Each input is there with all 4 runs, or not at all, and in order.
            let perInput = try inputs.map { input in
                Int(try SQLiteShell.run(out, "SELECT count(*) FROM tags WHERE key = 'source' AND value = '\(input)'")) ?? -1
            }
            #expect(perInput.allSatisfy { $0 == 0 || $0 == 4 }, "kill \(kill): \(perInput)")
            #expect(perInput == perInput.sorted(by: >), "kill \(kill): inputs land in order: \(perInput)")
            #expect(try SQLiteShell.run(out, CrashAndConcurrencyTests.partialRuns) == "0")
            if perInput.contains(0) && perInput.contains(4) { partial += 1 }
            // The next merge completes it.
            #expect(try CLI.run(["merge", out] + inputs).status == 0)
            #expect(try SQLiteShell.run(out, "SELECT count(*) FROM runs") == "20")
        }
        #expect(partial > 0, "at least one kill fell between two inputs")
    }
}
