import GradlogProgram
import Testing

/// Parsing `.grad` text: names, inputs, and where an error points.
@Suite struct ProgramParseTests {
    @Test func namesAndInputsComeFromTheText() throws {
        let program = try Program(source: "input a = 2\nb = a * 3\n")
        #expect(program.computation.inputs.map(\.name) == ["a"])
        #expect(program.defaults == [2])
        let output = Int(program.computation.output)
        #expect(program.computation.names[output] == "b")
        #expect(program.computation.tape.values[output] == 6)
    }

    @Test func anErrorNamesFileLineAndColumn() {
        #expect(throws: ProgramError.self) { try Program(source: "a = \n", file: "bad.grad") }
        do {
            _ = try Program(source: "input a = 1\nb = a +\n", file: "bad.grad")
            Issue.record("expected a parse error")
        } catch {
            #expect(error.file == "bad.grad")
            #expect(error.line == 2)
        }
    }
}
