/// Elementwise ops over tensors with NumPy broadcasting. The per-element value and local
/// derivatives are `Op.evaluate`; what is stored per edge is that local derivative in the
/// output's shape, and backward sums `adjoint * derivative` over the broadcast axes:
/// `dA = reduce_to_shape(dC * dC/dA, A.shape)`.
enum Elementwise {
    static func forward(
        _ op: Op,
        _ a: UnsafeBufferPointer<Double>, _ sa: Shape,
        _ b: UnsafeBufferPointer<Double>, _ sb: Shape,
        _ out: UnsafeMutableBufferPointer<Double>, _ so: Shape,
        d0: UnsafeMutableBufferPointer<Double>, d1: UnsafeMutableBufferPointer<Double>
    ) {
        let unary = op.arity == 1
        let mapA = broadcastOffsets(from: sa, to: so)
        let mapB = unary ? nil : broadcastOffsets(from: sb, to: so)
        for e in 0..<out.count {
            let x = a[mapA?[e] ?? e]
            let y = unary ? Double.nan : b[mapB?[e] ?? e]
            let r = op.evaluate(x, y)
            out[e] = r.value
            d0[e] = r.d0
            d1[e] = r.d1
        }
    }

    /// `adjoint[input] += g * d`, summed over the axes the input was broadcast along. The
    /// input's first contribution (`first`) is assigned where no broadcast sums it.
    static func accumulate(
        _ g: UnsafeBufferPointer<Double>, _ d: UnsafeBufferPointer<Double>, _ so: Shape,
        into adjoint: UnsafeMutableBufferPointer<Double>, _ si: Shape, first: Bool
    ) {
        if let map = broadcastOffsets(from: si, to: so) {
            for e in 0..<g.count { adjoint[map[e]] += g[e] * d[e] }
        } else if first {
            for e in 0..<g.count { adjoint[e] = g[e] * d[e] }
        } else {
            for e in 0..<g.count { adjoint[e] += g[e] * d[e] }
        }
    }

    /// `adjoint += contribution`, or `=` for the input's first contribution.
    static func add(_ contribution: UnsafeBufferPointer<Double>, into adjoint: UnsafeMutableBufferPointer<Double>, first: Bool) {
        if first {
            for k in 0..<adjoint.count { adjoint[k] = contribution[k] }
        } else {
            for k in 0..<adjoint.count { adjoint[k] += contribution[k] }
        }
    }
}
