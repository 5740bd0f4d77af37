/// `softmax`, `log_softmax`, `logsumexp` along an axis and `cross_entropy`, in PyTorch's
/// numerically stable forms: the lane's maximum is subtracted before `exp`.
///
/// Backward (y the forward result, g its adjoint, sums along the lane):
/// - softmax:      dx = y * (g - sum(g * y))
/// - log_softmax:  dx = g - exp(y) * sum(g)
/// - logsumexp:    dx = g * exp(x - y)
/// - cross_entropy(x, labels), N rows: dx = g / N * (softmax(x) - onehot(labels))
enum Softmax {
    /// The lane's maximum; for logsumexp an infinite maximum is replaced by 0, as PyTorch does,
    /// so that a lane of -inf gives -inf (not NaN) and a lane holding +inf gives +inf.
    private static func maximum(_ x: UnsafeBufferPointer<Double>, base: Int, step: Int, length: Int) -> Double {
        var m = -Double.infinity
        for j in 0..<length {
            let v = x[base + j * step]
            if v > m || v.isNaN { m = v }
            if v.isNaN { break }
        }
        return m
    }

    private static func logSumExp(_ x: UnsafeBufferPointer<Double>, base: Int, step: Int, length: Int) -> Double {
        var m = maximum(x, base: base, step: step, length: length)
        if m.isInfinite { m = 0 }
        var total = 0.0
        for j in 0..<length { total += Libm.exp(x[base + j * step] - m) }
        return Libm.log(total) + m
    }

    static func softmax(_ x: UnsafeBufferPointer<Double>, _ split: AxisSplit, _ out: UnsafeMutableBufferPointer<Double>) {
        split.forEachLane { base, step, _ in
            let m = maximum(x, base: base, step: step, length: split.length)
            var total = 0.0
            for j in 0..<split.length {
                let e = Libm.exp(x[base + j * step] - m)
                out[base + j * step] = e
                total += e
            }
            for j in 0..<split.length { out[base + j * step] /= total }
        }
    }

    static func softmaxBackward(
        _ g: UnsafeBufferPointer<Double>, _ y: UnsafeBufferPointer<Double>, _ split: AxisSplit,
        _ dx: UnsafeMutableBufferPointer<Double>
    ) {
        split.forEachLane { base, step, _ in
            var dot = 0.0
            for j in 0..<split.length { dot += g[base + j * step] * y[base + j * step] }
            for j in 0..<split.length {
                let e = base + j * step
                dx[e] = y[e] * (g[e] - dot)
            }
        }
    }

    static func logSoftmax(_ x: UnsafeBufferPointer<Double>, _ split: AxisSplit, _ out: UnsafeMutableBufferPointer<Double>) {
        split.forEachLane { base, step, _ in
            let m = maximum(x, base: base, step: step, length: split.length)
            var total = 0.0
            for j in 0..<split.length { total += Libm.exp(x[base + j * step] - m) }
            let logTotal = Libm.log(total)
            for j in 0..<split.length {
                let e = base + j * step
                out[e] = x[e] - m - logTotal
            }
        }
    }

    static func logSoftmaxBackward(
        _ g: UnsafeBufferPointer<Double>, _ y: UnsafeBufferPointer<Double>, _ split: AxisSplit,
        _ dx: UnsafeMutableBufferPointer<Double>
    ) {
        split.forEachLane { base, step, _ in
            var total = 0.0
            for j in 0..<split.length { total += g[base + j * step] }
            for j in 0..<split.length {
                let e = base + j * step
                dx[e] = g[e] - Libm.exp(y[e]) * total
            }
        }
    }

    static func logsumexp(_ x: UnsafeBufferPointer<Double>, _ split: AxisSplit, _ out: UnsafeMutableBufferPointer<Double>) {
        split.forEachLane { base, step, lane in
            out[lane] = logSumExp(x, base: base, step: step, length: split.length)
        }
    }

    static func logsumexpBackward(
        _ g: UnsafeBufferPointer<Double>, _ x: UnsafeBufferPointer<Double>, _ y: UnsafeBufferPointer<Double>,
        _ split: AxisSplit, _ dx: UnsafeMutableBufferPointer<Double>
    ) {
        split.forEachLane { base, step, lane in
            for j in 0..<split.length {
                let e = base + j * step
                dx[e] = g[lane] * Libm.exp(x[e] - y[lane])
            }
        }
    }

    /// The mean over rows of `logsumexp(row) - row[label]`, i.e. `-mean(log_softmax(x)[label])`.
    /// Labels were checked to be class indices when the node was built.
    static func crossEntropy(logits x: UnsafeBufferPointer<Double>, _ shape: Shape, labels: UnsafeBufferPointer<Double>) -> Double {
        let rows = shape.dims[0], classes = shape.dims[1]
        var total = 0.0
        for i in 0..<rows {
            let label = classIndex(labels[i], classes)
            guard label >= 0 else { return .nan }
            total += logSumExp(x, base: i * classes, step: 1, length: classes) - x[i * classes + label]
        }
        return total / Double(rows)
    }

    static func crossEntropyBackward(
        _ g: Double, logits x: UnsafeBufferPointer<Double>, _ shape: Shape, labels: UnsafeBufferPointer<Double>,
        _ dx: UnsafeMutableBufferPointer<Double>
    ) {
        let rows = shape.dims[0], classes = shape.dims[1]
        let scale = g / Double(rows)
        for i in 0..<rows {
            let label = classIndex(labels[i], classes)
            let lse = logSumExp(x, base: i * classes, step: 1, length: classes)
            for j in 0..<classes {
                let p = Libm.exp(x[i * classes + j] - lse)
                dx[i * classes + j] = scale * (p - (j == label ? 1 : 0))
            }
        }
    }

    /// A label as an index, or -1 when it is not one (data changed after the check).
    private static func classIndex(_ label: Double, _ classes: Int) -> Int {
        label >= 0 && label < Double(classes) && label.rounded(.towardZero) == label ? Int(label) : -1
    }
}
