import GradlogAutodiff

extension GradLog {
    /// How many steps' metrics go into one transaction: a killed training loses at most the
    /// steps since the last commit, never half a step.
    public static let trainingStepsPerTransaction = 50

    /// Runs `options.steps` steps of gradient descent on every `input` of `program` (data
    /// leaves stay fixed): at step k, forward and backward at the current parameters, the
    /// metrics logged, then the update (`TrainingOptions.Optimizer`). Logs per step the output
    /// under its own name, `lr`, `grad_norm` (over every input), `grad_norm.NAME` and
    /// `update_ratio.NAME` (‖update‖ / ‖w‖) per input, and every `metric NAME = EXPR`; with
    /// `capture` `.stats`, every node's statistics (`training_stats`: counts of NaN, inf and
    /// zeros, min, max, mean and norm of its value and adjoint), as `tensor_stats` has them for a
    /// recorded run. Records whole runs at the first step, every `captureEvery`-th, the last,
    /// and a step whose loss or any adjoint is NaN or infinite, where training stops
    /// (`divergence`). Every commit keeps a checkpoint that `resumeTraining` continues from.
    public func train(
        _ program: Program, text: ProgramText, programPath: String?, options: TrainingOptions,
        progress: ((_ step: Int, _ loss: Double) -> Void)? = nil
    ) throws -> TrainingResult {
        guard options.steps >= 1 else { throw TrainingError.invalid("--steps must be at least 1") }
        guard options.learningRate.isFinite, options.learningRateEnd?.isFinite ?? true else {
            throw TrainingError.invalid("the learning rate must be a finite number")
        }
        if let every = options.captureEvery, every < 1 { throw TrainingError.invalid("--capture-every must be at least 1") }
        if let name = options.name { try Self.validateRunName(name) }
        let computation = program.computation
        guard !computation.inputs.isEmpty else {
            throw TrainingError.invalid("the program has no inputs to train (declare parameters with 'input NAME = ...')")
        }
        let trainingID = try database.transaction { try insertTraining(program, text: text, path: programPath, options: options) }
        let counts = computation.inputs.map { computation.tape.elementCount($0.node) }
        var loop = TrainingLoop(
            log: self, id: trainingID, options: options, program: (text, programPath, program.seed),
            computation: computation, optimizer: OptimizerState(options, inputs: counts))
        return try loop.run(0..<options.steps, progress: progress)
    }

    /// Continues a training for `steps` more steps (nil: the rest of those it planned) from its
    /// newest checkpoint: the parameters and optimizer buffers after its last committed step,
    /// bit for bit, so that a training killed and resumed logs what the whole one would have.
    /// `program` must be the training's program text, loaded with its seed. The rate schedule is
    /// the planned one; past its last step the rate stays at `--lr-end`.
    public func resumeTraining(
        _ stored: StoredTraining, program: Program, text: ProgramText, programPath: String?, steps: Int?,
        progress: ((_ step: Int, _ loss: Double) -> Void)? = nil
    ) throws -> TrainingResult {
        let id = stored.id
        guard stored.status != "diverged" else {
            throw TrainingError.invalid(
                "training \(id) diverged at step \(stored.stepsDone - 1) and has no checkpoint to go on from; start a new training")
        }
        guard text.sha256 == stored.programSHA256 else {
            throw TrainingError.invalid(
                "\(programPath ?? "the program") is not the program training \(id) ran (its SHA-256 differs from \(stored.programSHA256))")
        }
        let count = steps ?? stored.options.steps - stored.stepsDone
        guard count >= 1 else {
            throw TrainingError.invalid(
                "training \(id) has done all \(stored.options.steps) steps it planned; give --steps M to go on for M more")
        }
        var computation = program.computation
        var optimizer = OptimizerState(stored.options, inputs: computation.inputs.map { computation.tape.elementCount($0.node) })
        try restoreCheckpoint(stored, into: &computation, &optimizer)
        computation.tape.forward()
        try database.transaction {
            let claim = try database.prepare(StoreSQL.resumeTraining)
            try claim.bind(1, id)
            try claim.bind(2, Int64(stored.stepsDone))
            try claim.step()
            guard database.changes == 1 else { throw TrainingError.invalid("training \(id) changed while it was being resumed; try again") }
        }
        var loop = TrainingLoop(
            log: self, id: id, options: stored.options, program: (text, programPath, stored.seed),
            computation: computation, optimizer: optimizer, resumedAt: stored.stepsDone)
        return try loop.run(stored.stepsDone..<stored.stepsDone + count, progress: progress)
    }

    /// Sets every input, and the optimizer's buffers, from the checkpoint of step `stepsDone`.
    /// Step 0 starts from the program's own values (a training killed before its first commit).
    private func restoreCheckpoint(_ stored: StoredTraining, into computation: inout Computation, _ optimizer: inout OptimizerState) throws {
        guard stored.stepsDone > 0 else { return }
        let statement = try database.prepare(StoreSQL.checkpoint)
        try statement.bind(1, stored.id)
        try statement.bind(2, Int64(stored.stepsDone))
        var restored = Set<String>()
        let place = "training \(stored.id)'s checkpoint of step \(stored.stepsDone)"
        while try statement.step() {
            let name = statement.string(0) ?? "", kind = statement.string(1) ?? ""
            guard let index = computation.inputs.firstIndex(where: { $0.name == name }) else {
                throw TrainingError.invalid("\(place) holds an input '\(name)' that the program does not declare")
            }
            let node = computation.inputs[index].node
            let count = computation.tape.elementCount(node)
            guard case .blob(let bytes) = statement.value(2), let elements = TensorCodec.decode(bytes, count: count) else {
                throw TrainingError.invalid("\(place): '\(name)' (\(kind)) is not \(count) doubles")
            }
            if kind == "value" {
                computation.tape.setLeaf(node, elements: elements)
            } else if optimizer.kinds.contains(kind) {
                optimizer.restore(index, kind: kind, elements)
            } else {
                throw TrainingError.invalid("\(place) holds a '\(kind)' buffer, which \(stored.options.optimizer.rawValue) does not keep")
            }
            restored.insert(kind + "\u{1F}" + name)
        }
        for input in computation.inputs {
            for kind in ["value"] + optimizer.kinds where !restored.contains(kind + "\u{1F}" + input.name) {
                throw TrainingError.invalid(
                    restored.isEmpty
                        ? "training \(stored.id) has no checkpoint of step \(stored.stepsDone) to resume from"
                        : "\(place) lacks the \(kind) of '\(input.name)'")
            }
        }
    }

    /// A training's stored options, for `resumeTraining`.
    public func storedTraining(_ id: Int64) throws -> StoredTraining {
        let s = try database.prepare(StoreSQL.storedTraining)
        try s.bind(1, id)
        guard try s.step() else { throw TrainingError.noSuchTraining(id) }
        func damaged(_ what: String) -> TrainingError {
            TrainingError.invalid("training \(id)'s stored options are damaged: \(what)")
        }
        func number(_ column: Int32, _ key: String) throws -> Double? {
            guard let text = s.string(column) else { return nil }
            guard let value = Double(text), value.isFinite else { throw damaged("\(key) is \(text)") }
            return value
        }
        func integer(_ column: Int32, _ key: String) throws -> Int? {
            guard let text = s.string(column) else { return nil }
            guard let value = Int(text) else { throw damaged("\(key) is \(text)") }
            return value
        }
        guard let optimizer = TrainingOptions.Optimizer(rawValue: s.string(6) ?? "") else { throw damaged("no optimizer") }
        guard let steps = try integer(7, "steps"), steps >= 1 else { throw damaged("no steps") }
        guard let lr = try number(8, "lr") else { throw damaged("no lr") }
        let capture = try s.string(12).map { text in
            guard let capture = TrainingOptions.Capture(rawValue: text) else { throw damaged("capture is \(text)") }
            return capture
        } ?? .stats
        let every = try integer(11, "capture_every")
        if let every, every < 1 { throw damaged("capture_every is \(every)") }
        let stepsDone = s.int(5)
        guard stepsDone >= 0 && stepsDone <= Int64(Int32.max) else { throw damaged("steps_done is \(stepsDone)") }
        return StoredTraining(
            id: id,
            options: TrainingOptions(
                steps: steps, learningRate: lr, learningRateEnd: try number(9, "lr_end"), captureEvery: every,
                name: s.string(0), optimizer: optimizer, momentum: try number(10, "momentum") ?? 0.9, capture: capture),
            seed: UInt64(bitPattern: s.int(3)), status: s.string(4) ?? "", stepsDone: Int(stepsDone),
            programPath: s.string(1), programSHA256: s.string(2) ?? "")
    }

    /// Every training, as the `trainings` view has them.
    public func trainings() throws -> QueryCursor {
        try query(StoreSQL.allTrainings)
    }

    /// A training's metrics, one row per step and name; `names` filters (empty: all).
    public func metrics(training: Int64, names: [String]) throws -> QueryCursor {
        guard try database.scalarInt(StoreSQL.trainingExists, training) != nil else { throw TrainingError.noSuchTraining(training) }
        let list: SQLValue = names.isEmpty ? .null : .text("\u{1F}" + names.joined(separator: "\u{1F}") + "\u{1F}")
        return try query(StoreSQL.trainingMetrics, parameters: ["training": .integer(training), "names": list])
    }

    /// One metric of a training, in step order.
    public func metricSeries(training: Int64, name: String) throws -> [(step: Int, value: Double)] {
        guard try database.scalarInt(StoreSQL.trainingExists, training) != nil else { throw TrainingError.noSuchTraining(training) }
        let statement = try database.prepare(StoreSQL.metricSeries)
        try statement.bind(1, training)
        try statement.bind(2, name)
        var points: [(step: Int, value: Double)] = []
        while try statement.step() { points.append((Int(statement.int(0)), statement.float(1) ?? .nan)) }
        return points
    }

    private func insertTraining(_ program: Program, text: ProgramText, path: String?, options: TrainingOptions) throws -> Int64 {
        let insert = try database.prepare(StoreSQL.insertTraining)
        try insert.bind(1, options.name)
        try insert.bind(2, path)
        try insert.bind(3, text.sha256)
        var json = "{\"optimizer\":\"\(options.optimizer.rawValue)\",\"steps\":\(options.steps),\"lr\":\(options.learningRate.description)"
        if options.optimizer == .momentum { json += ",\"momentum\":\(options.momentum.description)" }
        if let end = options.learningRateEnd { json += ",\"lr_end\":\(end.description)" }
        if let every = options.captureEvery { json += ",\"capture_every\":\(every)" }
        json += ",\"capture\":\"\(options.capture.rawValue)\""
        try insert.bind(4, json + "}")
        try insert.bind(5, Int64(bitPattern: program.seed))
        try insert.bind(6, RunUUID.random())
        try insert.step()
        return database.lastInsertRowID
    }
}

/// Options that make no sense for a training.
public enum TrainingError: Error, Sendable, CustomStringConvertible {
    case invalid(String)
    case noSuchTraining(Int64)
    public var description: String {
        switch self {
        case .invalid(let message): message
        case .noSuchTraining(let id): "no training \(id) (gradlog trainings lists them)"
        }
    }
}
