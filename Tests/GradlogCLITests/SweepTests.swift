import Foundation
import Testing

/// `record --sweep` through the real binary: runs in grid order, tagged so `input-grads`
/// lines them up, the structure stored once.
@Suite struct SweepTests {
    let log = try! RecordedLog()

    func sweep(_ args: [String], source: String? = nil) throws -> CLIResult {
        let program = try source.map { try log.dir.write("sweep.grad", $0) } ?? RecordedLog.seed
        let result = try CLI.run(["record", program, "--db", log.db] + args)
        #expect(!result.signaled)
        return result
    }

    /// The done-when case: 9 runs, x = -2, -1.5, ..., 2, listed in order by `input-grads`.
    @Test func nineRunsInOrder() throws {
        let result = try sweep(["--sweep", "x=-2:2:9", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.isEmpty, "no progress line when stderr is not a terminal")
        let object = try #require(try parseJSON(result.stdout) as? [String: Any])
        #expect(object["sweep"] as? Int == 1)
        let runs = try #require(object["runs"] as? [[String: Any]])
        #expect(runs.map { $0["run_id"] as? Int } == Array(1...9))
        #expect(runs.map { $0["x"] as? Double } == [-2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2])

        let rows = try log.rows(["input-grads", "--param", "name=x"])
        #expect(rows.map { $0["run_id"] as? Int } == Array(1...9))
        #expect(rows.map { $0["value"] as? Double } == [-2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2])
        #expect(rows[0]["tags"] as? String == "sweep=1, sweep.x=-2.0")
        #expect(rows.map { $0["grad"] as? Double } == runs.map { $0["grad_x"] as? Double })
        // Same program text: one graph, its structure on the first run's rows only.
        #expect(try SQLiteShell.run(log.db, "SELECT count(*) FROM graph") == "1")
        #expect(try SQLiteShell.run(log.db, "SELECT DISTINCT run_id FROM run_node WHERE op IS NOT NULL") == "1")
        #expect(try SQLiteShell.run(log.db, "SELECT count(*) FROM nodes") == "198")
    }

    @Test func tableOutput() throws {
        let result = try sweep(["--sweep", "x=0:1:3", "--set", "y=1"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("""
            recorded sweep 1: 3 runs (1-3), output f
            run_id  x    output               grad_x
            ------  ---  -------------------  --------------------
                 1  0.0   0.4873723857533366  -0.06439191196333816
                 2  0.5  0.42857302286501736   -0.1345311718499086

            """))
        #expect(try SQLiteShell.run(log.db, "SELECT DISTINCT value FROM inputs WHERE name = 'y'") == "1.0")
    }

    /// Several --sweep flags make a grid; the first varies slowest.
    @Test func gridInNestedLoopOrder() throws {
        let result = try sweep(["--sweep", "x=0:1:2", "--sweep", "y=-1:1:3", "--tag", "study=grid", "--format", "csv"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map { $0.split(separator: ",").prefix(3).joined(separator: ",") }
        #expect(lines == ["run_id,x,y", "1,0.0,-1.0", "2,0.0,0.0", "3,0.0,1.0", "4,1.0,-1.0", "5,1.0,0.0", "6,1.0,1.0"])
        #expect(try SQLiteShell.run(log.db, "SELECT key || '=' || value FROM tags WHERE run_id = 6 ORDER BY key")
                == "study=grid\nsweep=1\nsweep.x=1.0\nsweep.y=1.0")
    }

    @Test func sweepWithGradcheck() throws {
        let passing = try sweep(["--sweep", "x=-2:2:5", "--gradcheck", "--format", "json"])
        #expect(passing.status == 0, "\(passing.stderr)")
        let runs = try #require((try parseJSON(passing.stdout) as? [String: Any])?["runs"] as? [[String: Any]])
        #expect(runs.allSatisfy { $0["gradcheck"] as? String == "pass" })
        #expect(try SQLiteShell.run(log.db, "SELECT count(*) FROM gradchecks WHERE verdict = 'pass'") == "10")

        // relu'(0) = 0 against a central difference of 1/2: the run at x = 0 fails.
        let kink = try sweep(["--sweep", "x=-1:1:3", "--gradcheck"], source: "input x = 0\nf = relu(x)\n")
        #expect(kink.status == 1)
        #expect(kink.stdout.contains("gradcheck failed for run 7 (`gradlog gradcheck RUN` shows the inputs)"), "\(kink.stdout)")
    }

    /// stop - start overflows at these ends; the recorded inputs must be the grid itself.
    @Test func wideRangeIsRecordedWithoutOverflow() throws {
        let result = try sweep(["--sweep", "x=-1e308:1e308:3", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let runs = try #require((try parseJSON(result.stdout) as? [String: Any])?["runs"] as? [[String: Any]])
        #expect(runs.map { $0["x"] as? Double } == [-1e308, 0, 1e308])
    }

    /// A plain run tagged sweep=1 would join sweep 1's plot; the key is refused.
    @Test func reservedTagsAreRefusedOnPlainRuns() throws {
        #expect(try sweep(["--sweep", "x=0:1:2"]).status == 0)
        let tagged = try sweep(["--tag", "sweep=1"])
        #expect(tagged.status == 2)
        #expect(tagged.stderr.contains("tag 'sweep' is reserved"))
        #expect(try log.rows(["SELECT run_id FROM tags WHERE key = 'sweep'"]).count == 2)
    }
}
