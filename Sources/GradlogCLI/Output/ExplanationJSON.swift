import GradlogStore

/// `explain --format json`: {node, adjoint, terms: [{consumer, op, slot, consumer_adjoint,
/// local_grad, formula, product}], sum, equals, ...}. Scalars are numbers; a tensor is
/// {shape, numel, norm, min, max}.
enum ExplanationJSON {
    static func value(_ e: AdjointExplanation) -> Value {
        .object([
            ("run", .int(e.run)),
            ("node", .string(e.label)), ("id", .int(e.id)), ("op", .string(e.op.name)), ("line", .int(e.line)),
            ("shape", e.shape.map { .array($0.dims.map { .int(Int64($0)) }) } ?? .null),
            ("output", .string(e.outputLabel)), ("is_output", .bool(e.isOutput)),
            ("requires_grad", .bool(e.requiresGradient)),
            ("adjoint", numbers(e.adjoint, e.shape)),
            ("terms", .array(e.terms.map { term($0, e) })),
            ("sum", numbers(e.sum, e.shape)),
            ("equals", e.equals.map(Value.bool) ?? .null),
            ("difference", e.difference.map { $0.elements == 0 ? .null : .object([("elements", .int(Int64($0.elements))), ("largest", .float($0.largest))]) } ?? .null),
            ("unfolded", .array(e.unfolded.map(value))),
            ("not_unfolded", .array(e.notUnfolded.map { .object([("id", .int($0.id)), ("node", .string($0.label)), ("reason", .string($0.reason))]) })),
        ])
    }

    static func term(_ t: ChainRuleTerm, _ e: AdjointExplanation) -> Value {
        .object([
            ("consumer", .string(t.consumerLabel)), ("consumer_id", .int(t.consumer)), ("expression", .string(t.expression)),
            ("op", .string(t.op.name)), ("slot", .int(Int64(t.slot))), ("line", .int(t.line)),
            ("consumer_adjoint", numbers(t.consumerAdjoint, t.consumerShape)),
            ("local_grad", t.storesContribution ? .null : numbers(t.stored, t.consumerShape)),
            ("formula", .string(t.formula)), ("substituted", Value(t.substituted)),
            ("product", numbers(t.contribution, e.shape)),
            ("passed_on", .bool(t.passedOn)),
        ])
    }

    static func numbers(_ elements: [Double]?, _ shape: Shape?) -> Value {
        guard let elements else { return .null }
        guard let shape else { return elements.count == 1 ? .float(elements[0]) : .null }
        let s = TensorStatistics(elements)
        return .object([("shape", .array(shape.dims.map { .int(Int64($0)) })), ("numel", .int(Int64(elements.count))),
                        ("norm", Value(s.norm)), ("min", Value(s.min)), ("max", Value(s.max))])
    }
}
