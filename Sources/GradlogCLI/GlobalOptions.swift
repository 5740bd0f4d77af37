import ArgumentParser
import FoundationEssentials
import Glibc
import GradlogStore

/// Options every command that reads or writes a log takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The database file (default: $GRADLOG_DB, else ./gradlog.db).", valueName: "path"))
    var db: String?

    @Option(name: .long, help: "Output format: table, csv or json (query also takes jsonl).")
    var format: OutputFormat = .table

    var databasePath: String { Self.databasePath(db) }

    static func databasePath(_ db: String?) -> String {
        if let db { return db }
        if let env = ProcessInfo.processInfo.environment["GRADLOG_DB"] { return env }
        return "gradlog.db"
    }

    func open(_ mode: Database.Mode) throws -> GradLog { try Self.open(db: db, mode) }

    /// An empty `--db ''` and an empty `GRADLOG_DB=''` are refused alike, each named: neither
    /// falls back to ./gradlog.db, which would write a log where none was asked for. Static for
    /// commands with a `--format` of their own (`explain`), which take `--db` without this group.
    static func open(db: String?, _ mode: Database.Mode) throws -> GradLog {
        if db == "" { throw CLIError("--db '': the database path is empty; give a file name (without --db and GRADLOG_DB, gradlog uses ./gradlog.db)") }
        if db == nil && databasePath(db).isEmpty {
            throw CLIError("GRADLOG_DB is set but empty; give it a file name, or unset it to use ./gradlog.db")
        }
        return try GradLog(path: databasePath(db), mode: mode)
    }

    /// The database of `--db-b PATH`, opened read-only, or `log` when no path is given.
    static func openOther(_ path: String?, or log: GradLog) throws -> GradLog {
        do {
            return try path.map { try GradLog(path: $0, mode: .readOnly) } ?? log
        } catch GradLogError.noDatabase(let path) {
            throw CLIError("--db-b \(path): no such file")
        }
    }

    /// For commands whose output is one document: JSON lines would not fit it.
    func rejectJSONLines() throws {
        if format == .jsonl { throw ValidationError("--format jsonl is for `gradlog query`; use json here") }
    }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, csv, json, jsonl
}
