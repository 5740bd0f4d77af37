import Foundation
import Testing
@testable import GradlogStore

/// RunDiff through the library: alignment by name across programs, where differences are born.
@Suite struct RunDiffTests {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("gradlog-\(UUID().uuidString).db").path

    func record(_ log: GradLog, _ source: String, setting values: [String: Double] = [:]) throws -> Int64 {
        let program = try Program(source: source)
        return try log.record(try program.computation(setting: values), program: program).id
    }

    func names(_ nodes: [NodeDifference]) -> [String] {
        nodes.map { node in
            let side = node.a ?? node.b
            return "\(node.status.rawValue):\(side?.name ?? side.map { "#\($0.id)" } ?? "?")"
        }
    }

    /// A reassigned name aligns by occurrence: the second `h` of A with the second `h` of B.
    @Test func reassignedNamesAlignByOccurrence() throws {
        defer { try? FileManager.default.removeItem(atPath: path) }
        let log = try GradLog(path: path, mode: .create)
        let a = try record(log, "input x = 2\nh = x * x\nh = h + 1\nh = h * 3\n")
        let b = try record(log, "input x = 2\ninput unused = 0\nh = x * x\nh = h + 2\nh = h * 3\n")
        let result = try RunDiff(limit: nil).compare(run: a, in: log, with: b, in: log)
        #expect(result.alignment == .byName)
        // The constants 1 and 2 belong to the second `h` statement on each side, align, and
        // differ: the constant is where the difference is born, not the add that uses it.
        let birth = try #require(result.firstValueDivergence)
        #expect(birth.a?.op == .const && birth.a?.name == nil)
        #expect(birth.a?.line == 3 && birth.b?.line == 4)
        #expect(birth.value.a == 1 && birth.value.b == 2)
        #expect(result.summary.onlyInB == 1)
        let unused = try #require(result.inputs.first)
        #expect(result.inputs.count == 1)
        #expect(unused.name == "unused" && unused.status == .onlyInB)
        #expect(unused.value.a == nil && unused.value.b == 0)
        // x's adjoint (6x) agrees; the constant 3 has the changed h as its adjoint.
        #expect(names(result.nodes) == ["only_in_b:unused", "different:#2", "different:h", "different:#4", "different:h"])
    }

    /// With one structure the diff is node by node, and a changed constant is where it is born.
    @Test func changedConstantIsTheBirth() throws {
        defer { try? FileManager.default.removeItem(atPath: path) }
        let log = try GradLog(path: path, mode: .create)
        let a = try record(log, "input x = 2\ny = x * 3\nz = y + x\n")
        let b = try record(log, "input x = 2\ny = x * 4\nz = y + x\n")
        let result = try RunDiff().compare(run: a, in: log, with: b, in: log)
        #expect(result.alignment == .byNode)
        let birth = try #require(result.firstValueDivergence)
        #expect(birth.a?.op == .const)
        #expect(birth.a?.line == 2)
        #expect(birth.value.a == 3 && birth.value.b == 4)
        #expect(names(result.nodes) == ["different:x", "different:#1", "different:y", "different:z"])
    }

    @Test func includeEqualListsEveryNode() throws {
        defer { try? FileManager.default.removeItem(atPath: path) }
        let log = try GradLog(path: path, mode: .create)
        let a = try record(log, "input x = 2\ny = x * 3\n")
        let result = try RunDiff(limit: nil, includeEqual: true).compare(run: a, in: log, with: a, in: log)
        #expect(result.agree)
        #expect(names(result.nodes) == ["identical:x", "identical:#1", "identical:y"])
        #expect(result.firstValueDivergence == nil && result.firstGradDivergence == nil)
    }
}
