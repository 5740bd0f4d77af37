import CSQLite
import Dispatch

/// One SQLite connection. Closes its handle when released.
///
/// Every connection treats its file as untrusted input (see `treatAsUntrusted`): files are
/// shared, copied and attached to bug reports, and anyone can change one.
public final class Database {
    public enum Mode: Sendable {
        /// Open an existing file read-only; never creates one.
        case readOnly
        /// Read-only, with SQLite told that nobody changes the file while it is open, so no
        /// -shm or -wal file is needed (for a WAL database in a folder this user cannot write).
        case immutable
        /// Open an existing file for reading and writing; never creates one.
        case readWrite
        /// Open for reading and writing, creating the file if it does not exist.
        case create
    }

    let handle: OpaquePointer
    public let path: String

    public init(path: String, mode: Mode) throws(SQLiteError) {
        _ = Self.configureOnce
        var flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        switch mode {
        case .readOnly: flags |= SQLITE_OPEN_READONLY
        case .immutable: flags |= SQLITE_OPEN_READONLY | SQLITE_OPEN_URI
        case .readWrite: flags |= SQLITE_OPEN_READWRITE
        case .create: flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
        }
        var db: OpaquePointer?
        // URI file names are on (see configureOnce): a path that happens to start with "file:"
        // is still a path.
        let name = mode == .immutable ? Self.immutableURI(path) : path.hasPrefix("file:") ? "./" + path : path
        let rc = sqlite3_open_v2(name, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc))
            sqlite3_close_v2(db)
            throw SQLiteError(extendedCode: rc, message: message, sql: nil)
        }
        self.handle = db
        self.path = path
        sqlite3_extended_result_codes(db, 1)
        // Writers queue behind each other instead of failing with SQLITE_BUSY.
        sqlite3_busy_timeout(db, 10_000)
        try treatAsUntrusted()
    }

    deinit {
        sqlite3_close_v2(handle)
    }

    /// Process-wide SQLite settings, applied before the first connection opens.
    private static let configureOnce: Void = {
        _ = csqlite_disable_memory_statistics()
        _ = csqlite_enable_uri_filenames()
    }()

    /// The longest string or blob SQLite will make or read: far above anything gradlog stores
    /// (the largest is a compressed program text, a quarter of the text), so that a crafted
    /// file or a runaway query is refused instead of filling memory.
    static let maxValueBytes: Int32 = 256 << 20
    /// The longest statement: gradlog's longest (a migration's) is a few KB.
    static let maxStatementBytes: Int32 = 1_000_000

    /// What SQLite's "Defense Against the Dark Arts" advises for files from elsewhere:
    /// - defensive mode, so that no SQL can corrupt the file on purpose (writable_schema, ...);
    /// - an untrusted schema: views and triggers may call only functions marked innocuous;
    /// - no triggers: gradlog's schema has none, and `GradLog` refuses a file that brings one
    ///   (it verifies the schema before reading anything); `enableTriggers()` is for a schema
    ///   verified to hold only gradlog's own;
    /// - limits on the length of values and statements;
    /// - a check of each b-tree cell's size as it is read, which catches more damaged pages.
    /// Runaway statements are stopped by `deadline`.
    private func treatAsUntrusted() throws(SQLiteError) {
        for (option, value) in [(SQLITE_DBCONFIG_DEFENSIVE, 1), (SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0), (SQLITE_DBCONFIG_ENABLE_TRIGGER, 0)] {
            let rc = csqlite_db_config_flag(handle, option, Int32(value))
            if rc != SQLITE_OK { throw SQLiteError(extendedCode: rc, message: "cannot configure the connection (sqlite3_db_config \(option))", sql: nil) }
        }
        sqlite3_limit(handle, SQLITE_LIMIT_LENGTH, Self.maxValueBytes)
        sqlite3_limit(handle, SQLITE_LIMIT_SQL_LENGTH, Self.maxStatementBytes)
        try execute("PRAGMA cell_size_check = ON")
    }

    /// Turns triggers back on; for a file whose schema has been verified to be gradlog's own.
    func enableTriggers() {
        _ = csqlite_db_config_flag(handle, SQLITE_DBCONFIG_ENABLE_TRIGGER, 1)
    }

    /// When set, a statement of this connection still running at this time stops with
    /// SQLITE_INTERRUPT (checked every few thousand virtual machine steps); nil for no limit.
    public var deadline: DispatchTime? {
        didSet {
            if !deadlineInstalled {
                deadlineInstalled = true
                sqlite3_progress_handler(handle, 4096, { context in
                    let deadline = Unmanaged<DeadlineBox>.fromOpaque(context!).takeUnretainedValue().nanoseconds
                    return deadline != .max && DispatchTime.now().uptimeNanoseconds >= deadline ? 1 : 0
                }, Unmanaged.passUnretained(deadlineBox).toOpaque())
            }
            deadlineBox.nanoseconds = deadline?.uptimeNanoseconds ?? .max
        }
    }

    /// Runs `body` with the main database's schema closed to change: a statement prepared in it
    /// that would create, drop or alter a table, index, view or trigger there fails to prepare
    /// with SQLITE_AUTH. (gradlog refuses files whose schema is not its own, so a user's
    /// `query --write` must not make one.) Other attached databases stay open to change.
    func refusingSchemaChanges<T>(_ body: () throws -> T) rethrows -> T {
        sqlite3_set_authorizer(handle, { _, action, first, _, third, _ in
            let schemaChanges: Set<Int32> = [
                SQLITE_CREATE_INDEX, SQLITE_CREATE_TABLE, SQLITE_CREATE_TRIGGER, SQLITE_CREATE_VIEW, SQLITE_CREATE_VTABLE,
                SQLITE_DROP_INDEX, SQLITE_DROP_TABLE, SQLITE_DROP_TRIGGER, SQLITE_DROP_VIEW, SQLITE_DROP_VTABLE, SQLITE_ALTER_TABLE,
            ]
            guard schemaChanges.contains(action) else { return SQLITE_OK }
            // The database's name is the first argument for ALTER TABLE, the third otherwise.
            let database = (action == SQLITE_ALTER_TABLE ? first : third).map { String(cString: $0) }
            return database == nil || database == "main" ? SQLITE_DENY : SQLITE_OK
        }, nil)
        defer { sqlite3_set_authorizer(handle, nil, nil) }
        return try body()
    }

    /// What the progress handler reads; lives as long as the connection.
    private final class DeadlineBox {
        var nanoseconds: UInt64 = .max
    }
    private let deadlineBox = DeadlineBox()
    private var deadlineInstalled = false

    /// `file:PATH?immutable=1`, with the characters URIs reserve percent-encoded.
    static func immutableURI(_ path: String) -> String {
        uri(path, query: "immutable=1")
    }

    /// `file:PATH?QUERY`, with the characters URIs reserve and every non-ASCII byte
    /// percent-encoded; an absolute path after an empty authority (`file:///...`), so that one
    /// starting with `//` stays a path.
    static func uri(_ path: String, query: String) -> String {
        var uri = path.hasPrefix("/") ? "file://" : "file:"
        for byte in path.utf8 {
            switch byte {
            case UInt8(ascii: "%"), UInt8(ascii: "?"), UInt8(ascii: "#"), 0x80...:
                uri += "%" + String(byte, radix: 16, uppercase: true)
            default:
                uri.unicodeScalars.append(Unicode.Scalar(byte))
            }
        }
        return uri + "?" + query
    }

    /// Runs one or more statements that take no parameters and return no rows of interest.
    public func execute(_ sql: String) throws(SQLiteError) {
        var errorMessage: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &errorMessage)
        if rc != SQLITE_OK {
            let message = errorMessage.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(rc))
            sqlite3_free(errorMessage)
            throw SQLiteError(extendedCode: sqlite3_extended_errcode(handle), message: message, sql: sql)
        }
    }

    /// Compiles one statement. Throws if `sql` holds more than one.
    public func prepare(_ sql: String) throws(SQLiteError) -> Statement {
        try Statement(database: self, sql: sql)
    }

    /// Runs `body` in a transaction: committed if it returns, rolled back if it throws.
    /// Write transactions are IMMEDIATE, so a writer takes the write lock up front (waiting out
    /// the busy timeout) instead of failing halfway through.
    public func transaction<T>(immediate: Bool = true, _ body: () throws -> T) throws -> T {
        try execute(immediate ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// The first column of the first row of a query, or nil when there is no row.
    public func scalarInt(_ sql: String, _ parameter: Int64? = nil) throws(SQLiteError) -> Int64? {
        let statement = try prepare(sql)
        if let parameter { try statement.bind(1, parameter) }
        guard try statement.step() else { return nil }
        return statement.isNull(0) ? nil : statement.int(0)
    }

    func error(sql: String?) -> SQLiteError {
        SQLiteError(extendedCode: sqlite3_extended_errcode(handle), message: String(cString: sqlite3_errmsg(handle)), sql: sql)
    }

    /// SQLite's version, e.g. "3.40.1".
    public static var sqliteVersion: String { String(cString: sqlite3_libversion()) }
}

extension Database {
    /// The size of the database in bytes: its pages (those in the WAL included) times the page
    /// size. What no count stored in it can exceed.
    public func byteSize() throws(SQLiteError) -> Int64 {
        let pages = try scalarInt("PRAGMA page_count") ?? 0
        let size = try scalarInt("PRAGMA page_size") ?? 0
        return pages.multipliedReportingOverflow(by: size).overflow ? .max : pages * size
    }

    /// The rowid of the last row inserted on this connection.
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }
    /// Rows changed by the last INSERT, UPDATE or DELETE.
    public var changes: Int { Int(sqlite3_changes(handle)) }
}
