/// How much of a run `record` keeps, as TF Debugger's tensor_debug_mode.
public enum Capture: String, CaseIterable, Sendable {
    /// Values, adjoints, local derivatives and contributions: everything.
    case full
    /// Values and adjoints, no per-edge derivatives.
    case values
    /// Only the statistics of each tensor's value and adjoint (`tensor_node`); scalar nodes keep
    /// their value and adjoint, which are their own statistics.
    case stats
}
