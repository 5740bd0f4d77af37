import CSQLite

/// Applies the embedded migrations (migrations/NNNN_name.sql) in order, each in its own
/// IMMEDIATE transaction together with the row that records it, and refuses databases that
/// are not gradlog's, are newer than this binary, or were made by a migration that has changed.
struct Migrator {
    /// 'GRLG', set by migration 0001.
    static let applicationID: Int64 = 1_196_575_815

    struct Migration {
        var version: Int
        var file: EmbeddedFile
        var checksum: String
    }

    let migrations: [Migration]

    init(files: [EmbeddedFile] = EmbeddedSQL.allMigrations) {
        migrations = files.map { file in
            let version = Int(file.name.prefix { $0.isNumber }) ?? 0
            precondition(version > 0, "migration file \(file.name) must start with its number")
            return Migration(version: version, file: file, checksum: SHA256.hex(file.text))
        }.sorted { $0.version < $1.version }
    }

    var latestVersion: Int { migrations.last?.version ?? 0 }

    /// What the database holds: nil if it has no tables at all (a new file), otherwise the
    /// applied migrations by version and checksum. Changes nothing.
    func inspect(_ db: Database) throws -> [Int: String]? {
        let tableCount = try db.scalarInt("SELECT count(*) FROM sqlite_schema") ?? 0
        if tableCount == 0 { return nil }
        let appID = try db.scalarInt("PRAGMA application_id") ?? 0
        guard appID == Self.applicationID else {
            throw GradLogError.notAGradlogDatabase(path: db.path, reason: "it is an SQLite database of another application")
        }
        var applied: [Int: String] = [:]
        let statement = try db.prepare("SELECT version, sha256 FROM gradlog_migration")
        while try statement.step() {
            applied[Int(statement.int(0))] = statement.string(1) ?? ""
        }
        return applied
    }

    /// Checks that the database can be used by this binary as it is; throws otherwise.
    func verify(_ db: Database, applied: [Int: String]) throws {
        if let newest = applied.keys.max(), newest > latestVersion {
            throw GradLogError.newerSchema(path: db.path, databaseVersion: newest, knownVersion: latestVersion)
        }
        for migration in migrations {
            if let checksum = applied[migration.version], checksum != migration.checksum {
                throw GradLogError.changedMigration(path: db.path, name: migration.file.name)
            }
        }
    }

    /// Brings the database up to the latest version. Safe to race with another process: each
    /// step re-reads what is applied after taking the write lock.
    func migrate(_ db: Database) throws {
        if let applied = try inspect(db) {
            try verify(db, applied: applied)
            if applied.count == migrations.count { return }
        }
        for migration in migrations {
            try db.transaction {
                try db.execute("""
                    CREATE TABLE IF NOT EXISTS gradlog_migration (
                        version INTEGER PRIMARY KEY,
                        name TEXT NOT NULL,
                        sha256 TEXT NOT NULL,
                        applied_at TEXT NOT NULL
                    )
                    """)
                let check = try db.prepare("SELECT sha256 FROM gradlog_migration WHERE version = ?1")
                try check.bind(1, Int64(migration.version))
                if try check.step() {
                    guard check.string(0) == migration.checksum else {
                        throw GradLogError.changedMigration(path: db.path, name: migration.file.name)
                    }
                    return
                }
                try db.execute(migration.file.text)
                let record = try db.prepare("""
                    INSERT INTO gradlog_migration (version, name, sha256, applied_at)
                    VALUES (?1, ?2, ?3, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
                    """)
                try record.bind(1, Int64(migration.version))
                try record.bind(2, migration.file.name)
                try record.bind(3, migration.checksum)
                try record.step()
            }
        }
    }
}
