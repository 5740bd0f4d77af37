import ArgumentParser
import GradlogStore

extension Gradlog {
    struct Diff: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "diff",
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
                  gradlog diff torch latest            # an imported PyTorch trace against a run

                A run imported from another framework (gradlog import) is compared, when no \
                tolerance is given, with torch.testing.assert_close's defaults for its source \
                dtype: float32 (and float16, bfloat16) rtol 1.3e-6, atol 1e-5; float64 rtol \
                1e-7, atol 1e-7; for a float32 trace, ULPs (--ulps and the distances shown) \
                count float32 steps. Such runs have no edges: the first value divergence is \
                the first node in A's order that differs.

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

        @Flag(name: .customLong("by-name"), help: "Align nodes by name and occurrence even when the runs share a structure (runs of different structures always are).")
        var byName = false

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
            var rule = comparison.rule
            let imported = try Self.importedDtype(a, logA, b, logB)
            rule.singlePrecision = imported == "F32"
            if !comparison.isGiven, let dtype = imported {
                rule.tolerance = dtype == "F64" ? .close(absolute: 1e-7, relative: 1e-7) : .close(absolute: 1e-5, relative: 1.3e-6)
                if options.format == .table {
                    let shown = dtype == "F64" ? "float64: rtol 1e-07, atol 1e-07" : "float32: rtol 1.3e-06, atol 1e-05"
                    StandardOutput.shared.line("tolerance: torch.testing.assert_close's for \(shown) (an imported \(dtype) trace; --rtol/--atol/--ulps to choose)")
                }
            }
            let diff = RunDiff(rule: rule, limit: limit == 0 ? nil : limit, includeEqual: all, byName: byName)
            let result = try diff.compare(run: a, in: logA, with: b, in: logB)
            let report = DiffReport(result: result, runA: (a, logA.path), runB: (b, logB.path), limit: limit)
            switch options.format {
            case .table: report.printTable()
            case .csv: report.printNodes(format: .csv)
            case .json, .jsonl: StandardOutput.shared.line(report.json.json)
            }
            if !result.agree { throw ExitStatus(code: 1) }
        }

        /// The source dtype of an imported run among the two (the lower precision when both
        /// are), or nil when neither was imported.
        static func importedDtype(_ a: Int64, _ logA: GradLog, _ b: Int64, _ logB: GradLog) throws -> String? {
            let dtypes = try [(a, logA), (b, logB)].flatMap { run, log in
                try log.tags(run: run).filter { $0.key == "import.dtype" || $0.key.hasPrefix("import.dtype.") }.map(\.value)
            }
            guard !dtypes.isEmpty else { return nil }
            return dtypes.allSatisfy { $0 == "F64" } ? "F64" : "F32"
        }
    }
}
