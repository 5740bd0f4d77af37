import CSQLite
import Foundation

/// The schema every migration makes, as one script that builds it in one pass: the migrations
/// are applied in order to an in-memory database here, at build time, and what they left is
/// written out (pragmas, then every table, index and view in the order SQLite keeps them, then
/// the rows of the tables that hold some). A new log runs this script instead of the
/// migrations one by one, whose ALTER TABLEs each make SQLite parse the whole schema again
/// (three quarters of the time of creating a log). `gradlog_migration` is not in it: the
/// store creates that table first, as it does before migration 0001, and records every
/// migration there; here a stand-in holds its place for the migrations that read it. `LatestSchemaTests` holds a log made so against one migrated step by step,
/// object by object and row by row.
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
