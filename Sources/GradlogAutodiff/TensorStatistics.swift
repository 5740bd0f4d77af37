import CKernels

/// A tensor's health at a glance: how many elements are NaN, +inf, -inf and zero, and the
/// min, max, mean and L2 norm of its finite elements (nil when none is finite).
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

    /// One pass for the counts, extremes, sum and sum of squares. The norm is the square root of
    /// the sum of squares, unless that overflowed or underflowed; then a second pass scales by
    /// the largest magnitude, as BLAS's dnrm2 does.
    public init(_ elements: ArraySlice<Double>) {
        self = elements.withUnsafeBufferPointer { TensorStatistics(buffer: $0) }
    }

    public init(_ elements: [Double]) {
        self = elements.withUnsafeBufferPointer { TensorStatistics(buffer: $0) }
    }

    /// Concrete, not generic: called across modules, a generic version runs unspecialised,
    /// through witness tables for every element.
    public init(buffer elements: UnsafeBufferPointer<Double>) {
        self.init(buffer: elements, vectorKernel: true)
    }

    /// `vectorKernel`: the four-lane pass through CKernels' AVX2 loop where the CPU has AVX2
    /// (the same lanes and the same arithmetic, so the same bits; about a third of the
    /// instructions of the SSE2 loop below); false runs the Swift loop (for tests).
    init(buffer elements: UnsafeBufferPointer<Double>, vectorKernel: Bool) {
        // The common case first: every element finite. One branch-free pass, four lanes at a
        // time; a NaN or an infinity (or an overflowing sum) makes the sums non-finite, and the
        // careful pass below then counts them.
        let n = elements.count
        var sum4 = SIMD4<Double>(), squares4 = SIMD4<Double>(), zeros4 = SIMD4<Int64>()
        var low4 = SIMD4<Double>(repeating: .infinity), high4 = SIMD4<Double>(repeating: -.infinity)
        var i = 0
        if vectorKernel, n >= 4, let base = elements.baseAddress {
            let inf = Double.infinity
            var lanes = gradlog_statistics_lanes(
                sum: (0, 0, 0, 0), squares: (0, 0, 0, 0), low: (inf, inf, inf, inf), high: (-inf, -inf, -inf, -inf), zeros: (0, 0, 0, 0))
            i = gradlog_statistics_lanes_avx2(base, n, &lanes)
            if i > 0 {
                sum4 = SIMD4(lanes.sum.0, lanes.sum.1, lanes.sum.2, lanes.sum.3)
                squares4 = SIMD4(lanes.squares.0, lanes.squares.1, lanes.squares.2, lanes.squares.3)
                low4 = SIMD4(lanes.low.0, lanes.low.1, lanes.low.2, lanes.low.3)
                high4 = SIMD4(lanes.high.0, lanes.high.1, lanes.high.2, lanes.high.3)
                zeros4 = SIMD4(lanes.zeros.0, lanes.zeros.1, lanes.zeros.2, lanes.zeros.3)
            }
        }
        if let base = elements.baseAddress.map(UnsafeRawPointer.init) {
            while i + 4 <= n {
                let v = base.loadUnaligned(fromByteOffset: i &* 8, as: SIMD4<Double>.self)
                sum4 += v
                squares4 += v * v
                low4.replace(with: v, where: v .< low4)
                high4.replace(with: v, where: v .> high4)
                zeros4 &-= unsafeBitCast(v .== 0, to: SIMD4<Int64>.self)  // a true lane is -1
                i &+= 4
            }
        }
        var sum = (sum4[0] + sum4[1]) + (sum4[2] + sum4[3])
        var squares = (squares4[0] + squares4[1]) + (squares4[2] + squares4[3])
        var zeros = Int(zeros4.wrappedSum())
        var low = low4.min(), high = high4.max()
        while i < n {
            let x = elements[i]
            sum += x
            squares += x * x
            low = Swift.min(low, x)
            high = Swift.max(high, x)
            zeros &+= x == 0 ? 1 : 0
            i &+= 1
        }
        let largest = Swift.max(Swift.abs(low), Swift.abs(high))
        if n > 0 && sum.isFinite && squares.isFinite && low.isFinite && high.isFinite
            && (squares >= 0x1p-900 || largest == 0) {
            count = n
            zero = zeros
            min = low
            max = high
            mean = sum / Double(count)
            norm = squares.squareRoot()
            return
        }
        self = TensorStatistics(careful: elements)
    }

    /// Whether every element is finite (no NaN, no infinity): four lanes at a time, x - x is 0
    /// for a finite x and NaN otherwise.
    public static func allFinite(_ elements: UnsafeBufferPointer<Double>) -> Bool {
        var probe = SIMD4<Double>()
        var i = 0
        if let base = elements.baseAddress.map(UnsafeRawPointer.init) {
            while i + 4 <= elements.count {
                let v = base.loadUnaligned(fromByteOffset: i &* 8, as: SIMD4<Double>.self)
                probe += v - v
                i &+= 4
            }
        }
        var rest = (probe[0] + probe[1]) + (probe[2] + probe[3])
        while i < elements.count {
            rest += elements[i] - elements[i]
            i &+= 1
        }
        return rest == 0
    }

    private init(careful elements: UnsafeBufferPointer<Double>) {
        var finite = 0
        var total = 0.0, squares = 0.0
        var low = Double.infinity, high = -Double.infinity
        for x in elements {
            if x.isFinite {
                finite += 1
                total += x
                squares += x * x
                low = Swift.min(low, x)
                high = Swift.max(high, x)
                if x == 0 { zero += 1 }
            } else if x.isNaN {
                nan += 1
            } else if x > 0 {
                positiveInfinity += 1
            } else {
                negativeInfinity += 1
            }
        }
        count = finite + nan + positiveInfinity + negativeInfinity
        guard finite > 0 else { return }
        min = low
        max = high
        mean = total / Double(finite)
        let largest = Swift.max(Swift.abs(low), Swift.abs(high))
        if squares.isFinite && (squares >= 0x1p-900 || largest == 0) && largest < 0x1p500 {
            norm = squares.squareRoot()
        } else {
            var scaled = 0.0
            for x in elements where x.isFinite {
                let r = x / largest
                scaled += r * r
            }
            norm = largest * scaled.squareRoot()
        }
    }
}

/// The statistics of some of a tape's tensor nodes, taken while forward or backward has each
/// one in cache (`Tape.forward(observing: statistics.observe)`); a node not observed reads nil,
/// and its statistics are worked out from the arenas instead.
public struct NodeStatistics: Sendable {
    private var byNode: [TensorStatistics?] = []

    public init() {}

    /// Takes node `id`'s statistics: a `Tape.Observer`.
    public mutating func observe(_ id: NodeID, _ elements: UnsafeBufferPointer<Double>) {
        if Int(id) >= byNode.count { byNode += repeatElement(nil, count: Int(id) + 1 - byNode.count) }
        byNode[Int(id)] = TensorStatistics(buffer: elements)
    }

    public subscript(_ id: NodeID) -> TensorStatistics? { Int(id) < byNode.count ? byNode[Int(id)] : nil }

    /// Node `id`'s statistics, which are then forgotten (a training's next step takes new ones).
    public mutating func take(_ id: NodeID) -> TensorStatistics? {
        guard let taken = self[id] else { return nil }
        byNode[Int(id)] = nil
        return taken
    }
}
