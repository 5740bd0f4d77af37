/// A tape together with what a person reads next to its numbers: node names, source lines,
/// the named inputs and the output. This is what gradlog records.
public struct Computation: Sendable {
    public struct Input: Sendable, Equatable {
        public var name: String
        public var node: NodeID
        public init(name: String, node: NodeID) {
            self.name = name
            self.node = node
        }
    }

    public var tape: Tape
    /// Per node: its name, or none for an unnamed intermediate.
    public var names: NodeNames
    /// Per node: the 1-based source line it came from, or 0 when there is no source.
    public var lines: [Int32]
    public var inputs: [Input]
    public var output: NodeID
    /// Nodes marked `metric NAME = EXPR`: scalars a training logs at every step.
    public var metrics: [Input] = []

    public init(tape: Tape, names: NodeNames, lines: [Int32], inputs: [Input], output: NodeID) {
        precondition(names.count == tape.count && lines.count == tape.count, "one label per node")
        precondition(output >= 0 && Int(output) < tape.count, "output must be on the tape")
        self.tape = tape
        self.names = names
        self.lines = lines
        self.inputs = inputs
        self.output = output
    }

    public var count: Int { tape.count }

    /// Sets the named scalar inputs (others keep their value) and recomputes every node.
    /// Returns the names that are not scalar inputs, and changes nothing if there are any.
    public mutating func setInputs(_ values: [String: Double]) -> [String] {
        let unknown = values.keys.filter { name in !inputs.contains { $0.name == name && tape.isScalar($0.node) } }
        guard unknown.isEmpty else { return unknown.sorted() }
        for input in inputs {
            if let value = values[input.name] { tape.setLeaf(input.node, value: value) }
        }
        tape.forward()
        return []
    }

    /// Adjoints of every node with respect to the output (which must hold one element).
    /// `observe`, if given, sees each tensor node's adjoint once it is final (see `Tape.backward`).
    public func backward(observing observe: Tape.Observer? = nil) -> Gradients {
        tape.backward(from: output, observing: observe)
    }

    /// `backward()` into the arenas of an earlier pass over this computation (a training's
    /// previous step), which saves allocating and zeroing them.
    public func backward(
        into gradients: inout Gradients, observing observe: Tape.Observer? = nil
    ) {
        tape.backward(from: output, into: &gradients, observing: observe)
    }
}
