import CSQLite
import Foundation

/// The schema every migration makes, as one script that builds it in one pass: the migrations
/// are applied in order to an in-memory database here, at build time, and what they left is
/// written out (pragmas, then every table, index and view in the order SQLite keeps them, then
/// the rows of the tables that hold some). SQLite runs the script into a new file here
/// (`newLogImage`), which becomes the file of every new log: creating a log parses no SQL
/// (running the script took 16 M instructions, and the migrations one by one, whose ALTER
/// TABLEs each make SQLite parse the whole schema again, four times that). `gradlog_migration`
/// is not in the script: the image makes that table first, as the store does before migration
/// 0001, and records every migration there; here a stand-in holds its place for the migrations
/// that read it. `LatestSchemaTests` holds a new log against one migrated step by step, object
/// by object and row by row.
struct LatestSchema {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private var db: OpaquePointer?

    init() throws {
        guard sqlite3_open(":memory:", &db) == SQLITE_OK else { throw Failure(description: "cannot open an in-memory database") }
        // The functions a migration calls on the rows it updates (0008's legacy_uuid): a new
        // database has no rows, so they must only exist for the statements to prepare.
        let refuse: @convention(c) (OpaquePointer?, Int32, UnsafeMutablePointer<OpaquePointer?>?) -> Void = { context, _, _ in
            sqlite3_result_error(context, "not available at build time", -1)
        }
        guard sqlite3_create_function_v2(db, "legacy_uuid", -1, SQLITE_UTF8, nil, refuse, nil, nil, nil) == SQLITE_OK else {
            throw Failure(description: "cannot register legacy_uuid")
        }
        // Migrations read the table of applied migrations (0008 reads when the file was made).
        // The store makes the real one (Migrator.tableDefinition); this stand-in is left out
        // of the script.
        try execute("CREATE TABLE \(Self.migrationTable) (version INTEGER PRIMARY KEY, name, sha256, applied_at)", context: "setup")
    }

    static let migrationTable = "gradlog_migration"

    func close() { sqlite3_close(db) }

    /// Applies one migration's text.
    func apply(_ name: String, _ text: String) throws {
        try execute(text, context: name)
    }

    /// The script that rebuilds what the applied migrations made.
    func script() throws -> String {
        var script = "-- The schema of every migration in migrations/, written out at build time by EmbedSQLTool.\n"
        for pragma in ["application_id", "user_version"] {
            let value = try rows("PRAGMA \(pragma)").first?.first ?? "0"
            if value != "0" { script += "PRAGMA \(pragma) = \(value);\n" }
        }
        var tablesWithRows: [String] = []
        for object in try rows("SELECT type, name, sql FROM sqlite_schema WHERE sql IS NOT NULL ORDER BY rowid") {
            let (type, name, sql) = (object[0], object[1], object[2])
            if name == Self.migrationTable {
                continue
            } else if name.hasPrefix("sqlite_stat") {
                // SQLite's statistics tables cannot be created by name; an ANALYZE of the
                // schema table makes them, empty. Their rows follow with the others.
                script += "ANALYZE sqlite_schema;\n"
            } else if name.hasPrefix("sqlite_") {
                throw Failure(description: "a migration made SQLite's internal table \(name), which this script cannot rebuild")
            } else {
                script += sql + ";\n"
            }
            if type == "table", try rows("SELECT count(*) FROM \(quoted(name))")[0][0] != "0" {
                tablesWithRows.append(name)
            }
        }
        for table in tablesWithRows {
            for row in try rows("SELECT * FROM \(quoted(table))", literals: true) {
                script += "INSERT INTO \(quoted(table)) VALUES (\(row.joined(separator: ", ")));\n"
            }
        }
        return script
    }

    /// What a migration's `applied_at` holds in the file image until a log is created from it:
    /// as long as the creation time the store writes there (strftime's `%Y-%m-%dT%H:%M:%fZ`).
    static let appliedAtPlaceholder = "0000-00-00T00:00:00.000Z"

    /// The file of a new log, byte for byte, as the store made it from the script before: the
    /// table of applied migrations (`migrationTable`, the store's `Migrator.tableDefinition`),
    /// the script, a row per migration (applied at `appliedAtPlaceholder`), page size
    /// `pageSize`, WAL, checkpointed and closed. SQLite writes it here, at build time, into a
    /// temporary file; a new log is then this file with the creation time written in, with no
    /// SQL parsed (`LatestSchemaTests` hold it against a log migrated step by step).
    func newLogImage(migrationTable: String, migrations: [(name: String, sha256: String)], pageSize: Int) throws -> [UInt8] {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gradlog-new-log-\(UUID().uuidString).db").path
        defer { for suffix in ["", "-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        var file: OpaquePointer?
        guard sqlite3_open(path, &file) == SQLITE_OK else { throw Failure(description: "cannot create \(path)") }
        func run(_ sql: String) throws {
            var message: UnsafeMutablePointer<CChar>?
            guard sqlite3_exec(file, sql, nil, nil, &message) == SQLITE_OK else {
                let text = message.map { String(cString: $0) } ?? "unknown error"
                sqlite3_free(message)
                sqlite3_close(file)
                throw Failure(description: "new log image: \(text)")
            }
        }
        try run("PRAGMA page_size = \(pageSize); PRAGMA synchronous = OFF; PRAGMA journal_mode = WAL")
        var sql = "BEGIN;\n" + migrationTable + ";\n" + (try script())
        for migration in migrations {
            let version = Int(migration.name.prefix { $0.isNumber }) ?? 0
            sql += "INSERT INTO \(Self.migrationTable) (version, name, sha256, applied_at) VALUES "
                + "(\(version), '\(migration.name.replacingOccurrences(of: "'", with: "''"))', '\(migration.sha256)', '\(Self.appliedAtPlaceholder)');\n"
        }
        try run(sql + "COMMIT;")
        // Closing the last connection checkpoints the WAL into the file and deletes it.
        guard sqlite3_close(file) == SQLITE_OK else { throw Failure(description: "cannot close \(path)") }
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let marks = Self.occurrences(of: Array(Self.appliedAtPlaceholder.utf8), in: bytes)
        guard marks == migrations.count else {
            throw Failure(description: "the new log image holds \(marks) applied_at placeholders for \(migrations.count) migrations")
        }
        return bytes
    }

    static func occurrences(of needle: [UInt8], in bytes: [UInt8]) -> Int {
        guard !needle.isEmpty, bytes.count >= needle.count else { return 0 }
        var count = 0
        for start in 0...(bytes.count - needle.count) where bytes[start] == needle[0] && Array(bytes[start..<start + needle.count]) == needle {
            count += 1
        }
        return count
    }

    private func quoted(_ name: String) -> String { "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

    private func execute(_ sql: String, context: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        guard sqlite3_exec(db, sql, nil, nil, &message) == SQLITE_OK else {
            let text = message.map { String(cString: $0) } ?? "unknown error"
            sqlite3_free(message)
            throw Failure(description: "\(context): \(text)")
        }
    }

    /// Every row of a query, each column as text, or (`literals`) as an SQL literal that
    /// reads back as the same value: integers and text as they are, reals in the shortest
    /// form that round-trips, blobs in hex.
    private func rows(_ sql: String, literals: Bool = false) throws -> [[String]] {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK else {
            throw Failure(description: "\(sql): \(String(cString: sqlite3_errmsg(db)))")
        }
        defer { sqlite3_finalize(statement) }
        var result: [[String]] = []
        while true {
            let rc = sqlite3_step(statement)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else { throw Failure(description: "\(sql): \(String(cString: sqlite3_errmsg(db)))") }
            result.append(try (0..<sqlite3_column_count(statement)).map { column in
                literals ? try literal(statement, column) : String(cString: sqlite3_column_text(statement, column))
            })
        }
        return result
    }

    private func literal(_ statement: OpaquePointer?, _ column: Int32) throws -> String {
        switch sqlite3_column_type(statement, column) {
        case SQLITE_NULL:
            return "NULL"
        case SQLITE_INTEGER:
            return String(sqlite3_column_int64(statement, column))
        case SQLITE_FLOAT:
            let value = sqlite3_column_double(statement, column)
            guard value.isFinite, value != 0 || value.sign == .plus else {
                throw Failure(description: "a migration stores \(value), which this script does not write")
            }
            return "\(value)"
        case SQLITE_TEXT:
            let text = String(cString: sqlite3_column_text(statement, column))
            return "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
        default:
            let count = Int(sqlite3_column_bytes(statement, column))
            let bytes = UnsafeRawBufferPointer(start: sqlite3_column_blob(statement, column), count: count)
            return "X'" + bytes.map { String(format: "%02X", $0) }.joined() + "'"
        }
    }
}
