import Foundation
import Testing
@testable import GradlogStore

/// Schema versions: newer databases and changed migrations are refused untouched; older ones
/// are upgraded, each pending migration in its own transaction.
@Suite struct MigrationTests {
    func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("gradlog-\(UUID().uuidString).db").path
    }

    func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    /// A database as this gradlog makes it, closed (so its WAL is checkpointed into the file),
    /// then changed by `sql` through a plain connection.
    func makeDatabase(then sql: String? = nil) throws -> String {
        let path = temporaryPath()
        do { _ = try GradLog(path: path, mode: .create) }
        if let sql {
            let db = try Database(path: path, mode: .readWrite)
            try db.execute(sql)
        }
        return path
    }

    @Test func newerDatabaseIsRefusedAndUnchanged() throws {
        let path = try makeDatabase(then: "INSERT INTO gradlog_migration VALUES (99, '0099_future.sql', 'x', 'now')")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let before = try bytes(path)
        let known = Migrator().latestVersion
        for mode: Database.Mode in [.readWrite, .readOnly] {
            #expect(throws: GradLogError.newerSchema(path: path, databaseVersion: 99, knownVersion: known)) {
                _ = try GradLog(path: path, mode: mode)
            }
        }
        #expect(try bytes(path) == before)
    }

    @Test func changedMigrationIsRefused() throws {
        let path = try makeDatabase(then: "UPDATE gradlog_migration SET sha256 = 'edited' WHERE version = 1")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let before = try bytes(path)
        #expect(throws: GradLogError.changedMigration(path: path, name: "0001_initial.sql")) {
            _ = try GradLog(path: path, mode: .readWrite)
        }
        #expect(try bytes(path) == before)
    }

    @Test func olderDatabaseIsUpgradedStepByStep() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let first = Array(EmbeddedSQL.allMigrations.prefix(1))
        let extra = EmbeddedFile(name: "9000_probe.sql", text: "CREATE TABLE probe (id INTEGER PRIMARY KEY);")
        let db = try Database(path: path, mode: .create)
        try Migrator(files: first).migrate(db)
        #expect(try db.scalarInt("SELECT max(version) FROM gradlog_migration") == 1)

        // An older database under a newer binary: reading refuses, writing upgrades.
        let newer = Migrator(files: EmbeddedSQL.allMigrations + [extra])
        let inspection = try #require(try newer.inspect(db))
        try newer.verify(db, inspection)
        try newer.migrate(db)
        #expect(try db.scalarInt("SELECT count(*) FROM gradlog_migration") == Int64(EmbeddedSQL.allMigrations.count + 1))
        #expect(try db.scalarInt("SELECT count(*) FROM probe") == 0)
        // Migrating again is a no-op.
        try newer.migrate(db)
        #expect(try db.scalarInt("SELECT count(*) FROM gradlog_migration") == Int64(EmbeddedSQL.allMigrations.count + 1))
    }

    @Test func readOnlyOpenOfAnOlderDatabaseAsksForAnUpgrade() throws {
        guard EmbeddedSQL.allMigrations.count > 1 else { return }  // needs a second migration
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            let db = try Database(path: path, mode: .create)
            try Migrator(files: Array(EmbeddedSQL.allMigrations.prefix(1))).migrate(db)
        }
        #expect(throws: GradLogError.self) { _ = try GradLog(path: path, mode: .readOnly) }
        _ = try GradLog(path: path, mode: .readWrite)
        _ = try GradLog(path: path, mode: .readOnly)
    }

    /// A migration that fails leaves no trace: its transaction rolls back with its record.
    @Test func failingMigrationRollsBack() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let db = try Database(path: path, mode: .create)
        try Migrator().migrate(db)
        let broken = EmbeddedFile(name: "9001_broken.sql", text: "CREATE TABLE half (id INTEGER); INSERT INTO nowhere VALUES (1);")
        #expect(throws: SQLiteError.self) { try Migrator(files: EmbeddedSQL.allMigrations + [broken]).migrate(db) }
        #expect(try db.scalarInt("SELECT count(*) FROM sqlite_schema WHERE name = 'half'") == 0)
        #expect(try db.scalarInt("SELECT count(*) FROM gradlog_migration WHERE version = 9001") == 0)
    }
}
