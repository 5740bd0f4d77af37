/// One entry of `sqlite_schema`: a table, index, view or trigger and the SQL that made it.
struct SchemaObject: Hashable, Sendable {
    var type: String
    var name: String
    var table: String
    /// nil for the indexes SQLite makes itself for UNIQUE and PRIMARY KEY (sqlite_autoindex_...).
    var sql: String?

    /// Every object of a schema of the connection (`main`, or an attached file's). Reads the
    /// system table only, so nothing the file defines runs.
    static func all(in db: Database, schema: String = "main") throws -> [SchemaObject] {
        let statement = try db.prepare("SELECT type, name, tbl_name, sql FROM \"\(schema)\".sqlite_schema")
        var objects: [SchemaObject] = []
        while try statement.step() {
            objects.append(SchemaObject(
                type: statement.string(0) ?? "", name: statement.string(1) ?? "", table: statement.string(2) ?? "",
                sql: statement.string(3)))
        }
        return objects
    }
}

extension SchemaObject {
    /// Hex SHA-256 of every object but SQLite's own statistics tables (which `ExpectedSchema`
    /// allows), sorted by name: type, name, table and SQL, separated by control characters that
    /// no name or SQL of gradlog's holds.
    static func fingerprint(_ objects: [SchemaObject]) -> String {
        let text = objects
            .filter { !($0.type == "table" && ExpectedSchema.statisticsTables[$0.name] == $0.sql) }
            .sorted { $0.name < $1.name }
            .map { [$0.type, $0.name, $0.table, $0.sql ?? "\u{0}"].joined(separator: "\u{1F}") }
            .joined(separator: "\u{1E}")
        return SHA256.hex(text)
    }
}

/// The schema objects a gradlog file holds at each version: exactly those its migrations
/// create, found by applying the migrations to an in-memory database, so the expectation
/// follows every new migration by itself and an older file (at migration 2 of 4) is checked
/// against migrations 1 and 2.
///
/// A file whose objects differ in any way (an extra trigger, view or index, a view or table
/// whose SQL changed, a missing one) is refused before anything in it is read through a view,
/// so nothing it brings ever runs. The one allowance: SQLite's own statistics tables
/// (`ANALYZE` with another build of SQLite may add sqlite_stat4), which only the planner reads.
struct ExpectedSchema: Sendable {
    /// By name, after the first k migrations, for k = 0 ... count.
    private let objects: [[String: SchemaObject]]

    /// The SQL SQLite itself gives its statistics tables.
    static let statisticsTables: [String: String] = [
        "sqlite_stat1": "CREATE TABLE sqlite_stat1(tbl,idx,stat)",
        "sqlite_stat2": "CREATE TABLE sqlite_stat2(tbl,idx,sampleno,sample)",
        "sqlite_stat3": "CREATE TABLE sqlite_stat3(tbl,idx,neq,nlt,ndlt,sample)",
        "sqlite_stat4": "CREATE TABLE sqlite_stat4(tbl,idx,neq,nlt,ndlt,sample)",
    ]

    init(_ migrator: Migrator) throws {
        let db = try Database(path: ":memory:", mode: .create)
        var objects: [[String: SchemaObject]] = [[:]]
        for migration in migrator.migrations {
            try migrator.apply(migration, to: db)
            objects.append(Dictionary(try SchemaObject.all(in: db).map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first }))
        }
        self.objects = objects
    }

    /// The fingerprint of the schema after the first `count` migrations.
    func fingerprint(migrations count: Int) -> String {
        SchemaObject.fingerprint(Array(objects[count].values))
    }

    /// The first difference between the file's objects and those of its first `count`
    /// migrations, or nil when they are the same.
    func difference(_ actual: [SchemaObject], migrations count: Int) -> String? {
        let expected = objects[count]
        for object in actual {
            if let mine = expected[object.name] {
                if mine == object { continue }
                if mine.type != object.type { return "'\(object.name)' is a \(object.type), not gradlog's \(mine.type)" }
                return "\(object.type) '\(object.name)' is not gradlog's (its SQL differs)"
            }
            if object.type == "table", let sql = Self.statisticsTables[object.name], object.sql == sql { continue }
            return "unexpected \(object.type) '\(object.name)'"
        }
        let names = Set(actual.map(\.name))
        if let missing = expected.values.sorted(by: { $0.name < $1.name }).first(where: { !names.contains($0.name) }) {
            return "\(missing.type) '\(missing.name)' is missing"
        }
        return nil
    }

    /// Whether `gradlog_migration`, the one table read before the whole schema is verified
    /// (it says which migrations to verify against), is gradlog's own table.
    func migrationTableDifference(_ actual: [SchemaObject]) -> String? {
        guard let mine = objects.last?[Migrator.table] else { return nil }
        guard let object = actual.first(where: { $0.name == Migrator.table }) else { return "table '\(Migrator.table)' is missing" }
        return object == mine ? nil : difference([object], migrations: objects.count - 1)
    }
}
