import CSQLite

extension Statement {
    /// The value of a column in the current row, as stored.
    public func value(_ index: Int32) -> SQLValue {
        switch sqlite3_column_type(handle, index) {
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(handle, index))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(handle, index))
        case SQLITE_TEXT: return .text(string(index) ?? "")
        case SQLITE_BLOB:
            let count = Int(sqlite3_column_bytes(handle, index))
            guard count > 0, let bytes = sqlite3_column_blob(handle, index) else { return .blob([]) }
            return .blob(Array(UnsafeRawBufferPointer(start: bytes, count: count)))
        default: return .null
        }
    }

    /// Binds a value as it is: an integer as INTEGER, a double as REAL, and so on.
    public func bind(_ index: Int32, _ value: SQLValue) throws(SQLiteError) {
        switch value {
        case .null: try bindNull(index)
        case .integer(let integer): try bind(index, integer)
        case .real(let real): try bind(index, float: real)
        case .text(let text): try bind(index, text)
        case .blob(let bytes):
            let rc = bytes.withUnsafeBytes { buffer in
                sqlite3_bind_blob(handle, index, buffer.baseAddress, Int32(buffer.count), csqlite_transient())
            }
            if rc != SQLITE_OK { throw database.error(sql: sql) }
        }
    }

    /// The names of the statement's parameters in index order, without their prefix (":run"
    /// is "run", "?2" is "2"); nil for a bare `?`.
    public var parameterNames: [String?] {
        guard parameterCount > 0 else { return [] }
        return (1...parameterCount).map { index in parameterName(index).map { String($0.dropFirst()) } }
    }
}
