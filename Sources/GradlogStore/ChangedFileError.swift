/// A file holds something gradlog never writes: a schema object of its own, or a stored value
/// that cannot be (a node whose input lies outside its run, a count larger than the file, an
/// op code that does not exist, a blob where a number belongs). Someone changed the file
/// outside gradlog, or it was damaged; gradlog stops with a message that says where, instead
/// of trusting it.
public struct ChangedFileError: Error, Equatable, Sendable, CustomStringConvertible {
    public var path: String
    /// What was found and where, e.g. "run 1, node 21: in0_back 1000 points outside the run".
    public var detail: String

    public init(path: String, detail: String) {
        self.path = path
        self.detail = detail
    }

    /// A value of one node's row: "run 1, node 21: in0_back 1000 ...".
    init(path: String, run: Int64, node: Int64? = nil, _ problem: String) {
        self.path = path
        detail = "run \(run)" + (node.map { ", node \($0)" } ?? "") + ": " + problem
    }

    public var description: String { "\(path) was changed outside gradlog: \(detail)" }
}
