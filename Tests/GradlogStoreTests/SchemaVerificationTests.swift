import Foundation
import Testing
@testable import GradlogStore

/// The schema a file must hold is worked out from the migrations, never written down: a file
/// at any version is checked against the migrations it has, and a new migration is expected
/// as soon as it exists.
@Suite struct SchemaVerificationTests {
    func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("gradlog-schema-\(UUID().uuidString).db").path
    }

    /// A file made by the first `count` migrations, then changed by `sql` on a plain connection.
    func database(migrations count: Int, then sql: String? = nil) throws -> String {
        let path = temporaryPath()
        let db = try Database(path: path, mode: .create)
        try Migrator(files: Array(EmbeddedSQL.allMigrations.prefix(count))).migrate(db)
        if let sql { try db.execute(sql) }
        return path
    }

    @Test func anOlderFileIsVerifiedAgainstItsOwnMigrations() throws {
        guard EmbeddedSQL.allMigrations.count > 2 else { return }
        let plain = try database(migrations: 2)
        defer { try? FileManager.default.removeItem(atPath: plain) }
        // Verified, then refused for reading only because it is older; writing upgrades it.
        #expect(throws: GradLogError.olderSchemaReadOnly(path: plain, databaseVersion: 2, knownVersion: Migrator().latestVersion)) {
            _ = try GradLog(path: plain, mode: .readOnly)
        }
        _ = try GradLog(path: plain, mode: .readWrite)
        _ = try GradLog(path: plain, mode: .readOnly)

        let planted = try database(migrations: 2, then: "CREATE TRIGGER t AFTER INSERT ON run BEGIN DELETE FROM run_node; END")
        defer { try? FileManager.default.removeItem(atPath: planted) }
        for mode: Database.Mode in [.readOnly, .readWrite] {
            #expect {
                _ = try GradLog(path: planted, mode: mode)
            } throws: { error in
                "\(error)".contains("was changed outside gradlog: unexpected trigger 't'; gradlog opens only files whose tables, views, triggers and indexes are exactly those its migrations make (the first 2 of them)")
            }
        }
        // Nothing was migrated into the refused file.
        let db = try Database(path: planted, mode: .readOnly)
        #expect(try db.scalarInt("SELECT max(version) FROM gradlog_migration") == 2)
    }

    /// Every object of a current file, autoindexes and sqlite_stat1 included, is expected.
    @Test func aFreshFileMatchesExactly() throws {
        let path = try database(migrations: EmbeddedSQL.allMigrations.count)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let db = try Database(path: path, mode: .readOnly)
        let expected = try Migrator().expectedSchema()
        #expect(expected.difference(try SchemaObject.all(in: db), migrations: EmbeddedSQL.allMigrations.count) == nil)
        #expect(try SchemaObject.all(in: db).contains { $0.name == "sqlite_stat1" })
    }

    /// The written-down fingerprint that lets a current file skip the in-memory rebuild is the
    /// rebuilt schema's, and a fresh file has it; a file with one object changed does not.
    @Test func theLatestSchemaFingerprintIsTheMigrationsOwn() throws {
        let count = EmbeddedSQL.allMigrations.count
        let rebuilt = try Migrator().expectedSchema().fingerprint(migrations: count)
        #expect(rebuilt == Migrator.latestSchemaFingerprint, "a migration changed the schema: set Migrator.latestSchemaFingerprint to \"\(rebuilt)\"")
        let path = try database(migrations: count)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let db = try Database(path: path, mode: .readWrite)
        #expect(SchemaObject.fingerprint(try SchemaObject.all(in: db)) == rebuilt)
        try db.execute("DROP VIEW runs; CREATE VIEW runs AS SELECT 1 AS id")
        #expect(SchemaObject.fingerprint(try SchemaObject.all(in: db)) != rebuilt)
        #expect(throws: ChangedFileError.self) { try Migrator().verify(db, try #require(try Migrator().inspect(db))) }
    }

    /// A new migration's objects are expected by the file that has it, and missed by one that
    /// claims it without them.
    @Test func aNewMigrationIsExpectedByItself() throws {
        let probe = EmbeddedFile(name: "9000_probe.sql", text: "CREATE TABLE probe (id INTEGER PRIMARY KEY); CREATE VIEW probes AS SELECT id FROM probe;")
        let migrator = Migrator(files: EmbeddedSQL.allMigrations + [probe])
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let db = try Database(path: path, mode: .create)
        try migrator.migrate(db)
        try migrator.verify(db, try #require(try migrator.inspect(db)))
        try db.execute("DROP VIEW probes")
        #expect(throws: ChangedFileError.self) { try migrator.verify(db, try #require(try migrator.inspect(db))) }
    }

    /// SQLite's own statistics tables may come from someone's ANALYZE; nothing else may.
    @Test func statisticsTablesAreSQLitesOwn() throws {
        let expected = try Migrator().expectedSchema()
        let count = EmbeddedSQL.allMigrations.count
        let path = try database(migrations: count)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var objects = try SchemaObject.all(in: try Database(path: path, mode: .readOnly))
        objects.append(SchemaObject(type: "table", name: "sqlite_stat4", table: "sqlite_stat4", sql: ExpectedSchema.statisticsTables["sqlite_stat4"]))
        #expect(expected.difference(objects, migrations: count) == nil)
        objects[objects.count - 1].sql = "CREATE TABLE sqlite_stat4(x)"
        #expect(expected.difference(objects, migrations: count) == "unexpected table 'sqlite_stat4'")
    }
}
