import GradlogAutodiff

/// The parser's side of the tape: appends nodes, keeps each name's current node, and labels
/// every node with its statement's line. Returns messages rather than throwing so that the
/// parser, which knows the token, can locate them.
struct ProgramBuilder {
    private let source: UnsafeBufferPointer<UInt8>
    private var tape = Tape()
    private var names = NodeNames()
    private var lines: [Int32] = []
    private var inputs: [Computation.Input] = []
    private var defaults: [Double] = []
    private var bindings: NameTable
    private var lastAssigned: NodeID?
    private var declaredOutput: NodeID?
    private(set) var statementCount = 0
    /// The line of the statement being parsed; every node appended gets it.
    var line: Int32 = 0

    init(source: UnsafeBufferPointer<UInt8>) {
        self.source = source
        // One node a line is the common case for large (generated) programs.
        let estimate = source.count / 16
        self.bindings = NameTable(source: source)
        tape.reserveCapacity(estimate)
        names.reserveCapacity(estimate, bytes: source.count / 3)
        lines.reserveCapacity(estimate)
    }

    func lookup(_ name: Range<Int>) -> NodeID? { bindings.lookup(name) }

    func isConstant(_ node: NodeID) -> Bool { tape.ops[Int(node)] == .const }

    private func text(_ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: source[range]), as: UTF8.self)
    }

    mutating func declareInput(_ name: Range<Int>, _ value: Double, line: Int32) -> String? {
        let text = text(name)
        if inputs.contains(where: { $0.name == text }) { return "input '\(text)' is declared twice" }
        if bindings.lookup(name) != nil { return "'\(text)' is already defined above; an input needs a new name" }
        statementCount += 1
        self.line = line
        let node = append(tape.appendLeaf(.input, value: value))
        names.setName(Int(node), utf8: UnsafeBufferPointer(rebasing: source[name]))
        bindings.bind(name, to: node)
        inputs.append(.init(name: text, node: node))
        defaults.append(value)
        return nil
    }

    mutating func declareOutput(_ name: Range<Int>) -> String? {
        guard declaredOutput == nil else { return "the output is declared twice" }
        guard let node = bindings.lookup(name) else { return "'\(text(name))' is not defined, so it cannot be the output" }
        statementCount += 1
        declaredOutput = node
        return nil
    }

    /// Binds `name` to the statement's final node. That node takes the name unless it already
    /// has one (`b = a` makes b another name for a's node, not a new node).
    mutating func assign(_ name: Range<Int>, _ node: NodeID) {
        statementCount += 1
        if !names.isNamed(Int(node)) { names.setName(Int(node), utf8: UnsafeBufferPointer(rebasing: source[name])) }
        bindings.bind(name, to: node)
        lastAssigned = node
    }

    mutating func constant(_ value: Double) -> NodeID {
        append(tape.appendLeaf(.const, value: value))
    }

    mutating func apply(_ op: Op, _ a: NodeID, _ b: NodeID = Tape.noInput) -> NodeID {
        append(tape.append(op, a, b))
    }

    /// `-literal` becomes a negative constant; anything else gets a neg node.
    mutating func negate(_ node: NodeID) -> NodeID {
        let isFreshLiteral = Int(node) == tape.count - 1 && tape.ops[Int(node)] == .const && !names.isNamed(Int(node))
        if isFreshLiteral {
            tape.setLeaf(node, value: -tape.values[Int(node)])
            return node
        }
        return apply(.neg, node)
    }

    private mutating func append(_ node: NodeID) -> NodeID {
        names.appendUnnamed()
        lines.append(line)
        return node
    }

    func finish(file: String, endLine: Int) throws(ProgramError) -> (Computation, defaults: [Double]) {
        guard let output = declaredOutput ?? lastAssigned else {
            throw ProgramError(file: file, line: endLine, column: 1, message: "the program has no assignment to compute (add a line such as 'f = x * 2')")
        }
        let computation = Computation(tape: tape, names: names, lines: lines, inputs: inputs, output: output)
        return (computation, defaults)
    }
}
