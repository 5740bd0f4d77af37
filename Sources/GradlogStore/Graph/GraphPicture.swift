/// The part of a run's computation graph to draw, with each node's numbers and, when compared
/// with another run, how each node compares. `gradlog graph` renders it as Graphviz DOT.
///
/// Compared with run B, the picture is the union of both graphs: nodes both runs have once,
/// nodes only one run has beside them, and each edge marked with the runs that have it.
public struct GraphPicture: Sendable {
    public struct Node: Sendable {
        /// The node's id in run A; nil when only B has it.
        public var idA: Int64?
        /// The node's id in run B (only when compared); nil when only A has it.
        public var idB: Int64?
        public var name: String?
        public var op: Op
        public var line: Int64
        /// Value and adjoint in A (in B for a node only B has).
        public var value: Double?
        public var grad: Double?
        /// A tensor node's shape and statistics (in A; in B for a node only B has); nil for a
        /// scalar, whose numbers are `value` and `grad`.
        public var tensor: Tensor?
        /// How A and B compare on this node (only when compared): values and adjoints of both.
        /// A tensor node's verdicts are those of its worst element under the rule; nil when a
        /// run kept only its statistics (`--capture stats`), so its elements cannot be compared.
        public var comparison: NodeDifference?
        /// The tensor node's shape and statistics in B, when compared and both runs have it.
        public var tensorB: Tensor?
        /// True when some input or consumer of the node is left out of the picture.
        public var isCut: Bool
    }

    public struct Edge: Sendable {
        /// Positions in `nodes`: from the input to the node that uses it.
        public var from: Int
        public var to: Int
        /// d(to)/d(from), from A (from B for an edge only B has).
        public var localGrad: Double?
        /// What a tensor edge stores instead of one number: the local derivative (elementwise
        /// ops, in the node's shape) or the contribution to the input's adjoint (matmul,
        /// reductions, ...: in the input's shape); nil for a scalar edge or when not kept.
        public var stored: Stored?
        /// Which runs have this edge: `.identical` for both (always without a comparison),
        /// `.onlyInA` or `.onlyInB`.
        public var presence: NodeStatus
    }

    /// A tensor's shape and the statistics of its value and adjoint.
    public struct Tensor: Sendable {
        public var shape: Shape
        public var value: TensorStatistics
        /// Nil when the node has no adjoint (data).
        public var grad: TensorStatistics?

        init(_ recorded: RecordedTensor) {
            shape = recorded.shape
            value = recorded.valueStatistics
            grad = recorded.gradStatistics
        }
    }

    /// A tensor stored on an edge, summarised.
    public struct Stored: Sendable {
        /// True for a contribution (the op's vector-Jacobian product), false for a local derivative.
        public var isContribution: Bool
        public var shape: Shape
        public var statistics: TensorStatistics
    }

    /// In evaluation order (A's, with B's own nodes merged in where they fall).
    public var nodes: [Node]
    public var edges: [Edge]
    /// Positions in `nodes` of the first divergences of the comparison, when they are drawn.
    public var firstValueDivergence: Int?
    public var firstGradDivergence: Int?
    /// Nodes in the whole graph (the union, when compared), drawn or not.
    public var totalNodes: Int
}

/// What to draw: everything, or the nodes around one node.
public struct GraphPictureScope: Sendable {
    /// A node name (the last node bearing it) or `#ID`; nil for the whole graph.
    public var around: String?
    /// How many edges away from `around` a node may be, following edges either way.
    public var depth: Int
    /// Refuse pictures larger than this.
    public var maxNodes: Int

    public init(around: String? = nil, depth: Int = 2, maxNodes: Int = 500) {
        self.around = around
        self.depth = depth
        self.maxNodes = maxNodes
    }
}

/// A picture that cannot be drawn as asked.
public enum GraphPictureError: Error, Equatable, Sendable, CustomStringConvertible {
    case noSuchNode(name: String, run: Int64)
    case tooManyNodes(count: Int, limit: Int, run: Int64, around: String?, depth: Int)

    public var description: String {
        switch self {
        case .noSuchNode(let name, let run):
            return "no node '\(name)' in run \(run) (use a name from the program, or #ID for a node id as `gradlog show` lists them)"
        case .tooManyNodes(let count, let limit, let run, let around, let depth):
            if let around {
                return "the nodes within \(depth) steps of '\(around)' in run \(run) are \(count), more than the limit of \(limit); lower --depth or raise --max-nodes"
            }
            return "run \(run) has \(count) nodes, more than the limit of \(limit) for one picture; draw a part with --around NAME --depth K, or raise --max-nodes"
        }
    }
}
