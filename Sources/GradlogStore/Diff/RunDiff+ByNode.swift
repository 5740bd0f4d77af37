extension RunDiff {
    /// Runs of one structure: node i of A against node i of B, three scans side by side (A's
    /// numbers, B's numbers, the shared wiring). The hot loop of a diff: no strings, no lookups.
    func compareByNode(_ a: RunGraph, _ b: RunGraph, into tracker: inout DivergenceTracker) throws {
        let numbersA = try NodeNumbers(run: a.run, in: a.log)
        let numbersB = try NodeNumbers(run: b.run, in: b.log)
        let wiring = try a.log.database.prepare(StoreSQL.graphStructure)
        try wiring.bind(1, a.graph)
        var place = ValueLocation(path: a.log.path, run: a.run)
        var node = 0
        while try wiring.step() {
            place.node = Int64(node)
            guard node < a.nodeCount, wiring.int(0) == node else {
                throw place.failure("graph node \(node) is missing, or more than node_count \(a.nodeCount)")
            }
            let (valueA, gradA) = try numbersA.numbers(at: node)
            let (valueB, gradB) = try numbersB.numbers(at: node)
            let inputs = (try wiring.storedInput(3, "in0_back", at: place), try wiring.storedInput(4, "in1_back", at: place))
            let op = try wiring.storedOp(2, inputs: inputs, at: place)
            tracker.compared(
                idA: node, idB: node,
                value: rule.compare(valueA, valueB), grad: rule.compare(gradA, gradB),
                inputsA: (inputs.0.map { Int32($0) } ?? -1, inputs.1.map { Int32($0) } ?? -1), inputsB: (-1, -1),
                changes: [], isInput: op == .input)
            node += 1
        }
        guard node == a.nodeCount else { throw ChangedFileError(path: a.log.path, run: a.run, "\(node) graph nodes, node_count \(a.nodeCount)") }
    }
}
