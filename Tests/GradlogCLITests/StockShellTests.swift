import Foundation
import Testing

/// The file gradlog writes is plain SQLite: the stock sqlite3 shell reads every view.
/// CI installs the shell (.ci/run); without it these tests fail and say so.
@Suite struct StockShellTests {
    static func shell() throws -> String {
        let candidates = ["/usr/bin/sqlite3"] + (ProcessInfo.processInfo.environment["PATH"] ?? "")
            .split(separator: ":").map { $0 + "/sqlite3" }
        return try #require(candidates.first { FileManager.default.isExecutableFile(atPath: $0) },
                            "the stock sqlite3 shell is not installed (apt-get install sqlite3; .ci/run does)")
    }

    static func sqlite3(_ db: String, _ sql: String) throws -> CLIResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try shell())
        process.arguments = ["-bail", db, sql]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CLIResult(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errData, as: UTF8.self), signaled: process.terminationReason == .uncaughtSignal)
    }

    /// Done when: the stock shell reads f's value from the file gradlog wrote.
    @Test func stockShellReadsTheOutputValue() throws {
        let log = try RecordedLog()
        try log.record()
        let result = try Self.sqlite3(log.db, "SELECT value FROM nodes WHERE run_id = 1 AND name = 'f'")
        #expect(result.status == 0, "\(result.stderr)")
        let value = try #require(Double(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(abs(value - 1.5456448841066441) <= 1e-14)  // the shell prints 15 digits
        let exact = try Self.sqlite3(log.db, "SELECT value = 1.5456448841066441 FROM nodes WHERE run_id = 1 AND name = 'f'")
        #expect(exact.stdout == "1\n", "stored bit for bit")
    }

    @Test func stockShellReadsEveryView() throws {
        let log = try RecordedLog()
        try log.record(["--tag", "kind=seed", "--gradcheck"])  // fills the gradchecks view too
        try log.record(source: RecordedLog.nanProgram)
        try log.record(source: "input w = [[1, 2], [3, 4]]\ndata x = [1, -1]\nf = sum(relu(x @ w))\n")  // tensor_stats
        let train = try log.run("train", [RecordedLog.seed, "--steps", "2", "--lr", "0.1"])  // trainings, metrics
        #expect(train.status == 0, "\(train.stderr)")
        let views = try #require(try log.rows(["SELECT name FROM sqlite_schema WHERE type = 'view' ORDER BY name"]).compactMap { $0["name"] as? String })
        #expect(views.count >= 8)
        for view in views {
            let result = try Self.sqlite3(log.db, "SELECT count(*) FROM (SELECT * FROM \(view))")
            #expect(result.status == 0, "sqlite3 cannot read \(view): \(result.stderr)")
            #expect(Int(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0 > 0, "\(view) is empty")
        }
        let nan = try Self.sqlite3(log.db, "SELECT name, value_kind FROM node_details WHERE run_id = 2 AND value_kind <> 'finite' ORDER BY id")
        #expect(nan.stdout == "n|nan\nm|nan\nout|nan\n")
    }
}
