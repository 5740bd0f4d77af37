import CSQLite
import Dispatch

/// The rows of one prepared statement, read one at a time so that memory does not grow with
/// the result. The first `next()` runs the statement.
public final class QueryCursor {
    private let statement: Statement
    public let columns: [String]
    /// Seconds the statement may spend in SQLite in all; nil for no limit.
    public let timeLimit: Double?
    private var spentNanoseconds: UInt64 = 0

    init(_ statement: Statement, timeLimit: Double? = nil) {
        self.statement = statement
        self.timeLimit = timeLimit
        columns = (0..<statement.columnCount).map(statement.columnName)
    }

    /// The next row, or nil when there are no more. Throws `QueryError.timeLimit` once the
    /// statement has run for its time limit: only the time spent computing rows counts, not the
    /// time the caller takes to print them (a reader paging through the output).
    public func next() throws -> [SQLValue]? {
        guard let timeLimit else { return try row() }
        let limit = UInt64(min(timeLimit, 1e9) * 1e9)
        let start = DispatchTime.now().uptimeNanoseconds
        statement.database.deadline = DispatchTime(uptimeNanoseconds: start + (limit > spentNanoseconds ? limit - spentNanoseconds : 0))
        defer {
            statement.database.deadline = nil
            spentNanoseconds += DispatchTime.now().uptimeNanoseconds - start
        }
        do {
            return try row()
        } catch where error.code == SQLITE_INTERRUPT {
            throw QueryError.timeLimit(seconds: timeLimit)
        }
    }

    private func row() throws(SQLiteError) -> [SQLValue]? {
        guard try statement.step() else { return nil }
        return (0..<statement.columnCount).map(statement.value)
    }

    /// False for a statement that changes the database.
    public var isReadOnly: Bool { statement.isReadOnly }

    /// The rows the statement inserted, updated or deleted, once it has run.
    public var changes: Int64 { Int64(sqlite3_changes(statement.database.handle)) }
}
