/// Failures a person can cause or meet when opening or reading a log, with messages that say
/// what went wrong and what to do.
public enum GradLogError: Error, Equatable, Sendable, CustomStringConvertible {
    case noDatabase(path: String)
    case notAGradlogDatabase(path: String, reason: String)
    case newerSchema(path: String, databaseVersion: Int, knownVersion: Int)
    case olderSchemaReadOnly(path: String, databaseVersion: Int, knownVersion: Int)
    case changedMigration(path: String, name: String)
    case noSuchRun(reference: String, path: String)
    case ambiguousRunName(name: String, ids: [Int64])
    case emptyLog(path: String)
    case invalidRunName(String)
    case invalidTag(String)
    /// The same program text was recorded before into a different structure (by another
    /// version of gradlog); runs of one text must share one structure.
    case structureChanged(path: String, storedNodes: Int, nodes: Int)
    case damagedProgram(run: Int64, path: String)
    /// `record --name` of a name another run has: a second one could never be referred to.
    case runNameTaken(name: String, id: Int64)
    /// A user tag with a key the sweeps keep for themselves (`sweep`, `sweep.NAME`).
    case reservedTag(String)

    public var description: String {
        switch self {
        case .noDatabase(let path):
            return "no gradlog database at \(path) (record a run first, or pass --db PATH)"
        case .notAGradlogDatabase(let path, let reason):
            return "\(path) is not a gradlog database: \(reason); it was left as it was"
        case .newerSchema(let path, let found, let known):
            return "\(path) has schema version \(found), but this gradlog knows versions up to \(known); upgrade gradlog to use it (nothing was changed)"
        case .olderSchemaReadOnly(let path, let found, let known):
            return "\(path) has schema version \(found) and this gradlog uses \(known); record a run (or any write) to upgrade it first"
        case .changedMigration(let path, let name):
            return "\(path) was set up by migration \(name), whose text in this gradlog differs (checksum mismatch); refusing to use it with a changed schema"
        case .noSuchRun(let reference, let path):
            return "no run '\(reference)' in \(path) (try `gradlog runs`)"
        case .ambiguousRunName(let name, let ids):
            return "run name '\(name)' is used by runs \(ids.map(String.init).joined(separator: ", ")); refer to one by id"
        case .emptyLog(let path):
            return "\(path) holds no runs yet (record one with `gradlog record PROGRAM`)"
        case .invalidRunName(let name):
            return "run name '\(name)' would read as a run reference; a name must not be a number, empty, or start with 'latest'"
        case .structureChanged(let path, let stored, let nodes):
            return "\(path) holds earlier runs of this exact program text, parsed into \(stored) nodes; this gradlog parses it into \(nodes). Record it into another database, or change the text (a comment will do) so that it is stored as a new program"
        case .invalidTag(let tag):
            return "tag key '\(tag)' must not be empty"
        case .damagedProgram(let run, let path):
            return "the program text of run \(run) in \(path) is damaged (its compressed copy does not decompress to program_bytes); the file was changed outside gradlog or damaged"
        case .runNameTaken(let name, let id):
            return "run name '\(name)' is taken by run \(id); names refer to one run, so choose another (or tag the run: --tag KEY=VALUE)"
        case .reservedTag(let key):
            return "tag '\(key)' is reserved for the sweep's own tags (sweep, sweep.NAME), which plot and input-grads read; choose another key"
        }
    }
}
