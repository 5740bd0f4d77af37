import Foundation

extension GradLog {
    /// How many steps' metrics go into one transaction: a killed training loses at most the
    /// steps since the last commit, never half a step.
    public static let trainingStepsPerTransaction = 50

    /// Runs `options.steps` steps of gradient descent (SGD) on every `input` of `program` (data
    /// leaves stay fixed): at step k, forward and backward at the current parameters, the
    /// metrics logged, then `w -= lr_k * dw`. Logs per step the output under its own name,
    /// `lr`, `grad_norm` (over every input), `grad_norm.NAME` and `update_ratio.NAME`
    /// (‖lr·dw‖ / ‖w‖) per input, and every `metric NAME = EXPR`; and every node's statistics
    /// (`training_stats`: counts of NaN, inf and zeros, min, max, mean and norm of its value and
    /// adjoint), as `tensor_stats` has them for a recorded run. Records whole runs at the
    /// first step, every `captureEvery`-th, the last, and a step whose loss or any adjoint is
    /// NaN or infinite, where training stops (`divergence`).
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
        var computation = program.computation
        guard !computation.inputs.isEmpty else {
            throw TrainingError.invalid("the program has no inputs to train (declare parameters with 'input NAME = ...')")
        }
        let outputName = computation.names[Int(computation.output)] ?? "loss"
        let trainingID = try database.transaction { try insertTraining(program, text: text, path: programPath, options: options) }
        var result = TrainingResult(id: trainingID, stepsDone: 0, losses: [], metrics: [:], runs: [], divergence: nil)
        var rows: [(name: String, step: Int, value: Double)] = []
        var health: [(step: Int, node: Int, value: TensorStatistics, grad: TensorStatistics?)] = []
        // Nodes of data and constants only do not change between steps: their statistics once.
        var constantStatistics: [Int: TensorStatistics] = [:]
        var recordedRuns: [(step: Int, gradients: Gradients, computation: Computation)] = []

        func commit(status: String) throws {
            try database.transaction {
                let insert = try database.prepare(StoreSQL.insertMetric)
                for row in rows {
                    insert.reset()
                    try insert.bind(1, trainingID)
                    try insert.bind(2, row.name)
                    try insert.bind(3, Int64(row.step))
                    try insert.bind(4, float: row.value)
                    try insert.step()
                }
                let insertHealth = try database.prepare(StoreSQL.insertTrainingNode)
                for row in health {
                    insertHealth.reset()
                    try insertHealth.bind(1, trainingID)
                    try insertHealth.bind(2, Int64(row.node))
                    try insertHealth.bind(3, Int64(row.step))
                    try insertHealth.bind(4, Int64(row.value.count))
                    try RunWriter.bindStatistics(insertHealth, from: 5, row.value)
                    try RunWriter.bindStatistics(insertHealth, from: 13, row.grad)
                    try insertHealth.step()
                }
                if !recordedRuns.isEmpty {
                    let writer = try RunWriter(database)
                    for recorded in recordedRuns {
                        let run = try writer.write(
                            recorded.computation, gradients: recorded.gradients, source: text, programPath: programPath,
                            name: nil, tags: [("training", String(trainingID)), ("step", String(recorded.step))], seed: program.seed)
                        result.runs.append((recorded.step, run))
                        let graph = try database.prepare(StoreSQL.setTrainingGraph)
                        try graph.bind(1, trainingID)
                        try graph.bind(2, run)
                        try graph.step()
                    }
                    try writer.refreshStatistics()
                }
                let update = try database.prepare(StoreSQL.updateTraining)
                try update.bind(1, trainingID)
                try update.bind(2, Int64(result.stepsDone))
                if let last = result.losses.last { try update.bind(3, float: last) } else { try update.bindNull(3) }
                try update.bind(4, status)
                try update.step()
            }
            rows.removeAll(keepingCapacity: true)
            health.removeAll(keepingCapacity: true)
            recordedRuns.removeAll()
        }

        var optimizer = OptimizerState(options, inputs: computation.inputs.map { computation.tape.elementCount($0.node) })
        for step in 0..<options.steps {
            let gradients = computation.backward()
            let tape = computation.tape
            let loss = tape.scalar(computation.output)
            let lr = options.learningRate(at: step)
            rows.append((outputName, step, loss))
            rows.append(("lr", step, lr))
            var total = 0.0
            var updates: [[Double]] = []
            for (index, input) in computation.inputs.enumerated() {
                let g = gradients.adjoint(input.node, in: tape)
                let update = optimizer.update(index, gradient: g, learningRate: lr, step: step)
                let grad = Self.norm(g)
                total += grad * grad
                rows.append(("grad_norm." + input.name, step, grad))
                rows.append(("update_ratio." + input.name, step, Self.norm(update[...]) / Self.norm(tape.elements(input.node))))
                updates.append(update)
            }
            rows.append(("grad_norm", step, total.squareRoot()))
            for metric in computation.metrics {
                let value = tape.scalar(metric.node)
                rows.append((metric.name, step, value))
                result.metrics[metric.name, default: []].append(value)
            }
            // Every node's health at this step, kept whether or not the step is recorded whole.
            for node in 0..<tape.count {
                let id = NodeID(node)
                guard tape.requiresGrad(id) else {
                    if constantStatistics[node] == nil { constantStatistics[node] = TensorStatistics(tape.elements(id)) }
                    health.append((step, node, constantStatistics[node]!, nil))
                    continue
                }
                health.append((step, node, TensorStatistics(tape.elements(id)), TensorStatistics(gradients.adjoint(id, in: tape))))
            }
            result.losses.append(loss)
            result.stepsDone = step + 1
            progress?(step, loss)

            let diverged = !loss.isFinite || Self.firstNonFiniteAdjoint(tape, gradients) != nil
            let captured = step == 0 || step == options.steps - 1 || diverged
                || options.captureEvery.map { step % $0 == 0 } == true
            if captured { recordedRuns.append((step, gradients, computation)) }
            if diverged {
                try commit(status: "diverged")
                result.divergence = .init(
                    step: step, run: result.runs.last!.run,
                    firstValue: Self.firstNonFiniteValue(tape).map { computation.names[$0] ?? "#\($0)" },
                    firstAdjoint: Self.firstNonFiniteAdjoint(tape, gradients).map { computation.names[$0] ?? "#\($0)" })
                return result
            }
            if captured || (step + 1) % Self.trainingStepsPerTransaction == 0 || step == options.steps - 1 {
                try commit(status: step == options.steps - 1 ? "complete" : "running")
            }
            // The update, then the forward pass at the new parameters.
            for (input, update) in zip(computation.inputs, updates) {
                let range = tape.range(input.node)
                let updated = (0..<range.count).map { k in tape.values[range.lowerBound + k] - update[k] }
                computation.tape.setLeaf(input.node, elements: updated)
            }
            computation.tape.forward()
        }
        return result
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
        try insert.bind(4, json + "}")
        try insert.bind(5, Int64(bitPattern: program.seed))
        try insert.step()
        return database.lastInsertRowID
    }

    /// The L2 norm, scaled so that large elements do not overflow.
    static func norm(_ elements: ArraySlice<Double>) -> Double {
        TensorStatistics(elements).norm ?? .nan
    }

    /// The first node in forward order whose value holds a NaN or an infinity.
    static func firstNonFiniteValue(_ tape: Tape) -> Int? {
        (0..<tape.count).first { tape.elements(NodeID($0)).contains { !$0.isFinite } }
    }

    /// The first node in backward order (the last in forward order) whose adjoint holds a NaN
    /// or an infinity.
    static func firstNonFiniteAdjoint(_ tape: Tape, _ gradients: Gradients) -> Int? {
        (0..<tape.count).last { tape.requiresGrad(NodeID($0)) && gradients.adjoint(NodeID($0), in: tape).contains { !$0.isFinite } }
    }
}

/// The optimizer's memory between steps, one buffer per input.
struct OptimizerState {
    let options: TrainingOptions
    var first: [[Double]]
    var second: [[Double]]

    init(_ options: TrainingOptions, inputs counts: [Int]) {
        self.options = options
        first = counts.map { [Double](repeating: 0, count: $0) }
        second = options.optimizer == .adam ? first : []
    }

    /// The step to subtract from input `index` (see `TrainingOptions.Optimizer`).
    mutating func update(_ index: Int, gradient g: ArraySlice<Double>, learningRate lr: Double, step: Int) -> [Double] {
        let g = Array(g)
        switch options.optimizer {
        case .sgd:
            return g.map { lr * $0 }
        case .momentum:
            let m = options.momentum
            first[index] = step == 0 ? g : zip(first[index], g).map { m * $0 + $1 }
            return first[index].map { lr * $0 }
        case .adam:
            let t = Double(step + 1)
            first[index] = zip(first[index], g).map { 0.9 * $0 + (1 - 0.9) * $1 }
            second[index] = zip(second[index], g).map { 0.999 * $0 + (1 - 0.999) * $1 * $1 }
            let c1 = 1 - pow(0.9, t), c2 = 1 - pow(0.999, t)
            return zip(first[index], second[index]).map { m, v in lr * (m / c1) / ((v / c2).squareRoot() + 1e-8) }
        }
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
