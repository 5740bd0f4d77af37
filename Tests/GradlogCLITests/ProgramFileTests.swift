import Foundation
import Testing

/// How `record` reads a program: from a pipe, a FIFO or standard input as from a file, and the
/// bytes as they are, so the stored hash is the file's sha256sum.
@Suite struct ProgramFileTests {
    let log = try! RecordedLog()
    static let program = "input x = 3\ny = x * 2\n"

    func storedRuns() throws -> [[String: Any]] {
        try log.rows(["SELECT id, program_path, program_sha256 FROM runs ORDER BY id"])
    }

    @Test func dashReadsStandardInput() throws {
        let result = try CLI.run(["record", "-", "--db", log.db], stdin: Self.program)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("recorded run 1: 3 nodes, output y = 6.0"))
        #expect(try storedRuns().first?["program_path"] as? String == "<stdin>")
        let error = try CLI.run(["record", "-", "--db", log.db], stdin: "input x = 1\ny = x +\n")
        #expect(error.status == 2)
        #expect(error.stderr.contains("<stdin>:2:8: error: expected an expression"), "\(error.stderr)")
    }

    @Test func devStdinFromAPipeWorks() throws {
        let result = try CLI.run(["record", "/dev/stdin", "--db", log.db], stdin: Self.program)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try storedRuns().first?["program_path"] as? String == "/dev/stdin")
    }

    @Test(.timeLimit(.minutes(1))) func aFIFOIsReadToItsEnd() throws {
        let fifo = log.dir.path("p.fifo")
        #expect(mkfifo(fifo, 0o644) == 0)
        let writer = Thread {
            if let handle = FileHandle(forWritingAtPath: fifo) {
                handle.write(Data(Self.program.utf8))
                try? handle.close()
            }
        }
        writer.start()
        let result = try CLI.run(["record", fifo, "--db", log.db])
        #expect(result.status == 0, "\(result.stderr)")
    }

    /// A byte order mark is skipped by the parser but kept in the stored text and its hash.
    @Test func theHashIsTheFilesSha256sum() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array(Self.program.utf8)
        let path = log.dir.path("bom.grad")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(try CLI.run(["record", path, "--db", log.db]).status == 0)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        process.arguments = [path]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let sum = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).prefix(64)
        process.waitUntilExit()
        #expect(try storedRuns().first?["program_sha256"] as? String == String(sum))
        // gradcheck re-parses the stored text, mark and all.
        #expect(try log.run("gradcheck", ["1"]).status == 0)
        // An error on the first line counts columns after the mark.
        try Data([0xEF, 0xBB, 0xBF] + Array("y = $\n".utf8)).write(to: URL(fileURLWithPath: path))
        let error = try CLI.run(["record", path, "--db", log.db])
        #expect(error.stderr.contains("bom.grad:1:5: error: unexpected '$'\n    y = $\n        ^"), "\(error.stderr)")
    }
}
