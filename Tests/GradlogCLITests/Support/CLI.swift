import Foundation
import Testing

/// The result of running the real `gradlog` binary.
struct CLIResult {
    var status: Int32
    var stdout: String
    var stderr: String
    /// True when the process ended by a signal (a crash), not by exiting.
    var signaled: Bool
}

/// Runs the built `gradlog` executable (it sits next to the test bundle in the build folder).
enum CLI {
    static let executable: URL = {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        // swift test runs .build/<config>/gradlogPackageTests.xctest; on some setups argv[0]
        // is inside the bundle, so walk up until the binary is found.
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("gradlog")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir.deleteLastPathComponent()
        }
        return URL(fileURLWithPath: ".build/debug/gradlog")
    }()

    /// Runs `gradlog args...` (or another `program`, such as script(1) around gradlog) in
    /// `directory` with `GRADLOG_DB` unset unless given.
    @discardableResult
    static func run(
        _ args: [String], in directory: URL? = nil, environment: [String: String] = [:], stdin: String? = nil, program: URL? = nil
    ) throws -> CLIResult {
        let process = Process()
        process.executableURL = program ?? executable
        process.arguments = args
        if let directory { process.currentDirectoryURL = directory }
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "GRADLOG_DB")
        env.merge(environment) { _, new in new }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let input = Pipe()
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try? input.fileHandleForWriting.close()
        // Read both pipes while the process runs so a large output cannot block it.
        nonisolated(unsafe) var errData = Data()
        let errReader = Thread { errData = err.fileHandleForReading.readDataToEndOfFile() }
        errReader.start()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !errReader.isFinished { usleep(1000) }
        return CLIResult(
            status: process.terminationStatus,
            stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self),
            signaled: process.terminationReason == .uncaughtSignal)
    }
}

extension CLI {
    /// Runs `gradlog args...` with its standard output going to `path` (a file, `/dev/full`),
    /// as `gradlog ... > path` would; returns the status and stderr.
    static func run(_ args: [String], in directory: URL? = nil, standardOutputTo path: String) throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = executable
        process.arguments = args
        if let directory { process.currentDirectoryURL = directory }
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        let err = Pipe()
        process.standardError = err
        try process.run()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, stderr)
    }
}

/// A fresh temporary folder, removed when the value is released.
final class TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("gradlog-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// Writes a file and returns its path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let path = path(name)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }
}

/// The repository root, for examples/, migrations/ and queries/.
let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// Parses JSON output into Foundation objects.
func parseJSON(_ text: String) throws -> Any {
    try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
}

/// The stock `sqlite3` shell, to check that the file reads the same from outside gradlog.
enum SQLiteShell {
    static let path = "/usr/bin/sqlite3"

    /// Runs one SQL text against `db` and returns its output, trimmed.
    static func run(_ db: String, _ sql: String) throws -> String {
        try #require(FileManager.default.isExecutableFile(atPath: path), "the stock sqlite3 shell is needed (apt-get install sqlite3)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = [db, sql]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "sqlite3 \(db) \(sql)")
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
