import GradlogStore

/// What `gradcheck` (and `record --gradcheck`) prints for a run: a verdict line and a table
/// for people, the per-input rows as CSV, or one JSON object.
struct GradcheckReport {
    var result: GradcheckResult

    /// `element` and `checked` are set for tensor inputs: the worst checked element's index and
    /// how many elements were checked (how many failed, when any did).
    static let columns = ["input", "value", "analytic", "numeric", "abs_error", "rel_error", "verdict", "element", "checked"]

    var verdictLine: String {
        let check = result.check
        let failed = result.inputs.filter { !$0.comparison.passed }.count
        let verdict = failed == 0 ? "passed" : "FAILED for \(failed) of \(result.inputs.count) inputs"
        let settings = "eps \(FloatEncoding.format(check.eps)), atol \(FloatEncoding.format(check.atol)), rtol \(FloatEncoding.format(check.rtol))"
        return "gradcheck of run \(result.run) (\(settings)): \(verdict)"
    }

    func print(format: OutputFormat) {
        switch format {
        case .json, .jsonl:
            StandardOutput.shared.line(json.json)
        case .table, .csv:
            if format == .table { StandardOutput.shared.line(verdictLine) }
            if result.inputs.isEmpty && format == .table {
                StandardOutput.shared.line("(the program has no inputs)")
                return
            }
            let writer = RowWriter(format: format, columns: Self.columns)
            for input in result.inputs { writer.row(Self.row(input)) }
            writer.finish()
        }
    }

    var json: Value {
        .object([
            ("run_id", .int(result.run)),
            ("eps", .float(result.check.eps)),
            ("atol", .float(result.check.atol)),
            ("rtol", .float(result.check.rtol)),
            ("passed", .bool(result.passed)),
            ("inputs", .array(result.inputs.map { .object(Array(zip(Self.columns, Self.row($0)))) })),
        ])
    }

    static func row(_ input: InputGradcheck) -> [Value] {
        let c = input.comparison
        let checked: Value = input.element == nil ? .null
            : .string(input.failed > 0 ? "\(input.failed) of \(input.checked) failed" : "\(input.checked)")
        return [.string(input.name), .float(input.value), .float(c.analytic), .float(c.numeric),
                .float(c.absoluteError), .float(c.relativeError), .string(c.passed ? "pass" : "fail"),
                input.element.map { .string(Shape($0).description) } ?? .null, checked]
    }
}
