/// `sum` and `mean`, over every element or along one axis.
///
/// Backward: every element of a lane receives the lane's adjoint (divided by the lane's length
/// for `mean`): `dx = broadcast(dy)` or `dx = broadcast(dy) / n`.
enum Reduction {
    static func forward(
        mean: Bool, _ x: UnsafeBufferPointer<Double>, _ shape: Shape, axis: Int?,
        _ out: UnsafeMutableBufferPointer<Double>
    ) {
        guard let axis else {
            var total = 0.0
            for v in x { total += v }
            out[0] = mean ? total / Double(x.count) : total
            return
        }
        let split = AxisSplit(shape, axis)
        split.forEachLane { base, step, lane in
            var total = 0.0
            for j in 0..<split.length { total += x[base + j * step] }
            out[lane] = mean ? total / Double(split.length) : total
        }
    }

    static func backward(
        mean: Bool, _ g: UnsafeBufferPointer<Double>, _ shape: Shape, axis: Int?,
        _ dx: UnsafeMutableBufferPointer<Double>
    ) {
        guard let axis else {
            let each = mean ? g[0] / Double(dx.count) : g[0]
            for e in 0..<dx.count { dx[e] = each }
            return
        }
        let split = AxisSplit(shape, axis)
        split.forEachLane { base, step, lane in
            let each = mean ? g[lane] / Double(split.length) : g[lane]
            for j in 0..<split.length { dx[base + j * step] = each }
        }
    }
}

/// Ops that move elements without changing them: `transpose` (the axes reversed, as NumPy's
/// `x.T`) and `reshape` (a copy in the same row-major order). Backward moves the adjoint back.
enum Layout {
    /// For each element of x (row-major), its offset in transpose(x).
    private static func transposedOffsets(_ shape: Shape) -> [Int] {
        let rank = shape.rank
        let outStrides = Shape(shape.dims.reversed()).strides
        var offsets = [Int](repeating: 0, count: shape.count)
        var index = [Int](repeating: 0, count: rank)
        for flat in 0..<shape.count {
            var offset = 0
            for axis in 0..<rank { offset += index[axis] * outStrides[rank - 1 - axis] }
            offsets[flat] = offset
            var axis = rank - 1
            while axis >= 0 {
                index[axis] += 1
                if index[axis] < shape.dims[axis] { break }
                index[axis] = 0
                axis -= 1
            }
        }
        return offsets
    }

    static func transpose(_ x: UnsafeBufferPointer<Double>, _ shape: Shape, _ out: UnsafeMutableBufferPointer<Double>) {
        let offsets = transposedOffsets(shape)
        for e in 0..<x.count { out[offsets[e]] = x[e] }
    }

    static func transposeBack(_ g: UnsafeBufferPointer<Double>, _ shape: Shape, _ dx: UnsafeMutableBufferPointer<Double>) {
        let offsets = transposedOffsets(shape)
        for e in 0..<dx.count { dx[e] = g[offsets[e]] }
    }
}
