import GradlogStore
import Testing

/// `GradLog.recordSweep`: runs written through the run writer, tagged, in whole-run batches.
@Suite struct RecordSweepTests {
    let scratch = try! ScratchLog()
    let program = try! Program(source: "input a = 1\ninput b = 2\nc = a * b + a\n", file: "p.grad")

    @Test func runsAreTaggedAndShareOneStructure() throws {
        let sweep = try Sweep(axes: [SweepAxis(parsing: "a=0:2:3")])
        let recorded = try scratch.log.recordSweep(sweep, program: program, setting: ["b": 5], tags: [("study", "s1")])
        #expect(recorded.id == 1)
        #expect(recorded.runs.map(\.id) == [1, 2, 3])
        #expect(recorded.runs.map(\.outputValue) == [0, 6, 12])
        #expect(recorded.runs.map { $0.inputs[0].grad } == [6, 6, 6])  // dc/da = b + 1
        #expect(try scratch.log.tags(run: 3).map { "\($0.key)=\($0.value)" } == ["study=s1", "sweep=1", "sweep.a=2.0"])
        #expect(try scratch.scalar("SELECT count(*) FROM graph") == .integer(1))
        #expect(try scratch.scalar("SELECT count(DISTINCT run_id) FROM run_node WHERE op IS NOT NULL") == .integer(1))
    }

    /// With a budget of one run per transaction every run is still whole and tagged, and the
    /// sweep id is the first run's id even after another run was recorded before it.
    @Test func batchesKeepEachRunWhole() throws {
        _ = try scratch.log.record(try program.computation(setting: [:]), program: program)
        let sweep = try Sweep(axes: [SweepAxis(parsing: "a=0:1:2"), SweepAxis(parsing: "b=0:1:2")])
        var reported: [Int] = []
        let recorded = try scratch.log.recordSweep(
            sweep, program: program, rowsPerTransaction: 1, progress: { done, total in
                #expect(total == 4)
                reported.append(done)
            })
        #expect(reported == [1, 2, 3, 4])
        #expect(recorded.id == 2)
        #expect(recorded.runs.map(\.id) == [2, 3, 4, 5])
        #expect(try scratch.scalar("SELECT count(*) FROM run_node") == .integer(5 * 4))  // 4 nodes a run
        #expect(try scratch.scalar("SELECT group_concat(value) FROM tags WHERE key = 'sweep'") == .text("2,2,2,2"))
    }

    @Test func badSweepsWriteNothing() throws {
        let sweep = try Sweep(axes: [SweepAxis(parsing: "z=0:1:2")])
        #expect(throws: UnknownInputs.self) { try scratch.log.recordSweep(sweep, program: program) }
        let a = try Sweep(axes: [SweepAxis(parsing: "a=0:1:2")])
        #expect(throws: SweepError.sweptAndSet("a")) { try scratch.log.recordSweep(a, program: program, setting: ["a": 1]) }
        #expect(throws: SweepError.reservedTag("sweep.a")) { try scratch.log.recordSweep(a, program: program, tags: [("sweep.a", "1")]) }
        #expect(try scratch.scalar("SELECT count(*) FROM run") == .integer(0))
    }
}
