import CSQLite

/// Reads a run's values and adjoints by node id. Ids asked in increasing order cost one step
/// of a single scan over the run; an id behind the scan restarts it there, so a diff whose
/// alignment mostly keeps the order stays a stream.
final class NodeNumbers {
    private let statement: Statement
    /// A tensor node's shape, looked up only for rows whose value or adjoint is a BLOB.
    private let shape: Statement
    private let run: Int64
    private let path: String
    /// The node the statement is on; -1 before the first step, nil after the last row.
    private var current: Int64? = -1

    init(run: Int64, in log: GradLog) throws {
        statement = try log.database.prepare(StoreSQL.runNodeNumbers)
        shape = try log.database.prepare(StoreSQL.tensorShape)
        self.run = run
        self.path = log.path
        try statement.bind(1, run)
        try statement.bind(2, Int64(0))
    }

    /// The value and adjoint of node `id`.
    @inline(__always)
    func numbers(at id: Int) throws -> (value: StoredNumber, grad: StoredNumber) {
        let id = Int64(id)
        if current.map({ $0 > id }) ?? true {
            statement.reset()
            try statement.bind(2, id)
            current = -1
        }
        while let at = current, at < id {
            current = try statement.step() ? statement.int(0) : nil
        }
        guard current == id else { throw DiffError(run: run, path: path, detail: "no row for node \(id)") }
        if statement.type(1) != SQLITE_BLOB && statement.type(2) != SQLITE_BLOB {
            // A scalar, or a tensor whose elements were not kept (its shape says which).
            guard statement.isNull(1), let shape = try tensorShape(id) else {
                return (.scalar(statement.float(1)), .scalar(statement.float(2)))
            }
            return (.tensor(shape, nil), .tensor(shape, nil))
        }
        guard let shape = try tensorShape(id) else {
            throw DiffError(run: run, path: path, detail: "node \(id) holds a tensor without a shape")
        }
        return (tensor(column: 1, shape), tensor(column: 2, shape))
    }

    private func tensor(column: Int32, _ shape: Shape) -> StoredNumber {
        guard case .blob(let bytes) = statement.value(column) else { return .tensor(shape, nil) }
        return .tensor(shape, TensorCodec.decode(bytes, count: shape.count))
    }

    private func tensorShape(_ id: Int64) throws -> Shape? {
        shape.reset()
        try shape.bind(1, run)
        try shape.bind(2, id)
        guard try shape.step(), let text = shape.string(0) else { return nil }
        guard let parsed = TensorCodec.shape(fromText: text) else {
            throw DiffError(run: run, path: path, detail: "node \(id) has the shape '\(text)', which is not one")
        }
        return parsed
    }
}
