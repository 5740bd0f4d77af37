import CSQLite

/// Applies the embedded migrations (migrations/NNNN_name.sql) in order, each in its own
/// IMMEDIATE transaction together with the row that records it, and refuses databases that
/// are not gradlog's, are newer than this binary, were made by a migration that has changed,
/// or hold schema objects their migrations do not make (`ExpectedSchema`).
struct Migrator {
    /// 'GRLG', set by migration 0001.
    static let applicationID: Int64 = 1_196_575_815
    /// The table that records the applied migrations.
    static let table = "gradlog_migration"

    struct Migration {
        var version: Int
        var file: EmbeddedFile
        var checksum: String { file.sha256 }
    }

    let migrations: [Migration]
    /// True for the migrations compiled into this binary, whose expected schema is worked out
    /// once per process.
    private let isEmbedded: Bool

    init(files: [EmbeddedFile] = EmbeddedSQL.allMigrations) {
        migrations = files.map { file in
            let version = Int(file.name.prefix { $0.isNumber }) ?? 0
            precondition(version > 0, "migration file \(file.name) must start with its number")
            return Migration(version: version, file: file)
        }.sorted { $0.version < $1.version }
        isEmbedded = files == EmbeddedSQL.allMigrations
    }

    var latestVersion: Int { migrations.last?.version ?? 0 }

    /// The embedded migrations.
    static let embedded = Migrator()

    private static let embeddedSchema = Result { try ExpectedSchema(embedded) }

    /// `SchemaObject.fingerprint` of the schema all the embedded migrations make. A file whose
    /// schema has this fingerprint is exactly current, which is checked without rebuilding the
    /// expected schema in memory (a third of the time of a short command); any other file is
    /// compared object by object. `SchemaVerificationTests` holds this against the rebuilt
    /// schema: a new migration changes it, and that test prints the new value.
    static let latestSchemaFingerprint = "a6e37d55524893c2954be646e78f6973efe94a720ec179a3f62f0ede794c3022"

    /// Whether `objects` are exactly the schema of every embedded migration.
    private func isLatestSchema(_ objects: [SchemaObject]) -> Bool {
        isEmbedded && SchemaObject.fingerprint(objects) == Self.latestSchemaFingerprint
    }

    /// The schema objects each prefix of the migrations makes.
    func expectedSchema() throws -> ExpectedSchema {
        isEmbedded ? try Self.embeddedSchema.get() : try ExpectedSchema(self)
    }

    /// What `inspect` read of a file: its applied migrations by version and checksum, and its
    /// schema objects, which `verify` checks without reading them again.
    struct Inspection {
        var applied: [Int: String]
        var objects: [SchemaObject]
        /// Whether `objects` are exactly the schema of every embedded migration (by fingerprint).
        var isLatestSchema: Bool
    }

    /// What the database holds: nil if it has no tables at all (a new file), otherwise the
    /// applied migrations and the schema. Changes nothing, and reads nothing through the file's
    /// own definitions but `gradlog_migration`, once it is known to be gradlog's.
    /// `schema` names an attached file (`merge` reads its inputs so), `path` that file.
    func inspect(_ db: Database, schema: String = "main", path: String? = nil) throws -> Inspection? {
        let path = path ?? db.path
        let objects = try SchemaObject.all(in: db, schema: schema)
        if objects.isEmpty { return nil }
        let appID = try db.scalarInt("PRAGMA \"\(schema)\".application_id") ?? 0
        guard appID == Self.applicationID else {
            throw GradLogError.notAGradlogDatabase(path: path, reason: "it is an SQLite database of another application")
        }
        let isLatest = isLatestSchema(objects)
        if !isLatest, let difference = try expectedSchema().migrationTableDifference(objects) {
            throw ChangedFileError(path: path, detail: difference + Self.schemaNote(migrations: nil))
        }
        var applied: [Int: String] = [:]
        let statement = try db.prepare("SELECT version, sha256 FROM \"\(schema)\".\(Self.table)")
        while try statement.step() {
            applied[Int(truncatingIfNeeded: statement.int(0))] = statement.string(1) ?? ""
        }
        return Inspection(applied: applied, objects: objects, isLatestSchema: isLatest)
    }

    /// Checks that the database can be used by this binary as it is: not newer, made by these
    /// migrations, and holding exactly the schema objects they make; throws otherwise.
    /// Returns how many of the migrations the file has (it has the first that many).
    @discardableResult
    func verify(_ db: Database, _ inspection: Inspection, path: String? = nil) throws -> Int {
        let path = path ?? db.path
        let applied = inspection.applied
        if let newest = applied.keys.max(), newest > latestVersion {
            throw GradLogError.newerSchema(path: path, databaseVersion: newest, knownVersion: latestVersion)
        }
        for migration in migrations {
            if let checksum = applied[migration.version], checksum != migration.checksum {
                throw GradLogError.changedMigration(path: path, name: migration.file.name)
            }
        }
        // gradlog applies migrations in order, so a file has the first k of them.
        let count = migrations.prefix { applied[$0.version] != nil }.count
        guard count == applied.count else {
            let versions = applied.keys.sorted().map(String.init).joined(separator: ", ")
            throw ChangedFileError(path: path, detail: "\(Self.table) lists migrations \(versions), which gradlog never applies in that order")
        }
        if count == migrations.count && inspection.isLatestSchema { return count }
        if let difference = try expectedSchema().difference(inspection.objects, migrations: count) {
            throw ChangedFileError(path: path, detail: difference + Self.schemaNote(migrations: count))
        }
        return count
    }

    /// Why a file with a schema of its own is refused, after what differs.
    private static func schemaNote(migrations count: Int?) -> String {
        let which = count.map { " (the first \($0) of them)" } ?? ""
        return "; gradlog opens only files whose tables, views, triggers and indexes are exactly those its migrations make\(which), so nothing in this one was run or changed"
    }

    /// Brings the database up to the latest version. Safe to race with another process: each
    /// step re-reads what is applied after taking the write lock. Returns the schema objects
    /// of the file, verified and migrated.
    @discardableResult
    func migrate(_ db: Database) throws -> [SchemaObject] {
        if let inspection = try inspect(db) {
            try verify(db, inspection)
            if inspection.applied.count == migrations.count { return inspection.objects }
        }
        for migration in migrations { try apply(migration, to: db) }
        return try SchemaObject.all(in: db)
    }

    /// Applies one migration with the row that records it, in one transaction, unless it is
    /// applied already.
    func apply(_ migration: Migration, to db: Database) throws {
        try SQLFunctions.registerForMigrations(on: db)
        try db.transaction {
            try db.execute(Self.tableDefinition)
            let check = try db.prepare("SELECT sha256 FROM gradlog_migration WHERE version = ?1")
            try check.bind(1, Int64(migration.version))
            if try check.step() {
                guard check.string(0) == migration.checksum else {
                    throw GradLogError.changedMigration(path: db.path, name: migration.file.name)
                }
                return
            }
            try db.execute(migration.file.text)
            try record([migration], in: db)
        }
    }

    /// The table that records the applied migrations, as every gradlog file has it. EmbedSQLTool
    /// defines it, since it makes a new log's file with it (`EmbeddedSQL.newLog`).
    private static let tableDefinition = EmbeddedSQL.migrationTableDefinition

    /// Records migrations as applied now.
    private func record(_ applied: [Migration], in db: Database) throws {
        let record = try db.prepare("""
            INSERT INTO gradlog_migration (version, name, sha256, applied_at)
            VALUES (?1, ?2, ?3, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
            """)
        for migration in applied {
            try record.bind(1, Int64(migration.version))
            try record.bind(2, migration.file.name)
            try record.bind(3, migration.checksum)
            try record.step()
            record.reset()
        }
    }
}
