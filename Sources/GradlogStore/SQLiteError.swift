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
        // SQLite quotes a damaged file's bytes in some messages; control characters among them
        // must not reach the terminal.
        let shown = String(String.UnicodeScalarView(message.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "?" : $0 }))
        var text = "SQLite error \(extendedCode): \(shown)"
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
