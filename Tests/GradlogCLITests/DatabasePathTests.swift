import Foundation
import Testing

/// `--db` through links and at special files: the same checks as a plain path, a clear message,
/// exit 2, nothing written and no hang. Real links, FIFOs and descriptors.
@Suite struct DatabasePathTests {
    let dir = try! TemporaryDirectory()
    static let seed = repositoryRoot.appendingPathComponent("examples/cs231n.grad").path

    /// Runs a writing and two reading commands with `--db path` and checks that each refuses.
    func expectRefused(_ path: String, _ fragment: String) throws {
        for args in [["record", Self.seed], ["runs"], ["show", "1"]] {
            let result = try CLI.run(args + ["--db", path], in: dir.url)
            #expect(result.status == 2, "\(args): \(result.stderr)")
            #expect(!result.signaled)
            #expect(result.stderr.contains(fragment), "\(args): \(result.stderr)")
            #expect(result.stdout.isEmpty, "\(args): \(result.stdout)")
        }
    }

    @Test(.timeLimit(.minutes(1))) func aLinkToAnEmptyFileIsRefusedAsTheFileIs() throws {
        try dir.write("empty", "")
        try FileManager.default.createSymbolicLink(atPath: dir.path("link"), withDestinationPath: "empty")
        try expectRefused("link", "link is not a gradlog database: the file is empty")
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir.path("empty"))).isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path).sorted() == ["empty", "link"])
    }

    @Test(.timeLimit(.minutes(1))) func aFIFOAndALinkToOneAreRefusedWithoutHanging() throws {
        #expect(mkfifo(dir.path("fifo"), 0o644) == 0)
        try FileManager.default.createSymbolicLink(atPath: dir.path("link"), withDestinationPath: "fifo")
        try expectRefused("fifo", "fifo is not a gradlog database: it is a FIFO (a named pipe), not a regular file")
        try expectRefused("link", "link is not a gradlog database: it is a FIFO")
    }

    @Test func aDeviceIsRefused() throws {
        try expectRefused("/dev/null", "/dev/null is not a gradlog database: it is a device, not a regular file")
    }

    @Test func aLinkToNothingIsNotCreatedThrough() throws {
        try FileManager.default.createSymbolicLink(atPath: dir.path("dangling"), withDestinationPath: "nothere.db")
        let record = try CLI.run(["record", Self.seed, "--db", "dangling"], in: dir.url)
        #expect(record.status == 2)
        #expect(record.stderr.contains("cannot create dangling: it is a symbolic link to nothere.db, which does not exist"), "\(record.stderr)")
        #expect(try CLI.run(["runs", "--db", "dangling"], in: dir.url).stderr.contains("no gradlog database at dangling"))
        #expect(!FileManager.default.fileExists(atPath: dir.path("nothere.db")))
    }

    /// `--db /dev/stdout > out.bin`: stdout is a regular file there, but not one to keep a log in.
    @Test(arguments: ["/dev/stdout", "/dev/fd/1", "/proc/self/fd/1", "link-to-stdout"])
    func ownStreamsAreRefusedAndNothingIsWritten(_ path: String) throws {
        try FileManager.default.createSymbolicLink(atPath: dir.path("link-to-stdout"), withDestinationPath: "/dev/stdout")
        for args in [["record", Self.seed], ["runs"]] {
            _ = FileManager.default.createFile(atPath: dir.path("out.bin"), contents: nil)
            let (status, stderr) = try CLI.run(args + ["--db", path], in: dir.url, standardOutputTo: dir.path("out.bin"))
            #expect(status == 2, "\(args) \(stderr)")
            #expect(stderr.contains("is not a gradlog database: it names one of gradlog's own input or output streams"), "\(stderr)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: dir.path("out.bin"))).isEmpty)
        }
    }

    @Test func aLinkToARealLogWorksAndKeepsTheLink() throws {
        #expect(try CLI.run(["record", Self.seed, "--db", "real.db"], in: dir.url).status == 0)
        try FileManager.default.createSymbolicLink(atPath: dir.path("link.db"), withDestinationPath: "real.db")
        #expect(try CLI.run(["record", Self.seed, "--db", "link.db"], in: dir.url).status == 0)
        let runs = try CLI.run(["runs", "--db", "real.db", "--format", "json"], in: dir.url)
        #expect((try parseJSON(runs.stdout) as? [Any])?.count == 2)
        #expect(try FileManager.default.attributesOfItem(atPath: dir.path("link.db"))[.type] as? FileAttributeType == .typeSymbolicLink)
    }

    @Test func anEmptyPathIsRefusedFromTheOptionAndTheEnvironmentAlike() throws {
        let option = try CLI.run(["record", Self.seed, "--db", ""], in: dir.url)
        #expect(option.status == 2)
        #expect(option.stderr.contains("--db '': the database path is empty"), "\(option.stderr)")
        let environment = try CLI.run(["record", Self.seed], in: dir.url, environment: ["GRADLOG_DB": ""])
        #expect(environment.status == 2)
        #expect(environment.stderr.contains("GRADLOG_DB is set but empty"), "\(environment.stderr)")
        #expect(try CLI.run(["runs"], in: dir.url, environment: ["GRADLOG_DB": ""]).status == 2)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path).isEmpty, "no ./gradlog.db was made")
    }
}
