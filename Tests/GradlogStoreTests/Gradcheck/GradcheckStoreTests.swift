import GradlogStore
import Testing

/// `GradLog.gradcheck` and `programText(run:)`: the program is re-read from the store, plain
/// or compressed, and the analytic side is the stored adjoint.
@Suite struct GradcheckStoreTests {
    let scratch = try! ScratchLog()

    /// A program over 64 KiB, whose text is stored compressed: f = a·1.0001^n.
    static let longProgram: String = {
        var text = "input a = 0.5\nv0 = a\n"
        for i in 1...5000 { text += "v\(i) = v\(i - 1) * 1.0001\n" }
        return text
    }()

    @Test func programTextRoundTripsPlainAndCompressed() throws {
        let short = try Program(source: "input a = 2\nb = a * a\n", file: "s.grad")
        let long = try Program(source: Self.longProgram, file: "long.grad")
        let first = try scratch.log.record(short.computation, program: short)
        let second = try scratch.log.record(long.computation, program: long)
        let swift = try scratch.recordSeed()
        #expect(try scratch.log.programText(run: first.id) == short.source)
        #expect(try scratch.scalar("SELECT program IS NULL AND program_deflate IS NOT NULL FROM graph WHERE id = 2") == .integer(1))
        #expect(try scratch.log.programText(run: second.id) == Self.longProgram)
        #expect(try scratch.log.programText(run: swift) == nil)
        #expect(throws: GradLogError.self) { try scratch.log.programText(run: 99) }
        // A compressed text that does not decompress, or has no size, is reported, never a crash.
        let damaged = GradLogError.damagedProgram(run: second.id, path: scratch.log.path)
        try scratch.log.database.execute("UPDATE graph SET program_deflate = x'00' WHERE id = 2")
        #expect(throws: damaged) { try scratch.log.programText(run: second.id) }
        try scratch.log.database.execute("UPDATE graph SET program_bytes = NULL WHERE id = 2")
        #expect(throws: damaged) { try scratch.log.programText(run: second.id) }
    }

    @Test func compressedProgramPasses() throws {
        let long = try Program(source: Self.longProgram, file: "long.grad")
        let run = try scratch.log.record(try long.computation(setting: ["a": 3]), program: long)
        let result = try scratch.log.gradcheck(run: run.id)
        #expect(result.passed)
        #expect(result.inputs.map(\.value) == [3])
        #expect(result.inputs[0].comparison.analytic == run.inputs[0].grad)
    }

    /// The analytic side is what the file holds: a stored adjoint changed afterwards fails.
    @Test func aChangedStoredAdjointFails() throws {
        let program = try Program(source: "input x = 3\ninput y = -4\nf = x * y + x\n", file: "p.grad")
        let run = try scratch.log.record(program.computation, program: program)
        try scratch.log.database.execute("UPDATE run_node SET grad = 7 WHERE run_id = 1 AND id = 1")
        let result = try scratch.log.gradcheck(run: run.id)
        #expect(!result.passed)
        #expect(result.inputs.map(\.comparison.passed) == [true, false])
        #expect(result.inputs[1].comparison.analytic == 7)
        #expect(abs(result.inputs[1].comparison.numeric - 3) < 1e-8)
        #expect(try scratch.scalar("SELECT group_concat(verdict) FROM gradchecks") == .text("pass,fail"))
    }

    @Test func refusals() throws {
        let swift = try scratch.recordSeed()
        #expect(throws: GradcheckError.noProgram(run: swift)) { try scratch.log.gradcheck(run: swift) }
        #expect(throws: GradcheckError.self) { try scratch.log.gradcheck(run: swift, check: GradientCheck(eps: 0)) }
        #expect(throws: GradcheckError.self) { try scratch.log.gradcheck(run: swift, check: GradientCheck(rtol: .nan)) }
    }
}
