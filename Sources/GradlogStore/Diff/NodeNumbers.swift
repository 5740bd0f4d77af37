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
        let place = ValueLocation(path: path, run: run, node: id)
        guard current == id else { throw place.failure("its row is missing") }
        if statement.type(1) != SQLITE_BLOB && statement.type(2) != SQLITE_BLOB {
            // A scalar, or a tensor whose elements were not kept (its shape says which).
            if statement.isNull(1), let shape = try tensorShape(id) { return (.tensor(shape, nil), .tensor(shape, nil)) }
            return (.scalar(try statement.storedFloat(1, "value", at: place)),
                    .scalar(try statement.storedFloat(2, "grad", nullable: true, at: place)))
        }
        guard let shape = try tensorShape(id) else { throw place.failure("value is a BLOB but the node has no tensor shape") }
        return (try tensor(column: 1, "value", shape, place), try tensor(column: 2, "grad", shape, place))
    }

    /// A tensor column: its elements, nil when not kept (NULL); anything else was not written by gradlog.
    private func tensor(column: Int32, _ name: String, _ shape: Shape, _ place: ValueLocation) throws -> StoredNumber {
        switch statement.value(column) {
        case .null: return .tensor(shape, nil)
        case .blob(let bytes):
            guard let elements = TensorCodec.decode(bytes, count: shape.count) else {
                throw place.failure("\(name) holds \(bytes.count) bytes, not the \(shape.count * 8) of a \(shape) tensor")
            }
            return .tensor(shape, elements)
        default: throw place.failure("\(name) of a \(shape) tensor is not a BLOB")
        }
    }

    private func tensorShape(_ id: Int64) throws -> Shape? {
        shape.reset()
        try shape.bind(1, run)
        try shape.bind(2, id)
        guard try shape.step() else { return nil }
        guard let text = shape.string(0), let parsed = TensorCodec.shape(fromText: text) else {
            throw ChangedFileError(path: path, run: run, node: id, "tensor_node.shape is not a shape")
        }
        return parsed
    }
}
