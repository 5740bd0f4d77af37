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

        @OptionGroup var comparison: ComparisonOptions

        @Flag(help: "List nodes that agree as well (still up to --limit).")
        var all = false

        @Option(parsing: .unconditional, help: ArgumentHelp("List at most K nodes; 0 for no limit.", valueName: "k"))
        var limit = 20

        @OptionGroup var options: GlobalOptions

        func validate() throws {
            if limit < 0 { throw ValidationError("--limit must be >= 0 (0 lists every node)") }
        }

        func run() throws {
            let logA = try options.open(.readOnly)
            let logB = try GlobalOptions.openOther(databaseB, or: logA)
            let a = try logA.resolve(runA), b = try logB.resolve(runB)
            let diff = RunDiff(rule: comparison.rule, limit: limit == 0 ? nil : limit, includeEqual: all)
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
