import Foundation
import Testing

/// A log in a temporary folder, filled through the real CLI, for running `gradlog query`.
final class RecordedLog {
    let dir: TemporaryDirectory
    let db: String

    static let seed = repositoryRoot.appendingPathComponent("examples/cs231n.grad").path

    /// The program whose `n = log(a - 1)` makes the first NaN.
    static let nanProgram = "input a = 0\nok = a + 1\nn = log(a - 1)\nm = n * 2\nout = m + ok\n"

    init() throws {
        dir = try TemporaryDirectory()
        db = dir.path("g.db")
    }

    /// Records a program file (the seed by default), or `source` written to a file first.
    func record(_ extra: [String] = [], source: String? = nil) throws {
        let program = try source.map { try dir.write("p\(UUID().uuidString.prefix(8)).grad", $0) } ?? Self.seed
        let result = try CLI.run(["record", program, "--db", db] + extra)
        #expect(result.status == 0, "record failed: \(result.stderr)")
    }

    /// Runs `gradlog COMMAND ARGS --db DB`; a crash fails the test.
    func run(_ command: String, _ args: [String]) throws -> CLIResult {
        let result = try CLI.run([command] + args + ["--db", db])
        #expect(!result.signaled, "gradlog \(command) \(args) crashed")
        return result
    }

    /// Runs `gradlog query ARGS --db DB`.
    func query(_ args: [String]) throws -> CLIResult {
        try CLI.run(["query"] + args + ["--db", db])
    }

    /// Runs a query that must succeed and returns its JSON rows.
    func rows(_ args: [String]) throws -> [[String: Any]] {
        let result = try query(args + ["--format", "json"])
        #expect(result.status == 0, "\(args): \(result.stderr)")
        #expect(!result.signaled)
        return try #require(try parseJSON(result.stdout) as? [[String: Any]], "\(result.stdout)")
    }
}
