/// A file gradlog cannot read or write as CSV or safetensors: what is wrong and where.
///
/// `line` and `column` (1-based) locate a CSV cell; safetensors problems name the tensor and
/// the byte offset in `message` instead. Printed as compilers print diagnostics, so a program
/// that loads the file can pass it on unchanged: `moons.csv:4:7: cell "x" is not a number`.
public struct FormatError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The path as the caller gave it.
    public var file: String
    public var line: Int?
    public var column: Int?
    public var message: String

    public init(file: String, line: Int? = nil, column: Int? = nil, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    /// `file:line:column: message`, leaving out what is not known.
    public var description: String {
        var location = file
        if let line {
            location += ":\(line)"
            if let column { location += ":\(column)" }
        }
        return "\(location): \(message)"
    }
}

/// Limits on what gradlog reads, so that a hostile or mistaken file fails with a message
/// instead of exhausting memory.
public enum FormatLimits {
    /// The largest file read: 1 GiB.
    public static let maxFileBytes = 1 << 30
    /// The most numbers in one CSV table or one tensor read as doubles: 2^27, which take 1 GiB.
    public static let maxElements = 1 << 27
    /// The largest safetensors JSON header: 100 MB, the reference implementation's limit.
    public static let maxHeaderBytes = 100_000_000
}

extension String {
    /// The text quoted for an error message: at most `limit` characters, control characters
    /// and quotes escaped, so that a binary file's bytes cannot garble the terminal.
    func quotedForMessage(limit: Int = 40) -> String {
        if count <= limit { return debugDescription }
        return String(prefix(limit)).debugDescription + "..."
    }
}
