/// A node's position on a tape: nodes are numbered 0, 1, 2, ... in the order they were appended.
public typealias NodeID = Int32

/// A computation recorded in evaluation order, struct-of-arrays, for scalars and tensors alike.
///
/// Every node is appended after its inputs, so append order is a topological order: the forward
/// pass is one loop up, the backward pass one loop down, with no recursion and no object per
/// node. A scalar is a tensor of rank 0. Values live in one flat arena (`values`), each node an
/// offset (`valueStart`) and a shape; the local derivatives of elementwise ops live in two more
/// arenas laid out like the values, one per input slot, because they are known in the forward
/// pass. Each append computes the node's value and local derivatives at once.
public struct Tape: Sendable {
    /// Marks an unused input slot.
    public static let noInput: NodeID = -1

    public internal(set) var ops: [Op] = []
    public internal(set) var input0: [NodeID] = []
    public internal(set) var input1: [NodeID] = []
    /// Per node: its shape, as an index into `shapeTable` (0 is the scalar shape). Nothing is
    /// stored while every node is a scalar, so that a scalar program pays nothing for it.
    public internal(set) var shapeIDs = PerNode(absent: .zero)
    public internal(set) var shapeTable: [Shape] = [.scalar]
    private var shapeLookup: [Shape: Int32] = [.scalar: 0]
    /// Per node: where its elements start in `values`; while every node is a scalar, node i's
    /// one element is at i and nothing is stored.
    public internal(set) var valueStart = PerNode(absent: .nodeIndex)
    /// Every node's elements, one node after another.
    public internal(set) var values: [Double] = []
    /// Per node: where its local derivatives start in `derivative0` and `derivative1` (see
    /// `derivativeRange`); stored from the first tensor on, as `valueStart`.
    public internal(set) var derivativeStart = PerNode(absent: .nodeIndex)
    /// d(node)/d(input 0), element by element, for elementwise ops (NaN for a scalar leaf and
    /// a unary op's second slot). A tensor that is not elementwise (a leaf, a matrix product, a
    /// reduction), or whose op's derivatives are fixed (a bias add), has no elements here, so
    /// that a large data leaf costs its values only.
    public internal(set) var derivative0: [Double] = []
    /// d(node)/d(input 1), element by element, laid out as `derivative0`.
    public internal(set) var derivative1: [Double] = []
    /// Per node, where it stands for the backward pass (one byte, so that a scalar node costs
    /// as little as it can): see `Gradient`.
    var gradient: [Gradient] = []

    /// Whether a node's adjoint is formed: not for data leaves and nodes computed from data and
    /// constants only (`pixels / 16`), as PyTorch's `requires_grad`; constants and nodes of
    /// constants only keep their adjoints, as in micrograd. An input-dependent operand makes a
    /// node need a gradient.
    enum Gradient: UInt8 {
        case none
        case fromInput
        case constant
    }

    /// Whether backward forms node `id`'s adjoint (see `Gradient`).
    public func requiresGrad(_ id: NodeID) -> Bool { gradient[Int(id)] != .none }
    /// The axis an op works along (sum, mean, softmax, log_softmax, logsumexp); absent for
    /// ops over every element.
    public internal(set) var axes: [NodeID: Int] = [:]

    /// The most elements one tensor may hold (a node whose shape is larger is refused).
    public var maximumElements = Shape.maximumCount
    /// The most elements all nodes together may hold: a program that would need more memory
    /// (values and local derivatives take 24 bytes an element) is refused, not left to run out.
    public var maximumTotalElements = Tape.defaultMaximumTotalElements
    public static let defaultMaximumTotalElements = 250_000_000

    /// True to add up the time `append` spends evaluating ops in `forwardTime` (`record
    /// --timings`); off by default, since a scalar node takes less time than reading a clock.
    public var timesForward = false
    /// The time appends spent computing values and local derivatives, while `timesForward`.
    public internal(set) var forwardTime = Duration.zero

    public init() {}

    public var count: Int { ops.count }

    /// Why `count` more elements cannot be added, or nil when they can.
    public func problemAdding(_ count: Int) -> String? {
        if count > maximumElements {
            return "a tensor of \(count) elements is larger than the \(maximumElements) elements one tensor may hold"
        }
        if values.count + count > maximumTotalElements {
            return "the program's tensors would hold more than \(maximumTotalElements) elements in all, the most one run may hold"
        }
        return nil
    }

    public mutating func reserveCapacity(_ n: Int) {
        ops.reserveCapacity(n)
        input0.reserveCapacity(n)
        input1.reserveCapacity(n)
        values.reserveCapacity(n)
        derivative0.reserveCapacity(n)
        derivative1.reserveCapacity(n)
        gradient.reserveCapacity(n)
    }

    // MARK: - Reading

    public func shape(_ id: NodeID) -> Shape { shapeTable[Int(shapeIDs[Int(id)])] }
    public func isScalar(_ id: NodeID) -> Bool { shapeIDs[Int(id)] == 0 }
    public func elementCount(_ id: NodeID) -> Int { isScalar(id) ? 1 : shape(id).count }

    /// The node's elements' range in `values` (and in the derivative arenas).
    public func range(_ id: NodeID) -> Range<Int> {
        let start = valueStart[Int(id)]
        return start..<start + elementCount(id)
    }

    /// Where node `id`'s local derivatives are in `derivative0` and `derivative1`: as many as
    /// its elements for a scalar and an elementwise op whose derivatives are not fixed, none for
    /// any other node (see `keepsDerivatives`).
    public func derivativeRange(_ id: NodeID) -> Range<Int> {
        let start = derivativeStart[Int(id)]
        return start..<start + (Self.keepsDerivatives(ops[Int(id)], scalar: isScalar(id)) ? elementCount(id) : 0)
    }

    /// Every scalar node has its one slot (the scalar path's tape is dense); a tensor node has
    /// slots only when it is an elementwise op whose derivatives depend on its operands (not
    /// add, sub, neg or a comparison, whose backward uses `Op.fixedLocalDerivatives`).
    static func keepsDerivatives(_ op: Op, scalar: Bool) -> Bool {
        scalar || (op.kind == .elementwise && op.fixedLocalDerivatives == nil)
    }

    /// A scalar node's value; the first element of a tensor.
    public func scalar(_ id: NodeID) -> Double { values[valueStart[Int(id)]] }

    /// A node's elements, row-major.
    public func elements(_ id: NodeID) -> ArraySlice<Double> { values[range(id)] }

    // MARK: - Building

    /// Appends a scalar input, constant or data leaf (`requiresGrad` as for tensor leaves).
    public mutating func appendLeaf(_ op: Op, value: Double, requiresGrad: Bool? = nil) -> NodeID {
        precondition(op.arity == 0, "\(op.name) is not a leaf op")
        let gradient = requiresGrad.map { $0 ? Gradient.fromInput : .none } ?? Self.leafGradient(op)
        let id = appendNode(op, Self.noInput, Self.noInput, shapeID: 0, gradient: gradient)
        values.append(value)
        derivative0.append(.nan)
        derivative1.append(.nan)
        return id
    }

    /// Appends a tensor leaf with its elements, row-major. The shape must be valid
    /// (`Shape.problem(with:)` is nil) and hold `elements.count` elements. `requiresGrad`
    /// overrides the op's rule (an imported tensor has an adjoint when one was captured).
    public mutating func appendLeaf(_ op: Op, shape: Shape, elements: [Double], requiresGrad: Bool? = nil) -> NodeID {
        precondition(op.arity == 0, "\(op.name) is not a leaf op")
        precondition(shape.count == elements.count, "\(elements.count) elements for shape \(shape)")
        let gradient = requiresGrad.map { $0 ? Gradient.fromInput : .none } ?? Self.leafGradient(op)
        let id = appendNode(op, Self.noInput, Self.noInput, shapeID: shapeID(shape), gradient: gradient)
        values.append(contentsOf: elements)
        if shape == .scalar {  // a scalar keeps its slot (see `keepsDerivatives`)
            derivative0.append(.nan)
            derivative1.append(.nan)
        }
        return id
    }

    /// Appends an op over earlier nodes and computes its value and local derivatives.
    ///
    /// `axis` is the axis of a reduction or softmax (negative counts from the end; nil for sum
    /// and mean over every element); `shape` is reshape's target (one -1 allowed). Throws when
    /// the operands' shapes do not fit the op, with a message naming the op and the shapes.
    public mutating func append(
        _ op: Op, _ a: NodeID, _ b: NodeID = Tape.noInput, axis: Int? = nil, shape target: [Int]? = nil
    ) throws(ShapeError) -> NodeID {
        guard timesForward else { return try appendEvaluating(op, a, b, axis: axis, shape: target) }
        let started = ContinuousClock.now
        defer { forwardTime += started.duration(to: .now) }
        return try appendEvaluating(op, a, b, axis: axis, shape: target)
    }

    private mutating func appendEvaluating(
        _ op: Op, _ a: NodeID, _ b: NodeID, axis: Int?, shape target: [Int]?
    ) throws(ShapeError) -> NodeID {
        precondition(op.arity == (b == Self.noInput ? 1 : 2), "\(op.name) takes \(op.arity) inputs")
        precondition(a >= 0 && Int(a) < count && Int(b) < count, "inputs must precede the node")
        let ga = gradient[Int(a)], gb = b == Self.noInput ? Gradient.constant : gradient[Int(b)]
        let g: Gradient = ga == .fromInput || gb == .fromInput ? .fromInput
            : ga == .constant && gb == .constant ? .constant : .none
        // The common scalar case first: today's speed for scalar programs.
        if op.kind == .elementwise && isScalar(a) && (b == Self.noInput || isScalar(b)) {
            let r = op.evaluate(scalar(a), b == Self.noInput ? .nan : scalar(b))
            let id = appendNode(op, a, b, shapeID: 0, gradient: g)
            values.append(r.value)
            derivative0.append(r.d0)
            derivative1.append(r.d1)
            return id
        }
        let (outputShape, resolvedAxis) = try inferShape(op, a, b, axis: axis, target: target)
        if op == .crossEntropy { try checkLabels(logits: a, labels: b) }
        let n = outputShape.count
        if let problem = problemAdding(n) { throw ShapeError("\(op.name) gives shape \(outputShape): \(problem)") }
        let id = appendNode(op, a, b, shapeID: shapeID(outputShape), gradient: g)
        values.append(contentsOf: repeatElement(0, count: n))
        // A scalar result (`mean(x)` of a scalar x, `sum(W)`) keeps its one slot like every
        // scalar node: while no tensor is on the tape, node i's slot is at i.
        if Self.keepsDerivatives(op, scalar: outputShape == .scalar) {
            derivative0.append(contentsOf: repeatElement(.nan, count: n))
            derivative1.append(contentsOf: repeatElement(.nan, count: n))
        }
        if let resolvedAxis { axes[id] = resolvedAxis }
        evaluate(Int(id))
        return id
    }

    /// Appends a node's description; its elements start at the end of the arenas, and the
    /// caller appends them next.
    private mutating func appendNode(
        _ op: Op, _ a: NodeID, _ b: NodeID, shapeID: Int32, gradient g: Gradient
    ) -> NodeID {
        let id = NodeID(truncatingIfNeeded: count)
        precondition(Int(id) == count, "a tape holds at most \(NodeID.max) nodes")
        ops.append(op)
        input0.append(a)
        input1.append(b)
        if shapeID != 0 && !valueStart.isStored {
            // The first tensor: from now on each node's starts and shape are stored.
            valueStart.store(count: Int(id))
            derivativeStart.store(count: Int(id))
            shapeIDs.store(count: Int(id))
        }
        if valueStart.isStored {
            valueStart.append(Int32(values.count))
            derivativeStart.append(Int32(derivative0.count))
            shapeIDs.append(shapeID)
        }
        gradient.append(g)
        return id
    }

    private static func leafGradient(_ op: Op) -> Gradient {
        op == .input ? .fromInput : op == .const ? .constant : .none
    }

    private mutating func shapeID(_ shape: Shape) -> Int32 {
        if let id = shapeLookup[shape] { return id }
        let id = Int32(shapeTable.count)
        shapeTable.append(shape)
        shapeLookup[shape] = id
        return id
    }

    // MARK: - Leaves and the forward pass

    /// Sets a scalar leaf's value. Call `forward()` afterwards to bring the other nodes up to date.
    public mutating func setLeaf(_ id: NodeID, value: Double) {
        precondition(ops[Int(id)].arity == 0, "node \(id) is not a leaf")
        values[valueStart[Int(id)]] = value
    }

    /// Sets one element of a leaf (row-major index).
    public mutating func setLeaf(_ id: NodeID, element: Int, value: Double) {
        precondition(ops[Int(id)].arity == 0, "node \(id) is not a leaf")
        precondition(element >= 0 && element < elementCount(id), "element \(element) of node \(id)")
        values[valueStart[Int(id)] + element] = value
    }

    /// Sets every element of a leaf; the count must match its shape.
    public mutating func setLeaf(_ id: NodeID, elements: [Double]) {
        precondition(ops[Int(id)].arity == 0, "node \(id) is not a leaf")
        precondition(elements.count == elementCount(id), "\(elements.count) elements for node \(id)")
        values.replaceSubrange(range(id), with: elements)
    }

    /// Changes a leaf's elements in place (a training's update), through `body`.
    public mutating func updateLeaf(_ id: NodeID, _ body: (UnsafeMutableBufferPointer<Double>) -> Void) {
        precondition(ops[Int(id)].arity == 0, "node \(id) is not a leaf")
        let range = range(id)
        values.withUnsafeMutableBufferPointer { body(UnsafeMutableBufferPointer(rebasing: $0[range])) }
    }

    /// Sees a tensor node's elements (values or adjoint) as forward or backward finishes them.
    public typealias Observer = (NodeID, UnsafeBufferPointer<Double>) -> Void

    /// Recomputes every non-leaf value and local derivative from the leaves, in append order.
    /// `observe`, if given, sees each recomputed tensor node's elements right after they are
    /// computed, while they are still in cache (a training's statistics).
    ///
    /// `inputDependentOnly`: for a forward pass after only `input` leaves changed (a training's
    /// next step), the nodes that no input reaches (data, constants and what is computed from
    /// them alone: those without a gradient, `requiresGrad` false) keep their values and are
    /// neither evaluated nor observed. A digits step thus no longer divides its 1797 x 64 pixels
    /// by 16 again, nor takes their statistics again.
    public mutating func forward(observing observe: Observer? = nil, inputDependentOnly: Bool = false) {
        guard timesForward else { return forwardEvaluating(observe, inputDependentOnly) }
        let started = ContinuousClock.now
        defer { forwardTime += started.duration(to: .now) }
        forwardEvaluating(observe, inputDependentOnly)
    }

    private mutating func forwardEvaluating(_ observe: Observer?, _ inputDependentOnly: Bool) {
        for i in 0..<count where ops[i].arity > 0 && !(inputDependentOnly && gradient[i] == .none) {
            defer {
                if let observe, shapeIDs[i] != 0 {
                    let range = range(NodeID(i))
                    values.withUnsafeBufferPointer { observe(NodeID(i), UnsafeBufferPointer(rebasing: $0[range])) }
                }
            }
            if shapeIDs[i] == 0 && ops[i].kind == .elementwise {
                let a = input0[i], b = input1[i]
                let r = ops[i].evaluate(scalar(a), b == Self.noInput ? .nan : scalar(b))
                values[valueStart[i]] = r.value
                let d = derivativeStart[i]
                derivative0[d] = r.d0
                derivative1[d] = r.d1
            } else {
                evaluate(i)
            }
        }
    }
}

/// Operands whose shapes do not fit an op, or labels that do not fit the logits.
public struct ShapeError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A number per node that follows a rule (`absent`) until it is stored: a tape of scalars keeps
/// no per-node start or shape (node i is element i, shape 0), and stores both from its first
/// tensor on. Read with a subscript either way.
public struct PerNode: Sendable, Equatable {
    /// The value of node i while nothing is stored.
    enum Rule: Sendable { case nodeIndex, zero }

    private var stored: [Int32] = []
    private let absent: Rule
    public private(set) var isStored = false

    init(absent: Rule) { self.absent = absent }

    @inline(__always)
    public subscript(node: Int) -> Int {
        isStored ? Int(stored[node]) : (absent == .nodeIndex ? node : 0)
    }

    /// Stores the rule's values for the first `count` nodes.
    mutating func store(count: Int) {
        stored = (0..<count).map { Int32(absent == .nodeIndex ? $0 : 0) }
        isStored = true
    }

    mutating func append(_ value: Int32) { stored.append(value) }
}
