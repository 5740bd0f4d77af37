/// Names, ops and lines of a run's nodes, looked up one at a time for the few a diff reports.
struct NodeLabels {
    private let statement: Statement
    private let graph: RunGraph

    init(_ graph: RunGraph) throws {
        self.graph = graph
        statement = try graph.log.database.prepare(StoreSQL.nodeLabel)
        try statement.bind(1, graph.run)
    }

    /// Node `id`, or nil for -1 (not in this run).
    func side(_ id: Int64) throws -> NodeSide? {
        guard id >= 0 else { return nil }
        statement.reset()
        try statement.bind(2, id)
        let place = ValueLocation(path: graph.log.path, run: graph.run, node: id)
        guard try statement.step() else { throw place.failure("its graph node is missing") }
        return NodeSide(
            id: id, name: statement.string(0), op: try statement.storedOp(1, inputs: nil, at: place),
            line: try statement.storedLine(2, at: place))
    }
}
