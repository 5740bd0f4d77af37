import GradlogAutodiff

/// The steps of one training (a new one, or one resumed from its checkpoint): at step k,
/// backward at the current parameters, the step's metrics and every node's statistics, then the
/// update and the next forward pass. What a step keeps waits in memory until a commit writes
/// many steps at once, so a killed training loses at most the steps since the last commit and
/// never half a step.
struct TrainingLoop {
    let log: GradLog
    let id: Int64
    let options: TrainingOptions
    let program: (text: ProgramText, path: String?, seed: UInt64)
    var computation: Computation
    var optimizer: OptimizerState
    var result: TrainingResult

    /// Metric names, made once: the output's, then per input grad_norm.NAME and update_ratio.NAME.
    private let outputName: String
    private let inputMetricNames: [(gradNorm: String, updateRatio: String)]
    /// Each input's update of the current step, back to back in input order.
    private var updates: [Double]
    private let updateStart: [Int]

    // Kept since the last commit.
    private var rows: [(name: String, step: Int, value: Double)] = []
    private var health: [(step: Int, node: Int, value: TensorStatistics, grad: TensorStatistics?)] = []
    private var recordedRuns: [(step: Int, gradients: Gradients, computation: Computation)] = []
    /// Nodes of data and constants only do not change between steps: their statistics once.
    private var constantStatistics: [Int: TensorStatistics] = [:]
    /// With `--capture stats`: the statistics of each tensor node's value and adjoint, taken by
    /// forward and backward right after they compute it (`Tape.forward(observing:)`), while it
    /// is still in cache; `observe` works out any that are missing (step 0's values, scalars).
    private var valueStatistics = NodeStatistics()
    private var gradStatistics = NodeStatistics()
    /// The newest checkpoint, and whether it stays when the next one is written (it follows a
    /// step recorded whole, or the training was resumed from it).
    private var lastCheckpoint: (step: Int, keep: Bool)?
    private let clock = ContinuousClock()

    init(
        log: GradLog, id: Int64, options: TrainingOptions, program: (text: ProgramText, path: String?, seed: UInt64),
        computation: Computation, optimizer: OptimizerState, resumedAt step: Int? = nil
    ) {
        self.log = log
        self.id = id
        self.options = options
        self.program = program
        self.computation = computation
        self.optimizer = optimizer
        result = TrainingResult(id: id, firstStep: step ?? 0, stepsDone: step ?? 0, losses: [], metrics: [:], runs: [], divergence: nil)
        outputName = computation.names[Int(computation.output)] ?? "loss"
        inputMetricNames = computation.inputs.map { ("grad_norm." + $0.name, "update_ratio." + $0.name) }
        var start: [Int] = []
        var total = 0
        for input in computation.inputs {
            start.append(total)
            total += computation.tape.elementCount(input.node)
        }
        updateStart = start
        updates = [Double](repeating: 0, count: total)
        lastCheckpoint = step.map { ($0, true) }
    }

    /// Forward over the updated inputs (what no input reaches keeps its values: only inputs
    /// change between steps); with `--capture stats`, each tensor node's statistics as it is
    /// computed (the others' are `constantStatistics`).
    private mutating func forward() {
        guard options.capture == .stats else { return computation.tape.forward(inputDependentOnly: true) }
        var taken = NodeStatistics()
        swap(&taken, &valueStatistics)  // the closure's copy is then the only one
        computation.tape.forward(observing: { taken.observe($0, $1) }, inputDependentOnly: true)
        valueStatistics = taken
    }

    /// Backward into the previous step's arenas (or new ones at the first step); with
    /// `--capture stats`, each tensor node's adjoint statistics as its adjoint is final.
    private mutating func backward(into gradients: inout Gradients?) {
        guard gradients != nil else { gradients = computation.backward(); return }
        guard options.capture == .stats else { return computation.backward(into: &gradients!) }
        var taken = NodeStatistics()
        swap(&taken, &gradStatistics)
        computation.backward(into: &gradients!) { taken.observe($0, $1) }
        gradStatistics = taken
    }

    /// Runs steps `range`; the last one is recorded whole, and so is each K-th (`captureEvery`).
    mutating func run(_ range: Range<Int>, progress: ((_ step: Int, _ loss: Double) -> Void)?) throws -> TrainingResult {
        var reused: Gradients?
        let forwardBefore = computation.tape.forwardTime
        func finished() -> TrainingResult {
            var done = result
            done.timings.forward = computation.tape.forwardTime - forwardBefore
            return done
        }
        for step in range {
            let started = clock.now
            backward(into: &reused)
            result.timings.backward += started.duration(to: clock.now)
            let gradients = reused!
            let loss = computation.tape.scalar(computation.output)
            let adjointsFinite = try observe(step: step, loss: loss, gradients: gradients)
            progress?(step, loss)

            let diverged = !loss.isFinite || !adjointsFinite
            let captured = diverged || step == 0 || step == range.upperBound - 1
                || options.captureEvery.map { step % $0 == 0 } == true
            if captured { recordedRuns.append((step, gradients, computation)) }
            if diverged {
                try commit(status: "diverged", checkpoint: false)
                let tape = computation.tape
                result.divergence = .init(
                    step: step, run: result.runs.last!.run,
                    firstValue: Self.firstNonFiniteValue(tape).map { computation.names[$0] ?? "#\($0)" },
                    firstAdjoint: Self.firstNonFiniteAdjoint(tape, gradients).map { computation.names[$0] ?? "#\($0)" })
                return finished()
            }
            if captured || (step + 1) % GradLog.trainingStepsPerTransaction == 0 || step == range.upperBound - 1 {
                try commit(status: step == range.upperBound - 1 ? "complete" : "running", checkpoint: true, keep: captured)
            }
            let updating = clock.now
            applyUpdates()
            result.timings.update += updating.duration(to: clock.now)
            forward()
        }
        return finished()
    }

    /// The step's metrics, its optimizer update (into `updates`) and every node's statistics;
    /// whether every adjoint is finite.
    private mutating func observe(step: Int, loss: Double, gradients: Gradients) throws -> Bool {
        let started = clock.now
        let tape = computation.tape
        let lr = options.learningRate(at: step)
        rows.append((outputName, step, loss))
        rows.append(("lr", step, lr))
        var total = 0.0
        for (index, input) in computation.inputs.enumerated() {
            let range = tape.range(input.node)
            let start = updateStart[index]
            let (grad, updateNorm) = gradients.adjoints.withUnsafeBufferPointer { adjoints in
                updates.withUnsafeMutableBufferPointer { updates in
                    let g = UnsafeBufferPointer(rebasing: adjoints[range])
                    let u = UnsafeMutableBufferPointer(rebasing: updates[start..<start + range.count])
                    optimizer.update(index, gradient: g, learningRate: lr, step: step, into: u)
                    return (Self.norm(g), Self.norm(UnsafeBufferPointer(u)))
                }
            }
            total += grad * grad
            rows.append((inputMetricNames[index].gradNorm, step, grad))
            let weight = tape.values.withUnsafeBufferPointer { Self.norm(UnsafeBufferPointer(rebasing: $0[range])) }
            rows.append((inputMetricNames[index].updateRatio, step, updateNorm / weight))
        }
        rows.append(("grad_norm", step, total.squareRoot()))
        for metric in computation.metrics {
            let value = tape.scalar(metric.node)
            rows.append((metric.name, step, value))
            result.metrics[metric.name, default: []].append(value)
        }
        let statistics = clock.now
        result.timings.metrics += started.duration(to: statistics)
        defer { result.timings.statistics += statistics.duration(to: clock.now) }
        var adjointsFinite = true
        if options.capture == .stats {
            for node in 0..<tape.count {
                let id = NodeID(node)
                guard tape.requiresGrad(id) else {
                    if constantStatistics[node] == nil { constantStatistics[node] = TensorStatistics(tape.elements(id)) }
                    health.append((step, node, constantStatistics[node]!, nil))
                    continue
                }
                let grad = gradStatistics.take(id) ?? TensorStatistics(gradients.adjoint(id, in: tape))
                if grad.nan + grad.positiveInfinity + grad.negativeInfinity > 0 { adjointsFinite = false }
                health.append((step, node, valueStatistics.take(id) ?? TensorStatistics(tape.elements(id)), grad))
            }
        } else {
            adjointsFinite = gradients.adjoints.withUnsafeBufferPointer { adjoints in
                (0..<tape.count).allSatisfy { node in
                    !tape.requiresGrad(NodeID(node))
                        || TensorStatistics.allFinite(UnsafeBufferPointer(rebasing: adjoints[tape.range(NodeID(node))]))
                }
            }
        }
        result.losses.append(loss)
        result.stepsDone = step + 1
        return adjointsFinite
    }

    /// w -= update, in place, for every input.
    private mutating func applyUpdates() {
        for (index, input) in computation.inputs.enumerated() {
            let start = updateStart[index]
            updates.withUnsafeBufferPointer { u in
                computation.tape.updateLeaf(input.node) { w in
                    for k in 0..<w.count { w[k] -= u[start + k] }
                }
            }
        }
    }

    /// Writes what the steps since the last commit kept, in one transaction: metrics, node
    /// statistics, the runs recorded whole, and (unless the last step diverged) the checkpoint
    /// that the next step starts from.
    private mutating func commit(status: String, checkpoint: Bool, keep: Bool = false) throws {
        let started = clock.now
        defer { result.timings.write += started.duration(to: clock.now) }
        let database = log.database
        try database.transaction {
            let insert = try database.prepare(StoreSQL.insertMetric)
            for row in rows {
                insert.reset()
                try insert.bind(1, id)
                try insert.bind(2, row.name)
                try insert.bind(3, Int64(row.step))
                try insert.bind(4, float: row.value)
                try insert.step()
            }
            if !health.isEmpty {
                let insertHealth = try database.prepare(StoreSQL.insertTrainingNode)
                for row in health {
                    insertHealth.reset()
                    try insertHealth.bind(1, id)
                    try insertHealth.bind(2, Int64(row.node))
                    try insertHealth.bind(3, Int64(row.step))
                    try insertHealth.bind(4, Int64(row.value.count))
                    try RunWriter.bindStatistics(insertHealth, from: 5, row.value)
                    try RunWriter.bindStatistics(insertHealth, from: 13, row.grad)
                    try insertHealth.step()
                }
            }
            if !recordedRuns.isEmpty {
                let writer = try RunWriter(database)
                for recorded in recordedRuns {
                    let run = try writer.write(
                        recorded.computation, gradients: recorded.gradients, source: program.text, programPath: program.path,
                        name: nil, tags: [("training", String(id)), ("step", String(recorded.step))], seed: program.seed)
                    result.runs.append((recorded.step, run))
                    let graph = try database.prepare(StoreSQL.setTrainingGraph)
                    try graph.bind(1, id)
                    try graph.bind(2, run)
                    try graph.step()
                }
                try writer.refreshStatistics()
            }
            if checkpoint { try writeCheckpoint(keep: keep) }
            let update = try database.prepare(StoreSQL.updateTraining)
            try update.bind(1, id)
            try update.bind(2, Int64(result.stepsDone))
            if let last = result.losses.last { try update.bind(3, float: last) } else { try update.bindNull(3) }
            try update.bind(4, status)
            try update.step()
        }
        rows.removeAll(keepingCapacity: true)
        health.removeAll(keepingCapacity: true)
        recordedRuns.removeAll()
    }

    /// The checkpoint of step `stepsDone`: every input after this step's update (w - update,
    /// as `applyUpdates` will compute it) and the optimizer's buffers. The previous checkpoint
    /// goes unless it is one to keep.
    private mutating func writeCheckpoint(keep: Bool) throws {
        let database = log.database
        let step = result.stepsDone
        if let previous = lastCheckpoint, !previous.keep, previous.step != step {
            let delete = try database.prepare(StoreSQL.deleteCheckpoint)
            try delete.bind(1, id)
            try delete.bind(2, Int64(previous.step))
            try delete.step()
        }
        let insert = try database.prepare(StoreSQL.insertCheckpoint)
        func write(_ input: String, _ kind: String, _ elements: [Double]) throws {
            insert.reset()
            try insert.bind(1, id)
            try insert.bind(2, Int64(step))
            try insert.bind(3, input)
            try insert.bind(4, kind)
            try TensorCodec.withBytes(elements[...]) { try insert.bind(5, bytes: $0) }
            try insert.step()
        }
        let tape = computation.tape
        for (index, input) in computation.inputs.enumerated() {
            let start = updateStart[index]
            let values = tape.elements(input.node)
            try write(input.name, "value", values.indices.map { values[$0] - updates[start + $0 - values.startIndex] })
            for buffer in optimizer.buffers(index) { try write(input.name, buffer.kind, buffer.elements) }
        }
        lastCheckpoint = (step, keep)
    }

    /// The L2 norm, scaled so that large elements do not overflow.
    static func norm(_ elements: UnsafeBufferPointer<Double>) -> Double {
        TensorStatistics(buffer: elements).norm ?? .nan
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
