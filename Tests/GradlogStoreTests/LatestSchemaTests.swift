import CSQLite
import Foundation
import Testing
@testable import GradlogStore

/// A new log is the file EmbedSQLTool made at build time (`EmbeddedSQL.newLog`: SQLite built it
/// from the migrations' schema written out as one script) instead of the migrations applied one
/// by one. It must be the same log either way:
/// these tests build one of each and compare them object by object and row by row, bit for
/// bit, so a migration the script cannot reproduce fails here and not in a user's log.
@Suite struct LatestSchemaTests {
    func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("gradlog-\(UUID().uuidString).db").path
    }

    /// A log as `gradlog` creates it (the image), and an empty file migrated step by step.
    func bothLogs() throws -> (script: Database, steps: Database, paths: [String]) {
        let scriptPath = temporaryPath(), stepsPath = temporaryPath()
        do { _ = try GradLog(path: scriptPath, mode: .create) }
        let steps = try Database(path: stepsPath, mode: .create)
        try Migrator.embedded.migrate(steps)
        return (try Database(path: scriptPath, mode: .readOnly), steps, [scriptPath, stepsPath])
    }

    func remove(_ paths: [String]) {
        for path in paths { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
    }

    /// Every row of a query, each value with its storage class and exact content (a REAL by
    /// its bits), so that 1 and 1.0, or 0.0 and -0.0, differ.
    func exactRows(_ db: Database, _ sql: String) throws -> [[String]] {
        var statement: OpaquePointer?
        #expect(sqlite3_prepare_v2(db.handle, sql, -1, &statement, nil) == SQLITE_OK, "\(sql)")
        defer { sqlite3_finalize(statement) }
        var rows: [[String]] = []
        while sqlite3_step(statement) == SQLITE_ROW {
            rows.append((0..<sqlite3_column_count(statement)).map { column in
                switch sqlite3_column_type(statement, column) {
                case SQLITE_NULL: return "null"
                case SQLITE_INTEGER: return "integer \(sqlite3_column_int64(statement, column))"
                case SQLITE_FLOAT: return "real \(sqlite3_column_double(statement, column).bitPattern)"
                case SQLITE_TEXT: return "text \(String(cString: sqlite3_column_text(statement, column)))"
                default:
                    let bytes = UnsafeRawBufferPointer(
                        start: sqlite3_column_blob(statement, column), count: Int(sqlite3_column_bytes(statement, column)))
                    return "blob \(Array(bytes))"
                }
            })
        }
        return rows
    }

    @Test func theScriptMakesTheSameSchemaAsTheMigrations() throws {
        let (script, steps, paths) = try bothLogs()
        defer { remove(paths) }
        // In the same order (so a view follows what it reads), with the same SQL.
        let objects = "SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY rowid"
        let expected = try exactRows(steps, objects)
        #expect(expected.count > 40)
        #expect(try exactRows(script, objects) == expected)
        // (The page size and WAL are the new file's settings, not the migrations': below.)
        for pragma in ["application_id", "user_version"] {
            #expect(try exactRows(script, "PRAGMA \(pragma)") == exactRows(steps, "PRAGMA \(pragma)"), "\(pragma)")
        }
        // Every migration recorded, with the same names and checksums.
        let applied = "SELECT version, name, sha256 FROM gradlog_migration ORDER BY version"
        #expect(try exactRows(script, applied) == exactRows(steps, applied))
        #expect(try exactRows(script, applied).count == EmbeddedSQL.allMigrations.count)
    }

    @Test func theScriptWritesTheSameRowsAsTheMigrations() throws {
        let (script, steps, paths) = try bothLogs()
        defer { remove(paths) }
        let tables = try exactRows(steps, "SELECT name FROM sqlite_schema WHERE type = 'table' AND name <> 'gradlog_migration' ORDER BY name")
            .map { String($0[0].dropFirst("text ".count)) }
        #expect(tables.contains("op") && tables.contains("sqlite_stat1"))
        var rows = 0
        for table in tables {
            let sql = "SELECT * FROM \"\(table)\" ORDER BY 1, 2"
            let expected = try exactRows(steps, sql)
            #expect(try exactRows(script, sql) == expected, "\(table)")
            rows += expected.count
        }
        #expect(rows > 30)  // the op table and the planner's statistics
    }

    @Test func aScriptMadeLogOpensAsCurrentAndTakesARun() throws {
        let path = temporaryPath()
        defer { remove([path]) }
        do { _ = try GradLog(path: path, mode: .create) }
        let db = try Database(path: path, mode: .readOnly)
        let inspection = try #require(try Migrator.embedded.inspect(db))
        #expect(inspection.isLatestSchema)
        #expect(try Migrator.embedded.verify(db, inspection) == EmbeddedSQL.allMigrations.count)
        #expect(try exactRows(db, "PRAGMA integrity_check") == [["text ok"]])
        #expect(try db.scalarInt("PRAGMA page_size") == Int64(GradLog.pageSize))
        #expect(try exactRows(db, "PRAGMA journal_mode") == [["text wal"]])
        let log = try GradLog(path: path, mode: .readWrite)
        let b = ComputationBuilder()
        let x = b.input("x", 3)
        let run = try log.record(b.finish(output: x * x), name: "square")
        #expect(try log.nodes(run: run.id).last?.grad == 1)
    }

    /// The migrations of a new log are recorded as applied when the log was made, in the form
    /// SQLite's strftime gives, though its file was made at build time.
    @Test func aNewLogRecordsItsMigrationsAsAppliedWhenItWasMade() throws {
        let path = temporaryPath()
        defer { remove([path]) }
        let before = try exactRows(try Database(path: ":memory:", mode: .create), "SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now')")
        do { _ = try GradLog(path: path, mode: .create) }
        let db = try Database(path: path, mode: .readOnly)
        let after = try exactRows(db, "SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now')")
        let stamps = try exactRows(db, "SELECT DISTINCT applied_at FROM gradlog_migration")
        #expect(stamps.count == 1, "\(stamps)")
        let stamp = try #require(stamps.first?.first)
        #expect(stamp.hasPrefix("text ") && stamp.count == "text ".count + 24 && stamp.hasSuffix("Z"), "\(stamp)")
        // ISO 8601 text orders as time: made between the two readings of the clock.
        #expect(before[0][0] <= stamp && stamp <= after[0][0], "\(before) \(stamp) \(after)")
        #expect(try exactRows(db, "SELECT count(*) FROM gradlog_migration WHERE applied_at LIKE '0000-%'") == [["integer 0"]])
    }

    /// The image's bytes, as a new log gets them: its pages, its header (page size 16384 at
    /// offset 16, WAL's 2 and 2 at 18 and 19), and the placeholder replaced everywhere.
    @Test func theImageIsASQLiteFileInWALMode() throws {
        let bytes = EmbeddedSQL.newLog.bytes(appliedAt: "2026-12-02T05:00:00.000Z")
        #expect(bytes.count % GradLog.pageSize == 0 && bytes.count >= 8 * GradLog.pageSize)
        #expect(Array(bytes[0..<16]) == Array("SQLite format 3\u{0}".utf8))
        #expect(bytes[16] == UInt8(GradLog.pageSize >> 8) && bytes[17] == UInt8(GradLog.pageSize & 0xFF))
        #expect(bytes[18] == 2 && bytes[19] == 2)
        let placeholder = Array(EmbeddedSQL.newLog.appliedAtPlaceholder.utf8)
        #expect(!bytes.indices.dropLast(placeholder.count).contains { bytes[$0..<$0 + placeholder.count].elementsEqual(placeholder) })
        let stamp = Array("2026-12-02T05:00:00.000Z".utf8)
        let stamped = bytes.indices.dropLast(stamp.count).filter { bytes[$0..<$0 + stamp.count].elementsEqual(stamp) }
        #expect(stamped.count == EmbeddedSQL.allMigrations.count)
    }
}
