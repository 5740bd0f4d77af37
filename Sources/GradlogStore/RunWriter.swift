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

    init(_ database: Database) throws {
        self.database = database
        insertRun = try database.prepare(StoreSQL.insertRun)
        insertTag = try database.prepare(StoreSQL.insertTag)
        insertNode = try database.prepare(StoreSQL.insertNode)
        insertStructureNode = try database.prepare(StoreSQL.insertStructureNode)
    }

    /// Writes one run and returns its id. Call inside a write transaction.
    func write(
        _ computation: Computation, adjoints: [Double], source: ProgramText?, programPath: String?,
        name: String?, tags: [(key: String, value: String)]
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
        try insertRun.step()
        try writeNodes(computation, adjoints: adjoints, runID: runID, withStructure: existing == nil)
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
    /// graph also writes the structure columns; later runs leave them NULL.
    private func writeNodes(_ computation: Computation, adjoints: [Double], runID: Int64, withStructure: Bool) throws {
        let insert = withStructure ? insertStructureNode : insertNode
        let tape = computation.tape
        try insert.bind(1, runID)
        // Names are bound in place (SQLITE_STATIC): the buffer outlives every step below.
        try computation.names.withNameStorage { names, range in
            for i in 0..<tape.count {
                let op = tape.ops[i]
                try insert.bind(2, Int64(i))
                try insert.bind(3, float: tape.values[i])
                try insert.bind(4, float: adjoints[i])
                // Ops with constant derivatives (add, sub, neg) keep them in the op table instead.
                let stored = op.fixedLocalDerivatives == nil
                if op.arity >= 1 && stored { try insert.bind(5, float: tape.localDerivative0[i]) } else { try insert.bindNull(5) }
                if op.arity == 2 && stored { try insert.bind(6, float: tape.localDerivative1[i]) } else { try insert.bindNull(6) }
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
            }
        }
        // Nothing bound may point into the name buffer once it is gone.
        insert.clearBindings()
    }
}
