/// What `record` wrote, for printing.
public struct RecordedRun: Sendable {
    public var id: Int64
    public var nodeCount: Int
    public var outputName: String?
    public var outputValue: Double
    public var inputs: [RunInput]

    init(id: Int64, computation: Computation, adjoints: [Double]) {
        let output = Int(computation.output)
        self.id = id
        nodeCount = computation.count
        outputName = computation.names[output]
        outputValue = computation.tape.values[output]
        inputs = computation.inputs.map { input in
            RunInput(name: input.name, value: computation.tape.values[Int(input.node)], grad: adjoints[Int(input.node)], nodeID: Int64(input.node))
        }
    }
}

extension GradLog {
    /// Runs the backward pass and writes the whole run — structure, values, local derivatives,
    /// adjoints and tags — in one IMMEDIATE transaction: a run is there whole or not at all.
    ///
    /// `program` is stored once per distinct program text and shared by later runs of it. Pass
    /// `text` (made before parsing) to overlap hashing a large program with parsing it.
    public func record(
        _ computation: Computation,
        program: Program? = nil,
        text: ProgramText? = nil,
        programPath: String? = nil,
        name: String? = nil,
        tags: [(key: String, value: String)] = []
    ) throws -> RecordedRun {
        if let name { try Self.validateRunName(name) }
        try Self.validateTags(tags)
        try Self.refuseReservedTags(tags)
        let adjoints = computation.backward()
        let source = text ?? program.map { ProgramText($0.source) }
        let runID = try database.transaction {
            if let name { try refuseTakenName(name) }
            let writer = try RunWriter(database)
            let runID = try writer.write(
                computation, adjoints: adjoints, source: source, programPath: programPath, name: name, tags: tags)
            try writer.refreshStatistics()
            return runID
        }
        return RecordedRun(id: runID, computation: computation, adjoints: adjoints)
    }

    /// Refuses names that would read as a run reference (an id, `latest`, `latest~N`).
    public static func validateRunName(_ name: String) throws {
        if name.isEmpty || Int64(name) != nil || name.hasPrefix("latest") {
            throw GradLogError.invalidRunName(name)
        }
    }

    static func validateTags(_ tags: [(key: String, value: String)]) throws {
        if let empty = tags.first(where: { $0.key.isEmpty }) { throw GradLogError.invalidTag(empty.key) }
    }

    /// Refuses the keys `sweep` and `sweep.NAME` in a person's tags: a plain run tagged
    /// sweep=2 would silently join sweep 2 in `plot` and `input-grads`.
    public static func refuseReservedTags(_ tags: [(key: String, value: String)]) throws {
        if let reserved = tags.first(where: { $0.key == "sweep" || $0.key.hasPrefix("sweep.") }) {
            throw GradLogError.reservedTag(reserved.key)
        }
    }

    /// Inside the writing transaction, so two writers cannot both take a name.
    private func refuseTakenName(_ name: String) throws {
        let statement = try database.prepare(StoreSQL.runIDsByName)
        try statement.bind(1, name)
        if try statement.step() { throw GradLogError.runNameTaken(name: name, id: statement.int(0)) }
    }
}
