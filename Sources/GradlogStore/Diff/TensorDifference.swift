/// What a diff reads for one value or adjoint of a node: a scalar, a tensor's shape and
/// elements (nil when the run kept its statistics only), or nothing.
enum StoredNumber {
    case scalar(Double?)
    case tensor(Shape, [Double]?)

    var scalar: Double? {
        if case .scalar(let value) = self { return value }
        return nil
    }
}

/// How two tensors (or a tensor and a scalar) of an aligned node compare, element by element.
public struct TensorDifference: Sendable, Equatable {
    /// The shapes in A and B; nil for a scalar side.
    public var shapeA: Shape?
    public var shapeB: Shape?
    /// Elements compared (0 when the shapes differ or the elements were not kept).
    public var compared: Int
    /// Elements that differ beyond the tolerance.
    public var differing: Int
    /// Row-major index of the element with the largest difference (a NaN or an infinity that
    /// the other side does not share counts as the largest), or nil when none differs.
    public var worst: Int?
    public var maxAbsolute: Double?
    public var maxRelative: Double?
    public var maxUlps: UInt64?
    /// False when a side was recorded with `--capture stats`: only the shapes were compared.
    public var elementsKept: Bool

    public var shapeChanged: Bool { shapeA != shapeB }

    /// The worst element's index per axis, `[2, 5]`.
    public var worstIndex: [Int]? {
        guard let worst, let shape = shapeA ?? shapeB else { return nil }
        var index: [Int] = []
        var rest = worst
        for stride in shape.strides {
            index.append(rest / stride)
            rest %= stride
        }
        return index
    }
}

extension ComparisonRule {
    /// Compares a node's number in B with A's, scalars by `verdict`, tensors element by element:
    /// a tensor differs when its shape changed or any element differs beyond the tolerance, and
    /// the comparison carries the worst element's pair as `a` and `b`.
    func compare(_ a: StoredNumber, _ b: StoredNumber) -> NumberComparison {
        if case .scalar(let x) = a, case .scalar(let y) = b {
            return NumberComparison(a: x, b: y, verdict: verdict(x, y), singlePrecision: singlePrecision)
        }
        var difference = TensorDifference(
            shapeA: Self.shape(a), shapeB: Self.shape(b), compared: 0, differing: 0, worst: nil, elementsKept: true)
        guard !difference.shapeChanged else {
            return NumberComparison(a: a.scalar, b: b.scalar, verdict: .different, tensor: difference)
        }
        guard case .tensor(_, let elementsA?) = a, case .tensor(_, let elementsB?) = b, elementsA.count == elementsB.count else {
            difference.elementsKept = false
            return NumberComparison(a: nil, b: nil, verdict: .identical, tensor: difference)
        }
        var overall = Verdict.identical
        var worstScore = -1.0
        for i in 0..<elementsA.count {
            let x = elementsA[i], y = elementsB[i]
            let v = verdict(x, y)
            if v == .identical { continue }
            overall = max(overall, v)
            if v == .different { difference.differing += 1 }
            let pair = NumberComparison(a: x, b: y, verdict: v, singlePrecision: singlePrecision)
            // NaN or inf against a number: infinitely bad, and the first such is the worst.
            let score = pair.absoluteDifference ?? .infinity
            if score > worstScore || (worstScore.isInfinite && difference.worst == nil) {
                worstScore = score
                difference.worst = i
            }
            if let d = pair.absoluteDifference { difference.maxAbsolute = Swift.max(difference.maxAbsolute ?? 0, d) }
            if let r = pair.relativeDifference { difference.maxRelative = Swift.max(difference.maxRelative ?? 0, r) }
            if let u = pair.ulps { difference.maxUlps = Swift.max(difference.maxUlps ?? 0, u) }
        }
        difference.compared = elementsA.count
        let worst = difference.worst
        return NumberComparison(
            a: worst.map { elementsA[$0] }, b: worst.map { elementsB[$0] }, verdict: overall, tensor: difference)
    }

    private static func shape(_ number: StoredNumber) -> Shape? {
        if case .tensor(let shape, _) = number { return shape }
        return nil
    }
}
