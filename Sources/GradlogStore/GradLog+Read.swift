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
        var result: [RunSummary] = []
        while try statement.step() { result.append(Self.summary(statement)) }
        return result
    }

    public func run(id: Int64) throws -> RunSummary {
        let statement = try database.prepare(StoreSQL.runByID)
        try statement.bind(1, id)
        guard try statement.step() else { throw GradLogError.noSuchRun(reference: String(id), path: path) }
        return Self.summary(statement)
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
        let size = statement.int(2)
        guard size > 0, let text = Deflate.decompress(bytes, size: Int(size)) else {
            throw GradLogError.damagedProgram(run: run, path: path)
        }
        return String(decoding: text, as: UTF8.self)
    }

    public func inputs(run: Int64) throws -> [RunInput] {
        let statement = try database.prepare(StoreSQL.runInputs)
        try statement.bind(1, run)
        var result: [RunInput] = []
        while try statement.step() {
            result.append(RunInput(name: statement.string(0) ?? "", value: statement.float(1), grad: statement.float(2), nodeID: statement.int(3)))
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
    /// memory does not grow with the run's size.
    public func forEachNode(run: Int64, _ body: (RecordedNode) throws -> Void) throws {
        let statement = try database.prepare(StoreSQL.runNodes)
        try statement.bind(1, run)
        while try statement.step() { try body(Self.node(statement)) }
    }

    /// One node of a run, or nil if the run has no node `id`.
    public func node(run: Int64, id: Int64) throws -> RecordedNode? {
        let statement = try database.prepare(StoreSQL.runNode)
        try statement.bind(1, run)
        try statement.bind(2, id)
        return try statement.step() ? Self.node(statement) : nil
    }

    /// A row of `StoreSQL.runNodes` as a node.
    private static func node(_ statement: Statement) -> RecordedNode {
        let id = statement.int(0)
        let op = Op(rawValue: UInt8(truncatingIfNeeded: statement.int(2))) ?? .const
        var inputs: [Int64] = []
        var localGrads: [Double?] = []
        let fixed = op.fixedLocalDerivatives
        for slot: Int32 in 0..<2 where !statement.isNull(3 + slot) {
            inputs.append(id - statement.int(3 + slot))
            let stored = statement.float(8 + slot)
            localGrads.append(stored ?? (statement.isNull(8 + slot) ? fixed.map { slot == 0 ? $0.0 : $0.1 } : nil))
        }
        return RecordedNode(
            id: id, name: statement.string(1), op: op, inputs: inputs, localGrads: localGrads,
            value: statement.float(6), grad: statement.float(7), line: statement.int(5),
            tensor: tensor(statement), axis: statement.isNull(28) ? nil : Int(statement.int(28)),
            stored: inputs.indices.map { slot in blob(statement, 8 + Int32(slot), count: -1) })
    }

    /// The tensor columns of a `StoreSQL.runNodes` row; nil for a scalar node.
    private static func tensor(_ statement: Statement) -> RecordedTensor? {
        guard let shapeText = statement.string(10), let shape = TensorCodec.shape(fromText: shapeText) else { return nil }
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
            value: blob(statement, 6, count: count), grad: blob(statement, 7, count: count))
    }

    /// The doubles of a BLOB column; nil for anything else.
    private static func blob(_ statement: Statement, _ column: Int32, count: Int) -> [Double]? {
        guard case .blob(let bytes) = statement.value(column) else { return nil }
        return TensorCodec.decode(bytes, count: count)
    }

    public func nodes(run: Int64) throws -> [RecordedNode] {
        var result: [RecordedNode] = []
        try forEachNode(run: run) { result.append($0) }
        return result
    }

    private static func summary(_ s: Statement) -> RunSummary {
        RunSummary(
            id: s.int(0), name: s.string(1), createdAt: s.string(2) ?? "", status: s.string(3) ?? "",
            nodeCount: s.int(4), outputID: s.int(5), outputName: s.string(6), outputValue: s.float(7),
            programPath: s.string(8), programSHA256: s.string(9), toolVersion: s.string(10) ?? "",
            sqliteVersion: s.string(11) ?? "")
    }
}
