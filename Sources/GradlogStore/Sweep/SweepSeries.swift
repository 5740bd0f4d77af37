/// What a plot of a sweep shows: against one swept input, a node's value and the gradient of
/// the output with respect to that input, one line per combination of the other swept inputs.
public struct SweepSeries: Sendable {
    public struct Point: Sendable, Equatable {
        public var run: Int64
        /// The swept input's value.
        public var x: Double
        /// The node's value in that run.
        public var value: Double?
        /// d(output)/d(x) in that run: the adjoint the run recorded for the input.
        public var grad: Double?
    }

    /// The runs that share the values of the other swept inputs, in run order.
    public struct Line: Sendable {
        /// The other swept inputs and their values, e.g. [("y", -1)]; empty for a 1-D sweep.
        public var fixed: [(name: String, value: Double)]
        public var points: [Point]
    }

    public var sweep: Int64
    /// The swept input on the x axis.
    public var input: String
    /// The plotted node, as named (the output's name by default).
    public var node: String
    public var outputName: String
    public var lines: [Line]
}

extension GradLog {
    /// Resolves a sweep reference: `latest` (the latest sweep), or any run reference (an id, a
    /// name, `latest~N`) of a run that is part of a sweep, meaning that sweep. A sweep's id is
    /// its first run's id, so the sweep's id names it too.
    public func resolveSweep(_ reference: String) throws -> Int64 {
        if reference == "latest" {
            let statement = try database.prepare(StoreSQL.latestSweep)
            guard try statement.step(), let id = statement.string(0).flatMap({ Int64($0) }) else {
                throw SweepError.noSuchSweep(reference: reference, path: path)
            }
            return id
        }
        let run = try resolve(reference)
        let statement = try database.prepare(StoreSQL.runSweep)
        try statement.bind(1, run)
        guard try statement.step(), let id = statement.string(0).flatMap({ Int64($0) }) else {
            throw SweepError.notInSweep(reference: reference, run: run)
        }
        return id
    }

    /// The series of sweep `sweep` against swept input `input` (the first swept input when
    /// nil) for node `node` (a name, the last node bearing it, or `#ID`; the output when nil).
    public func sweepSeries(sweep: Int64, input: String? = nil, node: String? = nil) throws -> SweepSeries {
        let statement = try database.prepare(StoreSQL.sweepRuns)
        try statement.bind(1, String(sweep))
        var runs: [Int64] = []
        while try statement.step() { runs.append(statement.int(0)) }
        guard let first = runs.first else { throw SweepError.noSuchSweep(reference: String(sweep), path: path) }
        // The swept inputs in the order the sweep gave them: the order of their tags' keys is
        // alphabetical, so take the order of the program's inputs instead.
        let sweptKeys = Set(try tags(run: first).map(\.key).filter { $0.hasPrefix("sweep.") }.map { String($0.dropFirst(6)) })
        let swept = try inputs(run: first).map(\.name).filter(sweptKeys.contains)
        guard !swept.isEmpty else {
            throw ChangedFileError(path: path, run: first, "it is tagged sweep=\(sweep), but no tag sweep.NAME names an input of it")
        }
        let xName = input ?? swept.first ?? ""
        guard swept.contains(xName) else { throw SweepError.notSwept(input: xName, swept: swept) }
        let summary = try self.run(id: first)
        let plotted = try node.map { try nodeID(named: $0, run: first) } ?? summary.outputID

        var lines: [SweepSeries.Line] = []
        var lineOf: [[Double]: Int] = [:]
        for run in runs {
            let inputs = try self.inputs(run: run)
            guard let x = inputs.first(where: { $0.name == xName }) else { continue }
            let fixed = swept.filter { $0 != xName }.map { name in (name: name, value: inputs.first { $0.name == name }?.value ?? .nan) }
            let key = fixed.map(\.value)
            let line = lineOf[key] ?? lines.count
            if line == lines.count {
                lineOf[key] = line
                lines.append(SweepSeries.Line(fixed: fixed, points: []))
            }
            lines[line].points.append(SweepSeries.Point(
                run: run, x: x.value ?? .nan, value: try self.node(run: run, id: plotted)?.value, grad: x.grad))
        }
        let outputName = summary.outputName ?? "#\(summary.outputID)"
        return SweepSeries(
            sweep: sweep, input: xName, node: node ?? outputName, outputName: outputName, lines: lines)
    }

    /// The id of `#ID` or of the last node named `name` in a run's graph.
    private func nodeID(named name: String, run: Int64) throws -> Int64 {
        if name.hasPrefix("#"), let id = Int64(name.dropFirst()), try self.node(run: run, id: id) != nil { return id }
        let statement = try database.prepare(StoreSQL.lastNodeNamed)
        try statement.bind(1, run)
        try statement.bind(2, name)
        guard try statement.step() else { throw GraphPictureError.noSuchNode(name: name, run: run) }
        return statement.int(0)
    }
}
