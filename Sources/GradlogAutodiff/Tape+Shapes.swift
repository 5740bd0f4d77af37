extension Tape {
    /// The output shape of `op` over nodes `a` and `b`, checked once when the node is built,
    /// and the axis it works along (normalised to count from the front).
    func inferShape(
        _ op: Op, _ a: NodeID, _ b: NodeID, axis: Int?, target: [Int]?
    ) throws(ShapeError) -> (Shape, axis: Int?) {
        let sa = shape(a)
        let sb = b == Self.noInput ? Shape.scalar : shape(b)
        switch op {
        case _ where op.kind == .elementwise:
            guard b != Self.noInput else { return (sa, nil) }
            guard let shape = Shape.broadcast(sa, sb) else {
                throw ShapeError("\(op.name): shapes \(sa) and \(sb) do not broadcast (trailing dimensions must be equal or 1)")
            }
            // Each side is within the limit; their broadcast may not be (its product could even overflow).
            if let problem = Shape.problem(with: shape.dims) { throw ShapeError("\(op.name): \(problem)") }
            return (shape, nil)
        case .matmul:
            // The BLAS library is loaded here, at the first product, with its kernels checked.
            if let problem = BLASKernels.problem { throw ShapeError("matmul: \(problem)") }
            guard sa.rank >= 1, sb.rank >= 1, sa.rank <= 2, sb.rank <= 2 else {
                throw ShapeError("matmul takes 1-D and 2-D operands, got \(sa) @ \(sb)")
            }
            let k = sa.dims.last!, kb = sb.rank == 1 ? sb.dims[0] : sb.dims[0]
            guard k == kb else {
                throw ShapeError("matmul: inner dimensions differ in \(sa) @ \(sb) (\(k) vs \(kb))")
            }
            var dims: [Int] = []
            if sa.rank == 2 { dims.append(sa.dims[0]) }
            if sb.rank == 2 { dims.append(sb.dims[1]) }
            return (Shape(dims), nil)
        case .sum, .mean:
            guard let axis else { return (.scalar, nil) }
            let resolved = try checkedAxis(axis, of: sa, op)
            return (sa.removing(axis: resolved), resolved)
        case .softmax, .logSoftmax, .logsumexp:
            let resolved = try checkedAxis(axis ?? -1, of: sa, op)
            return (op == .logsumexp ? sa.removing(axis: resolved) : sa, resolved)
        case .transpose:
            return (Shape(sa.dims.reversed()), nil)
        case .reshape:
            return (try reshaped(sa, to: target ?? []), nil)
        case .crossEntropy:
            guard sa.rank == 2 else {
                throw ShapeError("cross_entropy takes logits of shape [rows, classes], got \(sa)")
            }
            guard sb.dims == [sa.dims[0]] else {
                throw ShapeError("cross_entropy: labels must have shape [\(sa.dims[0])] (one class index per row of logits \(sa)), got \(sb)")
            }
            guard !requiresGrad(b) else {
                throw ShapeError("cross_entropy: the labels are class indices and are not differentiated; declare them with 'data', not 'input'")
            }
            return (.scalar, nil)
        default:
            preconditionFailure("\(op.name) has no shape rule")
        }
    }

    private func checkedAxis(_ axis: Int, of shape: Shape, _ op: Op) throws(ShapeError) -> Int {
        guard let resolved = shape.axis(axis) else {
            let valid = shape.rank == 0 ? "a scalar has no axes" : "valid axes are \(-shape.rank) to \(shape.rank - 1)"
            throw ShapeError("\(op.name): axis \(axis) is out of range for shape \(shape) (\(valid))")
        }
        return resolved
    }

    private func reshaped(_ shape: Shape, to target: [Int]) throws(ShapeError) -> Shape {
        let wildcards = target.filter { $0 == -1 }.count
        guard wildcards <= 1 else { throw ShapeError("reshape: at most one dimension may be -1, got \(Shape(target))") }
        guard target.allSatisfy({ $0 >= 1 || $0 == -1 }) else {
            throw ShapeError("reshape: dimensions must be at least 1 (or one -1), got \(Shape(target))")
        }
        var dims = target
        let known = target.filter { $0 != -1 }
        var product = 1
        for d in known {
            let (p, overflow) = product.multipliedReportingOverflow(by: d)
            guard !overflow else { throw ShapeError("reshape: \(Shape(target)) is too large") }
            product = p
        }
        if let w = dims.firstIndex(of: -1) {
            guard shape.count % product == 0 else {
                throw ShapeError("reshape: cannot reshape \(shape) (\(shape.count) elements) to \(Shape(target))")
            }
            dims[w] = shape.count / product
        } else if product != shape.count {
            throw ShapeError("reshape: cannot reshape \(shape) (\(shape.count) elements) to \(Shape(target)) (\(product) elements)")
        }
        return Shape(dims)
    }

    /// cross_entropy's labels must be class indices: whole numbers from 0 to classes - 1.
    func checkLabels(logits: NodeID, labels: NodeID) throws(ShapeError) {
        let classes = shape(logits).dims[1]
        for (row, label) in elements(labels).enumerated() {
            guard label >= 0, label < Double(classes), label.rounded(.towardZero) == label else {
                throw ShapeError("cross_entropy: label \(label) in row \(row) is not a class index from 0 to \(classes - 1)")
            }
        }
    }
}
