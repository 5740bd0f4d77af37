/// A mistake in a `.grad` program, located at file:line:column.
public struct ProgramError: Error, Equatable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    public var message: String
    /// The offending source line, shown under the message with a caret.
    public var sourceLine: String

    public init(file: String, line: Int, column: Int, message: String, sourceLine: String = "") {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
        self.sourceLine = sourceLine
    }

    /// `file:line:column: error: message`, then the line and a caret, as compilers print them.
    public var description: String {
        var text = "\(file):\(line):\(column): error: \(message)"
        if !sourceLine.isEmpty {
            text += "\n    \(sourceLine)\n    \(String(repeating: " ", count: max(0, column - 1)))^"
        }
        return text
    }
}
