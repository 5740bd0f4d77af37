import CSQLite

/// The rows of one prepared statement, read one at a time so that memory does not grow with
/// the result. The first `next()` runs the statement.
public final class QueryCursor {
    private let statement: Statement
    public let columns: [String]

    init(_ statement: Statement) {
        self.statement = statement
        columns = (0..<statement.columnCount).map(statement.columnName)
    }

    /// The next row, or nil when there are no more.
    public func next() throws(SQLiteError) -> [SQLValue]? {
        guard try statement.step() else { return nil }
        return (0..<statement.columnCount).map(statement.value)
    }

    /// False for a statement that changes the database.
    public var isReadOnly: Bool { statement.isReadOnly }

    /// The rows the statement inserted, updated or deleted, once it has run.
    public var changes: Int64 { Int64(sqlite3_changes(statement.database.handle)) }
}
