import GradlogStore
import Testing

/// `GradLog.graphPicture`: the union of two runs' graphs, edges marked by the runs that have
/// them, and neighbourhoods that follow edges both ways.
@Suite struct GraphPictureTests {
    let scratch = try! ScratchLog()

    func record(_ source: String) throws -> Int64 {
        let program = try Program(source: source, file: "p.grad")
        return try scratch.log.record(program.computation, program: program).id
    }

    @Test func comparedPictureIsTheUnionOfBothGraphs() throws {
        let a = try record("input x = 2\ny = x * x\nz = y + 1\n")
        let b = try record("input x = 2\ny = x * x\nz = y + 1 + x\n")
        let picture = try scratch.log.graphPicture(run: a, comparedWith: (b, scratch.log, ComparisonRule()))
        // x, y (mul), const 1, z in both; B's z adds an inner add and reads x, so x's adjoint
        // and z's value differ.
        #expect(picture.totalNodes == 5)
        #expect(picture.nodes.map { $0.comparison?.status } == [.different, .identical, .identical, .onlyInB, .different])
        let presence = picture.edges.map { "\($0.from)->\($0.to) \($0.presence.rawValue)" }.sorted()
        #expect(presence == [
            "0->1 identical", "0->1 identical", "0->4 only_in_b", "1->3 only_in_b", "1->4 only_in_a", "2->3 only_in_b", "2->4 only_in_a",
            "3->4 only_in_b",
        ].sorted())
        #expect(picture.firstValueDivergence == 4)
    }

    @Test func neighbourhoodFollowsInputsAndConsumers() throws {
        let run = try record("input a = 1\nb = a + 1\nc = b * 2\nd = c - 3\ne = d / 4\n")
        func names(_ around: String, _ depth: Int) throws -> [String] {
            let picture = try scratch.log.graphPicture(run: run, scope: GraphPictureScope(around: around, depth: depth))
            return picture.nodes.map { $0.name ?? "#\($0.idA!)" }
        }
        #expect(try names("c", 1) == ["b", "#3", "c", "d"])
        #expect(try names("c", 0) == ["c"])
        #expect(try names("a", 2) == ["a", "#1", "b", "c"])
        let cut = try scratch.log.graphPicture(run: run, scope: GraphPictureScope(around: "c", depth: 1))
        #expect(cut.nodes.map(\.isCut) == [true, false, false, true])
        #expect(cut.edges.map(\.localGrad) == [2, 2, 1])  // d(b*2)/db, d(b*2)/d2 = b, d(c-3)/dc
        #expect(throws: GraphPictureError.noSuchNode(name: "q", run: run)) {
            try scratch.log.graphPicture(run: run, scope: GraphPictureScope(around: "q"))
        }
    }
}
