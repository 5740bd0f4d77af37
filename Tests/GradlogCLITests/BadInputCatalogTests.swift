import Foundation
import Testing

/// Every command, given bad input: a message on stderr that says what is wrong, exit status 2
/// (usage errors included, see Gradlog.report), nothing on stdout, no crash, no signal, no
/// backtrace, and the log left as it was. Each row runs the real binary in a folder holding
/// `p.grad` (inputs x and y) and `g.db` with three runs, the first two named "dup" (renamed in
/// the stock sqlite3 shell, since `record --name` refuses a taken name); a command's
/// row gets `--db g.db` unless it names a database itself.
@Suite struct BadInputCatalogTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var args: [String]
        var fragment: String
        var status: Int32 = 2
        /// Written to `bad.grad` before the command runs.
        var program: [UInt8]?

        init(_ args: [String], _ fragment: String, program: [UInt8]? = nil) {
            self.args = args
            self.fragment = fragment
            self.program = program
        }

        /// `gradlog record bad.grad` of a program text.
        static func program(_ source: String, _ fragment: String) -> Case {
            Case(["record", "bad.grad"], fragment, program: Array(source.utf8))
        }

        var testDescription: String { "gradlog " + args.joined(separator: " ").prefix(60) }
    }

    static let deepProgram = "y = " + String(repeating: "(", count: 100_000) + "1" + String(repeating: ")", count: 100_000) + "\n"

    static let cases: [Case] = [
        // record: programs
        .program("input x = 1\ny = x +\n", "bad.grad:2:8: error: expected an expression"),
        .program("y = frob(2)\n", "bad.grad:1:5: error: unknown function 'frob'"),
        .program("y = max(2)\n", "bad.grad:1:5: error: max takes 2 arguments, got 1"),
        .program("input x = 1\ny = exp(x, x)\n", "bad.grad:2:5: error: exp takes 1 argument, got 2"),
        .program("input x = 1\ny = q * 2\n", "bad.grad:2:5: error: 'q' is not defined"),
        .program("input x = 1\ninput x = 2\n", "bad.grad:2:7: error: input 'x' is declared twice"),
        .program("x = 1\ninput x = 2\n", "bad.grad:2:7: error: 'x' is already defined above; an input needs a new name"),
        .program("input x = y\n", "bad.grad:1:11: error: expected a number as the default of input 'x', found 'y'"),
        .program("y = 1.2.3\n", "bad.grad:1:5: error: '1.2.3' is not a number"),
        .program("input x = 1\ny = x $ 2\n", "bad.grad:2:7: error: unexpected '$'"),
        .program("input x = 1\ny = x 2\n", "bad.grad:2:7: error: expected the end of the statement, found '2'"),
        .program("y = 1\u{0}\n", "bad.grad:1:6: error: unexpected control character U+0000\n    y = 1\u{2400}\n         ^"),
        .program("input x = 1\noutput z\n", "bad.grad:2:8: error: 'z' is not defined, so it cannot be the output"),
        .program("input x = 1\noutput x\noutput x\n", "bad.grad:3:8: error: the output is declared twice"),
        .program("# only a comment\n", "bad.grad:1:1: error: the program has no statements"),
        .program("", "bad.grad:1:1: error: the program has no statements"),
        .program("input x = 1\n", "error: the program has no assignment to compute"),
        .program(deepProgram, "bad.grad:1:261: error: the expression nests more than 256 levels deep"),
        Case(["record", "bad.grad"], "bad.grad:1:1: error: the file is not UTF-8 text: byte 0xFF", program: [0xFF, 0xFE, 0x79, 0x0A]),
        Case(["record", "bad.grad"], "bad.grad:2:6: error: the file is not UTF-8 text: byte 0xE9 cannot start or continue a character here\n    # caf\u{FFFD} ok\n         ^",
             program: Array("input x = 1\n# caf".utf8) + [0xE9] + Array(" ok\ny = x\n".utf8)),
        .program("input x = 1\ny = caf\u{E9} * x\n", "bad.grad:2:8: error: unexpected non-ASCII character '\u{E9}' (U+00E9)"),
        .program("y = 1 \u{9B} 2\n", "bad.grad:1:7: error: unexpected non-ASCII character U+009B\n"),
        .program("y = 1 \u{202E} 2\n", "bad.grad:1:7: error: unexpected non-ASCII character U+202E\n"),
        .program("y = " + String(repeating: "1 + ", count: 250_002) + "$\n", "bad.grad:1:1000013: error: unexpected '$'\n    \u{2026} + 1 + 1"),
        .program("y = " + String(repeating: "ab", count: 500_000) + " * 2\n", "bad.grad:1:5: error: '" + String(repeating: "ab", count: 30) + "\u{2026}' is not defined"),
        .program("y = 1" + String(repeating: ".2", count: 500_000) + "\n", "bad.grad:1:5: error: '1" + String(repeating: ".2", count: 29) + ".\u{2026}' is not a number"),
        Case(["record", "nope.grad"], "cannot read program nope.grad: no such file"),
        Case(["record", "."], "cannot read program .: it is a directory"),
        // record: --set, --name, --tag, --format
        Case(["record", "p.grad", "--set", "z=1"], "'z' is not an input of the program; its inputs are x, y"),
        Case(["record", "p.grad", "--set", "x=abc"], "--set x=abc: 'abc' is not a number (expected e.g. 1.5, -2e-3, nan, inf)"),
        Case(["record", "p.grad", "--set", "x=0x10"], "'0x10' is not a number"),
        Case(["record", "p.grad", "--set", "x="], "--set x=: '' is not a number"),
        Case(["record", "p.grad", "--set", "x"], "--set x: expected NAME=VALUE"),
        Case(["record", "p.grad", "--set", "=1"], "--set =1: expected NAME=VALUE"),
        Case(["record", "p.grad", "--set", "x=1", "--set", "x=2"], "--set x is given twice"),
        Case(["record", "p.grad", "--name", "42"], "run name '42' would read as a run reference"),
        Case(["record", "p.grad", "--name", "latest~1"], "run name 'latest~1' would read as a run reference"),
        Case(["record", "p.grad", "--name", ""], "run name '' would read as a run reference"),
        Case(["record", "p.grad", "--tag", "x"], "--tag x: expected KEY=VALUE"),
        Case(["record", "p.grad", "--tag", "=v"], "--tag =v: expected KEY=VALUE"),
        Case(["record", "p.grad", "--tag", "a=1", "--tag", "a=2"], "--tag a is given twice"),
        Case(["record", "p.grad", "--tag", "sweep=2"], "--tag sweep=2: tag 'sweep' is reserved for the sweep's own tags"),
        Case(["record", "p.grad", "--tag", "sweep.x=2"], "tag 'sweep.x' is reserved"),
        Case(["record", "p.grad", "--name", "dup"], "run name 'dup' is taken by run 1; names refer to one run"),
        Case(["record", "p.grad", "--format", "jsonl"], "--format jsonl is for `gradlog query`; use json here"),
        // record --sweep and --gradcheck
        Case(["record", "p.grad", "--sweep", "x=1:2:0"], "--sweep x=1:2:0: COUNT must be at least 1"),
        Case(["record", "p.grad", "--sweep", "x=a:b:c"], "--sweep x=a:b:c: START 'a' is not a number"),
        Case(["record", "p.grad", "--sweep", "x=0:1:2.5"], "COUNT '2.5' is not a whole number"),
        Case(["record", "p.grad", "--sweep", "x=0:1"], "--sweep x=0:1: expected NAME=START:STOP:COUNT"),
        Case(["record", "p.grad", "--sweep", "x=0:inf:3"], "START and STOP must be finite numbers"),
        Case(["record", "p.grad", "--sweep", "x=0:1:1"], "COUNT 1 makes a single value"),
        Case(["record", "p.grad", "--sweep", "z=0:1:3"], "'z' is not an input of the program; its inputs are x, y"),
        Case(["record", "p.grad", "--sweep", "x=0:1:3", "--sweep", "x=0:1:2"], "--sweep x is given twice"),
        Case(["record", "p.grad", "--sweep", "x=0:1:3", "--set", "x=1"], "x is both swept and set with --set"),
        Case(["record", "p.grad", "--sweep", "x=0:1:3", "--name", "s"], "--name labels one run"),
        Case(["record", "p.grad", "--sweep", "x=0:1:3", "--tag", "sweep=2"], "tag 'sweep' is reserved"),
        Case(["record", "p.grad", "--sweep", "x=0:1:1000", "--sweep", "y=0:1:1001"], "more than 1000000"),
        Case(["record", "p.grad", "--gradcheck", "--eps", "0"], "--eps must be a finite number > 0"),
        Case(["record", "p.grad", "--eps", "1e-4"], "--eps, --atol and --rtol set up the check of --gradcheck; add --gradcheck"),
        Case(["record", "p.grad", "--bogus"], "Unknown option '--bogus'"),
        Case(["record", "p.grad", "--db", "new.db", "--set", "z=1"], "'z' is not an input of the program"),
        // runs and formats
        Case(["runs", "--format", "xml"], "The value 'xml' is invalid for '--format <format>'"),
        Case(["runs", "--format", "jsonl"], "--format jsonl is for `gradlog query`; use json here"),
        Case(["show", "1", "--format", "yaml"], "The value 'yaml' is invalid for '--format <format>'"),
        Case(["runs", "--db", "none.db"], "no gradlog database at none.db (record a run first, or pass --db PATH)"),
        Case(["bogus"], "Unexpected argument 'bogus'"),
        Case(["runs", "--db", ""], "--db '': the database path is empty"),
        Case(["record", "p.grad", "--db", ""], "--db '': the database path is empty"),
        Case(["record", "p.grad", "--db", "/dev/null"], "/dev/null is not a gradlog database: it is a device"),
        Case(["record", "p.grad", "--db", "/dev/stdout"], "it names one of gradlog's own input or output streams"),
        Case(["runs", "--db", "/dev/stdin"], "it names one of gradlog's own input or output streams"),
        Case(["diff", "1", "2", "--db-b", "/dev/null"], "/dev/null is not a gradlog database: it is a device"),
        // show and run references
        Case(["show", "7"], "no run '7' in g.db (try `gradlog runs`)"),
        Case(["show", "0"], "no run '0' in g.db"),
        Case(["show", "-1"], "note: '-1' was read as an option, not as a value; run ids are 1 or more"),
        Case(["show", "99999999999999999999999"], "no run '99999999999999999999999' in g.db"),
        Case(["show", "9223372036854775807"], "no run '9223372036854775807' in g.db"),
        Case(["show", "latest~x"], "no run 'latest~x' in g.db"),
        Case(["show", "latest~-1"], "no run 'latest~-1' in g.db"),
        Case(["show", "latest~"], "no run 'latest~' in g.db"),
        Case(["show", "latest~3"], "no run 'latest~3' in g.db"),
        Case(["show", "latest~9223372036854775807"], "no run 'latest~9223372036854775807' in g.db"),
        Case(["show", "latest~99999999999999999999"], "no run 'latest~99999999999999999999' in g.db"),
        Case(["show", "nosuchname"], "no run 'nosuchname' in g.db"),
        Case(["show", "\u{1B}]0;pwned\u{07}\u{1B}[2J"], "no run '␛]0;pwned␇␛[2J' in g.db"),
        Case(["show", "dup"], "run name 'dup' is used by runs 1, 2; refer to one by id"),
        Case(["show", ""], "no run '' in g.db"),
        Case(["show"], "Missing expected argument '<run>'"),
        Case(["show", "1", "--db", "none.db"], "no gradlog database at none.db"),
        // query
        Case(["query", "SELEC name FROM nodes"], "near \"SELEC\": syntax error - while executing `SELEC name FROM nodes`"),
        Case(["query", "top-gradz"], "no named query 'top-gradz'; the named queries are chain-rule, contributions, dead-relu, grad-norms, input-grads, node"),
        Case(["query", "SELECT * FROM nodes WHERE run_id = :run AND name = :name", "--param", "run=1"], "missing parameter :name (pass --param name=VALUE)"),
        Case(["query", "top-grads"], "missing parameter :run"),
        Case(["query", "SELECT :a", "--param", "a=1", "--param", "b=2"], "--param b: the statement has no parameter :b (its parameters are :a)"),
        Case(["query", "SELECT 1; SELECT 2"], "only one statement can run at a time"),
        Case(["query", "SELECT ?"], "the statement has a '?' placeholder"),
        Case(["query", ""], "no statement to run (the text is empty or only comments)"),
        Case(["query"], "give one SQL statement or a query name (see --list)"),
        Case(["query", "SELECT 1", "--list"], "--list takes no statement, --param or --write"),
        Case(["query", "DELETE FROM run"], "gradlog query is read-only by default so that a stray DELETE or DROP cannot lose runs; pass --write"),
        Case(["query", "DELETE FROM runs"], "cannot modify runs because it is a view - `DELETE FROM runs` was not run; views are read-only"),
        Case(["query", "DROP TABLE run_node"], "read-only by default so that a stray DELETE or DROP cannot lose runs; pass --write"),
        Case(["query", "UPDATE run_node SET grad = 0"], "read-only by default so that a stray DELETE or DROP cannot lose runs; pass --write"),
        Case(["query", "PRAGMA user_version = 7"], "read-only by default so that a stray DELETE or DROP cannot lose runs; pass --write"),
        Case(["query", "SELECT 1", "--param", "a"], "--param a: expected NAME=VALUE"),
        Case(["query", "SELECT :a", "--param", "a=1", "--param", "a=2"], "--param a is given twice"),
        Case(["query", "SELECT :a", "--param", "a:int=007x"], "--param a:int=007x: '007x' is not a 64-bit integer"),
        Case(["query", "SELECT :a", "--param", "a:real=nan"], "'nan' is not a number (a NaN cannot be bound"),
        Case(["query", "SELECT :a", "--param", "a:blob=1"], "the type 'blob' is not one of int, real, text"),
        Case(["query", "SELECT :run", "--param", "run=1e3"], "no run '1e3' in g.db"),
        Case(["query", "SELECT 1", "--format", "xml"], "The value 'xml' is invalid for '--format <format>'"),
        Case(["query", "top-grads", "--param", "run=7"], "no run '7' in g.db"),
        Case(["query", "SELECT :run", "--param", "run=latest~5"], "no run 'latest~5' in g.db"),
        Case(["query", "SELECT :run", "--param", "run=dup"], "run name 'dup' is used by runs 1, 2"),
        Case(["query", "SELECT zeroblob(2000000000)"], "string or blob too big"),
        Case(["query", "SELECT 1", "--db", "none.db"], "no gradlog database at none.db"),
        // diff
        Case(["diff", "1", "99"], "no run '99' in g.db"),
        Case(["diff", "nosuch", "1"], "no run 'nosuch' in g.db"),
        Case(["diff", "dup", "3"], "run name 'dup' is used by runs 1, 2"),
        Case(["diff", "-1", "2"], "note: '-1' was read as an option"),
        Case(["diff", "1"], "Missing expected argument '<b>'"),
        Case(["diff", "1", "2", "--rtol", "-1"], "--rtol must be a finite number >= 0"),
        Case(["diff", "1", "2", "--rtol", "abc"], "The value 'abc' is invalid for '--rtol <r>'"),
        Case(["diff", "1", "2", "--atol", "nan"], "--atol must be a finite number >= 0"),
        Case(["diff", "1", "2", "--atol", "inf"], "--atol must be a finite number >= 0"),
        Case(["diff", "1", "2", "--ulps", "-1"], "The value '-1' is invalid for '--ulps <n>'"),
        Case(["diff", "1", "2", "--ulps", "x"], "The value 'x' is invalid for '--ulps <n>'"),
        Case(["diff", "1", "2", "--ulps", "3", "--rtol", "1e-6"], "--ulps is an alternative to --atol/--rtol; give one or the other"),
        Case(["diff", "1", "2", "--limit", "-3"], "--limit must be >= 0 (0 lists every node)"),
        Case(["diff", "1", "1", "--db-b", "missing.db"], "--db-b missing.db: no such file"),
        // gradcheck, graph, plot
        Case(["gradcheck", "1", "--eps", "0"], "--eps must be a finite number > 0"),
        Case(["gradcheck", "1", "--eps=-1e-6"], "--eps must be a finite number > 0"),
        Case(["gradcheck", "1", "--rtol=-1"], "--rtol must be a finite number >= 0"),
        Case(["gradcheck", "1", "--atol", "nan"], "--atol must be a finite number >= 0"),
        Case(["gradcheck", "7"], "no run '7' in g.db"),
        Case(["graph", "1", "--around", "zz"], "no node 'zz' in run 1"),
        Case(["graph", "1", "--around", "#99"], "no node '#99' in run 1"),
        Case(["graph", "1", "--max-nodes", "1"], "run 1 has 3 nodes, more than the limit of 1 for one picture; draw a part with --around NAME --depth K, or raise --max-nodes"),
        Case(["graph", "1", "--around", "f", "--depth", "1", "--max-nodes", "1"], "the nodes within 1 steps of 'f' in run 1 are"),
        Case(["graph", "1", "--depth=-1"], "--depth must be >= 0"),
        Case(["graph", "1", "--around", "f", "--depth", "99999999999999", "--max-nodes", "2"], "the nodes within 99999999999999 steps of 'f' in run 1 are 3"),
        Case(["graph", "9"], "no run '9' in g.db"),
        Case(["graph", "1", "--diff", "9"], "no run '9' in g.db"),
        Case(["graph", "1", "--db-b", "x.db"], "give --diff too"),
        Case(["explain", "1", "zz"], "run 1 has no node 'zz'"),
        Case(["explain", "1", "#99"], "run 1 has no node '#99'"),
        Case(["explain", "1", "f", "--depth=-1"], "--depth must be >= 0"),
        Case(["explain", "1", "f", "--format", "csv"], "--format"),
        Case(["explain", "9", "f"], "no run '9' in g.db"),
        Case(["report", "9", "-o", "r.html"], "no run '9' in g.db"),
        Case(["report", "1", "-o", "."], "it is a directory"),
        Case(["report", "1", "--diff", "9", "-o", "r.html"], "no run '9' in g.db"),
        Case(["report", "1", "--db-b", "x.db", "-o", "r.html"], "give --diff too"),
        Case(["plot", "1"], "run 1 is not part of a sweep; plot draws a sweep"),
        Case(["plot", "latest~1"], "run 'latest~1' (run 2) is not part of a sweep"),
        Case(["plot", "nosuch"], "no run 'nosuch' in g.db"),
        Case(["plot"], "no sweep 'latest' in g.db"),
    ]

    /// The log every row starts from, built once through the real CLI.
    static let fixture = Result { () throws -> Data in
        let dir = try TemporaryDirectory()
        try dir.write("p.grad", programText)
        for args in [["--name", "dup"], ["--name", "dup2", "--set", "x=1"], []] {
            let result = try CLI.run(["record", "p.grad", "--db", "g.db"] + args, in: dir.url)
            guard result.status == 0 else { throw FixtureError(message: result.stderr) }
        }
        _ = try SQLiteShell.run(dir.path("g.db"), "UPDATE run SET name = 'dup' WHERE id = 2; PRAGMA wal_checkpoint(TRUNCATE);")
        return try Data(contentsOf: dir.url.appendingPathComponent("g.db"))
    }

    static let programText = "input x = 3\ninput y = -4\nf = x * y\n"
    static let backtraceMarks = ["Stack dump", "Fatal error", "Current stack trace", "💣", "Program crashed"]

    static let commands = ["record", "runs", "show", "explain", "query", "diff", "gradcheck", "graph", "report", "plot"]

    struct FixtureError: Error { var message: String }

    @Test func catalogueCoversEveryCommand() {
        #expect(Self.cases.count >= 30)
        for command in Self.commands {
            #expect(Self.cases.contains { $0.args.first == command }, "\(command)")
        }
    }

    @Test(arguments: cases)
    func badInputIsExplainedAndChangesNothing(_ c: Case) throws {
        let dir = try TemporaryDirectory()
        let db = dir.url.appendingPathComponent("g.db")
        let log = try Self.fixture.get()
        try log.write(to: db)
        try dir.write("p.grad", Self.programText)
        if let program = c.program { try Data(program).write(to: dir.url.appendingPathComponent("bad.grad")) }
        let filesBefore = try files(in: dir)

        let namesDatabase = c.args.contains("--db") || !Self.commands.contains(c.args[0])
        let args = namesDatabase ? c.args : c.args + ["--db", "g.db"]
        let result = try CLI.run(args, in: dir.url)

        #expect(!result.signaled, "ended by a signal")
        #expect(result.status == c.status, "exit status; stderr: \(result.stderr)")
        #expect(result.stderr.contains(c.fragment), "stderr: \(result.stderr.prefix(2_000))")
        #expect(result.stderr.count < 5_000, "a message, not an echo of the input")
        for mark in Self.backtraceMarks { #expect(!result.stderr.contains(mark), "backtrace in stderr: \(result.stderr)") }
        #expect(result.stdout.isEmpty, "stdout: \(result.stdout)")
        #expect(try Data(contentsOf: db) == log, "g.db changed")
        #expect(try files(in: dir) == filesBefore, "files appeared or went")
    }

    /// The folder's files, leaving out the -wal/-shm that SQLite keeps beside g.db while it is
    /// open (even read-only); an empty -wal holds nothing, so it must be empty.
    func files(in dir: TemporaryDirectory) throws -> [String] {
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.url.path).sorted()
        if names.contains("g.db-wal") {
            let size = try FileManager.default.attributesOfItem(atPath: dir.path("g.db-wal"))[.size] as? Int
            #expect(size == 0, "g.db-wal holds writes")
        }
        return names.filter { $0 != "g.db-wal" && $0 != "g.db-shm" }
    }
}
