import CSQLite

/// A failure reported by SQLite: the extended result code, SQLite's message, and the SQL that
/// was running, e.g. `SQLite error 19: NOT NULL constraint failed: run.name - while executing
/// `INSERT ...``.
public struct SQLiteError: Error, Sendable, CustomStringConvertible {
    public var extendedCode: Int32
    public var message: String
    public var sql: String?

    /// The primary result code (SQLITE_BUSY, SQLITE_CONSTRAINT, ...).
    public var code: Int32 { extendedCode & 0xFF }

    public var isBusy: Bool { code == SQLITE_BUSY || code == SQLITE_LOCKED }

    public var description: String {
        var text = "SQLite error \(extendedCode): \(message)"
        if let sql { text += " - while executing `\(sql.trimmingCharacters())`" }
        return text
    }
}

extension String {
    fileprivate func trimmingCharacters() -> String {
        var s = Substring(self)
        while let c = s.first, c.isWhitespace { s.removeFirst() }
        while let c = s.last, c.isWhitespace { s.removeLast() }
        return String(s)
    }
}
