extension RunDiff {
    /// Runs of different programs: nodes matched by `NameAlignment`, visited in A's order with
    /// B's unmatched nodes merged in where they fall, as `diff` interleaves its lines.
    func compareByName(_ a: RunGraph, _ b: RunGraph, into tracker: inout DivergenceTracker) throws {
        var names: [String: Int32] = [:]
        let structureA = try GraphStructure(run: a.run, graph: a.graph, nodeCount: a.nodeCount, in: a.log, names: &names)
        let structureB = try GraphStructure(run: b.run, graph: b.graph, nodeCount: b.nodeCount, in: b.log, names: &names)
        let alignment = NameAlignment(structureA, structureB, nameCount: names.count)
        let numbersA = try NodeNumbers(run: a.run, in: a.log)
        let numbersB = try NodeNumbers(run: b.run, in: b.log)

        let opInput = Op.input.rawValue
        var nextB = 0
        func onlyInB(before end: Int) throws {
            while nextB < end {
                if alignment.bToA[nextB] < 0 {
                    let (value, grad) = try numbersB.numbers(at: nextB)
                    tracker.onlyInB(id: nextB, value: value.scalar, grad: grad.scalar, isInput: structureB.ops[nextB] == opInput)
                }
                nextB += 1
            }
        }
        for nodeA in 0..<structureA.count {
            let nodeB = Int(alignment.aToB[nodeA])
            let (valueA, gradA) = try numbersA.numbers(at: nodeA)
            guard nodeB >= 0 else {
                tracker.onlyInA(id: nodeA, value: valueA.scalar, grad: gradA.scalar, isInput: structureA.ops[nodeA] == opInput)
                continue
            }
            try onlyInB(before: nodeB)
            nextB = max(nextB, nodeB + 1)
            let (valueB, gradB) = try numbersB.numbers(at: nodeB)
            let inputsA = (structureA.input0[nodeA], structureA.input1[nodeA])
            let inputsB = (structureB.input0[nodeB], structureB.input1[nodeB])
            var changes: StructureChange = []
            // An imported trace (op external) has no ops or wiring to compare.
            let external = Op.external.rawValue
            if structureA.ops[nodeA] != external && structureB.ops[nodeB] != external {
                if structureA.ops[nodeA] != structureB.ops[nodeB] { changes.insert(.op) }
                if !matches(inputsA.0, inputsB.0, alignment) || !matches(inputsA.1, inputsB.1, alignment) {
                    changes.insert(.inputs)
                }
            }
            tracker.compared(
                idA: nodeA, idB: nodeB,
                value: rule.compare(valueA, valueB), grad: rule.compare(gradA, gradB),
                inputsA: inputsA, inputsB: inputsB, changes: changes, isInput: structureA.ops[nodeA] == opInput)
        }
        try onlyInB(before: structureB.count)
    }

    /// True when input `a` of a node in A and input `b` of its match in B are matched nodes
    /// (or both absent).
    private func matches(_ a: Int32, _ b: Int32, _ alignment: NameAlignment) -> Bool {
        a < 0 || b < 0 ? a == b : alignment.aToB[Int(a)] == b
    }
}
