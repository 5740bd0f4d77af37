/// What `RunDiff` found: the summary, where the runs part, and the nodes to show.
public struct RunDiffResult: Sendable {
    public enum Alignment: String, Sendable {
        /// Same structure: node i of A is node i of B.
        case byNode = "node"
        /// Different structures: nodes matched by name and occurrence (see `NameAlignment`).
        case byName = "name"
    }

    public var alignment: Alignment
    public var summary: DiffSummary
    /// Inputs whose values are not identical or that only one run has, in forward order.
    public var inputs: [InputDifference]
    /// Tags whose values differ or that only one run has, by key.
    public var tags: [TagDifference]
    /// The first node in forward order whose value differs although no input of it differs:
    /// where a difference is born.
    public var firstValueDivergence: NodeDifference?
    /// The first node in backward order (from the output) whose adjoint differs.
    public var firstGradDivergence: NodeDifference?
    /// The listed nodes in forward order: those that differ, are only in one run or changed
    /// structure (every node with `includeEqual`), up to the limit.
    public var nodes: [NodeDifference]
    /// Nodes that would have been listed but were beyond the limit.
    public var unlisted: Int

    /// True when every node both runs have agrees (within the tolerance). Nodes only in one run,
    /// changed ops or wiring, inputs and tags are reported but do not make runs differ on
    /// their own: a changed formula that computes the same numbers agrees.
    public var agree: Bool { summary.different == 0 }
}

/// Counts of a diff. `compared` = `identical` + `withinTolerance` + `different`.
public struct DiffSummary: Sendable, Equatable {
    /// Nodes present in both runs.
    public var compared = 0
    public var identical = 0
    public var withinTolerance = 0
    /// Value or adjoint differs beyond the tolerance.
    public var different = 0
    public var onlyInA = 0
    public var onlyInB = 0
    public var changedOp = 0
    public var changedInputs = 0
}

/// An input of the runs whose value differs, or that only one run declares.
public struct InputDifference: Sendable {
    public var name: String
    /// A's and B's values; `a` or `b` is nil when that run has no such input.
    public var value: NumberComparison
    public var status: NodeStatus
}

/// A tag whose value differs, or that only one run carries.
public struct TagDifference: Sendable, Equatable {
    public var key: String
    public var a: String?
    public var b: String?
}
