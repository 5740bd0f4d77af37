/// What `recordSweep` wrote: the sweep's id (its first run's id, the value of its `sweep` tag)
/// and its runs in grid order.
public struct RecordedSweep: Sendable {
    public var id: Int64
    public var sweep: Sweep
    public var runs: [RecordedRun]
}

extension GradLog {
    /// How many node rows a sweep writes per transaction. A sweep of a small program is one
    /// transaction; a large one commits every few million rows, so the write-ahead log stays
    /// bounded. Each run is always whole inside one transaction.
    public static let sweepRowsPerTransaction = 1 << 22

    /// Records one run per grid point of `sweep`: the swept inputs set to the point's values,
    /// the others to `fixed` or the program's defaults.
    ///
    /// Each run is tagged `sweep=ID` (ID is the sweep's first run id) and `sweep.NAME=VALUE`
    /// for each swept input, besides `tags`. Runs are written through the same writer as
    /// `record`: the program's structure once, on the first run; numbers only after that.
    /// `progress` is called after each run with the number written so far and the total.
    /// Runs are committed in batches of about `rowsPerTransaction` node rows (whole runs).
    /// Pass `text` if it was made before parsing, as for `record`.
    public func recordSweep(
        _ sweep: Sweep,
        program: Program,
        text: ProgramText? = nil,
        setting fixed: [String: Double] = [:],
        programPath: String? = nil,
        tags: [(key: String, value: String)] = [],
        rowsPerTransaction: Int = GradLog.sweepRowsPerTransaction,
        progress: ((_ done: Int, _ total: Int) -> Void)? = nil
    ) throws -> RecordedSweep {
        try sweep.validate(for: program, setting: fixed, tags: tags)
        var computation = try program.computation(setting: fixed)
        let nodes = sweep.axes.map { axis in computation.inputs.first { $0.name == axis.name }!.node }

        let source = text ?? ProgramText(program.source)
        let runsPerTransaction = max(1, rowsPerTransaction / max(1, computation.count))
        var sweepID: Int64 = 0
        var runs: [RecordedRun] = []
        runs.reserveCapacity(sweep.count)
        while runs.count < sweep.count {
            try database.transaction {
                if runs.isEmpty { sweepID = try database.scalarInt(StoreSQL.nextRunID) ?? 1 }
                let writer = try RunWriter(database)
                for index in runs.count..<min(sweep.count, runs.count + runsPerTransaction) {
                    let point = sweep.point(index)
                    for (node, value) in zip(nodes, point) { computation.tape.setLeaf(node, value: value) }
                    computation.tape.forward()
                    let gradients = computation.backward()
                    var runTags = tags
                    runTags.append(("sweep", String(sweepID)))
                    for (axis, value) in zip(sweep.axes, point) { runTags.append(("sweep." + axis.name, FloatEncoding.format(value))) }
                    let id = try writer.write(
                        computation, gradients: gradients, source: source, programPath: programPath, name: nil, tags: runTags,
                        seed: program.seed)
                    runs.append(RecordedRun(id: id, computation: computation, gradients: gradients))
                    progress?(runs.count, sweep.count)
                }
                try writer.refreshStatistics()
            }
        }
        return RecordedSweep(id: sweepID, sweep: sweep, runs: runs)
    }
}
