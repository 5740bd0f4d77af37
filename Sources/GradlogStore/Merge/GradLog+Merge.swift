import CSQLite
import Glibc

/// What merging one input file brought into the log.
public struct MergeResult: Sendable {
    /// The input file, as given.
    public var input: String
    /// The input's schema version (its latest migration).
    public var schemaVersion: Int
    /// Complete runs in the input, those copied now, and those the log already had.
    public var runs: Int
    public var runsAdded: Int
    public var runsPresent: Int { runs - runsAdded }
    /// Program structures the log did not hold yet.
    public var graphsAdded: Int
    public var trainings: Int
    public var trainingsAdded: Int
    /// Trainings merged before that had gone further in the input since.
    public var trainingsAdvanced: Int
    public var gradchecksAdded: Int
    public var metricsAdded: Int
}

extension GradLog {
    /// Copies every complete run of the gradlog file at `input` into this log, with its
    /// program structure, tags, gradient checks, and the input's trainings with their metrics
    /// and node statistics. Ids are renumbered after the log's own; a program text the log
    /// holds already (the same SHA-256) shares its structure; names, tags, created_at and uuids
    /// are kept, and every new run is tagged `sourceTag` (unless it has that tag already).
    ///
    /// Runs are known by their uuid, so merging an input again adds nothing, and a training
    /// that went on in the input since brings only its new steps. The input is opened
    /// read-only and verified like any file gradlog reads (an older schema is read as its
    /// version laid it out; a newer one is refused); it is copied in one IMMEDIATE transaction,
    /// so a merge killed halfway leaves the log as it was before this input.
    public func merge(_ input: String, sourceTag: (key: String, value: String)) throws -> MergeResult {
        try Self.validateTags([sourceTag])
        try Self.refuseReservedTags([sourceTag])
        guard try Self.checkDatabasePath(input, mode: .readOnly) else { throw GradLogError.noDatabase(path: input) }
        if Self.sameFile(input, path) { throw MergeError.inputIsOutput(input) }
        try attachInput(input)
        defer { try? database.execute(StoreSQL.Merge.detach) }
        do {
            return try database.transaction { try copyInput(input, sourceTag: sourceTag) }
        } catch let error as SQLiteError where error.code == SQLITE_NOTADB || error.code == SQLITE_CORRUPT {
            throw GradLogError.notAGradlogDatabase(path: input, reason: "it is not an SQLite database, or it is damaged (\(error.message))")
        }
    }

    /// Attaches `input` read-only; a WAL file in a folder this user cannot write is attached
    /// immutable instead (SQLite cannot make its -shm file there), as reading commands do.
    private func attachInput(_ input: String) throws {
        var failure = attach(Database.uri(input, query: "mode=ro"))
        if let error = failure, error.code == SQLITE_READONLY || error.code == SQLITE_CANTOPEN {
            failure = attach(Database.uri(input, query: "immutable=1"))
        }
        guard let error = failure else { return }
        if error.code == SQLITE_NOTADB {
            throw GradLogError.notAGradlogDatabase(path: input, reason: "it is not an SQLite database")
        }
        throw OpenError(message: "cannot read \(input): \(error.message)")
    }

    /// Attaches a URI as `merge_input` and reads its schema table; nil when that worked, else
    /// SQLite's error (and nothing stays attached).
    private func attach(_ uri: String) -> SQLiteError? {
        do {
            let attach = try database.prepare(StoreSQL.Merge.attach)
            try attach.bind(1, uri)
            try attach.step()
            _ = try database.scalarInt(StoreSQL.Merge.probe)
            return nil
        } catch {
            try? database.execute(StoreSQL.Merge.detach)
            return error
        }
    }

    /// Inside the transaction: verify the attached input, then copy it.
    private func copyInput(_ input: String, sourceTag: (key: String, value: String)) throws -> MergeResult {
        typealias SQL = StoreSQL.Merge
        let migrator = Migrator.embedded
        guard let inspection = try migrator.inspect(database, schema: SQL.schema, path: input) else {
            throw GradLogError.notAGradlogDatabase(path: input, reason: "it has no tables")
        }
        let count = try migrator.verify(database, inspection, path: input)
        let version = migrator.migrations[count - 1].version
        try database.execute(SQL.prepareMaps)
        try database.execute(SQL.mapRuns(version: version))
        try database.execute(SQL.mapGraphs)
        try database.execute(SQL.numberGraphs)
        try refuseDifferentStructure(input)
        try database.execute(SQL.copyGraphs)
        try database.execute(SQL.copyGraphInputs)
        if version >= 5 { try database.execute(SQL.copyNodeAxes) }
        try database.execute(SQL.copyRuns(version: version))
        try database.execute(SQL.markStructureRuns)
        try database.execute(SQL.copyNodes)
        if version >= 5 { try database.execute(SQL.copyTensorNodes) }

        var result = MergeResult(
            input: input, schemaVersion: version, runs: 0, runsAdded: 0, graphsAdded: 0, trainings: 0, trainingsAdded: 0,
            trainingsAdvanced: 0, gradchecksAdded: 0, metricsAdded: 0)
        if version >= 6 {
            try database.execute(SQL.mapTrainings(version: version))
            try database.execute(SQL.copyTrainings)
            try database.execute(SQL.markAdvancingTrainings)
            try database.execute(SQL.advanceTrainings)
            result.trainingsAdvanced = database.changes
            if version >= 7 { try database.execute(SQL.copyCheckpoints) }
            try database.execute(SQL.copyMetrics)
            result.metricsAdded = database.changes
            try database.execute(SQL.copyTrainingNodes)
        }
        try database.execute(SQL.copyTags)
        let tag = try database.prepare(SQL.tagSource)
        try tag.bind(1, sourceTag.key)
        try tag.bind(2, sourceTag.value)
        try tag.step()
        if version >= 4 {
            try database.execute(SQL.copyGradchecks(version: version))
            result.gradchecksAdded = database.changes
        }
        try checkNewRuns(input)
        try RunWriter(database).refreshStatistics()

        let runs = try database.prepare(SQL.countRuns)
        _ = try runs.step()
        result.runs = Int(runs.int(0))
        result.runsAdded = Int(runs.float(1) ?? 0)
        result.graphsAdded = Int(try database.scalarInt(SQL.countNewGraphs) ?? 0)
        result.trainings = Int(try database.scalarInt("SELECT count(*) FROM temp.merge_training") ?? 0)
        result.trainingsAdded = Int(try database.scalarInt(SQL.countNewTrainings) ?? 0)
        return result
    }

    /// Runs of one program text share one structure: an input whose structure for a text
    /// differs from the log's (another gradlog version parsed it otherwise, or the file was
    /// changed) is refused, and so is a new structure whose run is missing.
    private func refuseDifferentStructure(_ input: String) throws {
        let different = try database.prepare(StoreSQL.Merge.differentStructure)
        if try different.step() {
            throw MergeError.differentStructure(input: input, inputGraph: different.int(0), log: path, logGraph: different.int(1))
        }
        let missing = try database.prepare(StoreSQL.Merge.missingStructureRun)
        if try missing.step() {
            throw ChangedFileError(
                path: input, detail: "graph \(missing.int(0)): its structure run \(missing.int(1)) is missing or not complete")
        }
    }

    /// Each new run reads back as `runs` reads it (its node count, output and output value
    /// checked), so that a damaged input cannot make the whole log unreadable: it is refused,
    /// naming its own run. (A run's nodes are checked, as in any file, by the commands that
    /// read them.)
    private func checkNewRuns(_ input: String) throws {
        let runs = try database.prepare(StoreSQL.Merge.newRuns)
        while try runs.step() {
            let (source, merged) = (runs.int(0), runs.int(1))
            do {
                _ = try run(id: merged)
            } catch let error as ChangedFileError {
                let detail = error.detail.hasPrefix("run \(merged)") ? String(error.detail.dropFirst("run \(merged)".count)) : ": " + error.detail
                throw ChangedFileError(path: input, detail: "run \(source)" + detail)
            }
        }
    }

    /// True when both paths name one file (through links, or the same file by two names).
    static func sameFile(_ a: String, _ b: String) -> Bool {
        var x = stat(), y = stat()
        return stat(a, &x) == 0 && stat(b, &y) == 0 && x.st_dev == y.st_dev && x.st_ino == y.st_ino
    }
}

/// Inputs `merge` refuses.
public enum MergeError: Error, Sendable, CustomStringConvertible {
    case inputIsOutput(String)
    case differentStructure(input: String, inputGraph: Int64, log: String, logGraph: Int64)

    public var description: String {
        switch self {
        case .inputIsOutput(let input):
            "\(input) is the file being merged into; name it once, as OUT"
        case .differentStructure(let input, let inputGraph, let log, let logGraph):
            "\(input) holds runs of a program (graph \(inputGraph)) whose stored structure differs from that of the same program text in \(log) (graph \(logGraph)): it was recorded by another gradlog version or changed outside gradlog; nothing of \(input) was merged"
        }
    }
}
