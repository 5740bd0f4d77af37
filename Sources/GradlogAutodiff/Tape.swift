/// A node's position on a tape: nodes are numbered 0, 1, 2, ... in the order they were appended.
public typealias NodeID = Int32

/// A computation recorded in evaluation order, struct-of-arrays.
///
/// Every node is appended after its inputs, so append order is a topological order: the forward
/// pass is one loop up, the backward pass one loop down, with no recursion and no object per
/// node. Each append computes the node's value and its local derivatives at once
/// (`Op.evaluate`), because both are known during the forward pass.
public struct Tape: Sendable {
    /// Marks an unused input slot.
    public static let noInput: NodeID = -1

    public private(set) var ops: [Op] = []
    public private(set) var input0: [NodeID] = []
    public private(set) var input1: [NodeID] = []
    public private(set) var values: [Double] = []
    /// d(node)/d(input0) for each node; NaN where the slot is unused.
    public private(set) var localDerivative0: [Double] = []
    /// d(node)/d(input1) for each node; NaN where the slot is unused.
    public private(set) var localDerivative1: [Double] = []

    public init() {}

    public var count: Int { ops.count }

    public mutating func reserveCapacity(_ n: Int) {
        ops.reserveCapacity(n)
        input0.reserveCapacity(n)
        input1.reserveCapacity(n)
        values.reserveCapacity(n)
        localDerivative0.reserveCapacity(n)
        localDerivative1.reserveCapacity(n)
    }

    /// Appends an input or a constant.
    public mutating func appendLeaf(_ op: Op, value: Double) -> NodeID {
        precondition(op.arity == 0, "\(op.name) is not a leaf op")
        return append(op, Self.noInput, Self.noInput, value: value, d0: .nan, d1: .nan)
    }

    /// Appends a unary or binary op over earlier nodes, computing its value and local derivatives.
    public mutating func append(_ op: Op, _ a: NodeID, _ b: NodeID = Tape.noInput) -> NodeID {
        precondition(op.arity == (b == Self.noInput ? 1 : 2), "\(op.name) takes \(op.arity) inputs")
        precondition(a >= 0 && Int(a) < count && Int(b) < count, "inputs must precede the node")
        let r = op.evaluate(values[Int(a)], b == Self.noInput ? .nan : values[Int(b)])
        return append(op, a, b, value: r.value, d0: r.d0, d1: r.d1)
    }

    private mutating func append(
        _ op: Op, _ a: NodeID, _ b: NodeID, value: Double, d0: Double, d1: Double
    ) -> NodeID {
        let id = NodeID(truncatingIfNeeded: count)
        precondition(Int(id) == count, "a tape holds at most \(NodeID.max) nodes")
        ops.append(op)
        input0.append(a)
        input1.append(b)
        values.append(value)
        localDerivative0.append(d0)
        localDerivative1.append(d1)
        return id
    }

    /// Sets a leaf's value. Call `forward()` afterwards to bring the other nodes up to date.
    public mutating func setLeaf(_ id: NodeID, value: Double) {
        precondition(ops[Int(id)].arity == 0, "node \(id) is not a leaf")
        values[Int(id)] = value
    }

    /// Recomputes every non-leaf value and local derivative from the leaves, in append order.
    public mutating func forward() {
        for i in 0..<count where ops[i].arity > 0 {
            let b = input1[i]
            let r = ops[i].evaluate(values[Int(input0[i])], b == Self.noInput ? .nan : values[Int(b)])
            values[i] = r.value
            localDerivative0[i] = r.d0
            localDerivative1[i] = r.d1
        }
    }

    /// The adjoint of every node: d(output)/d(node), in a fresh buffer.
    ///
    /// One reverse loop from the output. Only nodes the output depends on pass their adjoint on
    /// (so an unrelated node's infinite local derivative cannot turn 0 into NaN); every other node
    /// keeps adjoint 0. A node used twice (`a * a`) accumulates both contributions.
    public func backward(from output: NodeID) -> [Double] {
        precondition(output >= 0 && Int(output) < count, "output \(output) is not on the tape")
        var adjoint = [Double](repeating: 0, count: count)
        var reaches = [Bool](repeating: false, count: Int(output) + 1)
        adjoint[Int(output)] = 1
        reaches[Int(output)] = true
        for i in stride(from: Int(output), through: 0, by: -1) where reaches[i] {
            let g = adjoint[i]
            let a = input0[i]
            if a != Self.noInput {
                adjoint[Int(a)] += g * localDerivative0[i]
                reaches[Int(a)] = true
            }
            let b = input1[i]
            if b != Self.noInput {
                adjoint[Int(b)] += g * localDerivative1[i]
                reaches[Int(b)] = true
            }
        }
        return adjoint
    }
}
