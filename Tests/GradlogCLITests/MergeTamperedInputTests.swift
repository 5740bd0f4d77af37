import Foundation
import Testing

/// A worker file is untrusted input to `merge` like any file gradlog reads: each tampered or
/// damaged file of `TamperedDatabaseTests` is merged into a log that holds a good run. The
/// merge answers or refuses (exit 0 or 2, never a signal or a backtrace), leaves the input as
/// it was, and the log still passes integrity_check and lists its runs.
@Suite struct MergeTamperedInputTests {
    @Test(arguments: TamperedDatabaseTests.tamperings)
    func mergingATamperedFileLeavesTheLogReadable(_ tampering: TamperedDatabaseTests.Tampering) throws {
        let dir = try TemporaryDirectory()
        let input = try TamperedDatabaseTests.tampered(tampering, in: dir)
        let out = dir.path("out.db")
        #expect(try CLI.run(["record", RecordedLog.seed, "--db", out, "--set", "x=7"]).status == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: input))
        let result = try TamperedDatabaseTests.run(["merge", out, input])
        let label = "\(tampering.name): gradlog merge"
        #expect(!result.timedOut && !result.signaled, "\(label): \(result.stderr)")
        for mark in ["Fatal error", "Stack dump", "Backtrac", "Crash"] {
            #expect(!result.stderr.contains(mark), "\(label) printed a backtrace: \(result.stderr)")
        }
        #expect([0, 2].contains(result.status), "\(label): exit \(result.status) \(result.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: input)) == before, "\(label) changed its input")
        #expect(try SQLiteShell.run(out, "PRAGMA integrity_check") == "ok")
        let runs = try CLI.run(["runs", "--db", out])
        #expect(runs.status == 0, "\(label): the log no longer lists its runs: \(runs.stderr)")
        #expect(try CLI.run(["show", "1", "--db", out]).status == 0, "\(label): the log's own run")
    }
}
