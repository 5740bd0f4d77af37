extension Tape {
    /// Computes a tensor node's value (and, for elementwise ops, its local derivatives) from its
    /// inputs' values. Each op's forward stands beside its backward in the op family's file.
    mutating func evaluate(_ i: Int) {
        let op = ops[i]
        let a = input0[i], b = input1[i]
        let output = range(NodeID(i)), ra = range(a)
        let rb = b == Self.noInput ? 0..<0 : range(b)
        let sa = shape(a), sb = b == Self.noInput ? Shape.scalar : shape(b), so = shape(NodeID(i))
        let axis = axes[NodeID(i)]
        let derivatives = derivativeRange(NodeID(i))
        values.withUnsafeMutableBufferPointer { v in
            let x = UnsafeBufferPointer(rebasing: v[ra])
            let y = UnsafeBufferPointer(rebasing: v[rb])
            let out = UnsafeMutableBufferPointer(rebasing: v[output])
            switch op {
            case _ where op.kind == .elementwise:
                derivative0.withUnsafeMutableBufferPointer { d0 in
                    derivative1.withUnsafeMutableBufferPointer { d1 in
                        Elementwise.forward(
                            op, x, sa, y, sb, out, so,
                            d0: UnsafeMutableBufferPointer(rebasing: d0[derivatives]),
                            d1: UnsafeMutableBufferPointer(rebasing: d1[derivatives]))
                    }
                }
            case .matmul: MatrixProduct.forward(x, sa, y, sb, out)
            case .sum, .mean: Reduction.forward(mean: op == .mean, x, sa, axis: axis, out)
            case .transpose: Layout.transpose(x, sa, out)
            case .reshape: _ = out.update(fromContentsOf: x)
            case .softmax: Softmax.softmax(x, AxisSplit(sa, axis!), out)
            case .logSoftmax: Softmax.logSoftmax(x, AxisSplit(sa, axis!), out)
            case .logsumexp: Softmax.logsumexp(x, AxisSplit(sa, axis!), out)
            case .crossEntropy: out[0] = Softmax.crossEntropy(logits: x, sa, labels: y)
            default: preconditionFailure("\(op.name) has no forward")
            }
        }
    }

    /// Passes node `i`'s adjoint on to its inputs (those that require a gradient). `first`:
    /// whether this is the first contribution each input receives, which is then assigned
    /// rather than added to +0.0 (so that a lone -0.0 keeps its sign, as in PyTorch).
    func backpropagate(_ i: Int, first: (Bool, Bool), into gradients: inout Gradients) {
        let op = ops[i]
        let a = input0[i], b = input1[i]
        let needA = a != Self.noInput && requiresGrad(a)
        let needB = b != Self.noInput && requiresGrad(b)
        let output = range(NodeID(i)), ra = range(a)
        let rb = b == Self.noInput ? 0..<0 : range(b)
        let sa = shape(a), sb = b == Self.noInput ? Shape.scalar : shape(b), so = shape(NodeID(i))
        let axis = axes[NodeID(i)]

        if op.kind == .elementwise {
            let derivatives = derivativeRange(NodeID(i))
            // A tensor op with fixed derivatives keeps none (`keepsDerivatives`): the constant.
            let fixed = Self.keepsDerivatives(op, scalar: false) ? nil : op.fixedLocalDerivatives
            gradients.adjoints.withUnsafeMutableBufferPointer { adjoint in
                let g = UnsafeBufferPointer(rebasing: adjoint[output])
                func pass(slot: Int, to input: Range<Int>, _ shape: Shape, first: Bool) {
                    let into = UnsafeMutableBufferPointer(rebasing: adjoint[input])
                    if let fixed {
                        Elementwise.accumulate(g, Elementwise.Fixed(slot == 0 ? fixed.0 : fixed.1), so, into: into, shape, first: first)
                        return
                    }
                    (slot == 0 ? derivative0 : derivative1).withUnsafeBufferPointer { d in
                        Elementwise.accumulate(g, Elementwise.Stored(elements: UnsafeBufferPointer(rebasing: d[derivatives])), so, into: into, shape, first: first)
                    }
                }
                if needA { pass(slot: 0, to: ra, sa, first: first.0) }
                if needB { pass(slot: 1, to: rb, sb, first: first.1) }
            }
            return
        }

        // Contribution ops: form each needed slot's vector-Jacobian product in the
        // contributions arena (no room for a slot whose input needs none, such as the data of
        // `x @ W`), then add it to the input's adjoint.
        let start = gradients.contributionEnd
        gradients.contributionStart[NodeID(i)] = start
        let countA = needA ? ra.count : 0, countB = needB ? rb.count : 0
        gradients.reserveContributions(countA + countB)
        let ca = start..<start + countA, cb = start + countA..<start + countA + countB
        gradients.contributions.withUnsafeMutableBufferPointer { c in
            let dx = UnsafeMutableBufferPointer(rebasing: c[ca])
            let dy = UnsafeMutableBufferPointer(rebasing: c[cb])
            gradients.adjoints.withUnsafeBufferPointer { adjoint in
                let g = UnsafeBufferPointer(rebasing: adjoint[output])
                values.withUnsafeBufferPointer { v in
                    let x = UnsafeBufferPointer(rebasing: v[ra])
                    let y = UnsafeBufferPointer(rebasing: v[rb])
                    let out = UnsafeBufferPointer(rebasing: v[output])
                    switch op {
                    case .matmul:
                        MatrixProduct.backward(g, x, sa, y, sb, dx: needA ? dx : nil, dy: needB ? dy : nil)
                    case .sum, .mean:
                        Reduction.backward(mean: op == .mean, g, sa, axis: axis, dx)
                    case .transpose: Layout.transposeBack(g, sa, dx)
                    case .reshape: _ = dx.update(fromContentsOf: g)
                    case .softmax: Softmax.softmaxBackward(g, out, AxisSplit(sa, axis!), dx)
                    case .logSoftmax: Softmax.logSoftmaxBackward(g, out, AxisSplit(sa, axis!), dx)
                    case .logsumexp: Softmax.logsumexpBackward(g, x, out, AxisSplit(sa, axis!), dx)
                    case .crossEntropy: Softmax.crossEntropyBackward(g[0], logits: x, sa, labels: y, dx)
                    default: preconditionFailure("\(op.name) has no backward")
                    }
                }
            }
        }
        gradients.adjoints.withUnsafeMutableBufferPointer { adjoint in
            gradients.contributions.withUnsafeBufferPointer { c in
                if needA { Elementwise.add(UnsafeBufferPointer(rebasing: c[ca]), into: UnsafeMutableBufferPointer(rebasing: adjoint[ra]), first: first.0) }
                if needB { Elementwise.add(UnsafeBufferPointer(rebasing: c[cb]), into: UnsafeMutableBufferPointer(rebasing: adjoint[rb]), first: first.1) }
            }
        }
    }
}

/// A tensor seen along one axis as [outer, length, inner]: element (o, j, r) is at
/// (o * length + j) * inner + r.
struct AxisSplit {
    var outer: Int
    var length: Int
    var inner: Int

    init(_ shape: Shape, _ axis: Int) {
        outer = shape.dims[..<axis].reduce(1, *)
        length = shape.dims[axis]
        inner = shape.dims[(axis + 1)...].reduce(1, *)
    }

    /// Calls `body` with the offset of each lane's first element and the step between elements.
    func forEachLane(_ body: (_ base: Int, _ step: Int, _ lane: Int) -> Void) {
        for o in 0..<outer {
            for r in 0..<inner { body(o * length * inner + r, inner, o * inner + r) }
        }
    }
}
