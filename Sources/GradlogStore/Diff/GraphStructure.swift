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
        var place = ValueLocation(path: log.path, run: run)
        while try statement.step() {
            let id = statement.int(0)
            guard id == Int64(ops.count), ops.count < nodeCount else {
                throw place.failure("graph node \(ops.count) is missing, or more than node_count \(nodeCount)")
            }
            place.node = id
            if let name = statement.string(1) {
                let key = names[name] ?? Int32(names.count)
                names[name] = key
                nameKeys.append(key)
            } else {
                nameKeys.append(-1)
            }
            let inputs = (try statement.storedInput(3, "in0_back", at: place), try statement.storedInput(4, "in1_back", at: place))
            ops.append(try statement.storedOp(2, inputs: inputs, at: place).rawValue)
            // Inputs lie before the node, whose id is below node_count, itself within Int32.
            input0.append(inputs.0.map { Int32($0) } ?? -1)
            input1.append(inputs.1.map { Int32($0) } ?? -1)
        }
        guard ops.count == nodeCount else {
            throw ChangedFileError(path: log.path, run: run, "\(ops.count) graph nodes, node_count \(nodeCount)")
        }
    }
}
