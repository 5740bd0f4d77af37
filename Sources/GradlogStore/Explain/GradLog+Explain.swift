import GradlogAutodiff

/// A node reference `explain` could not find in a run.
public struct ExplainError: Error, Sendable, CustomStringConvertible {
    public var reference: String
    public var run: Int64
    public var description: String {
        "run \(run) has no node '\(reference)' (give a node's name or id, 21 or #21; `gradlog show \(run)` lists them)"
    }
}

extension GradLog {
    /// The most nodes one answer explains, whatever `depth` asks: each node once, so even a
    /// huge depth on a large graph ends quickly.
    public static let explainLimit = 64

    /// How the adjoint of `reference` (a name, the last node bearing it, or an id: `21`, `#21`)
    /// came about in run `run`: its consumers' chain-rule terms from the stored numbers, their
    /// sum in the backward pass's order, and with `depth` > 0 the consumers' adjoints in turn.
    public func explainAdjoint(run: Int64, node reference: String, depth: Int = 0) throws -> AdjointExplanation {
        var explainer = try AdjointExplainer(run: run, log: self)
        guard let id = explainer.resolve(reference) else { throw ExplainError(reference: reference, run: run) }
        var budget = Self.explainLimit
        var explained: Set<Int64> = []
        return try explainer.explain(id, depth: Swift.max(0, depth), budget: &budget, explained: &explained)
    }

    /// The explanations of several nodes (no unfolding), reading the run's wiring once: what
    /// `report` shows beside each node.
    public func explainAdjoints(run: Int64, nodes ids: [Int64]) throws -> [AdjointExplanation] {
        var explainer = try AdjointExplainer(run: run, log: self)
        return try ids.map { id in
            var budget = 1
            var explained: Set<Int64> = []
            return try explainer.explain(id, depth: 0, budget: &budget, explained: &explained)
        }
    }
}

/// Reads a run's wiring once (a few bytes a node) and the numbers of the nodes it explains.
struct AdjointExplainer {
    let log: GradLog
    let run: Int64
    let output: Int64
    let structure: GraphStructure
    let nameOf: [Int32: String]
    /// Whether the output depends on a node (the backward pass reaches it).
    let reaches: [Bool]
    private var cache: [Int64: RecordedNode] = [:]

    init(run: Int64, log: GradLog) throws {
        self.log = log
        self.run = run
        let graph = try RunGraph(run: run, in: log)
        var names: [String: Int32] = [:]
        structure = try GraphStructure(run: run, graph: graph.graph, nodeCount: graph.nodeCount, in: log, names: &names)
        nameOf = Dictionary(uniqueKeysWithValues: names.map { ($1, $0) })
        output = try log.run(id: run).outputID
        var reaches = [Bool](repeating: false, count: structure.count)
        if output >= 0 && Int(output) < structure.count { reaches[Int(output)] = true }
        for i in stride(from: structure.count - 1, through: 0, by: -1) where reaches[i] {
            for input in [structure.input0[i], structure.input1[i]] where input >= 0 { reaches[Int(input)] = true }
        }
        self.reaches = reaches
    }

    /// A name (the last node bearing it) or an id, `21` or `#21`.
    func resolve(_ reference: String) -> Int64? {
        if let id = Int64(reference.hasPrefix("#") ? String(reference.dropFirst()) : reference) {
            return id >= 0 && id < Int64(structure.count) ? id : nil
        }
        for i in stride(from: structure.count - 1, through: 0, by: -1) where nameOf[structure.nameKeys[i]] == reference {
            return Int64(i)
        }
        return nil
    }

    func label(_ id: Int64) -> String { nameOf[structure.nameKeys[Int(id)]] ?? "#\(id)" }

    mutating func node(_ id: Int64) throws -> RecordedNode {
        if let node = cache[id] { return node }
        guard let node = try log.node(run: run, id: id) else {
            throw ChangedFileError(path: log.path, run: run, node: id, "its row is missing")
        }
        cache[id] = node
        return node
    }

    /// An operand as it reads in an expression: a constant as its number (`1/den`), else its name.
    mutating func operandName(_ id: Int64) throws -> String {
        let node = try node(id)
        if node.op == .const, let v = node.value { return Self.number(v) }
        return label(id)
    }

    /// 1 rather than 1.0 for whole constants, as a person writes them.
    static func number(_ v: Double) -> String {
        if v == v.rounded(), Swift.abs(v) < 1e15, !(v == 0 && v.sign == .minus) { return String(Int64(v)) }
        return FloatEncoding.format(v)
    }

    mutating func explain(_ id: Int64, depth: Int, budget: inout Int, explained: inout Set<Int64>) throws -> AdjointExplanation {
        budget -= 1
        explained.insert(id)
        let subject = try node(id)
        let shape = subject.tensor?.shape
        let adjoint = Self.adjoint(of: subject)
        var explanation = AdjointExplanation(
            run: run, id: id, label: label(id), op: subject.op, line: subject.line, shape: shape,
            outputLabel: label(output), isOutput: id == output,
            requiresGradient: subject.tensor.map { $0.gradStatistics != nil } ?? (subject.grad != nil),
            adjoint: adjoint, terms: [], sum: nil)

        // Consumers in the order the backward pass visits them: highest id first, slot 0 then 1.
        for c in stride(from: structure.count - 1, to: Int(id), by: -1) {
            for slot in 0..<2 where (slot == 0 ? structure.input0[c] : structure.input1[c]) == Int32(id) {
                explanation.terms.append(try term(consumer: Int64(c), slot: slot, subject: subject))
            }
        }
        explanation.sum = explanation.isOutput ? adjoint : Self.backwardSum(explanation.terms, into: subject)

        guard depth > 0 else { return explanation }
        for consumer in Set(explanation.terms.map(\.consumer)).sorted(by: >) {
            if explained.contains(consumer) {
                explanation.notUnfolded.append((consumer, label(consumer), "explained above"))
            } else if budget <= 0 {
                explanation.notUnfolded.append((consumer, label(consumer), "over the limit of \(GradLog.explainLimit) nodes an answer explains"))
            } else {
                explanation.unfolded.append(try explain(consumer, depth: depth - 1, budget: &budget, explained: &explained))
            }
        }
        return explanation
    }

    static func adjoint(of node: RecordedNode) -> [Double]? {
        if let t = node.tensor { return t.gradStatistics == nil ? nil : t.grad }
        return node.grad.map { [$0] }
    }

    /// Consumer `c`'s term for its input `slot`, which is `subject`.
    mutating func term(consumer c: Int64, slot: Int, subject: RecordedNode) throws -> ChainRuleTerm {
        let consumer = try node(c)
        let g = Self.adjoint(of: consumer)
        let operands = consumer.inputs
        let a = try operandName(operands[0]), b = operands.count > 1 ? try operandName(operands[1]) : ""
        let storesContribution = consumer.op.kind == .contribution
        let count = consumer.tensor?.shape.count ?? 1
        let stored: [Double]? = consumer.localGrads[slot].map { [Double](repeating: $0, count: storesContribution ? 1 : count) }
            ?? consumer.stored[slot]
        var term = ChainRuleTerm(
            consumer: c, consumerLabel: label(c), expression: DerivativeFormula.expression(consumer.op, a, b, axis: consumer.axis),
            op: consumer.op, slot: slot, line: consumer.line, consumerShape: consumer.tensor?.shape,
            consumerAdjoint: g, stored: stored, storesContribution: storesContribution, formula: "", substituted: nil,
            contribution: nil, passedOn: reaches[Int(c)] && g != nil)
        let nodeShape = subject.tensor?.shape ?? .scalar
        if storesContribution {
            term.formula = DerivativeFormula.contribution(consumer.op, slot: slot, a, b, node: label(c), axis: consumer.axis)
            term.contribution = stored
            return term
        }
        let derivative = DerivativeFormula.derivative(consumer.op, slot: slot, a, b)
        let values = try operands.map { try node($0) }
        if values.allSatisfy({ $0.tensor == nil && $0.value != nil }) {
            term.formula = derivative
            let recorded = values.map { $0.op == .const ? Self.number($0.value!) : DerivativeFormula.operand($0.value!) }
            let substituted = DerivativeFormula.derivative(consumer.op, slot: slot, recorded[0], recorded.count > 1 ? recorded[1] : "")
            term.substituted = substituted == derivative ? nil : substituted
        } else {
            let broadcast = (consumer.tensor?.shape ?? .scalar) != nodeShape ? ", summed over the broadcast axes" : ""
            term.formula = "d(\(label(subject.id))) = d(\(label(c))) * \(derivative)\(broadcast)"
        }
        if let g, let stored, g.count == stored.count {
            var product = [Double](repeating: 0, count: nodeShape.count)
            Self.accumulate(g, stored, from: consumer.tensor?.shape ?? .scalar, into: &product, shape: nodeShape, first: true)
            term.contribution = product
        }
        return term
    }

    /// `adjoint += g * d` as the tape's elementwise backward does it (`Elementwise.accumulate`):
    /// summed into place over broadcast axes; the first contribution assigned where none is.
    static func accumulate(_ g: [Double], _ d: [Double], from consumerShape: Shape, into adjoint: inout [Double], shape: Shape, first: Bool) {
        if let map = broadcastOffsets(from: shape, to: consumerShape) {
            for e in 0..<g.count { adjoint[map[e]] += g[e] * d[e] }
        } else {
            for e in 0..<g.count { adjoint[e] = first ? g[e] * d[e] : adjoint[e] + g[e] * d[e] }
        }
    }

    /// The passed-on terms added as the backward pass added them: in its order, the first
    /// contribution assigned and later ones added (so a lone -0.0 keeps its sign). Nil when a
    /// factor of a term was not kept.
    static func backwardSum(_ terms: [ChainRuleTerm], into subject: RecordedNode) -> [Double]? {
        let shape = subject.tensor?.shape ?? .scalar
        var sum = [Double](repeating: 0, count: shape.count)
        var first = true
        for term in terms where term.passedOn {
            if term.storesContribution {
                guard let c = term.contribution, c.count == sum.count else { return nil }
                for e in sum.indices { sum[e] = first ? c[e] : sum[e] + c[e] }
            } else {
                guard let g = term.consumerAdjoint, let d = term.stored, g.count == d.count else { return nil }
                accumulate(g, d, from: term.consumerShape ?? .scalar, into: &sum, shape: shape, first: first)
            }
            first = false
        }
        return sum
    }
}
