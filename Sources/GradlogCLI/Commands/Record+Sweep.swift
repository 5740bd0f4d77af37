import ArgumentParser
import GradlogStore

extension Gradlog.Record {
    /// `record --sweep`: one run per grid point, then (with --gradcheck) a check of each.
    func record(_ sweep: Sweep, of program: Program, text: ProgramText) throws {
        let fixed = try parsedAssignments(), tags = try parsedTags()
        try sweep.validate(for: program, setting: fixed, tags: tags)  // before the file is created
        let log = try options.open(.create)
        let progress = ProgressLine("recording \(sweep.count) runs")
        let recorded = try log.recordSweep(
            sweep, program: program, text: text, setting: fixed, programPath: Self.shownName(self.program), tags: tags,
            progress: { progress.update(done: $0, total: $1) })
        progress.finish()
        let checks = gradcheck ? try log.gradcheck(runs: recorded.runs.map(\.id), check: check.check) : nil
        Self.print(recorded, gradchecks: checks, format: options.format)
        if let checks, checks.contains(where: { !$0.passed }) { throw ExitStatus(code: 1) }
    }

    /// A row per run: its id, the swept values, the output and the output's gradient with
    /// respect to each swept input (and the gradcheck verdict).
    static func print(_ recorded: RecordedSweep, gradchecks: [GradcheckResult]?, format: OutputFormat) {
        let axes = recorded.sweep.axes.map(\.name)
        let columns = ["run_id"] + axes + ["output"] + axes.map { "grad_" + $0 } + (gradchecks == nil ? [] : ["gradcheck"])
        let rows = recorded.runs.enumerated().map { index, run in
            let inputs = axes.map { name in run.inputs.first { $0.name == name }! }
            var row: [Value] = [.int(run.id)] + inputs.map { Value($0.value) } + [.float(run.outputValue)] + inputs.map { Value($0.grad) }
            if let gradchecks { row.append(.string(gradchecks[index].passed ? "pass" : "fail")) }
            return row
        }
        let out = StandardOutput.shared
        switch format {
        case .json, .jsonl:
            let object = Value.object([
                ("sweep", .int(recorded.id)),
                ("output", Value(recorded.runs.first?.outputName)),
                ("runs", .array(rows.map { .object(Array(zip(columns, $0))) })),
            ])
            out.line(object.json)
        case .table, .csv:
            if format == .table {
                let ids = recorded.runs.map(\.id)
                let output = recorded.runs.first?.outputName ?? "output"
                out.line("recorded sweep \(recorded.id): \(ids.count) runs (\(ids.first ?? 0)-\(ids.last ?? 0)), output \(output)")
            }
            let writer = RowWriter(format: format, columns: columns)
            for row in rows { writer.row(row) }
            writer.finish()
            let failed = zip(recorded.runs, gradchecks ?? []).filter { !$1.passed }.map { String($0.0.id) }
            if format == .table && !failed.isEmpty {
                out.line("gradcheck failed for run\(failed.count == 1 ? "" : "s") \(failed.joined(separator: ", ")) (`gradlog gradcheck RUN` shows the inputs)")
            }
        }
    }
}
