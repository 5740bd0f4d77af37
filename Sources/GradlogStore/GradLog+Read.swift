import CSQLite

/// One row of `runs`.
public struct RunSummary: Sendable {
    public var id: Int64
    public var name: String?
    public var createdAt: String
    public var status: String
    public var nodeCount: Int64
    public var outputID: Int64
    public var outputName: String?
    public var outputValue: Double?
    public var programPath: String?
    public var programSHA256: String?
    public var toolVersion: String
    public var sqliteVersion: String
    /// The run's stable identifier (`runs.uuid`), the same in every file it is merged into.
    public var uuid: String?
}

/// An input of a run: its value and its gradient.
public struct RunInput: Sendable, Equatable {
    public var name: String
    public var value: Double?
    public var grad: Double?
    public var nodeID: Int64

    public init(name: String, value: Double?, grad: Double?, nodeID: Int64) {
        self.name = name
        self.value = value
        self.grad = grad
        self.nodeID = nodeID
    }
}

/// One node of a recorded run, as stored.
public struct RecordedNode: Sendable {
    public var id: Int64
    public var name: String?
    public var op: Op
    /// Input node ids, in slot order.
    public var inputs: [Int64]
    /// d(node)/d(input) per slot.
    public var localGrads: [Double?]
    /// A scalar's value and adjoint; nil for a tensor (see `tensor`).
    public var value: Double?
    public var grad: Double?
    public var line: Int64
    /// A tensor node's shape, statistics and kept elements; nil for a scalar.
    public var tensor: RecordedTensor?
    /// The axis of a reduction or softmax; nil for other ops.
    public var axis: Int?
    /// Per input slot, a stored tensor (`localGrads` is nil there): a local derivative in the
    /// node's shape, or a contribution in the input's shape; nil when not stored or not kept.
    public var stored: [[Double]?] = []
}

/// What was kept of a tensor node: its shape, the statistics of its value and adjoint, and the
/// elements themselves where the run's capture level kept them.
public struct RecordedTensor: Sendable {
    public var shape: Shape
    public var valueStatistics: TensorStatistics
    /// Nil when the node has no adjoint (data, or computed from data only).
    public var gradStatistics: TensorStatistics?
    /// Row-major elements; nil when not kept (`--capture stats`).
    public var value: [Double]?
    public var grad: [Double]?
}

extension GradLog {
    public func runs() throws -> [RunSummary] {
        let statement = try database.prepare(StoreSQL.allRuns)
        let fileBytes = try database.byteSize()
        var result: [RunSummary] = []
        while try statement.step() { result.append(try summary(statement, fileBytes: fileBytes)) }
        return result
    }

    public func run(id: Int64) throws -> RunSummary {
        let statement = try database.prepare(StoreSQL.runByID)
        try statement.bind(1, id)
        guard try statement.step() else {
            // The runs view joins each run to its graph: a run row without one is damage.
            let row = try database.prepare(StoreSQL.runRow)
            try row.bind(1, id)
            if try row.step() {
                throw ChangedFileError(path: path, run: id, "its graph_id names no graph")
            }
            throw GradLogError.noSuchRun(reference: String(id), path: path)
        }
        return try summary(statement, fileBytes: try database.byteSize())
    }

    /// Resolves a run reference: an id, a run name used by exactly one run, `latest`, or
    /// `latest~N` (the Nth run before the latest).
    public func resolve(_ reference: String) throws -> Int64 {
        if let id = Int64(reference) {
            _ = try run(id: id)
            return id
        }
        if reference == "latest" || reference.hasPrefix("latest~") {
            let back = reference == "latest" ? 0 : Int64(reference.dropFirst("latest~".count))
            guard let back, back >= 0 else { throw GradLogError.noSuchRun(reference: reference, path: path) }
            let statement = try database.prepare(StoreSQL.latestRun)
            try statement.bind(1, back)
            guard try statement.step() else {
                if try database.scalarInt("SELECT count(*) FROM run") == 0 { throw GradLogError.emptyLog(path: path) }
                throw GradLogError.noSuchRun(reference: reference, path: path)
            }
            return statement.int(0)
        }
        let statement = try database.prepare(StoreSQL.runIDsByName)
        try statement.bind(1, reference)
        var ids: [Int64] = []
        while try statement.step() { ids.append(statement.int(0)) }
        switch ids.count {
        case 0: throw GradLogError.noSuchRun(reference: reference, path: path)
        case 1: return ids[0]
        default: throw GradLogError.ambiguousRunName(name: reference, ids: ids)
        }
    }

    /// The text of the program a run was recorded from (decompressed if it was stored
    /// compressed), or nil for a computation built in Swift, which has none.
    public func programText(run: Int64) throws -> String? {
        let statement = try database.prepare(StoreSQL.runProgram)
        try statement.bind(1, run)
        guard try statement.step() else { throw GradLogError.noSuchRun(reference: String(run), path: path) }
        if let text = statement.string(0) { return text }
        guard case .blob(let bytes) = statement.value(1) else { return nil }
        // Deflate.decompress grows its output with the stream and stops at the size, so a size
        // changed in the file (4e12 beside a few bytes) cannot make it allocate terabytes.
        guard statement.type(2) == SQLITE_INTEGER, let size = Int(exactly: statement.int(2)), size > 0,
              let text = Deflate.decompress(bytes, size: size)
        else {
            throw GradLogError.damagedProgram(run: run, path: path)
        }
        return String(decoding: text, as: UTF8.self)
    }

    public func inputs(run: Int64) throws -> [RunInput] {
        let statement = try database.prepare(StoreSQL.runInputs)
        try statement.bind(1, run)
        var result: [RunInput] = []
        while try statement.step() {
            let place = ValueLocation(path: path, run: run, node: statement.int(3))
            // A tensor input's value and adjoint are BLOBs (or NULL when not kept): not numbers here.
            func scalar(_ column: Int32, _ name: String) throws -> Double? {
                statement.type(column) == SQLITE_BLOB ? nil : try statement.storedFloat(column, name, nullable: true, at: place)
            }
            result.append(RunInput(
                name: statement.string(0) ?? "", value: try scalar(1, "value"), grad: try scalar(2, "grad"), nodeID: statement.int(3)))
        }
        return result
    }

    public func tags(run: Int64) throws -> [(key: String, value: String)] {
        let statement = try database.prepare(StoreSQL.runTags)
        try statement.bind(1, run)
        var result: [(key: String, value: String)] = []
        while try statement.step() { result.append((statement.string(0) ?? "", statement.string(1) ?? "")) }
        return result
    }

    /// Calls `body` with each node of a run in id (evaluation) order, one row at a time:
    /// memory does not grow with the run's size. Throws `ChangedFileError` at the first node
    /// that is missing or cannot be right.
    public func forEachNode(run: Int64, _ body: (RecordedNode) throws -> Void) throws {
        let nodeCount = try RunGraph(run: run, in: self).nodeCount
        let statement = try database.prepare(StoreSQL.runNodes)
        try statement.bind(1, run)
        var next: Int64 = 0
        while try statement.step() {
            guard statement.int(0) == next, next < nodeCount else {
                throw ChangedFileError(path: path, run: run, node: next, "its row is missing, or it is beyond node_count \(nodeCount)")
            }
            try body(try node(statement, run: run))
            next += 1
        }
        guard next == nodeCount else { throw ChangedFileError(path: path, run: run, "\(next) node rows, node_count \(nodeCount)") }
    }

    /// One node of a run, or nil if the run has no node `id`.
    public func node(run: Int64, id: Int64) throws -> RecordedNode? {
        let statement = try database.prepare(StoreSQL.runNode)
        try statement.bind(1, run)
        try statement.bind(2, id)
        return try statement.step() ? try node(statement, run: run) : nil
    }

    /// A row of `StoreSQL.runNodes` as a node, each value checked.
    private func node(_ statement: Statement, run: Int64) throws -> RecordedNode {
        let id = statement.int(0)
        let place = ValueLocation(path: path, run: run, node: id)
        let stored = (try statement.storedInput(3, "in0_back", at: place), try statement.storedInput(4, "in1_back", at: place))
        let op = try statement.storedOp(2, inputs: stored, at: place)
        var inputs: [Int64] = []
        var localGrads: [Double?] = []
        let fixed = op.fixedLocalDerivatives
        // A tensor node (a tensor_node row gives its shape) keeps BLOBs: read into `tensor`.
        let isTensor = !statement.isNull(10)
        for slot in 0..<2 {
            guard let input = slot == 0 ? stored.0 : stored.1 else { break }
            inputs.append(input)
            let column = Int32(8 + slot), name = slot == 0 ? "d0" : "d1"
            // A stored tensor (a local derivative or a contribution) is in `stored`, not here.
            if statement.type(column) == SQLITE_BLOB {
                localGrads.append(nil)
                continue
            }
            // NULL: fixed by the op (add, sub, ...: never stored), or not kept (--capture), or for an
            // input that needs no gradient.
            let derivative = try statement.storedFloat(column, name, nullable: true, at: place)
            localGrads.append(derivative ?? fixed.map { slot == 0 ? $0.0 : $0.1 })
        }
        return RecordedNode(
            id: id, name: statement.string(1), op: op, inputs: inputs, localGrads: localGrads,
            value: isTensor ? nil : try statement.storedFloat(6, "value", at: place),
            grad: isTensor ? nil : try statement.storedFloat(7, "grad", nullable: true, at: place),
            line: try statement.storedLine(5, at: place),
            tensor: try Self.tensor(statement, at: place), axis: statement.isNull(28) ? nil : Int(statement.int(28)),
            stored: try inputs.indices.map { slot in try Self.blob(statement, 8 + Int32(slot), count: -1, at: place) })
    }

    /// The tensor columns of a `StoreSQL.runNodes` row; nil for a scalar node.
    private static func tensor(_ statement: Statement, at place: ValueLocation) throws -> RecordedTensor? {
        guard !statement.isNull(10) else { return nil }
        guard let shapeText = statement.string(10), let shape = TensorCodec.shape(fromText: shapeText) else {
            throw place.failure("tensor_node.shape is not a shape")
        }
        let count = shape.count
        func statistics(from column: Int32) -> TensorStatistics? {
            guard !statement.isNull(column) else { return nil }
            var t = TensorStatistics()
            t.count = count
            t.nan = Int(statement.int(column))
            t.positiveInfinity = Int(statement.int(column + 1))
            t.negativeInfinity = Int(statement.int(column + 2))
            t.zero = Int(statement.int(column + 3))
            t.min = statement.float(column + 4)
            t.max = statement.float(column + 5)
            t.mean = statement.float(column + 6)
            t.norm = statement.float(column + 7)
            return t
        }
        return RecordedTensor(
            shape: shape, valueStatistics: statistics(from: 12) ?? TensorStatistics(), gradStatistics: statistics(from: 20),
            value: try blob(statement, 6, count: count, at: place), grad: try blob(statement, 7, count: count, at: place))
    }

    /// The doubles of a BLOB column (`count` of them, or any whole number for -1); nil for NULL
    /// or a scalar; a BLOB of another length was not written by gradlog.
    private static func blob(_ statement: Statement, _ column: Int32, count: Int, at place: ValueLocation) throws -> [Double]? {
        guard case .blob(let bytes) = statement.value(column) else { return nil }
        guard let elements = TensorCodec.decode(bytes, count: count) else {
            throw place.failure("a stored tensor of \(bytes.count) bytes does not hold \(count < 0 ? "whole doubles" : "its \(count) elements")")
        }
        return elements
    }

    public func nodes(run: Int64) throws -> [RecordedNode] {
        var result: [RecordedNode] = []
        try forEachNode(run: run) { result.append($0) }
        return result
    }

    /// A row of `StoreSQL.runColumns`, its counts checked.
    private func summary(_ s: Statement, fileBytes: Int64) throws -> RunSummary {
        let place = ValueLocation(path: path, run: s.int(0))
        let nodeCount = try s.storedNodeCount(4, fileBytes: fileBytes, at: place)
        return RunSummary(
            id: s.int(0), name: s.string(1), createdAt: s.string(2) ?? "", status: s.string(3) ?? "",
            nodeCount: Int64(nodeCount), outputID: try s.storedInteger(5, "output_id", in: 0...Int64(max(0, nodeCount - 1)), at: place),
            outputName: s.string(6), outputValue: try s.storedFloat(7, "output value", nullable: true, at: place),
            programPath: s.string(8), programSHA256: s.string(9), toolVersion: s.string(10) ?? "",
            sqliteVersion: s.string(11) ?? "", uuid: s.string(12))
    }
}
