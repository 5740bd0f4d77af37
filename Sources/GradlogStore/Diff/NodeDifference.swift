/// One node of a diff: where it sits in each run, how its value and adjoint compare, and how
/// its structure changed.
public struct NodeDifference: Sendable {
    /// The node in run A; nil when it is only in B.
    public var a: NodeSide?
    /// The node in run B; nil when it is only in A.
    public var b: NodeSide?
    /// Forward values; one side nil when the node is only in one run.
    public var value: NumberComparison
    /// Adjoints (d output / d node); one side nil when the node is only in one run.
    public var grad: NumberComparison
    public var changes: StructureChange

    public var status: NodeStatus {
        if a == nil { return .onlyInB }
        if b == nil { return .onlyInA }
        switch max(value.verdict, grad.verdict) {
        case .identical: return .identical
        case .withinTolerance: return .withinTolerance
        case .different: return .different
        }
    }
}

public struct NodeSide: Sendable, Equatable {
    public var id: Int64
    public var name: String?
    public var op: Op
    public var line: Int64
}

public enum NodeStatus: String, Sendable {
    case identical
    case withinTolerance = "within_tolerance"
    case different
    case onlyInA = "only_in_a"
    case onlyInB = "only_in_b"
}

/// How an aligned node's structure differs between the runs (only when they are aligned by name).
public struct StructureChange: OptionSet, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// A and B compute the node with different ops.
    public static let op = StructureChange(rawValue: 1)
    /// The node's inputs are not the nodes aligned with each other (a changed formula).
    public static let inputs = StructureChange(rawValue: 2)
}

/// A pair of numbers (values or adjoints) of a node in runs A and B, and what separates them.
///
/// For a tensor node, `a` and `b` are the worst element's pair, and `tensor` says how the
/// tensors compare as a whole: the differences below are then the largest over all elements.
public struct NumberComparison: Sendable, Equatable {
    public var a: Double?
    public var b: Double?
    public var verdict: Verdict
    /// Set when either side is a tensor.
    public var tensor: TensorDifference?
    /// ULPs are counted in float32 units (see `ComparisonRule.singlePrecision`).
    public var singlePrecision = false

    public init(a: Double?, b: Double?, verdict: Verdict, tensor: TensorDifference? = nil, singlePrecision: Bool = false) {
        self.a = a
        self.b = b
        self.verdict = verdict
        self.tensor = tensor
        self.singlePrecision = singlePrecision
    }

    /// `|b − a|`; nil unless both are finite. For tensors, the largest over the elements.
    public var absoluteDifference: Double? {
        if let tensor { return tensor.maxAbsolute }
        guard let a, let b, a.isFinite, b.isFinite else { return nil }
        return abs(b - a)
    }

    /// `|b − a| / |a|`, A the reference: 0 when both are zero, infinity when only A is. For
    /// tensors, the largest over the elements.
    public var relativeDifference: Double? {
        if let tensor { return tensor.maxRelative }
        guard let a, let difference = absoluteDifference else { return nil }
        if difference == 0 { return 0 }
        return a == 0 ? .infinity : difference / abs(a)
    }

    /// Distance in units in the last place; nil unless both are present and not NaN. For
    /// tensors, the largest over the elements.
    public var ulps: UInt64? {
        if let tensor { return tensor.maxUlps }
        guard let a, let b else { return nil }
        return singlePrecision ? ComparisonRule.floatUlpDistance(a, b) : ComparisonRule.ulpDistance(a, b)
    }
}
