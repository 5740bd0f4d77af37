import Foundation
import Testing

/// Files that are not gradlog databases are refused with a clear message, a non-zero exit,
/// and left byte for byte as they were.
@Suite struct FileSafetyTests {
    static let seed = repositoryRoot.appendingPathComponent("examples/cs231n.grad").path

    /// Runs `gradlog` against `path` for a writing and a reading command and checks both refuse.
    func expectRefused(_ path: String, fragment: String) throws {
        let before = try? Data(contentsOf: URL(fileURLWithPath: path))
        for args in [["record", Self.seed, "--db", path], ["runs", "--db", path], ["show", "1", "--db", path]] {
            let result = try CLI.run(args)
            #expect(result.status == 2, "\(args): \(result.stderr)")
            #expect(!result.signaled)
            #expect(result.stderr.contains(fragment), "\(args): \(result.stderr)")
        }
        #expect((try? Data(contentsOf: URL(fileURLWithPath: path))) == before, "the file must not change")
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
        #expect(!FileManager.default.fileExists(atPath: path + "-journal"))
    }

    @Test func randomBytes() throws {
        let dir = try TemporaryDirectory()
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<8192).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let path = dir.path("random.db")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        try expectRefused(path, fragment: "is not a gradlog database: it is not an SQLite database")
    }

    @Test func emptyFile() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("empty.db", "")
        try expectRefused(path, fragment: "is not a gradlog database: the file is empty")
    }

    @Test func someoneElsesSQLiteFile() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("other.db")
        _ = try SQLiteShell.run(path, "CREATE TABLE customers(id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customers VALUES (1, 'Ada');")
        try expectRefused(path, fragment: "is not a gradlog database: it is an SQLite database of another application")
    }

    @Test func aDirectory() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("folder.db")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        for args in [["record", Self.seed, "--db", path], ["runs", "--db", path]] {
            let result = try CLI.run(args)
            #expect(result.status == 2)
            #expect(result.stderr.contains("it is a directory"), "\(result.stderr)")
        }
    }

    @Test func folderThatDoesNotExist() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("no/such/folder/g.db")
        let result = try CLI.run(["record", Self.seed, "--db", path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("the folder \(dir.path("no/such/folder")) does not exist"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.path("no")))
    }

    /// Permissions mean nothing to root, so as root these run gradlog as the user `nobody`.
    @Test func readOnlyFileAndFolder() throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("g.db")
        #expect(try CLI.run(["record", Self.seed, "--db", db]).status == 0)
        let asUser: [String] = getuid() == 0 ? ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", CLI.executable.path] : []
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir.url.path)
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: db)
        let before = try Data(contentsOf: URL(fileURLWithPath: db))

        let write = try run(asUser, ["record", Self.seed, "--db", db])
        #expect(write.status == 2, "\(write.stderr)")
        #expect(write.stderr.contains("read-only") || write.stderr.contains("cannot"), "\(write.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: db)) == before)
        // Reading still works, although SQLite cannot create its -shm file next to it.
        let read = try run(asUser, ["runs", "--db", db])
        #expect(read.status == 0, "\(read.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: db)) == before)

        let folder = dir.path("locked")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: folder)
        let create = try run(asUser, ["record", Self.seed, "--db", folder + "/g.db"])
        #expect(create.status == 2, "\(create.stderr)")
        #expect(create.stderr.contains("cannot"), "\(create.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/g.db"))
    }

    /// Runs the CLI directly, or through `prefix` (setpriv) when given.
    func run(_ prefix: [String], _ args: [String]) throws -> CLIResult {
        guard let launcher = prefix.first else { return try CLI.run(args) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: launcher)
        process.arguments = Array(prefix.dropFirst()) + args
        process.currentDirectoryURL = URL(fileURLWithPath: "/")
        let err = Pipe()
        process.standardError = err
        process.standardOutput = Pipe()
        try process.run()
        let data = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CLIResult(status: process.terminationStatus, stdout: "", stderr: String(decoding: data, as: UTF8.self), signaled: process.terminationReason == .uncaughtSignal)
    }
}
