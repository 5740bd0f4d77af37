import GradlogAutodiff

/// How the stored adjoint of one node came about, from the stored numbers only: one chain-rule
/// term per consumer (a node whose input 0 or 1 is this node), their sum, and whether that sum
/// is the stored adjoint. `gradlog explain` prints it.
public struct AdjointExplanation: Sendable {
    public var run: Int64
    public var id: Int64
    /// The name as `show` prints it, `#id` for an unnamed node.
    public var label: String
    public var op: Op
    public var line: Int64
    /// Nil for a scalar.
    public var shape: Shape?
    /// The output's label, the `f` of d(f)/d(node).
    public var outputLabel: String
    public var isOutput: Bool
    /// False for data and nodes computed from data and constants only: no adjoint is stored.
    public var requiresGradient: Bool
    /// The stored adjoint, element by element (one element for a scalar); nil when not kept.
    public var adjoint: [Double]?
    public var terms: [ChainRuleTerm]
    /// The terms the backward pass added, summed in its order; nil when a factor was not kept.
    public var sum: [Double]?
    /// The consumers' own explanations (`--depth`), in the order of `terms`.
    public var unfolded: [AdjointExplanation] = []
    /// Consumers not unfolded here: explained earlier in the same answer, or past the limit.
    public var notUnfolded: [(id: Int64, label: String, reason: String)] = []

    /// Whether `sum` is the stored adjoint bit for bit (0.0 and -0.0 differ; NaN equals NaN);
    /// nil when either is missing. For the output, whether the stored adjoint is 1.
    public var equals: Bool? {
        guard let adjoint else { return nil }
        if isOutput { return adjoint.count == 1 && adjoint[0] == 1 }
        guard let sum, sum.count == adjoint.count else { return nil }
        return zip(sum, adjoint).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) }
    }

    /// The largest |sum − adjoint| over the elements and how many elements differ.
    public var difference: (largest: Double, elements: Int)? {
        guard let adjoint, let sum, sum.count == adjoint.count else { return nil }
        var largest = 0.0, elements = 0
        for (s, a) in zip(sum, adjoint) where !(s.bitPattern == a.bitPattern || (s.isNaN && a.isNaN)) {
            elements += 1
            largest = Swift.max(largest, Swift.abs(s - a).isNaN ? .infinity : Swift.abs(s - a))
        }
        return (largest, elements)
    }
}

/// One consumer's share of a node's adjoint: d(out)/d(C) × d(C)/d(node).
public struct ChainRuleTerm: Sendable {
    public var consumer: Int64
    public var consumerLabel: String
    /// The consumer as an expression of its inputs, `1/den`, `num*invden`.
    public var expression: String
    public var op: Op
    /// Which input of the consumer the node is (0 or 1).
    public var slot: Int
    public var line: Int64
    /// The consumer's shape; nil for a scalar.
    public var consumerShape: Shape?
    /// The consumer's stored adjoint; nil when it has none or it was not kept.
    public var consumerAdjoint: [Double]?
    /// The stored local derivative d(C)/d(node) (elementwise ops, in the consumer's shape), or the
    /// stored contribution (ops that store one, in the node's shape); nil when not kept.
    public var stored: [Double]?
    /// Whether `stored` is the contribution itself (`op.stores = 'contribution'`).
    public var storesContribution: Bool
    /// The derivative written symbolically (`-1/den^2`), or for a tensor op the backward formula
    /// (`d(W1) = d(h) @ transpose(x)`).
    public var formula: String
    /// `formula` with the recorded values in place of the names, for scalar operands.
    public var substituted: String?
    /// What this consumer sent to the node, in the node's shape; nil when a factor was not kept.
    public var contribution: [Double]?
    /// False when the backward pass did not pass this consumer's adjoint on (the output does not
    /// depend on it, or it needs no gradient): such a term is shown but not summed.
    public var passedOn: Bool
}
