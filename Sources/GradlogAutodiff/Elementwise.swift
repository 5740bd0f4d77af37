/// Elementwise ops over tensors with NumPy broadcasting. The per-element value and local
/// derivatives are `Op.evaluate`; what is stored per edge is that local derivative in the
/// output's shape, and backward sums `adjoint * derivative` over the broadcast axes:
/// `dA = reduce_to_shape(dC * dC/dA, A.shape)`.
enum Elementwise {
    /// How an operand's elements line up with the output's: one for one, one element for all
    /// (a scalar or a tensor of one element), or through a map of offsets.
    private enum Alignment {
        case same
        case single
        case map([Int])

        init(_ operand: Shape, _ output: Shape) {
            if operand == output {
                self = .same
            } else if operand.count == 1 {
                self = .single
            } else {
                self = .map(broadcastOffsets(from: operand, to: output)!)
            }
        }

        @inline(__always)
        func offset(_ e: Int) -> Int {
            switch self {
            case .same: e
            case .single: 0
            case .map(let offsets): offsets[e]
            }
        }
    }

    static func forward(
        _ op: Op,
        _ a: UnsafeBufferPointer<Double>, _ sa: Shape,
        _ b: UnsafeBufferPointer<Double>, _ sb: Shape,
        _ out: UnsafeMutableBufferPointer<Double>, _ so: Shape,
        d0: UnsafeMutableBufferPointer<Double>, d1: UnsafeMutableBufferPointer<Double>
    ) {
        let n = out.count
        if op.arity == 1 {
            for e in 0..<n {
                let r = op.evaluate(a[e], .nan)
                out[e] = r.value
                d0[e] = r.d0
                d1[e] = r.d1
            }
            return
        }
        let alignA = Alignment(sa, so), alignB = Alignment(sb, so)
        for e in 0..<n {
            let r = op.evaluate(a[alignA.offset(e)], b[alignB.offset(e)])
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
        switch Alignment(si, so) {
        case .same:
            if first {
                for e in 0..<g.count { adjoint[e] = g[e] * d[e] }
            } else {
                for e in 0..<g.count { adjoint[e] += g[e] * d[e] }
            }
        case .single:
            var total = 0.0
            for e in 0..<g.count { total += g[e] * d[e] }
            adjoint[0] += total
        case .map(let offsets):
            for e in 0..<g.count { adjoint[offsets[e]] += g[e] * d[e] }
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
