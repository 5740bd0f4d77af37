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
    /// A long line is clipped to `shownColumns` characters around the column, and a long quoted
    /// token in the message ('1.2.3…') to its start, with … where text was left out, so an error
    /// in a 2 MB line prints a few short lines.
    public var description: String {
        var text = "\(file):\(line):\(column): error: \(Self.clipQuoted(message))"
        if !sourceLine.isEmpty {
            let (shown, caret) = Self.clip(sourceLine, around: column)
            text += "\n    \(shown)\n    \(String(repeating: " ", count: max(0, caret - 1)))^"
        }
        return text
    }

    static let shownColumns = 100
    static let shownTokenLength = 60

    /// The message with every run of characters between spaces and quotes longer than
    /// `shownTokenLength` cut to that length and a …: a 1 MB name or number in a message
    /// ('abab…') is quoted by its start. (Prose words are short; a token has no space.)
    static func clipQuoted(_ message: String) -> String {
        var out = String.UnicodeScalarView()
        var run = 0
        for scalar in message.unicodeScalars {
            if scalar == " " || scalar == "'" {
                run = 0
            } else {
                run += 1
                if run == shownTokenLength + 1 { out.append("…") }
                if run > shownTokenLength { continue }
            }
            out.append(scalar)
        }
        return String(out)
    }

    /// The part of `line` around 1-based `column` (in Unicode scalars, as the lexer counts
    /// columns), and the caret's column in it.
    static func clip(_ line: String, around column: Int) -> (String, Int) {
        let scalars = Array(line.unicodeScalars)
        guard scalars.count > shownColumns else { return (line, column) }
        let centre = min(max(column - 1, 0), scalars.count)
        var from = max(0, centre - shownColumns / 2)
        let to = min(scalars.count, from + shownColumns)
        from = max(0, to - shownColumns)
        var shown = String.UnicodeScalarView(scalars[from..<to])
        var caret = centre - from + 1
        if from > 0 {
            shown.insert("…", at: shown.startIndex)
            caret += 1
        }
        if to < scalars.count { shown.append("…") }
        return (String(shown), caret)
    }
}
