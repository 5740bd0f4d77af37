import ArgumentParser
import GradlogStore

extension Gradlog {
    struct Diff: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compare two runs and name the node where their values part.",
            discussion: """
                A is the reference. Runs of the same program structure are compared node by \
                node; runs of different programs are matched by node name and occurrence \
                (docs/diff.md). Prints a summary, the first value divergence (the first node \
                whose value differs although its inputs agree: where a difference is born), \
                the first adjoint that differs going backward, and the differing nodes.

                Exact by default: bit for bit, NaN equal to a NaN of the same bits, 0.0 equal to \
                -0.0 unless --strict-zero. --atol/--rtol accept |b - a| <= atol + rtol*|a| (as \
                torch.testing.assert_close); --ulps N accepts values at most N doubles apart.

                  gradlog diff latest~1 latest
                  gradlog diff baseline 7 --rtol 1e-6 --format json
                  gradlog diff 3 3 --db-b other.db

                Exit status, as for diff and cmp: 0 the runs agree (within the tolerance), \
                1 they differ, 2 an error (missing run, unreadable file).
                """
        )

        @Argument(help: ArgumentHelp("Run A, the reference: an id, a unique name, latest or latest~N.", valueName: "a"))
        var runA: String

        @Argument(help: ArgumentHelp("Run B, compared with A.", valueName: "b"))
        var runB: String

        @Option(name: .customLong("db-b"), help: ArgumentHelp("Read run B from this database file (read-only).", valueName: "path"))
        var databaseB: String?

        // The numeric options take their value unconditionally, so that `--rtol -1` reaches
        // validate() and is explained, instead of reading as an option "-1".
        @Option(parsing: .unconditional, help: ArgumentHelp("Relative tolerance: accept |b - a| <= atol + rtol*|a|.", valueName: "r"))
        var rtol: Double?

        @Option(parsing: .unconditional, help: ArgumentHelp("Absolute tolerance (see --rtol).", valueName: "a"))
        var atol: Double?

        @Option(parsing: .unconditional, help: ArgumentHelp("Accept values at most N representable doubles apart.", valueName: "n"))
        var ulps: UInt64?

        @Flag(help: "Count 0.0 and -0.0 as different.")
        var strictZero = false

        @Flag(help: "List nodes that agree as well (still up to --limit).")
        var all = false

        @Option(parsing: .unconditional, help: ArgumentHelp("List at most K nodes; 0 for no limit.", valueName: "k"))
        var limit = 20

        @OptionGroup var options: GlobalOptions

        func validate() throws {
            if ulps != nil && (rtol != nil || atol != nil) {
                throw ValidationError("--ulps is an alternative to --atol/--rtol; give one or the other")
            }
            for (option, value) in [("--rtol", rtol), ("--atol", atol)] {
                if let value, !(value >= 0 && value.isFinite) {
                    throw ValidationError("\(option) must be a finite number >= 0")
                }
            }
            if limit < 0 { throw ValidationError("--limit must be >= 0 (0 lists every node)") }
        }

        var rule: ComparisonRule {
            let tolerance: ComparisonRule.Tolerance
            if let ulps {
                tolerance = .ulps(ulps)
            } else if rtol != nil || atol != nil {
                tolerance = .close(absolute: atol ?? 0, relative: rtol ?? 0)
            } else {
                tolerance = .exact
            }
            return ComparisonRule(tolerance: tolerance, strictZero: strictZero)
        }

        func run() throws {
            let logA = try options.open(.readOnly)
            let logB: GradLog
            do {
                logB = try databaseB.map { try GradLog(path: $0, mode: .readOnly) } ?? logA
            } catch GradLogError.noDatabase(let path) {
                throw CLIError("--db-b \(path): no such file")
            }
            let a = try logA.resolve(runA), b = try logB.resolve(runB)
            let diff = RunDiff(rule: rule, limit: limit == 0 ? nil : limit, includeEqual: all)
            let result = try diff.compare(run: a, in: logA, with: b, in: logB)
            let report = DiffReport(result: result, runA: (a, logA.path), runB: (b, logB.path), limit: limit)
            switch options.format {
            case .table: report.printTable()
            case .csv: report.printNodes(format: .csv)
            case .json, .jsonl: StandardOutput.shared.line(report.json.json)
            }
            if !result.agree { throw ExitStatus(code: 1) }
        }
    }
}
