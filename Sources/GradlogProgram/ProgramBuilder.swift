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
    private var leafNames: Set<String> = []
    private var bindings: NameTable
    private var lastAssigned: NodeID?
    private var metrics: [Computation.Input] = []
    private var declaredOutput: (node: NodeID, line: Int32)?
    private(set) var statementCount = 0
    /// The line of the statement being parsed; every node appended gets it.
    var line: Int32 = 0

    init(source: UnsafeBufferPointer<UInt8>, maximumElements: Int, maximumTotalElements: Int, timesForward: Bool = false) {
        self.source = source
        tape.maximumElements = maximumElements
        tape.maximumTotalElements = maximumTotalElements
        tape.timesForward = timesForward
        // One node a line is the common case for large (generated) programs.
        let estimate = source.count / 16
        self.bindings = NameTable(source: source)
        tape.reserveCapacity(estimate)
        names.reserveCapacity(estimate, bytes: source.count / 3)
        lines.reserveCapacity(estimate)
    }

    func lookup(_ name: Range<Int>) -> NodeID? { bindings.lookup(name) }

    func isConstant(_ node: NodeID) -> Bool { tape.ops[Int(node)] == .const }

    func shape(_ node: NodeID) -> Shape { tape.shape(node) }

    private func text(_ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: source[range]), as: UTF8.self)
    }

    /// Declares an `input` (differentiated) or `data` (not differentiated) leaf: a scalar when
    /// `shape` is nil, else a tensor of that shape holding `elements`.
    mutating func declareLeaf(
        _ name: Range<Int>, _ op: Op, shape: Shape?, elements: [Double], line: Int32
    ) -> String? {
        let text = text(name)
        if leafNames.contains(text) { return "\(op == .input ? "input" : "data") '\(text)' is declared twice" }
        if bindings.lookup(name) != nil { return "'\(text)' is already defined above; \(op.name == "data" ? "data" : "an input") needs a new name" }
        if let problem = tape.problemAdding(elements.count) { return "\(op == .input ? "input" : "data") '\(text)': \(problem)" }
        statementCount += 1
        self.line = line
        let node: NodeID
        if let shape {
            node = append(tape.appendLeaf(op, shape: shape, elements: elements))
        } else {
            node = append(tape.appendLeaf(op, value: elements[0]))
        }
        names.setName(Int(node), utf8: UnsafeBufferPointer(rebasing: source[name]))
        bindings.bind(name, to: node)
        leafNames.insert(text)
        if op == .input {
            inputs.append(.init(name: text, node: node))
            defaults.append(elements[0])
        }
        return nil
    }

    mutating func declareOutput(_ name: Range<Int>, line: Int32) -> String? {
        guard declaredOutput == nil else { return "the output is declared twice" }
        guard let node = bindings.lookup(name) else { return "'\(text(name))' is not defined, so it cannot be the output" }
        statementCount += 1
        declaredOutput = (node, line)
        return nil
    }

    /// Binds `name` to the statement's final node, which takes the name. When that node already
    /// bears a name (`b = a`), a new identity node bears the new one, so every assigned name is
    /// a node that `show`, `query` and `graph` can find.
    mutating func assign(_ name: Range<Int>, _ node: NodeID) {
        statementCount += 1
        var target = node
        if names.isNamed(Int(node)) { target = try! apply(.identity, node) }  // elementwise: any shape fits
        names.setName(Int(target), utf8: UnsafeBufferPointer(rebasing: source[name]))
        bindings.bind(name, to: target)
        lastAssigned = target
    }

    /// `metric NAME = EXPR`: assigns, and marks the node as a metric (one element). A metric is
    /// not the output unless declared so: the last plain assignment stays the default output.
    mutating func assignMetric(_ name: Range<Int>, _ node: NodeID) -> String? {
        guard tape.elementCount(node) == 1 else {
            return "metric '\(text(name))' has shape \(tape.shape(node)); a metric is one number (use mean(...) or sum(...))"
        }
        let previous = lastAssigned
        assign(name, node)
        metrics.append(.init(name: text(name), node: lastAssigned!))
        lastAssigned = previous
        return nil
    }

    mutating func constant(_ value: Double) -> NodeID {
        append(tape.appendLeaf(.const, value: value))
    }

    mutating func constant(shape: Shape, elements: [Double]) -> String? {
        if let problem = tape.problemAdding(elements.count) { return problem }
        _ = append(tape.appendLeaf(.const, shape: shape, elements: elements))
        return nil
    }

    /// The node appended last.
    var last: NodeID { NodeID(tape.count - 1) }

    mutating func apply(
        _ op: Op, _ a: NodeID, _ b: NodeID = Tape.noInput, axis: Int? = nil, shape: [Int]? = nil
    ) throws(ShapeError) -> NodeID {
        append(try tape.append(op, a, b, axis: axis, shape: shape))
    }

    /// `-literal` becomes a negative constant; anything else gets a neg node.
    mutating func negate(_ node: NodeID) -> NodeID {
        let isFreshLiteral = Int(node) == tape.count - 1 && tape.ops[Int(node)] == .const
            && !names.isNamed(Int(node)) && tape.isScalar(node)
        if isFreshLiteral {
            tape.setLeaf(node, value: -tape.scalar(node))
            return node
        }
        return try! apply(.neg, node)  // elementwise and unary: any shape fits
    }

    private mutating func append(_ node: NodeID) -> NodeID {
        names.appendUnnamed()
        lines.append(line)
        return node
    }

    func finish(file: String, endLine: Int) throws(ProgramError) -> (Computation, defaults: [Double]) {
        guard let output = declaredOutput?.node ?? lastAssigned else {
            throw ProgramError(file: file, line: endLine, column: 1, message: "the program has no assignment to compute (add a line such as 'f = x * 2')")
        }
        guard tape.elementCount(output) == 1 else {
            let line = Int(declaredOutput?.line ?? lines[Int(output)])
            let name = names[Int(output)].map { "'\($0)'" } ?? "the output"
            throw ProgramError(
                file: file, line: line, column: 1,
                message: "the output \(name) has shape \(tape.shape(output)); it must hold one element (a loss, such as mean(...) or sum(...)), as loss.backward() requires")
        }
        var computation = Computation(tape: tape, names: names, lines: lines, inputs: inputs, output: output)
        computation.metrics = metrics
        return (computation, defaults)
    }
}
