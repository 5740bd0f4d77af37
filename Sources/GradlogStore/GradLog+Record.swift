import Foundation

/// What `record` wrote, for printing.
public struct RecordedRun: Sendable {
    public var id: Int64
    public var nodeCount: Int
    public var outputName: String?
    public var outputValue: Double
    public var inputs: [RunInput]
}

extension GradLog {
    /// Runs the backward pass and writes the whole run — structure, values, local derivatives,
    /// adjoints and tags — in one IMMEDIATE transaction: a run is there whole or not at all.
    ///
    /// `program` is stored once per distinct program text and shared by later runs of it.
    public func record(
        _ computation: Computation,
        program: Program? = nil,
        programPath: String? = nil,
        name: String? = nil,
        tags: [(key: String, value: String)] = []
    ) throws -> RecordedRun {
        if let name { try Self.validateRunName(name) }
        if let empty = tags.first(where: { $0.key.isEmpty }) { throw GradLogError.invalidTag(empty.key) }
        let adjoints = computation.backward()
        let runID: Int64 = try database.transaction {
            let graphID = try writeGraph(computation, program: program)
            let insertRun = try database.prepare(StoreSQL.insertRun)
            try insertRun.bind(1, name)
            try insertRun.bind(2, graphID)
            try insertRun.bind(3, programPath)
            try insertRun.bind(4, Self.toolVersion)
            try insertRun.bind(5, Database.sqliteVersion)
            try insertRun.step()
            let runID = database.lastInsertRowID
            try writeNodes(computation, adjoints: adjoints, runID: runID)
            let insertTag = try database.prepare(StoreSQL.insertTag)
            for tag in tags {
                try insertTag.bind(1, runID)
                try insertTag.bind(2, tag.key)
                try insertTag.bind(3, tag.value)
                try insertTag.step()
                insertTag.reset()
            }
            return runID
        }
        let output = Int(computation.output)
        return RecordedRun(
            id: runID, nodeCount: computation.count, outputName: computation.names[output],
            outputValue: computation.tape.values[output],
            inputs: computation.inputs.map { input in
                RunInput(name: input.name, value: computation.tape.values[Int(input.node)], grad: adjoints[Int(input.node)], nodeID: Int64(input.node))
            })
    }

    /// Refuses names that would read as a run reference (an id, `latest`, `latest~N`).
    public static func validateRunName(_ name: String) throws {
        if name.isEmpty || Int64(name) != nil || name.hasPrefix("latest") {
            throw GradLogError.invalidRunName(name)
        }
    }

    /// The graph row for this structure: reused when the same program text was recorded before.
    private func writeGraph(_ computation: Computation, program: Program?) throws -> Int64 {
        let sha = program.map { SHA256.hex($0.source) }
        if let sha {
            let find = try database.prepare(StoreSQL.findGraph)
            try find.bind(1, sha)
            if try find.step() {
                precondition(Int(find.int(1)) == computation.count, "program \(sha) parsed to a different structure than before")
                return find.int(0)
            }
        }
        let insertGraph = try database.prepare(StoreSQL.insertGraph)
        try insertGraph.bind(1, program?.source)
        try insertGraph.bind(2, sha)
        try insertGraph.bind(3, Int64(computation.count))
        try insertGraph.bind(4, Int64(computation.output))
        try insertGraph.step()
        let graphID = database.lastInsertRowID

        let insert = try database.prepare(StoreSQL.insertGraphNode)
        let tape = computation.tape
        try insert.bind(1, graphID)
        for i in 0..<tape.count {
            try insert.bind(2, Int64(i))
            try computation.names.withUTF8(i) { try insert.bind(3, utf8: $0) } ?? insert.bindNull(3)
            try insert.bind(4, Int64(tape.ops[i].rawValue))
            try bindBack(insert, 5, node: i, input: tape.input0[i])
            try bindBack(insert, 6, node: i, input: tape.input1[i])
            try insert.bind(7, Int64(computation.lines[i]))
            try insert.step()
            insert.reset()
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

    private func writeNodes(_ computation: Computation, adjoints: [Double], runID: Int64) throws {
        let insert = try database.prepare(StoreSQL.insertRunNode)
        let tape = computation.tape
        try insert.bind(1, runID)
        for i in 0..<tape.count {
            let op = tape.ops[i]
            try insert.bind(2, Int64(i))
            try insert.bind(3, float: tape.values[i])
            try insert.bind(4, float: adjoints[i])
            // Ops with constant derivatives (add, sub, neg) keep them in the op table instead.
            if op.arity >= 1 && op.fixedLocalDerivatives == nil {
                try insert.bind(5, float: tape.localDerivative0[i])
            } else {
                try insert.bindNull(5)
            }
            if op.arity == 2 && op.fixedLocalDerivatives == nil {
                try insert.bind(6, float: tape.localDerivative1[i])
            } else {
                try insert.bindNull(6)
            }
            try insert.step()
            insert.reset()
        }
    }
}
