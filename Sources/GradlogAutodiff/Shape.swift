/// The dimensions of a node's value, outermost first. A scalar has rank 0 and one element.
///
/// Elements are laid out row-major (C order), as NumPy and PyTorch lay out a contiguous tensor.
public struct Shape: Hashable, Sendable, CustomStringConvertible {
    public let dims: [Int]

    /// The largest number of elements one tensor may hold (800 MB of doubles). Larger shapes are
    /// refused when a node is built, with the shape in the message.
    public static let maximumCount = 100_000_000

    public static let scalar = Shape([])

    public init(_ dims: [Int]) { self.dims = dims }

    public var rank: Int { dims.count }
    public var isScalar: Bool { dims.isEmpty }

    /// The number of elements; 1 for a scalar. Only valid for shapes that passed `validated`.
    public var count: Int { dims.reduce(1, *) }

    /// `[2, 16]`; a scalar is `[]`.
    public var description: String { "[" + dims.map(String.init).joined(separator: ", ") + "]" }

    /// Checks that every dimension is at least 1 and the element count is within
    /// `maximumCount`, without overflowing; returns a reason when it is not.
    public static func problem(with dims: [Int]) -> String? {
        var total = 1
        for d in dims {
            guard d >= 1 else { return "a dimension of \(d) in \(Shape(dims)) (every dimension must be at least 1)" }
            let (product, overflow) = total.multipliedReportingOverflow(by: d)
            guard !overflow, product <= maximumCount else {
                return "\(Shape(dims)) holds more than \(maximumCount) elements, the most one tensor may hold"
            }
            total = product
        }
        return nil
    }

    /// Row-major strides, in elements.
    public var strides: [Int] {
        var strides = [Int](repeating: 1, count: rank)
        var step = 1
        for axis in stride(from: rank - 1, through: 0, by: -1) {
            strides[axis] = step
            step *= dims[axis]
        }
        return strides
    }

    /// NumPy's broadcast of two shapes: dimensions are aligned at the end, and each pair must be
    /// equal or contain a 1. Nil when they do not broadcast.
    public static func broadcast(_ a: Shape, _ b: Shape) -> Shape? {
        if a == b { return a }
        let rank = Swift.max(a.rank, b.rank)
        var dims = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let da = i < rank - a.rank ? 1 : a.dims[i - (rank - a.rank)]
            let db = i < rank - b.rank ? 1 : b.dims[i - (rank - b.rank)]
            guard da == db || da == 1 || db == 1 else { return nil }
            dims[i] = Swift.max(da, db)
        }
        return Shape(dims)
    }

    /// Normalises an axis that may count from the end (-1 is the last); nil when out of range.
    public func axis(_ axis: Int) -> Int? {
        let a = axis < 0 ? axis + rank : axis
        return a >= 0 && a < rank ? a : nil
    }

    /// The shape with `axis` taken out (a reduction's result).
    public func removing(axis: Int) -> Shape {
        var dims = dims
        dims.remove(at: axis)
        return Shape(dims)
    }
}

/// For each element of a broadcast result, the element of one operand it reads.
///
/// `offsets(from: [3, 1], to: [2, 3, 4])` maps each of the 24 output elements to one of the 3
/// input elements. Nil when the operand already has the output's shape (the identity map).
/// Public so that readers of stored runs (`explain`) replay a broadcast backward sum exactly.
public func broadcastOffsets(from input: Shape, to output: Shape) -> [Int]? {
    if input == output { return nil }
    let count = output.count
    if input.count == 1 { return [Int](repeating: 0, count: count) }
    // Input strides aligned to the output's axes, 0 along broadcast axes.
    let inputStrides = input.strides
    var strides = [Int](repeating: 0, count: output.rank)
    for i in 0..<input.rank where input.dims[i] != 1 {
        strides[i + output.rank - input.rank] = inputStrides[i]
    }
    var offsets = [Int](repeating: 0, count: count)
    var index = [Int](repeating: 0, count: output.rank)
    var offset = 0
    for flat in 0..<count {
        offsets[flat] = offset
        // Odometer step over the output's index, keeping the input offset in step.
        var axis = output.rank - 1
        while axis >= 0 {
            index[axis] += 1
            offset += strides[axis]
            if index[axis] < output.dims[axis] { break }
            offset -= strides[axis] * index[axis]
            index[axis] = 0
            axis -= 1
        }
    }
    return offsets
}
