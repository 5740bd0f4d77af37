import GradlogStore

/// What `gradlog diff` prints: a table for people, CSV of the nodes, or one JSON object.
struct DiffReport {
    var result: RunDiffResult
    var runA: (id: Int64, path: String)
    var runB: (id: Int64, path: String)
    var limit: Int

    private var out: StandardOutput { .shared }

    static let summaryColumns = ["compared", "identical", "within_tolerance", "different", "only_in_a", "only_in_b", "changed_op", "changed_inputs"]
    static let nodeColumns = [
        "id_a", "id_b", "name", "op", "line", "status",
        "value_a", "value_b", "value_abs_diff", "value_rel_diff", "value_ulps",
        "grad_a", "grad_b", "grad_abs_diff", "grad_rel_diff", "grad_ulps", "change",
    ]

    // MARK: Table

    func printTable() {
        let location = runA.path == runB.path ? "in \(runA.path)" : "(A in \(runA.path), B in \(runB.path))"
        let verdict = result.agree ? "agree" : "differ"
        out.line(TerminalText.escaped("runs \(runA.id) and \(runB.id) \(location), aligned by \(result.alignment.rawValue): they \(verdict)"))
        out.line()
        let summary = RowWriter(format: .table, columns: Self.summaryColumns)
        summary.row(summaryValues)
        summary.finish()

        if !result.inputs.isEmpty {
            out.line()
            let inputs = RowWriter(format: .table, columns: ["input", "a", "b", "status"])
            for input in result.inputs {
                inputs.row([.string(input.name), input.value.shownA, input.value.shownB, .string(input.status.rawValue)])
            }
            inputs.finish()
        }
        if !result.tags.isEmpty {
            out.line()
            let tags = RowWriter(format: .table, columns: ["tag", "a", "b"])
            for tag in result.tags { tags.row([.string(tag.key), Value(tag.a), Value(tag.b)]) }
            tags.finish()
        }

        out.line()
        out.line("first value divergence: " + divergenceLine(result.firstValueDivergence, \.value))
        out.line("first grad divergence:  " + divergenceLine(result.firstGradDivergence, \.grad))
        guard !result.nodes.isEmpty else { return }
        out.line()
        printNodes(format: .table)
        if result.unlisted > 0 {
            out.line("... \(result.unlisted) more not listed (--limit \(limit); --limit 0 lists all)")
        }
    }

    private func divergenceLine(_ node: NodeDifference?, _ numbers: KeyPath<NodeDifference, NumberComparison>) -> String {
        guard let node else { return "none" }
        let pair = node[keyPath: numbers]
        let side = node.a ?? node.b
        let name = side.map { $0.name ?? "#\($0.id)" } ?? "?"
        var details: [String] = []
        // A tensor: the worst element's pair, where it is and how many differ.
        if let tensor = pair.tensor { details.append(Self.describe(tensor)) }
        if let difference = pair.absoluteDifference { details.append("abs \(Value(difference).text)") }
        if let difference = pair.relativeDifference { details.append("rel \(Value(difference).text)") }
        if let ulps = pair.ulps { details.append("\(ulps) ulps") }
        return "\(name) (\(side?.op.name ?? "?"), line \(side?.line ?? 0)): "
            + "\(pair.shownA.text) vs \(pair.shownB.text)" + (details.isEmpty ? "" : " (\(details.joined(separator: ", ")))")
    }

    /// `37 of 1600 elements differ, worst at [2, 5]`, or how the shape changed.
    static func describe(_ tensor: TensorDifference) -> String {
        func shown(_ shape: Shape?) -> String { shape.map(\.description) ?? "a scalar" }
        if tensor.shapeChanged { return "shape \(shown(tensor.shapeA)) -> \(shown(tensor.shapeB))" }
        guard tensor.elementsKept else { return "\(shown(tensor.shapeA)), elements not kept (--capture stats)" }
        var text = "\(tensor.differing) of \(tensor.compared) elements differ"
        if let index = tensor.worstIndex { text += ", worst at \(Shape(index))" }
        return text
    }

    // MARK: Nodes (table and CSV)

    func printNodes(format: OutputFormat) {
        let writer = RowWriter(format: format, columns: Self.nodeColumns)
        for node in result.nodes { writer.row(Self.row(node)) }
        writer.finish()
    }

    static func row(_ node: NodeDifference) -> [Value] {
        let side = node.a ?? node.b
        return [
            node.a.map { .int($0.id) } ?? .null, node.b.map { .int($0.id) } ?? .null,
            Value(side?.name), Value(side?.op.name), side.map { .int($0.line) } ?? .null, .string(node.status.rawValue),
        ] + numbers(node.value) + numbers(node.grad) + [Value(change(node))]
    }

    private static func numbers(_ pair: NumberComparison) -> [Value] {
        [pair.shownA, pair.shownB, Value(pair.absoluteDifference), Value(pair.relativeDifference), ulps(pair.ulps)]
    }

    /// ULPs beyond Int64 (values of opposite signs far apart) print as a float: approximate.
    private static func ulps(_ ulps: UInt64?) -> Value {
        guard let ulps else { return .null }
        return ulps <= UInt64(Int64.max) ? .int(Int64(ulps)) : .float(Double(ulps))
    }

    private static func change(_ node: NodeDifference) -> String? {
        var parts: [String] = []
        if let tensor = node.value.tensor, tensor.shapeChanged || tensor.differing > 0 || !tensor.elementsKept {
            parts.append("value: " + describe(tensor))
        }
        if let tensor = node.grad.tensor, tensor.shapeChanged || tensor.differing > 0 {
            parts.append("grad: " + describe(tensor))
        }
        if node.changes.contains(.op), let a = node.a, let b = node.b { parts.append("op \(a.op.name) -> \(b.op.name)") }
        if node.changes.contains(.inputs) { parts.append("inputs rewired") }
        return parts.isEmpty ? nil : parts.joined(separator: "; ")
    }

    // MARK: JSON

    private var summaryValues: [Value] {
        let s = result.summary
        return [s.compared, s.identical, s.withinTolerance, s.different, s.onlyInA, s.onlyInB, s.changedOp, s.changedInputs]
            .map { .int(Int64($0)) }
    }

    var json: Value {
        .object([
            ("a", .object([("run", .int(runA.id)), ("db", .string(runA.path))])),
            ("b", .object([("run", .int(runB.id)), ("db", .string(runB.path))])),
            ("alignment", .string(result.alignment.rawValue)),
            ("agree", .bool(result.agree)),
            ("summary", .object(Array(zip(Self.summaryColumns, summaryValues)) + [("unlisted", .int(Int64(result.unlisted)))])),
            ("inputs", .array(result.inputs.map { input in
                .object([("name", .string(input.name)), ("a", input.value.shownA), ("b", input.value.shownB),
                         ("status", .string(input.status.rawValue))])
            })),
            ("tags", .array(result.tags.map { .object([("key", .string($0.key)), ("a", Value($0.a)), ("b", Value($0.b))]) })),
            ("first_value_divergence", Self.divergence(result.firstValueDivergence, \.value)),
            ("first_grad_divergence", Self.divergence(result.firstGradDivergence, \.grad)),
            ("nodes", .array(result.nodes.map { .object(Array(zip(Self.nodeColumns, Self.row($0)))) })),
        ])
    }

    private static func divergence(_ node: NodeDifference?, _ numbers: KeyPath<NodeDifference, NumberComparison>) -> Value {
        guard let node else { return .null }
        let pair = node[keyPath: numbers]
        let side = node.a ?? node.b
        return .object([
            ("id_a", node.a.map { .int($0.id) } ?? .null), ("id_b", node.b.map { .int($0.id) } ?? .null),
            ("name", Value(side?.name)), ("op", Value(side?.op.name)),
            ("line_a", node.a.map { .int($0.line) } ?? .null), ("line_b", node.b.map { .int($0.line) } ?? .null),
            ("a", pair.shownA), ("b", pair.shownB),
            ("abs_diff", Value(pair.absoluteDifference)), ("rel_diff", Value(pair.relativeDifference)), ("ulps", ulps(pair.ulps)),
            ("tensor", pair.tensor.map(tensorJSON) ?? .null),
        ])
    }

    private static func tensorJSON(_ t: TensorDifference) -> Value {
        func dims(_ shape: Shape?) -> Value { shape.map { .array($0.dims.map { .int(Int64($0)) }) } ?? .null }
        return .object([
            ("shape_a", dims(t.shapeA)), ("shape_b", dims(t.shapeB)), ("compared", .int(Int64(t.compared))),
            ("differing", .int(Int64(t.differing))), ("worst", t.worstIndex.map { .array($0.map { .int(Int64($0)) }) } ?? .null),
            ("elements_kept", .bool(t.elementsKept)),
        ])
    }
}

extension NumberComparison {
    /// A and B as printed. Two NaNs that differ only in their bits (sign or payload) print as
    /// their stored spellings ("NaN", "-NaN", "NaN(0x...)"), so that the two sides of a
    /// difference never read alike.
    fileprivate var shownA: Value { Self.shown(a, besides: b) }
    fileprivate var shownB: Value { Self.shown(b, besides: a) }

    private static func shown(_ value: Double?, besides other: Double?) -> Value {
        guard let value, let other, value.isNaN, other.isNaN, value.bitPattern != other.bitPattern else { return Value(value) }
        return .string(FloatEncoding.nanText(value))
    }
}
