/// A tensor's health at a glance: how many elements are NaN, +inf, -inf and zero, and the
/// min, max, mean and L2 norm of its finite elements (nil when none is finite). One pass.
public struct TensorStatistics: Sendable, Equatable {
    public var count = 0
    public var nan = 0
    public var positiveInfinity = 0
    public var negativeInfinity = 0
    public var zero = 0
    public var min: Double?
    public var max: Double?
    public var mean: Double?
    public var norm: Double?

    public init() {}

    public init<C: Collection>(_ elements: C) where C.Element == Double {
        var finite = 0
        var total = 0.0
        var low = Double.infinity, high = -Double.infinity
        // The norm is scaled by the largest magnitude seen so far, as BLAS's dnrm2 does, so
        // that squares of large elements do not overflow.
        var scale = 0.0, sumOfSquares = 1.0
        for x in elements {
            count += 1
            if x.isNaN { nan += 1; continue }
            if x == .infinity { positiveInfinity += 1; continue }
            if x == -.infinity { negativeInfinity += 1; continue }
            if x == 0 { zero += 1 }
            finite += 1
            total += x
            if x < low { low = x }
            if x > high { high = x }
            let magnitude = Swift.abs(x)
            if magnitude > 0 {
                if scale < magnitude {
                    sumOfSquares = 1 + sumOfSquares * (scale / magnitude) * (scale / magnitude)
                    scale = magnitude
                } else {
                    sumOfSquares += (magnitude / scale) * (magnitude / scale)
                }
            }
        }
        guard finite > 0 else { return }
        min = low
        max = high
        mean = total / Double(finite)
        norm = scale == 0 ? 0 : scale * sumOfSquares.squareRoot()
    }
}
