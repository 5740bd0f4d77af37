/// What `record` wrote, for printing.
public struct RecordedRun: Sendable {
    public var id: Int64
    public var nodeCount: Int
    public var outputName: String?
    public var outputValue: Double
    public var inputs: [RunInput]

    /// The inputs' shapes, parallel to `inputs` (nil for a scalar).
    public var inputShapes: [Shape?]
    /// Tensor inputs' statistics of value and adjoint, parallel to `inputs` (nil for a scalar).
    public var inputStatistics: [(value: TensorStatistics, grad: TensorStatistics)?]
    /// Where the time went, from the backward pass to the commit.
    public var timings = RecordTimings()

    /// `known`: statistics the writer computed already, by node, so that they are not computed
    /// twice.
    init(
        id: Int64, computation: Computation, gradients: Gradients,
        known: [NodeID: (value: TensorStatistics, grad: TensorStatistics?)] = [:]
    ) {
        let output = computation.output
        let tape = computation.tape
        self.id = id
        nodeCount = computation.count
        outputName = computation.names[Int(output)]
        outputValue = tape.scalar(output)
        inputs = computation.inputs.map { input in
            let scalar = tape.isScalar(input.node)
            return RunInput(
                name: input.name, value: scalar ? tape.scalar(input.node) : nil,
                grad: scalar ? gradients.scalar(input.node) : nil, nodeID: Int64(input.node))
        }
        inputShapes = computation.inputs.map { tape.isScalar($0.node) ? nil : tape.shape($0.node) }
        inputStatistics = computation.inputs.map { input in
            if tape.isScalar(input.node) { return nil }
            if let kept = known[input.node], let grad = kept.grad { return (kept.value, grad) }
            return (TensorStatistics(tape.elements(input.node)), TensorStatistics(gradients.adjoint(input.node, in: tape)))
        }
    }
}

/// Where `record` spent its time (`record --timings`), phase by phase.
public struct RecordTimings: Sendable {
    /// Forming every adjoint.
    public var backward = Duration.zero
    /// Computing tensors' statistics (count of NaN, min, max, norm, ...) as they are written.
    public var statistics = Duration.zero
    /// Everything else inside the write transaction: statements, binding values and BLOBs.
    public var write = Duration.zero
    /// `COMMIT`: the WAL write and, at a checkpoint, the copy into the database file.
    public var commit = Duration.zero
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
        tags: [(key: String, value: String)] = [],
        capture: Capture = .full
    ) throws -> RecordedRun {
        if let name { try Self.validateRunName(name) }
        try Self.validateTags(tags)
        try Self.refuseReservedTags(tags)
        let clock = ContinuousClock()
        let started = clock.now
        // Each tensor's adjoint statistics are taken as backward finishes it, still in cache;
        // their time is the statistics phase's, not backward's.
        var adjointStatistics = NodeStatistics()
        var observing = Duration.zero
        let gradients = computation.backward { id, adjoint in
            let taking = clock.now
            adjointStatistics.observe(id, adjoint)
            observing += taking.duration(to: clock.now)
        }
        var timings = RecordTimings(backward: started.duration(to: clock.now) - observing)
        let source = text ?? program.map { ProgramText($0.source) }
        let writing = clock.now
        var written = writing
        let (runID, inputStatistics) = try database.transaction {
            if let name { try refuseTakenName(name) }
            let writer = try RunWriter(database)
            writer.adjointStatistics = adjointStatistics
            let runID = try writer.write(
                computation, gradients: gradients, source: source, programPath: programPath, name: name, tags: tags,
                seed: program?.seed, capture: capture)
            try writer.refreshStatistics()
            timings.statistics = writer.statisticsTime + observing
            written = clock.now
            return (runID, writer.inputStatistics)
        }
        timings.write = writing.duration(to: written) - (timings.statistics - observing)
        timings.commit = written.duration(to: clock.now)
        var run = RecordedRun(id: runID, computation: computation, gradients: gradients, known: inputStatistics)
        run.timings = timings
        return run
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
    func refuseTakenName(_ name: String) throws {
        let statement = try database.prepare(StoreSQL.runIDsByName)
        try statement.bind(1, name)
        if try statement.step() { throw GradLogError.runNameTaken(name: name, id: statement.int(0)) }
    }
}
