extension RunDiff {
    /// Runs of one structure: node i of A against node i of B, three scans side by side (A's
    /// numbers, B's numbers, the shared wiring). The hot loop of a diff: no strings, no lookups.
    func compareByNode(_ a: RunGraph, _ b: RunGraph, into tracker: inout DivergenceTracker) throws {
        let numbersA = try NodeNumbers(run: a.run, in: a.log)
        let numbersB = try NodeNumbers(run: b.run, in: b.log)
        let wiring = try a.log.database.prepare(StoreSQL.graphStructure)
        try wiring.bind(1, a.graph)
        let opInput = Int64(Op.input.rawValue)
        var node = 0
        while try wiring.step() {
            guard node < a.nodeCount else { throw DiffError(run: a.run, path: a.log.path, detail: "more graph nodes than its node_count") }
            let (valueA, gradA) = try numbersA.numbers(at: node)
            let (valueB, gradB) = try numbersB.numbers(at: node)
            let input0: Int32 = wiring.isNull(3) ? -1 : Int32(node) - Int32(truncatingIfNeeded: wiring.int(3))
            let input1: Int32 = wiring.isNull(4) ? -1 : Int32(node) - Int32(truncatingIfNeeded: wiring.int(4))
            tracker.compared(
                idA: node, idB: node,
                value: rule.compare(valueA, valueB), grad: rule.compare(gradA, gradB),
                inputsA: (input0, input1), inputsB: (-1, -1), changes: [], isInput: wiring.int(2) == opInput)
            node += 1
        }
    }
}
