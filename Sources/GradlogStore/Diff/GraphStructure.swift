/// A graph's nodes without their numbers, compactly: what aligning two different programs by
/// name needs. Names are interned into a table shared by the two graphs of a diff.
struct GraphStructure {
    var ops: [UInt8] = []
    /// Input ids per slot; -1 for none.
    var input0: [Int32] = []
    var input1: [Int32] = []
    /// Per node: its name's index in the shared name table, or -1 when unnamed.
    var nameKeys: [Int32] = []

    var count: Int { ops.count }

    init(run: Int64, graph: Int64, nodeCount: Int, in log: GradLog, names: inout [String: Int32]) throws {
        ops.reserveCapacity(nodeCount)
        input0.reserveCapacity(nodeCount)
        input1.reserveCapacity(nodeCount)
        nameKeys.reserveCapacity(nodeCount)
        let statement = try log.database.prepare(StoreSQL.graphStructure)
        try statement.bind(1, graph)
        while try statement.step() {
            let id = statement.int(0)
            guard id == Int64(ops.count) else {
                throw DiffError(run: run, path: log.path, detail: "graph node \(ops.count) is missing")
            }
            if let name = statement.string(1) {
                let key = names[name] ?? Int32(names.count)
                names[name] = key
                nameKeys.append(key)
            } else {
                nameKeys.append(-1)
            }
            ops.append(UInt8(truncatingIfNeeded: statement.int(2)))
            input0.append(Self.input(of: id, statement, column: 3))
            input1.append(Self.input(of: id, statement, column: 4))
        }
        guard ops.count == nodeCount else {
            throw DiffError(run: run, path: log.path, detail: "\(ops.count) graph nodes, node_count \(nodeCount)")
        }
    }

    /// The input id stored as a distance back; -1 for none, or for a distance that does not
    /// point to an earlier node (a damaged file), so that it can never index out of range.
    private static func input(of id: Int64, _ statement: Statement, column: Int32) -> Int32 {
        guard !statement.isNull(column) else { return -1 }
        let back = statement.int(column)
        return back > 0 && back <= id ? Int32(truncatingIfNeeded: id - back) : -1
    }
}
