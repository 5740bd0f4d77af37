import Foundation
import Testing
@testable import GradlogStore

/// An input from before schema version 8 (no uuids) merges as it is, read-only, and its runs
/// keep their identity when the file is upgraded later: the migration derives the same uuids
/// that merge derived, so merging the upgraded file again adds nothing.
@Suite struct MergeLegacyTests {
    static let source = "input x = 3\ninput y = -4\nf = (x + sigmoid(y)) / (sigmoid(x) + (x + y) ^ 2)\n"

    /// A file at schema version 6 holding two runs of a program, a run built in Swift, a
    /// gradient check and a training: made by this gradlog, then copied table by table into
    /// a file that only the first six migrations made.
    func legacyFile(in scratch: ScratchLog) throws -> String {
        let program = try Program(source: Self.source, file: "f.grad")
        _ = try scratch.log.record(program.computation, program: program, name: "first")
        _ = try scratch.log.record(try program.computation(setting: ["x": 2]), program: program)
        try scratch.recordSeed(x: 1)
        _ = try scratch.log.gradcheck(run: 1)
        _ = try scratch.log.train(program, text: ProgramText(program.source), programPath: "f.grad",
                                  options: TrainingOptions(steps: 3, learningRate: 0.1))
        let path = scratch.folder.appendingPathComponent("legacy.db").path
        let db = try Database(path: path, mode: .create)
        try Migrator(files: EmbeddedSQL.allMigrations.filter { Int($0.name.prefix(4))! <= 6 }).migrate(db)
        let attach = try db.prepare("ATTACH ?1 AS current")
        try attach.bind(1, scratch.log.path)
        try attach.step()
        try db.execute("""
            INSERT INTO graph SELECT * FROM current.graph;
            INSERT INTO graph_input SELECT * FROM current.graph_input;
            INSERT INTO node_axis SELECT * FROM current.node_axis;
            INSERT INTO run SELECT id, name, created_at, status, graph_id, program_path, tool_version, sqlite_version, seed, capture FROM current.run;
            INSERT INTO run_node SELECT * FROM current.run_node;
            INSERT INTO run_tag SELECT * FROM current.run_tag;
            INSERT INTO tensor_node SELECT * FROM current.tensor_node;
            INSERT INTO gradcheck SELECT * FROM current.gradcheck;
            INSERT INTO training SELECT id, name, created_at, program_path, program_sha256, options, seed, status, steps_done,
                                        final_loss, graph_id FROM current.training;
            INSERT INTO metric SELECT * FROM current.metric;
            INSERT INTO training_node SELECT * FROM current.training_node;
            DETACH current;
            """)
        return path
    }

    func uuids(_ log: GradLog, _ table: String) throws -> [String] {
        let statement = try log.database.prepare("SELECT uuid FROM \(table) ORDER BY uuid")
        var result: [String] = []
        while try statement.step() { result.append(statement.string(0) ?? "NULL") }
        return result
    }

    @Test func anOlderInputMergesAndKeepsItsIdentityThroughAnUpgrade() throws {
        let scratch = try ScratchLog()
        let legacy = try legacyFile(in: scratch)
        let before = try Data(contentsOf: URL(fileURLWithPath: legacy))
        let out = try GradLog(path: scratch.folder.appendingPathComponent("out.db").path, mode: .create)

        let first = try out.merge(legacy, sourceTag: ("source", "legacy"))
        #expect((first.schemaVersion, first.runs, first.runsAdded, first.graphsAdded) == (6, 5, 5, 2))
        #expect((first.trainings, first.trainingsAdded, first.gradchecksAdded, first.metricsAdded) == (1, 1, 2, 3 * 7), "3 steps of f, lr, grad_norm and grad_norm.NAME, update_ratio.NAME for x and y")
        #expect(try Data(contentsOf: URL(fileURLWithPath: legacy)) == before, "read, never written")
        // The derived uuids are UUIDs of version 8, one per run.
        let merged = try uuids(out, "run")
        #expect(Set(merged).count == 5 && merged.allSatisfy { $0.count == 36 && Array($0)[14] == "8" })
        #expect(try out.run(id: 1).name == "first")

        // Upgrading the file fills in the same uuids, so a second merge adds nothing.
        let upgraded = try GradLog(path: legacy, mode: .readWrite)
        #expect(try uuids(upgraded, "run") == merged)
        #expect(try uuids(upgraded, "training") == uuids(out, "training"))
        let second = try out.merge(legacy, sourceTag: ("source", "legacy"))
        #expect((second.schemaVersion, second.runsAdded, second.trainingsAdded, second.gradchecksAdded, second.metricsAdded)
            == (Migrator().latestVersion, 0, 0, 0, 0))
        #expect(second.runsPresent == 5)
    }

    @Test func derivedUUIDsAreStableAndDistinct() {
        let a = RunUUID.derived(["run", "2026-01-01T00:00:00.000Z", "1", "2026-01-01T00:00:01.000Z", nil, "1.5"])
        #expect(a == RunUUID.derived(["run", "2026-01-01T00:00:00.000Z", "1", "2026-01-01T00:00:01.000Z", nil, "1.5"]))
        #expect(a != RunUUID.derived(["run", "2026-01-01T00:00:00.000Z", "2", "2026-01-01T00:00:01.000Z", nil, "1.5"]))
        // NULL is not the empty text, nor the text "NULL".
        #expect(RunUUID.derived([nil]) != RunUUID.derived([""]))
        #expect(RunUUID.derived([nil]) != RunUUID.derived(["NULL"]))
        #expect(Array(a)[14] == "8" && "89ab".contains(Array(a)[19]))
    }
}
