/// Elementwise ops over tensors with NumPy broadcasting. The per-element value and local
/// derivatives are `Op.evaluate`; what is stored per edge is that local derivative in the
/// output's shape, and backward sums `adjoint * derivative` over the broadcast axes:
/// `dA = reduce_to_shape(dC * dC/dA, A.shape)`.
///
/// The loops run over contiguous runs of the output. Along a run, each operand either moves with
/// the output (stride 1) or stays on one element (stride 0), which covers the broadcasts of
/// real networks (a bias over rows, a column over columns, a scalar) without an offset table;
/// other broadcasts go element by element through one. Each hot op gets loops of its own, with
/// its formula inlined, so the compiler sees plain arithmetic over buffers.
enum Elementwise {
    /// How an operand's elements line up with the output's.
    enum Alignment: Equatable {
        /// Element e is the operand's e.
        case same
        /// Every element is the operand's one.
        case single
        /// The operand is the output's trailing axes, repeated: element e is the operand's
        /// e % period (a bias [F] over [N, F]).
        case repeated(period: Int)
        /// The operand is the output's leading axes, stretched along the rest: element e is the
        /// operand's e / run (a column [N, 1] over [N, F]).
        case stretched(run: Int)
        /// Any other broadcast: element e is the operand's offsets[e].
        case map([Int])

        init(_ operand: Shape, _ output: Shape) {
            if operand == output { self = .same; return }
            if operand.count == 1 { self = .single; return }
            let rank = output.rank
            let padded = [Int](repeating: 1, count: rank - operand.rank) + operand.dims
            let dims = output.dims
            for k in 0...rank {
                if padded[..<k].allSatisfy({ $0 == 1 }) && padded[k...].elementsEqual(dims[k...]) {
                    self = .repeated(period: operand.count)
                    return
                }
                if padded[..<k].elementsEqual(dims[..<k]) && padded[k...].allSatisfy({ $0 == 1 }) {
                    self = .stretched(run: output.count / operand.count)
                    return
                }
            }
            self = .map(broadcastOffsets(from: operand, to: output)!)
        }

        /// The longest run length that this alignment keeps to stride 0 or 1 (`count`: any).
        func run(in count: Int) -> Int {
            switch self {
            case .same, .single: count
            case .repeated(let period): period
            case .stretched(let run): run
            case .map: 1
            }
        }

        /// Where the run starting at output element `e` begins in the operand, and its stride.
        @inline(__always)
        func start(_ e: Int) -> (base: Int, stride: Int) {
            switch self {
            case .same: (e, 1)
            case .single: (0, 0)
            case .repeated(let period): (e % period, 1)
            case .stretched(let run): (e / run, 0)
            case .map(let offsets): (offsets[e], 0)
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
        let alignA = Alignment(sa, so)
        let alignB = op.arity == 1 ? Alignment.single : Alignment(sb, so)
        let n = out.count
        let run = gcd(alignA.run(in: n), alignB.run(in: n))
        // An op whose local derivatives are fixed (add, sub, neg, comparisons) has no room for
        // them on a tensor (`Tape.keepsDerivatives`): its loops write the value only.
        let keepsDerivatives = d0.count == n
        var e = 0
        while e < n {
            let (ia, sa) = alignA.start(e), (ib, sb) = alignB.start(e)
            let x = a.baseAddress! + ia
            let y = op.arity == 1 ? nil : b.baseAddress.map { $0 + ib }
            if !keepsDerivatives {
                let block = ValueBlock(x: x, strideX: sa, y: y, strideY: sb, out: out.baseAddress! + e, count: run)
                switch op {
                case .add: block.apply { Op.Rule.add($0, $1).value }
                case .sub: block.apply { Op.Rule.sub($0, $1).value }
                case .neg: block.apply { Op.Rule.neg($0, $1).value }
                case .greater: block.apply { Op.Rule.greater($0, $1).value }
                case .less: block.apply { Op.Rule.less($0, $1).value }
                default: block.apply { op.evaluate($0, $1).value }
                }
                e += run
                continue
            }
            let block = Block(x: x, strideX: sa, y: y, strideY: sb, out: out.baseAddress! + e, d0: d0.baseAddress! + e, d1: d1.baseAddress! + e, count: run)
            // The hot ops get loops of their own, their rule inlined; the rest go through `evaluate`.
            switch op {
            case .add: block.apply(Op.Rule.add)
            case .sub: block.apply(Op.Rule.sub)
            case .mul: block.apply(Op.Rule.mul)
            case .div: block.apply(Op.Rule.div)
            case .neg: block.apply(Op.Rule.neg)
            case .powc: block.apply(Op.Rule.powc)
            case .exp: block.apply(Op.Rule.exp)
            case .log: block.apply(Op.Rule.log)
            case .tanh: block.apply(Op.Rule.tanh)
            case .sigmoid: block.apply(Op.Rule.sigmoid)
            case .relu: block.apply(Op.Rule.relu)
            case .greater: block.apply(Op.Rule.greater)
            case .less: block.apply(Op.Rule.less)
            default: block.apply { op.evaluate($0, $1) }
            }
            e += run
        }
    }

    /// One run of an elementwise op: operands at stride 0 or 1, the output contiguous.
    private struct Block {
        let x: UnsafePointer<Double>, strideX: Int
        let y: UnsafePointer<Double>?, strideY: Int
        let out: UnsafeMutablePointer<Double>, d0: UnsafeMutablePointer<Double>, d1: UnsafeMutablePointer<Double>
        let count: Int

        @inline(__always)
        func apply(_ f: (Double, Double) -> (value: Double, d0: Double, d1: Double)) {
            guard let y else {
                for k in 0..<count { store(k, f(x[k], .nan)) }
                return
            }
            switch (strideX, strideY) {
            case (1, 1): for k in 0..<count { store(k, f(x[k], y[k])) }
            case (1, _): let b = y[0]; for k in 0..<count { store(k, f(x[k], b)) }
            case (_, 1): let a = x[0]; for k in 0..<count { store(k, f(a, y[k])) }
            default: let r = f(x[0], y[0]); for k in 0..<count { store(k, r) }
            }
        }

        @inline(__always)
        private func store(_ k: Int, _ r: (value: Double, d0: Double, d1: Double)) {
            out[k] = r.value
            d0[k] = r.d0
            d1[k] = r.d1
        }
    }

    /// A run of an op whose derivatives are fixed: the value only, as `Block` computes it.
    private struct ValueBlock {
        let x: UnsafePointer<Double>, strideX: Int
        let y: UnsafePointer<Double>?, strideY: Int
        let out: UnsafeMutablePointer<Double>
        let count: Int

        @inline(__always)
        func apply(_ f: (Double, Double) -> Double) {
            guard let y else {
                for k in 0..<count { out[k] = f(x[k], .nan) }
                return
            }
            switch (strideX, strideY) {
            case (1, 1): for k in 0..<count { out[k] = f(x[k], y[k]) }
            case (1, _): let b = y[0]; for k in 0..<count { out[k] = f(x[k], b) }
            case (_, 1): let a = x[0]; for k in 0..<count { out[k] = f(a, y[k]) }
            default: let r = f(x[0], y[0]); for k in 0..<count { out[k] = r }
            }
        }
    }

    /// Where backward reads an elementwise op's local derivative: element e of its arena, or
    /// the op's fixed derivative for every element.
    protocol LocalDerivative {
        subscript(_ e: Int) -> Double { get }
    }

    struct Stored: LocalDerivative {
        let elements: UnsafeBufferPointer<Double>
        @inline(__always) subscript(_ e: Int) -> Double { elements[e] }
    }

    /// A fixed derivative (1 or -1 for add, sub and neg; 0 for a comparison). `g * c` is a
    /// real multiplication, as it was when the constant sat in an arena, so a NaN adjoint keeps
    /// its bits (folding `g * -1` into a negation would flip a NaN's sign).
    struct Fixed: LocalDerivative {
        let value: Double
        init(_ value: Double) { self.value = Fixed.opaque(value) }
        @inline(__always) subscript(_ e: Int) -> Double { value }
        /// Hides the constant from the optimiser.
        @_optimize(none) @inline(never)
        static func opaque(_ x: Double) -> Double { x }
    }

    /// `adjoint[input] += g * d`, summed over the axes the input was broadcast along, element by
    /// element in output order (so a stored run's adjoints can be replayed exactly). The input's
    /// first contribution (`first`) is assigned where no broadcast sums it.
    static func accumulate<D: LocalDerivative>(
        _ g: UnsafeBufferPointer<Double>, _ d: D, _ so: Shape,
        into adjoint: UnsafeMutableBufferPointer<Double>, _ si: Shape, first: Bool
    ) {
        let alignment = Alignment(si, so)
        // A broadcast input's first contribution is a sum that starts from 0.
        if first && alignment != .same { adjoint.update(repeating: 0) }
        switch alignment {
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
        case .repeated(let period):
            for base in stride(from: 0, to: g.count, by: period) {
                for k in 0..<period { adjoint[k] += g[base + k] * d[base + k] }
            }
        case .stretched(let run):
            for o in 0..<adjoint.count {
                var total = adjoint[o]
                for e in o * run..<(o + 1) * run { total += g[e] * d[e] }
                adjoint[o] = total
            }
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

    private static func gcd(_ a: Int, _ b: Int) -> Int {
        b == 0 ? a : gcd(b, a % b)
    }
}
