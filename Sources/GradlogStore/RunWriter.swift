/// Writes runs inside a transaction its caller holds, so that one run (`GradLog.record`) or a
/// whole sweep of them (`GradLog.recordSweep`) goes through the same code and the same
/// prepared statements.
///
/// A program's structure is written once, on the node rows of the first run of its text;
/// every later run of the same text writes its numbers only.
final class RunWriter {
    private let database: Database
    private let insertRun: Statement
    private let insertTag: Statement
    private let insertNode: Statement
    private let insertStructureNode: Statement
    private let insertTensorNode: Statement
    private let clock = ContinuousClock()
    /// The time spent computing tensors' statistics so far.
    private(set) var statisticsTime = Duration.zero
    /// The statistics of the tensor inputs written so far, which `record` prints.
    private(set) var inputStatistics: [NodeID: (value: TensorStatistics, grad: TensorStatistics?)] = [:]
    /// Adjoint statistics the caller took during backward, while each adjoint was in cache
    /// (`GradLog.record`), by node; the others are worked out here.
    var adjointStatistics = NodeStatistics()

    init(_ database: Database) throws {
        self.database = database
        insertRun = try database.prepare(StoreSQL.insertRun)
        insertTag = try database.prepare(StoreSQL.insertTag)
        insertNode = try database.prepare(StoreSQL.insertNode)
        insertStructureNode = try database.prepare(StoreSQL.insertStructureNode)
        insertTensorNode = try database.prepare(StoreSQL.insertTensorNode)
    }

    /// Writes one run and returns its id. Call inside a write transaction.
    func write(
        _ computation: Computation, gradients: Gradients, source: ProgramText?, programPath: String?,
        name: String?, tags: [(key: String, value: String)], seed: UInt64? = nil, capture: Capture = .full
    ) throws -> Int64 {
        let runID = try database.scalarInt(StoreSQL.nextRunID) ?? 1
        let existing = try source.flatMap { try findGraph($0, nodeCount: computation.count) }
        let graphID = try existing ?? insertGraph(computation, source: source, structureRun: runID)
        insertRun.reset()
        try insertRun.bind(1, runID)
        try insertRun.bind(2, name)
        try insertRun.bind(3, graphID)
        try insertRun.bind(4, programPath)
        try insertRun.bind(5, GradLog.toolVersion)
        try insertRun.bind(6, Database.sqliteVersion)
        if let seed { try insertRun.bind(7, Int64(bitPattern: seed)) } else { try insertRun.bindNull(7) }
        try insertRun.bind(8, capture.rawValue)
        try insertRun.bind(9, RunUUID.random())
        try insertRun.step()
        try writeNodes(computation, gradients: gradients, capture: capture, runID: runID, withStructure: existing == nil)
        for tag in tags {
            insertTag.reset()
            try insertTag.bind(1, runID)
            try insertTag.bind(2, tag.key)
            try insertTag.bind(3, tag.value)
            try insertTag.step()
        }
        // A large text was compressed on another core while the nodes were written.
        if existing == nil, let compressed = source?.compressedText {
            let store = try database.prepare(StoreSQL.storeCompressedProgram)
            try store.bind(1, graphID)
            try store.bind(2, blob: compressed)
            try store.step()
        }
        return runID
    }

    /// Rewrites the query planner's statistics from exact counts (migrations/0003). Call once
    /// per transaction, after its runs are written.
    func refreshStatistics() throws {
        try database.execute(StoreSQL.refreshStatistics)
    }

    /// The graph of an earlier run of the same program text, if there is one.
    private func findGraph(_ source: ProgramText, nodeCount: Int) throws -> Int64? {
        let find = try database.prepare(StoreSQL.findGraph)
        try find.bind(1, source.sha256)
        guard try find.step() else { return nil }
        let stored = Int(find.int(1))
        guard stored == nodeCount else {
            throw GradLogError.structureChanged(path: database.path, storedNodes: stored, nodes: nodeCount)
        }
        return find.int(0)
    }

    /// A new graph, whose structure the nodes of run `structureRun` will carry.
    private func insertGraph(_ computation: Computation, source: ProgramText?, structureRun: Int64) throws -> Int64 {
        let insertGraph = try database.prepare(StoreSQL.insertGraph)
        if let source {
            if source.isCompressed { try insertGraph.bindNull(1) } else { try insertGraph.bind(1, source.text) }
            try insertGraph.bind(2, Int64(source.byteCount))
            try insertGraph.bind(3, source.sha256)
        } else {
            for index: Int32 in 1...3 { try insertGraph.bindNull(index) }
        }
        try insertGraph.bind(4, Int64(computation.count))
        try insertGraph.bind(5, Int64(computation.output))
        try insertGraph.bind(6, structureRun)
        try insertGraph.step()
        let graphID = database.lastInsertRowID

        let insertInput = try database.prepare(StoreSQL.insertGraphInput)
        for (position, input) in computation.inputs.enumerated() {
            try insertInput.bind(1, graphID)
            try insertInput.bind(2, Int64(position))
            try insertInput.bind(3, input.name)
            try insertInput.bind(4, Int64(input.node))
            try insertInput.step()
            insertInput.reset()
        }
        let insertAxis = try database.prepare(StoreSQL.insertNodeAxis)
        for (node, axis) in computation.tape.axes.sorted(by: { $0.key < $1.key }) {
            try insertAxis.bind(1, graphID)
            try insertAxis.bind(2, Int64(node))
            try insertAxis.bind(3, Int64(axis))
            try insertAxis.step()
            insertAxis.reset()
        }
        return graphID
    }

    private func bindBack(_ statement: Statement, _ index: Int32, node: Int, input: NodeID) throws {
        if input == Tape.noInput {
            try statement.bindNull(index)
        } else {
            try statement.bind(index, Int64(node) - Int64(input))
        }
    }

    /// One row per node, through one prepared statement bound by index. The first run of a
    /// graph also writes the structure columns; later runs leave them NULL. A tensor node also
    /// gets a `tensor_node` row: its shape and statistics.
    private func writeNodes(
        _ computation: Computation, gradients: Gradients, capture: Capture, runID: Int64, withStructure: Bool
    ) throws {
        let insert = withStructure ? insertStructureNode : insertNode
        let tape = computation.tape
        let keepsTensors = capture != .stats
        try insert.bind(1, runID)
        // Names and tensors are bound in place (SQLITE_STATIC): the name buffer and the arenas
        // outlive every step below, and the bindings are cleared before they go.
        try Arenas.borrow(tape, gradients) { arenas in
            defer { insert.clearBindings() }
            try computation.names.withNameStorage { names, range in
                for i in 0..<tape.count {
                    let id = NodeID(i)
                    let op = tape.ops[i]
                    let isScalar = tape.isScalar(id)
                    try insert.bind(2, Int64(i))
                    if isScalar {
                        try insert.bind(3, float: tape.values[tape.valueStart[i]])
                    } else if keepsTensors {
                        try bind(insert, 3, arenas.values, tape.range(id))
                    } else {
                        try insert.bindNull(3)
                    }
                    if !tape.requiresGrad(NodeID(i)) {
                        try insert.bindNull(4)
                    } else if isScalar {
                        try insert.bind(4, float: gradients.adjoints[tape.valueStart[i]])
                    } else if keepsTensors {
                        try bind(insert, 4, arenas.adjoints, tape.range(id))
                    } else {
                        try insert.bindNull(4)
                    }
                    if isScalar && op.kind != .contribution {
                        // The scalar path, as before tensors: the derivatives straight from the arena.
                        let stores = capture == .full && op.fixedLocalDerivatives == nil
                        let start = tape.derivativeStart[i]
                        if stores && op.arity >= 1 { try insert.bind(5, float: tape.derivative0[start]) } else { try insert.bindNull(5) }
                        if stores && op.arity == 2 { try insert.bind(6, float: tape.derivative1[start]) } else { try insert.bindNull(6) }
                    } else {
                        for slot in 0..<2 {
                            let index = Int32(5 + slot)
                            guard capture == .full, let kept = stored(slot, of: id, tape, gradients, arenas) else {
                                try insert.bindNull(index)
                                continue
                            }
                            if kept.isTensor {
                                try bind(insert, index, kept.arena, kept.range)
                            } else {
                                try insert.bind(index, float: kept.arena[kept.range.lowerBound])
                            }
                        }
                    }
                    if withStructure {
                        if let name = range(i) {
                            try insert.bind(7, utf8: UnsafeBufferPointer(rebasing: names[name]), stable: true)
                        } else {
                            try insert.bindNull(7)
                        }
                        try insert.bind(8, Int64(op.rawValue))
                        try bindBack(insert, 9, node: i, input: tape.input0[i])
                        try bindBack(insert, 10, node: i, input: tape.input1[i])
                        try insert.bind(11, Int64(i) - Int64(computation.lines[i]))
                    }
                    try insert.step()
                    insert.reset()
                    if !isScalar { try writeTensorNode(id, tape, gradients, runID: runID) }
                }
            }
        }
    }

    /// The arenas of a tape and its gradients, borrowed for one write so that tensors are bound
    /// as BLOBs where they lie, without a copy.
    private struct Arenas {
        let values, adjoints, derivative0, derivative1, contributions: UnsafeBufferPointer<Double>

        static func borrow<R>(_ tape: Tape, _ gradients: Gradients, _ body: (Arenas) throws -> R) rethrows -> R {
            try tape.values.withUnsafeBufferPointer { values in
                try gradients.adjoints.withUnsafeBufferPointer { adjoints in
                    try tape.derivative0.withUnsafeBufferPointer { derivative0 in
                        try tape.derivative1.withUnsafeBufferPointer { derivative1 in
                            try gradients.contributions.withUnsafeBufferPointer { contributions in
                                try body(Arenas(
                                    values: values, adjoints: adjoints, derivative0: derivative0, derivative1: derivative1,
                                    contributions: contributions))
                            }
                        }
                    }
                }
            }
        }
    }

    /// What the store keeps for an input slot of a node: the local derivative (elementwise ops
    /// whose derivatives are not fixed by the op), the contribution (contribution ops), or
    /// nothing (a leaf, an unused slot, a fixed derivative, an input that needs no gradient).
    /// A local derivative has the node's shape; a contribution its input's.
    private func stored(
        _ slot: Int, of id: NodeID, _ tape: Tape, _ gradients: Gradients, _ arenas: Arenas
    ) -> (arena: UnsafeBufferPointer<Double>, range: Range<Int>, isTensor: Bool)? {
        let op = tape.ops[Int(id)]
        guard slot < op.arity else { return nil }
        switch op.kind {
        case .leaf:
            return nil
        case .elementwise:
            guard op.fixedLocalDerivatives == nil else { return nil }
            return (slot == 0 ? arenas.derivative0 : arenas.derivative1, tape.derivativeRange(id), !tape.isScalar(id))
        case .contribution:
            let input = slot == 0 ? tape.input0[Int(id)] : tape.input1[Int(id)]
            return gradients.contributionRange(id, slot: slot, in: tape).map { (arenas.contributions, $0, !tape.isScalar(input)) }
        }
    }

    /// Binds a tensor's elements as a BLOB of little-endian doubles, in place: the caller keeps
    /// `arena` alive and unchanged until the bindings are cleared.
    private func bind(_ statement: Statement, _ index: Int32, _ arena: UnsafeBufferPointer<Double>, _ range: Range<Int>) throws {
        try TensorCodec.withBytes(UnsafeBufferPointer(rebasing: arena[range])) { try statement.bind(index, bytes: $0, stable: true) }
    }

    private func writeTensorNode(_ id: NodeID, _ tape: Tape, _ gradients: Gradients, runID: Int64) throws {
        let shape = tape.shape(id)
        let started = clock.now
        let value = TensorStatistics(tape.elements(id))
        let grad = tape.requiresGrad(id) ? adjointStatistics[id] ?? TensorStatistics(gradients.adjoint(id, in: tape)) : nil
        statisticsTime += started.duration(to: clock.now)
        if tape.ops[Int(id)] == .input { inputStatistics[id] = (value, grad) }
        let s = insertTensorNode
        try s.bind(1, runID)
        try s.bind(2, Int64(id))
        try s.bind(3, TensorCodec.shapeText(shape))
        try s.bind(4, Int64(shape.count))
        try Self.bindStatistics(s, from: 5, value)
        try Self.bindStatistics(s, from: 13, grad)
        try s.step()
        s.reset()
    }

    /// Binds a tensor's statistics as tensor_node's eight columns from `index` (NULLs for none).
    static func bindStatistics(_ s: Statement, from index: Int32, _ statistics: TensorStatistics?) throws {
        guard let t = statistics else {
            for k in index..<index + 8 { try s.bindNull(k) }
            return
        }
        try s.bind(index, Int64(t.nan))
        try s.bind(index + 1, Int64(t.positiveInfinity))
        try s.bind(index + 2, Int64(t.negativeInfinity))
        try s.bind(index + 3, Int64(t.zero))
        for (k, v) in [t.min, t.max, t.mean, t.norm].enumerated() {
            if let v { try s.bind(index + 4 + Int32(k), float: v) } else { try s.bindNull(index + 4 + Int32(k)) }
        }
    }
}
