import Foundation
import Testing
import GradlogStore

/// The README's Swift API example, as a test: record from Swift values and from a program,
/// read back.
@Suite struct SwiftAPITests {
    @Test func readmeExample() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gradlog-\(UUID().uuidString).db").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let log = try GradLog(path: path, mode: .create)

        let b = ComputationBuilder()
        let x = b.input("x", 3), y = b.input("y", -4)
        let f = ((x + sigmoid(y)) / (sigmoid(x) + pow(x + y, 2))).named("f")
        let run = try log.record(b.finish(output: f), name: "from-swift")

        let program = try Program(source: "input a = 2\nb = a * a", file: "square.grad")
        let second = try log.record(try program.computation(setting: ["a": 5]), program: program)

        let nodes = try log.nodes(run: run.id)
        let output = try #require(nodes.last)
        #expect(output.name == "f")
        #expect(abs((output.value ?? .nan) - 1.5456448841066441) <= 1e-12)
        let inputs = try log.inputs(run: run.id)
        #expect(abs((inputs[0].grad ?? .nan) - 2.0595697955721652) <= 1e-12)
        #expect(try log.resolve("from-swift") == run.id)
        #expect(try log.resolve("latest") == second.id)
        #expect(try log.resolve("latest~1") == run.id)
        #expect(second.outputValue == 25)
        #expect(second.inputs == [RunInput(name: "a", value: 5, grad: 10, nodeID: 0)])
    }

    /// Runs of the same program text share one stored structure.
    @Test func runsOfOneProgramShareTheGraph() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gradlog-\(UUID().uuidString).db").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let log = try GradLog(path: path, mode: .create)
        let program = try Program(source: "input a = 2\nb = a * a + 1", file: "p.grad")
        for a in [1.0, 2.0, 3.0] { _ = try log.record(try program.computation(setting: ["a": a]), program: program) }
        #expect(try log.database.scalarInt("SELECT count(*) FROM graph") == 1)
        #expect(try log.database.scalarInt("SELECT count(*) FROM graph_node") == 4)
        #expect(try log.database.scalarInt("SELECT count(*) FROM run_node") == 12)
        #expect(try log.runs().map(\.outputValue) == [2, 5, 10])
    }
}
