import CSQLite

/// A prepared statement. Finalized when released. Parameters are 1-based, columns 0-based,
/// as in SQLite's C API.
public final class Statement {
    let handle: OpaquePointer
    unowned let database: Database
    public let sql: String

    init(database: Database, sql: String) throws(SQLiteError) {
        var statement: OpaquePointer?
        var rest = ""
        let rc = sql.withCString { text -> Int32 in
            var tail: UnsafePointer<CChar>?
            let rc = sqlite3_prepare_v3(database.handle, text, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, &tail)
            if let tail { rest = String(cString: tail) }
            return rc
        }
        guard rc == SQLITE_OK else { throw database.error(sql: sql) }
        guard let statement else {
            throw SQLiteError(extendedCode: SQLITE_MISUSE, message: "no statement to run (the text is empty or only comments)", sql: sql)
        }
        guard Statement.isOnlyCommentsAndSpace(rest) else {
            sqlite3_finalize(statement)
            throw SQLiteError(extendedCode: SQLITE_MISUSE, message: "only one statement can run at a time; found more after the first ';'", sql: sql)
        }
        self.handle = statement
        self.database = database
        self.sql = sql
    }

    deinit {
        sqlite3_finalize(handle)
    }

    /// Advances to the next row: true if there is one, false when done.
    @discardableResult
    public func step() throws(SQLiteError) -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw database.error(sql: sql)
        }
    }

    /// Resets for another execution; bindings are kept.
    public func reset() {
        sqlite3_reset(handle)
    }

    /// Sets every parameter back to NULL (so none still points at memory bound SQLITE_STATIC).
    public func clearBindings() {
        sqlite3_clear_bindings(handle)
    }

    public var isReadOnly: Bool { sqlite3_stmt_readonly(handle) != 0 }

    // MARK: Binding

    public func bind(_ index: Int32, _ value: Int64) throws(SQLiteError) {
        try check(sqlite3_bind_int64(handle, index, value))
    }

    public func bind(_ index: Int32, _ value: String) throws(SQLiteError) {
        try check(sqlite3_bind_text(handle, index, value, -1, csqlite_transient()))
    }

    public func bind(_ index: Int32, _ value: String?) throws(SQLiteError) {
        if let value { try bind(index, value) } else { try bindNull(index) }
    }

    /// Binds UTF-8 bytes as text. SQLite copies them, unless `stable` promises that they stay
    /// where they are until the statement is stepped and reset (SQLITE_STATIC).
    public func bind(_ index: Int32, utf8: UnsafeBufferPointer<UInt8>, stable: Bool = false) throws(SQLiteError) {
        let base = UnsafeRawPointer(utf8.baseAddress ?? UnsafePointer(bitPattern: 1)!).assumingMemoryBound(to: CChar.self)
        try check(sqlite3_bind_text(handle, index, base, Int32(utf8.count), stable ? csqlite_static() : csqlite_transient()))
    }

    public func bind(_ index: Int32, blob: [UInt8]) throws(SQLiteError) {
        let rc = blob.withUnsafeBytes { bytes in
            sqlite3_bind_blob64(handle, index, bytes.baseAddress, sqlite3_uint64(bytes.count), csqlite_transient())
        }
        try check(rc)
    }

    /// Binds raw bytes as a BLOB; SQLite copies them, so the buffer may go after this call.
    /// Binds bytes as a BLOB. SQLite copies them, unless `stable` promises that they stay where
    /// they are until the statement is stepped and its bindings cleared (SQLITE_STATIC).
    public func bind(_ index: Int32, bytes: UnsafeRawBufferPointer, stable: Bool = false) throws(SQLiteError) {
        try check(sqlite3_bind_blob64(
            handle, index, bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1), sqlite3_uint64(bytes.count),
            stable ? csqlite_static() : csqlite_transient()))
    }

    public func bindNull(_ index: Int32) throws(SQLiteError) {
        try check(sqlite3_bind_null(handle, index))
    }

    /// Binds a double in gradlog's float encoding: REAL for every non-NaN double (-0.0, inf and
    /// subnormals included), TEXT for NaN. See `FloatEncoding`.
    public func bind(_ index: Int32, float value: Double) throws(SQLiteError) {
        if value.isNaN {
            try bind(index, FloatEncoding.nanText(value))
        } else {
            try check(sqlite3_bind_double(handle, index, value))
        }
    }

    public var parameterCount: Int32 { sqlite3_bind_parameter_count(handle) }

    /// The name of a parameter including its prefix (":run"), or nil for `?` parameters.
    public func parameterName(_ index: Int32) -> String? {
        sqlite3_bind_parameter_name(handle, index).map { String(cString: $0) }
    }

    private func check(_ rc: Int32) throws(SQLiteError) {
        if rc != SQLITE_OK { throw database.error(sql: sql) }
    }

    // MARK: Columns

    public var columnCount: Int32 { sqlite3_column_count(handle) }

    public func columnName(_ index: Int32) -> String {
        String(cString: sqlite3_column_name(handle, index))
    }

    public func isNull(_ index: Int32) -> Bool {
        sqlite3_column_type(handle, index) == SQLITE_NULL
    }

    public func int(_ index: Int32) -> Int64 {
        sqlite3_column_int64(handle, index)
    }

    public func string(_ index: Int32) -> String? {
        guard let text = sqlite3_column_text(handle, index) else { return nil }
        return String(cString: text)
    }

    /// A column in gradlog's float encoding: nil for NULL, the double for REAL or INTEGER, the
    /// decoded NaN for a NaN text. Other text or blobs are not floats: nil.
    public func float(_ index: Int32) -> Double? {
        switch sqlite3_column_type(handle, index) {
        case SQLITE_FLOAT, SQLITE_INTEGER: return sqlite3_column_double(handle, index)
        case SQLITE_TEXT: return string(index).flatMap(FloatEncoding.nan(fromText:))
        default: return nil
        }
    }

    /// The storage class of a column in the current row.
    public func type(_ index: Int32) -> Int32 {
        sqlite3_column_type(handle, index)
    }

    /// True when `text` (what follows a statement) holds nothing but blanks, `;` and comments.
    static func isOnlyCommentsAndSpace(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count {
            switch bytes[i] {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: ";"):
                i += 1
            case UInt8(ascii: "-") where i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "-"):
                while i < bytes.count && bytes[i] != UInt8(ascii: "\n") { i += 1 }
            case UInt8(ascii: "/") where i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "*"):
                i += 2
                while i + 1 < bytes.count && !(bytes[i] == UInt8(ascii: "*") && bytes[i + 1] == UInt8(ascii: "/")) { i += 1 }
                i += 2
            default:
                return false
            }
        }
        return true
    }
}
