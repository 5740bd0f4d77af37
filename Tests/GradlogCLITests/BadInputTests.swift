import Foundation
import Testing

/// Bad input: a located message on stderr, exit status 2, no crash, nothing written.
@Suite struct BadInputTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var program: String
        var args: [String] = []
        var fragment: String
        var testDescription: String { fragment }
    }

    static let seed = "input x = 3\ninput y = -4\nf = x * y\n"

    static let cases: [Case] = [
        .init(program: "input x = 1\ny = x +\n", fragment: "bad.grad:2:8: error: expected an expression"),
        .init(program: "y = frob(2)\n", fragment: "bad.grad:1:5: error: unknown function 'frob'"),
        .init(program: "y = max(2)\n", fragment: "bad.grad:1:5: error: max takes 2 arguments, got 1"),
        .init(program: "input x = 1\ny = q * 2\n", fragment: "bad.grad:2:5: error: 'q' is not defined"),
        .init(program: "input x = 1\ninput x = 2\n", fragment: "bad.grad:2:7: error: input 'x' is declared twice"),
        .init(program: "y = 1.2.3\n", fragment: "bad.grad:1:5: error: '1.2.3' is not a number"),
        .init(program: "# only a comment\n", fragment: "bad.grad:1:1: error: the program has no statements"),
        .init(program: seed, args: ["--set", "z=1"], fragment: "'z' is not an input of the program; its inputs are x, y"),
        .init(program: seed, args: ["--set", "x=abc"], fragment: "'abc' is not a number"),
        .init(program: seed, args: ["--set", "x"], fragment: "expected NAME=VALUE"),
        .init(program: seed, args: ["--name", "42"], fragment: "would read as a run reference"),
        .init(program: seed, args: ["--sweep", "x=1:2:0"], fragment: "--sweep x=1:2:0: COUNT must be at least 1"),
        .init(program: seed, args: ["--sweep", "x=a:b:c"], fragment: "--sweep x=a:b:c: START 'a' is not a number"),
        .init(program: seed, args: ["--sweep", "x=0:1:2.5"], fragment: "COUNT '2.5' is not a whole number"),
        .init(program: seed, args: ["--sweep", "x=0:1"], fragment: "--sweep x=0:1: expected NAME=START:STOP:COUNT"),
        .init(program: seed, args: ["--sweep", "x=0:inf:3"], fragment: "START and STOP must be finite numbers"),
        .init(program: seed, args: ["--sweep", "x=0:1:1"], fragment: "COUNT 1 makes a single value"),
        .init(program: seed, args: ["--sweep", "z=0:1:3"], fragment: "'z' is not an input of the program; its inputs are x, y"),
        .init(program: seed, args: ["--sweep", "x=0:1:3", "--sweep", "x=0:1:2"], fragment: "--sweep x is given twice"),
        .init(program: seed, args: ["--sweep", "x=0:1:3", "--set", "x=1"], fragment: "x is both swept and set with --set"),
        .init(program: seed, args: ["--sweep", "x=0:1:3", "--name", "s"], fragment: "--name labels one run"),
        .init(program: seed, args: ["--sweep", "x=0:1:3", "--tag", "sweep=2"], fragment: "tag 'sweep' is reserved"),
        .init(program: seed, args: ["--sweep", "x=0:1:1000", "--sweep", "y=0:1:1001"], fragment: "more than 1000000"),
        .init(program: seed, args: ["--gradcheck", "--eps", "0"], fragment: "--eps must be a finite number > 0"),
    ]

    @Test(arguments: cases)
    func badRecordIsRefusedAndWritesNothing(_ c: Case) throws {
        let dir = try TemporaryDirectory()
        let program = try dir.write("bad.grad", c.program)
        let db = dir.path("g.db")
        let result = try CLI.run(["record", program, "--db", db] + c.args)
        #expect(result.status == 2)
        #expect(!result.signaled)
        #expect(result.stderr.contains(c.fragment), "stderr: \(result.stderr)")
        #expect(result.stdout.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: db), "nothing may be written")
    }

    @Test func badRecordLeavesAnExistingDatabaseUnchanged() throws {
        let dir = try TemporaryDirectory()
        let good = try dir.write("good.grad", Self.seed)
        let bad = try dir.write("bad.grad", "y = (\n")
        let db = dir.path("g.db")
        #expect(try CLI.run(["record", good, "--db", db]).status == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: db))
        let result = try CLI.run(["record", bad, "--db", db])
        #expect(result.status == 2)
        #expect(try Data(contentsOf: URL(fileURLWithPath: db)) == before)
        let runs = try CLI.run(["runs", "--db", db, "--format", "json"])
        #expect((try parseJSON(runs.stdout) as? [Any])?.count == 1)
    }

    @Test func missingProgramFile() throws {
        let dir = try TemporaryDirectory()
        let result = try CLI.run(["record", dir.path("nope.grad"), "--db", dir.path("g.db")])
        #expect(result.status == 2)
        #expect(result.stderr.contains("cannot read program"))
        #expect(result.stderr.contains("no such file"))
    }

    @Test func missingRunAndMissingDatabase() throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("g.db")
        let noDB = try CLI.run(["show", "1", "--db", db])
        #expect(noDB.status == 2)
        #expect(noDB.stderr.contains("no gradlog database at \(db)"))
        #expect(!FileManager.default.fileExists(atPath: db), "reading must not create the file")

        let program = try dir.write("p.grad", Self.seed)
        #expect(try CLI.run(["record", program, "--db", db]).status == 0)
        for reference in ["7", "latest~3", "nosuchname", "latest~x"] {
            let result = try CLI.run(["show", reference, "--db", db])
            #expect(result.status == 2, "\(reference)")
            #expect(result.stderr.contains("no run '\(reference)'"), "\(reference): \(result.stderr)")
            #expect(!result.signaled)
        }
    }

    @Test func unknownFormatIsAUsageError() throws {
        let dir = try TemporaryDirectory()
        let result = try CLI.run(["runs", "--db", dir.path("g.db"), "--format", "xml"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("xml"))
    }
}
