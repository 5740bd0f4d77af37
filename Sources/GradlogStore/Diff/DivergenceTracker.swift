/// A node of a diff as the comparison loop sees it: ids and numbers, no names or strings, so
/// that remembering one costs no allocation. `RunDiff` labels the few it reports afterwards.
struct PendingNode: Sendable {
    /// -1 when the node is only in B.
    var idA: Int64
    /// -1 when the node is only in A.
    var idB: Int64
    var value: NumberComparison
    var grad: NumberComparison
    var changes: StructureChange = []
}

/// Takes the aligned nodes in forward order and keeps what a diff reports: the counts, the
/// first value and adjoint divergences, the inputs that differ, and the listed nodes up to
/// the limit.
///
/// Memory: one flag per node ("its value differs"), which is all it takes to tell whether a
/// node's inputs agree, plus the listed nodes. Equal nodes cost nothing else.
struct DivergenceTracker {
    let limit: Int?
    let includeEqual: Bool
    private(set) var summary = DiffSummary()
    /// The last node in forward order whose adjoint differs: the first in backward order.
    private(set) var firstGradDivergence: PendingNode?
    private(set) var listed: [PendingNode] = []
    private(set) var unlisted = 0
    /// Input nodes whose values are not identical or that only one run has.
    private(set) var inputs: [PendingNode] = []
    /// The first node whose value differs although no input of it does.
    private var birth: PendingNode?
    /// The first node whose value differs, in case no node qualifies as a birth (statements
    /// that changed order between the runs can hide one).
    private var firstDifferingValue: PendingNode?
    private var valueDiffersA: [Bool]
    private var valueDiffersB: [Bool]

    /// `countB` is 0 when the runs align node by node: A's flags then speak for both.
    init(countA: Int, countB: Int, limit: Int?, includeEqual: Bool) {
        self.limit = limit
        self.includeEqual = includeEqual
        valueDiffersA = Array(repeating: false, count: countA)
        valueDiffersB = Array(repeating: false, count: countB)
    }

    /// The node where a difference is born, else the first one that differs.
    var firstValueDivergence: PendingNode? { birth ?? firstDifferingValue }

    /// A node both runs have. `inputsA`/`inputsB` are its input ids in each run (-1 for none);
    /// pass -1s for B when the runs align node by node. `isInput`: an input of the program.
    @inline(__always)
    mutating func compared(
        idA: Int, idB: Int, value: NumberComparison, grad: NumberComparison,
        inputsA: (Int32, Int32), inputsB: (Int32, Int32), changes: StructureChange, isInput: Bool
    ) {
        summary.compared += 1
        if changes.contains(.op) { summary.changedOp += 1 }
        if changes.contains(.inputs) { summary.changedInputs += 1 }
        let verdict = max(value.verdict, grad.verdict)
        switch verdict {
        case .identical: summary.identical += 1
        case .withinTolerance: summary.withinTolerance += 1
        case .different: summary.different += 1
        }
        guard verdict != .identical || !changes.isEmpty || includeEqual else { return }

        let node = PendingNode(idA: Int64(idA), idB: Int64(idB), value: value, grad: grad, changes: changes)
        if isInput && value.verdict != .identical { inputs.append(node) }
        if value.verdict == .different {
            valueDiffersA[idA] = true
            if !valueDiffersB.isEmpty { valueDiffersB[idB] = true }
            if birth == nil {
                if firstDifferingValue == nil { firstDifferingValue = node }
                let inheritsA = Self.flagged(valueDiffersA, inputsA.0) || Self.flagged(valueDiffersA, inputsA.1)
                let inheritsB = Self.flagged(valueDiffersB, inputsB.0) || Self.flagged(valueDiffersB, inputsB.1)
                if !inheritsA && !inheritsB { birth = node }
            }
        }
        if grad.verdict == .different { firstGradDivergence = node }
        if verdict == .different || !changes.isEmpty || includeEqual { list(node) }
    }

    mutating func onlyInA(id: Int, value: Double?, grad: Double?, isInput: Bool) {
        summary.onlyInA += 1
        let node = PendingNode(
            idA: Int64(id), idB: -1,
            value: NumberComparison(a: value, b: nil, verdict: .different),
            grad: NumberComparison(a: grad, b: nil, verdict: .different))
        if isInput { inputs.append(node) }
        list(node)
    }

    mutating func onlyInB(id: Int, value: Double?, grad: Double?, isInput: Bool) {
        summary.onlyInB += 1
        let node = PendingNode(
            idA: -1, idB: Int64(id),
            value: NumberComparison(a: nil, b: value, verdict: .different),
            grad: NumberComparison(a: nil, b: grad, verdict: .different))
        if isInput { inputs.append(node) }
        list(node)
    }

    private mutating func list(_ node: PendingNode) {
        if let limit, listed.count >= limit {
            unlisted += 1
        } else {
            listed.append(node)
        }
    }

    @inline(__always)
    private static func flagged(_ flags: [Bool], _ id: Int32) -> Bool {
        id >= 0 && Int(id) < flags.count && flags[Int(id)]
    }
}
