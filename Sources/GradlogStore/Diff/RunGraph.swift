import FoundationEssentials
import Glibc

/// A run and the graph it was recorded with.
struct RunGraph {
    let log: GradLog
    let run: Int64
    let graph: Int64
    let nodeCount: Int
    let programSHA256: String?

    init(run: Int64, in log: GradLog) throws {
        let statement = try log.database.prepare(StoreSQL.runGraph)
        try statement.bind(1, run)
        guard try statement.step() else { throw GradLogError.noSuchRun(reference: String(run), path: log.path) }
        self.log = log
        self.run = run
        graph = statement.int(0)
        nodeCount = try statement.storedNodeCount(1, fileBytes: try log.database.byteSize(), at: ValueLocation(path: log.path, run: run))
        programSHA256 = statement.string(2)
    }

    func sameFile(as other: RunGraph) -> Bool {
        func canonical(_ path: String) -> String { URL(fileURLWithPath: path).resolvingSymlinksInPath().standardizedFileURL.path }
        return log === other.log || canonical(log.path) == canonical(other.log.path)
    }
}
