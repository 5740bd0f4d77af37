/// Reads a run's values and adjoints by node id. Ids asked in increasing order cost one step
/// of a single scan over the run; an id behind the scan restarts it there, so a diff whose
/// alignment mostly keeps the order stays a stream.
final class NodeNumbers {
    private let statement: Statement
    private let run: Int64
    private let path: String
    /// The node the statement is on; -1 before the first step, nil after the last row.
    private var current: Int64? = -1

    init(run: Int64, in log: GradLog) throws {
        statement = try log.database.prepare(StoreSQL.runNodeNumbers)
        self.run = run
        self.path = log.path
        try statement.bind(1, run)
        try statement.bind(2, Int64(0))
    }

    /// The value and adjoint of node `id`.
    @inline(__always)
    func numbers(at id: Int) throws -> (value: Double?, grad: Double?) {
        let id = Int64(id)
        if current.map({ $0 > id }) ?? true {
            statement.reset()
            try statement.bind(2, id)
            current = -1
        }
        while let at = current, at < id {
            current = try statement.step() ? statement.int(0) : nil
        }
        guard current == id else { throw ChangedFileError(path: path, run: run, node: id, "its row is missing") }
        return (try statement.storedFloat(1, "value", at: ValueLocation(path: path, run: run, node: id)),
                try statement.storedFloat(2, "grad", at: ValueLocation(path: path, run: run, node: id)))
    }
}
