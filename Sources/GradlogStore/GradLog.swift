import CSQLite
import FoundationEssentials
import Glibc
@_exported import GradlogAutodiff
@_exported import GradlogProgram

/// An experiment log of gradient computations: one SQLite file.
///
/// ```swift
/// let log = try GradLog(path: "gradlog.db", mode: .create)
/// let b = ComputationBuilder()
/// let x = b.input("x", 3), y = b.input("y", -4)
/// let f = (x * y + sigmoid(y)).named("f")
/// let run = try log.record(b.finish(output: f), name: "demo")
/// for node in try log.nodes(run: run.id) { print(node.name ?? "", node.value, node.grad) }
/// ```
public final class GradLog {
    public static let toolVersion = "0.1.0"

    public let database: Database
    public var path: String { database.path }

    /// Opens a log. `.create` makes the file if it is missing and applies pending migrations;
    /// `.readWrite` migrates an existing file; `.readOnly` never writes and refuses a file whose
    /// schema is not current. Files that are not gradlog databases are refused untouched, and
    /// so are files whose tables, views, triggers or indexes are not exactly those gradlog's
    /// migrations make (`ChangedFileError`): that is verified before anything reads a view.
    public init(path: String, mode: Database.Mode) throws {
        if try !Self.checkDatabasePath(path, mode: mode) {
            try Self.createAtomically(path)
        }
        do {
            database = try Self.connect(path: path, mode: mode == .create ? .readWrite : mode)
            try SQLFunctions.register(on: database)
            let migrator = Migrator.embedded
            let objects: [SchemaObject]
            switch mode {
            case .readOnly, .immutable:
                guard let inspection = try migrator.inspect(database) else {
                    throw GradLogError.notAGradlogDatabase(path: path, reason: "it has no tables")
                }
                try migrator.verify(database, inspection)
                if inspection.applied.count < migrator.migrations.count {
                    throw GradLogError.olderSchemaReadOnly(
                        path: path, databaseVersion: inspection.applied.keys.max() ?? 0, knownVersion: migrator.latestVersion)
                }
                objects = inspection.objects
            case .readWrite, .create:
                objects = try migrator.migrate(database)
            }
            // The schema is verified to be gradlog's own now; only its own triggers could run
            // (it has none today; connections open with triggers off).
            if objects.contains(where: { $0.type == "trigger" }) { database.enableTriggers() }
            // WAL with synchronous=NORMAL: a committed run survives a killed process; only a
            // power loss can take back the last commits, and never corrupts the file.
            try database.execute("PRAGMA synchronous = NORMAL")
        } catch let error as SQLiteError {
            throw Self.explain(error, path: path)
        }
    }

    /// Makes a new, fully migrated database appear at `path` in one step: it is built under a
    /// temporary name beside it and hard-linked into place, which fails if the name exists. So
    /// concurrent first writers never see a half-made file, and the one that loses the race
    /// simply opens the winner's.
    /// The page size of a new log, the one its file was made with (`EmbeddedSQL.newLogPageSize`;
    /// bench/limit.c and bench/limit_tensor.c write with the same).
    public static let pageSize = EmbeddedSQL.newLogPageSize

    private static func createAtomically(_ path: String) throws {
        let temporary = path + ".creating-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { unlink(temporary) }
        // The file SQLite made at build time from the migrations' schema (EmbeddedSQL.newLog:
        // pages of 16 KB, WAL, every migration recorded), with this moment as the migrations'
        // time of application. Pages of 16 KB: a tensor's BLOB spans a quarter as many overflow
        // pages and WAL frames as with SQLite's 4 KB default; recording a 784-256-256-10 MLP
        // step whole (16.5 MB of BLOBs) took 26% less time end to end, a million scalar nodes 3
        // to 12% less, for a file 2% larger (each BLOB's last overflow page is half empty on
        // average). Written whole and synced once before it gets its name; nobody sees it before.
        let bytes = EmbeddedSQL.newLog.bytes(appliedAt: NewLogImage.utcTimestamp())
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        var failure: String?
        if descriptor < 0 {
            if errno == ENOENT, let missing = missingFolder(path) { throw missing }
            failure = String(cString: strerror(errno))
        } else {
            var written = 0
            bytes.withUnsafeBytes { buffer in
                while written < buffer.count {
                    let n = write(descriptor, buffer.baseAddress! + written, buffer.count - written)
                    if n < 0 && errno == EINTR { continue }
                    guard n > 0 else { failure = String(cString: strerror(n < 0 ? errno : ENOSPC)); return }
                    written += n
                }
            }
            if failure == nil && fsync(descriptor) != 0 { failure = String(cString: strerror(errno)) }
            close(descriptor)
        }
        if let failure { throw OpenError(message: "cannot create \(path): \(failure)") }
        if link(temporary, path) != 0 && errno != EEXIST {
            let reason = String(cString: strerror(errno))
            // A file system without hard links: rename, unless someone was faster.
            guard !FileManager.default.fileExists(atPath: path), rename(temporary, path) == 0 else {
                throw OpenError(message: "cannot create \(path): \(reason)")
            }
        }
    }

    /// Opens the connection. A WAL database in a folder this user cannot write cannot be read
    /// the usual way (SQLite needs to create its -shm file), so reading falls back to opening
    /// it as immutable.
    private static func connect(path: String, mode: Database.Mode) throws -> Database {
        let database = try Database(path: path, mode: mode)
        guard mode == .readOnly else { return database }
        do {
            _ = try database.scalarInt("SELECT count(*) FROM sqlite_schema")
            return database
        } catch {
            guard error.code == SQLITE_READONLY || error.code == SQLITE_CANTOPEN else { throw error }
            return try Database(path: path, mode: .immutable)
        }
    }

    /// The error for a path whose folder does not exist, or nil when it does.
    private static func missingFolder(_ path: String) -> OpenError? {
        let folder = folder(of: path)
        guard !folder.isEmpty && !FileManager.default.fileExists(atPath: folder) else { return nil }
        return OpenError(message: "cannot create \(path): the folder \(folder) does not exist")
    }

    /// Turns SQLite's open-time failures into messages about the file.
    static func explain(_ error: SQLiteError, path: String) -> Error {
        switch error.code {
        case SQLITE_NOTADB:
            return GradLogError.notAGradlogDatabase(path: path, reason: "it is not an SQLite database")
        case SQLITE_CANTOPEN:
            if let missing = missingFolder(path) { return missing }
            return OpenError(message: "cannot open \(path): \(error.message) (check the path and its permissions)")
        case SQLITE_READONLY:
            return OpenError(message: "cannot write to \(path): the file or its folder is read-only")
        default:
            return error
        }
    }
}

/// A database file that could not be opened, explained.
public struct OpenError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
