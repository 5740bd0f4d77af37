/// A run whose stored rows do not match its graph: a file changed outside gradlog or damaged.
public struct DiffError: Error, Equatable, Sendable, CustomStringConvertible {
    public var run: Int64
    public var path: String
    public var detail: String

    public var description: String {
        "run \(run) in \(path) does not match its graph (\(detail)); the file was changed outside gradlog"
    }
}
