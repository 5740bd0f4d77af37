/// Compares two runs node by node and finds where they part: the first node whose value
/// differs although its inputs agree, and the first adjoint that differs going backward.
///
/// ```swift
/// let diff = RunDiff(rule: ComparisonRule(tolerance: .close(absolute: 0, relative: 1e-6)))
/// let result = try diff.compare(run: 1, in: log, with: 2, in: log)
/// if !result.agree { print(result.firstValueDivergence?.a?.name ?? "?") }
/// ```
///
/// Both runs are read as streams in node order; memory holds a flag per node and the listed
/// nodes, nothing per equal node. Runs of one structure align node by node; runs of different
/// programs align by name (see `NameAlignment`), which also loads both structures.
public struct RunDiff: Sendable {
    public var rule: ComparisonRule
    /// How many nodes to list at most; nil for all.
    public var limit: Int?
    /// List nodes that agree as well.
    public var includeEqual: Bool
    /// Align by name and occurrence even when the runs share a structure.
    public var byName: Bool

    public init(rule: ComparisonRule = ComparisonRule(), limit: Int? = 20, includeEqual: Bool = false, byName: Bool = false) {
        self.rule = rule
        self.limit = limit
        self.includeEqual = includeEqual
        self.byName = byName
    }

    /// Compares run `b` of `logB` with run `a` of `logA`, the reference. The logs may be one.
    public func compare(run a: Int64, in logA: GradLog, with b: Int64, in logB: GradLog) throws -> RunDiffResult {
        let graphA = try RunGraph(run: a, in: logA), graphB = try RunGraph(run: b, in: logB)
        let byNode = try !byName && Self.sameStructure(graphA, graphB)
        var tracker = DivergenceTracker(
            countA: graphA.nodeCount, countB: byNode ? 0 : graphB.nodeCount, limit: limit, includeEqual: includeEqual)
        if byNode {
            try compareByNode(graphA, graphB, into: &tracker)
        } else {
            try compareByName(graphA, graphB, into: &tracker)
        }

        let labelsA = try NodeLabels(graphA), labelsB = try NodeLabels(graphB)
        func describe(_ node: PendingNode) throws -> NodeDifference {
            NodeDifference(
                a: try labelsA.side(node.idA), b: try labelsB.side(node.idB),
                value: node.value, grad: node.grad, changes: node.changes)
        }
        return RunDiffResult(
            alignment: byNode ? .byNode : .byName,
            summary: tracker.summary,
            inputs: try tracker.inputs.map { input in
                let node = try describe(input)
                return InputDifference(name: (node.a ?? node.b)?.name ?? "", value: node.value, status: node.status)
            },
            tags: try tagDifferences(a, logA, b, logB),
            firstValueDivergence: try tracker.firstValueDivergence.map(describe),
            firstGradDivergence: try tracker.firstGradDivergence.map(describe),
            nodes: try tracker.listed.map(describe),
            unlisted: tracker.unlisted)
    }

    /// True when node i of A can stand for node i of B: the same graph, the same program text,
    /// or the same ops and wiring node for node (checked by one pass over both structures).
    static func sameStructure(_ a: RunGraph, _ b: RunGraph) throws -> Bool {
        if a.sameFile(as: b) && a.graph == b.graph { return true }
        if let sha = a.programSHA256, sha == b.programSHA256 { return true }
        guard a.nodeCount == b.nodeCount else { return false }
        let structureA = try a.log.database.prepare(StoreSQL.graphStructure)
        let structureB = try b.log.database.prepare(StoreSQL.graphStructure)
        try structureA.bind(1, a.graph)
        try structureB.bind(1, b.graph)
        while try structureA.step() {
            guard try structureB.step() else { return false }
            for column: Int32 in 2...4 where structureA.isNull(column) != structureB.isNull(column)
                || structureA.int(column) != structureB.int(column) {
                return false
            }
        }
        return try !structureB.step()
    }

    private func tagDifferences(_ a: Int64, _ logA: GradLog, _ b: Int64, _ logB: GradLog) throws -> [TagDifference] {
        let tagsA = Dictionary(try logA.tags(run: a), uniquingKeysWith: { first, _ in first })
        let tagsB = Dictionary(try logB.tags(run: b), uniquingKeysWith: { first, _ in first })
        return Set(tagsA.keys).union(tagsB.keys).sorted().compactMap { key in
            tagsA[key] == tagsB[key] ? nil : TagDifference(key: key, a: tagsA[key], b: tagsB[key])
        }
    }
}
