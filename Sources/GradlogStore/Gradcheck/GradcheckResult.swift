/// What `GradLog.gradcheck` found for one run: per input, the recorded (analytic) gradient
/// against central finite differences of the run's program.
public struct GradcheckResult: Sendable {
    public var run: Int64
    public var check: GradientCheck
    public var inputs: [InputGradcheck]

    /// True when every input passes (a program without inputs passes).
    public var passed: Bool { inputs.allSatisfy(\.comparison.passed) }
}

/// One input of a gradchecked run.
public struct InputGradcheck: Sendable {
    public var name: String
    public var nodeID: Int64
    /// The input's value in the run: the point the derivative is taken at (for a tensor, the
    /// worst element's).
    public var value: Double
    /// For a tensor, the element whose comparison is reported.
    public var comparison: GradientComparison
    /// A tensor input's checked element with the worst result (a failing one first, then the
    /// largest absolute error), as an index per axis; nil for a scalar.
    public var element: [Int]? = nil
    /// Elements checked and elements that failed (1 and 0 or 1 for a scalar).
    public var checked = 1
    public var failed = 0
}

/// A run that cannot be gradchecked, or settings that make no sense.
public enum GradcheckError: Error, Equatable, Sendable, CustomStringConvertible {
    case noProgram(run: Int64)
    case invalidSetting(String)
    case inputsDoNotMatchProgram(run: Int64, path: String)
    case tensorsNotKept(run: Int64, node: Int64)

    public var description: String {
        switch self {
        case .noProgram(let run):
            return "run \(run) has no program text (it was built through the Swift API); gradcheck re-evaluates a run's .grad program, so record the computation from a program, or check it in Swift with GradientCheck"
        case .invalidSetting(let message):
            return message
        case .tensorsNotKept(let run, let node):
            return "run \(run) keeps no elements for tensor node \(node) (it was recorded with --capture stats, or the file was changed outside gradlog); gradcheck needs the values and adjoints: record it with --capture values or full"
        case .inputsDoNotMatchProgram(let run, let path):
            return "the inputs stored for run \(run) in \(path) do not match its program's inputs; the file was changed outside gradlog"
        }
    }
}
