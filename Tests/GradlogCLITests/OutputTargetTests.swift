import Foundation
import Testing

/// `plot -o PATH` writes through the path as `>` would, or refuses it, and never replaces
/// what is there; standard output's failures keep the command's exit status (EPIPE) or make
/// it 2 (any other write error). Real links, FIFOs, hard links and pipes in a temporary folder.
@Suite struct OutputTargetTests {
    let log = try! RecordedLog()

    init() throws {
        try log.record(["--sweep", "x=-1:1:3"])
    }

    func plot(_ output: String) throws -> CLIResult {
        try CLI.run(["plot", "latest", "-o", output, "--db", log.db], in: log.dir.url)
    }

    func kind(_ path: String) throws -> FileAttributeType? {
        try FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType
    }

    @Test func aSymbolicLinkIsFollowedAndStaysALink() throws {
        try log.dir.write("real.svg", "old")
        try FileManager.default.createSymbolicLink(atPath: log.dir.path("out.svg"), withDestinationPath: "real.svg")
        let result = try plot("out.svg")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try kind(log.dir.path("out.svg")) == .typeSymbolicLink)
        #expect(try String(contentsOfFile: log.dir.path("real.svg"), encoding: .utf8).hasPrefix("<?xml"))
    }

    @Test func aDanglingLinkCreatesItsTargetAsTheShellDoes() throws {
        try FileManager.default.createSymbolicLink(atPath: log.dir.path("out.svg"), withDestinationPath: "new.svg")
        #expect(try plot("out.svg").status == 0)
        #expect(try kind(log.dir.path("out.svg")) == .typeSymbolicLink)
        #expect(try String(contentsOfFile: log.dir.path("new.svg"), encoding: .utf8).hasPrefix("<?xml"))
    }

    @Test func aSecondHardLinkKeepsSharingTheFile() throws {
        try log.dir.write("a.svg", "old")
        #expect(link(log.dir.path("a.svg"), log.dir.path("b.svg")) == 0)
        #expect(try plot("b.svg").status == 0)
        let a = try FileManager.default.attributesOfItem(atPath: log.dir.path("a.svg"))
        let b = try FileManager.default.attributesOfItem(atPath: log.dir.path("b.svg"))
        #expect(a[.systemFileNumber] as? Int == b[.systemFileNumber] as? Int)
        #expect(a[.referenceCount] as? Int == 2)
        #expect(try String(contentsOfFile: log.dir.path("a.svg"), encoding: .utf8).hasPrefix("<?xml"))
    }

    @Test(arguments: [
        ("fifo", "cannot write fifo: it is a FIFO; -o writes regular files only"),
        ("link-to-fifo", "cannot write link-to-fifo: it is a FIFO"),
        ("/dev/null", "cannot write /dev/null: it is a character device"),
        ("adir", "cannot write adir: it is a directory; -o writes regular files only"),
        ("readonly.svg", "cannot write readonly.svg: the file is read-only"),
        ("g.db", "cannot write g.db: it is the database"),
        ("nofolder/out.svg", "cannot create nofolder/out.svg: the folder nofolder does not exist"),
        ("", "-o '': give a file name, or - for standard output"),
    ])
    func whatIsNotAWritableRegularFileIsRefusedAndKept(_ target: String, _ message: String) throws {
        #expect(mkfifo(log.dir.path("fifo"), 0o644) == 0)
        try FileManager.default.createSymbolicLink(atPath: log.dir.path("link-to-fifo"), withDestinationPath: "fifo")
        try FileManager.default.createDirectory(atPath: log.dir.path("adir"), withIntermediateDirectories: false)
        try log.dir.write("readonly.svg", "keep")
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: log.dir.path("readonly.svg"))
        let database = try Data(contentsOf: URL(fileURLWithPath: log.db))
        // SQLite keeps g.db-wal and g.db-shm beside the database while reading it.
        func files() throws -> [String] {
            try FileManager.default.contentsOfDirectory(atPath: log.dir.url.path).filter { !$0.hasPrefix("g.db-") }.sorted()
        }
        let before = try files()

        let result = try plot(target)
        #expect(result.status == 2)
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(!result.stderr.contains("NSCocoaErrorDomain"))
        #expect(try kind(log.dir.path("fifo")) != .typeRegular)
        #expect(try kind(log.dir.path("link-to-fifo")) == .typeSymbolicLink)
        #expect(try String(contentsOfFile: log.dir.path("readonly.svg"), encoding: .utf8) == "keep")
        #expect(try Data(contentsOf: URL(fileURLWithPath: log.db)) == database)
        #expect(try files() == before)
    }

    @Test func dashIsStandardOutput() throws {
        let result = try plot("-")
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("<?xml"))
        #expect(!FileManager.default.fileExists(atPath: log.dir.path("-")))
    }

    /// Runs `gradlog ARGS`, reads one line of its output and closes the pipe: the reader of
    /// `gradlog ... | head -1`.
    func runClosingAfterOneLine(_ args: [String]) throws -> (status: Int32, signaled: Bool, line: String, stderr: String) {
        let process = Process()
        process.executableURL = CLI.executable
        process.arguments = args
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        var line: [UInt8] = []
        while let byte = try out.fileHandleForReading.read(upToCount: 1)?.first, byte != UInt8(ascii: "\n") { line.append(byte) }
        try out.fileHandleForReading.close()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, process.terminationReason == .uncaughtSignal, String(decoding: line, as: UTF8.self),
                String(decoding: stderr, as: UTF8.self))
    }

    /// Two runs of 20,000 nodes whose every node differs: far more output than a pipe holds.
    func recordTwoLargeRuns() throws -> String {
        let program = "input x = 1\na = x\n" + String(repeating: "a = a * 1.0001 + x\n", count: 20_000)
        let path = try log.dir.write("big.grad", program)
        let db = log.dir.path("big.db")
        #expect(try CLI.run(["record", path, "--db", db]).status == 0)
        #expect(try CLI.run(["record", path, "--db", db, "--set", "x=2"]).status == 0)
        return db
    }

    @Test func aReaderThatGoesAwayKeepsTheCommandsStatus() throws {
        let db = try recordTwoLargeRuns()
        let differ = try runClosingAfterOneLine(["diff", "1", "2", "--limit", "0", "--db", db])
        #expect(differ.line == "runs 1 and 2 in \(db), aligned by node: they differ")
        #expect(differ.status == 1 && !differ.signaled, "the runs differ: \(differ.stderr)")
        #expect(differ.stderr.isEmpty)
        let agree = try runClosingAfterOneLine(["diff", "1", "1", "--all", "--limit", "0", "--db", db])
        #expect(agree.status == 0 && !agree.signaled && agree.stderr.isEmpty)
        let show = try runClosingAfterOneLine(["show", "1", "--db", db])
        #expect(show.status == 0 && !show.signaled && show.stderr.isEmpty)
        let missing = try runClosingAfterOneLine(["show", "7", "--db", db])
        #expect(missing.status == 2)
    }

    @Test func aFailingGradcheckKeepsStatusOneWithoutAReader() throws {
        let path = try log.dir.write("kink.grad", "input x = 0\n" + String(repeating: "y = relu(x)\n", count: 3) + "f = relu(x)\n")
        let db = log.dir.path("kink.db")
        #expect(try CLI.run(["record", path, "--db", db]).status == 0)
        let result = try runClosingAfterOneLine(["gradcheck", "1", "--db", db])
        #expect(result.status == 1 && !result.signaled, "\(result.stderr)")
    }

    @Test(arguments: [["show", "1"], ["diff", "1", "2", "--limit", "0"], ["plot", "latest"], ["--help"]])
    func anotherWriteErrorIsStatusTwoWithAMessage(_ args: [String]) throws {
        let db = try recordTwoLargeRuns()
        _ = try CLI.run(["record", log.dir.path("big.grad"), "--db", db, "--sweep", "x=0:1:2"])
        let (status, stderr) = try CLI.run(args + (args == ["--help"] ? [] : ["--db", db]), standardOutputTo: "/dev/full")
        #expect(status == 2, "\(stderr)")
        #expect(stderr.contains("gradlog: error: cannot write to standard output: No space left on device"), "\(stderr)")
    }

    /// A closed or full stderr: the message is lost, the status is not, and nothing traps.
    @Test(arguments: ["closed", "full"])
    func anUnwritableStderrKeepsTheStatus(_ how: String) throws {
        let process = Process()
        process.executableURL = CLI.executable
        process.arguments = ["show", "99", "--db", log.db]
        process.standardOutput = FileHandle.nullDevice
        if how == "full" {
            process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: "/dev/full"))
        } else {
            // A pipe whose read end is closed: writing fails with EPIPE.
            let pipe = Pipe()
            try pipe.fileHandleForReading.close()
            process.standardError = pipe
        }
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 2)
    }
}
