/// One token of a `.grad` line. Text is a byte range into the source, so lexing allocates nothing.
struct Token {
    enum Kind: Equatable {
        case name, number, plus, minus, star, slash, caret, lparen, rparen, comma, equals
        case newline, end
    }

    var kind: Kind
    var start: Int
    var end: Int
    /// 1-based line and column of the first byte.
    var line: Int
    var column: Int
}

/// Splits UTF-8 source into tokens. Newlines are tokens (statements end at them); comments
/// (`#` to end of line), spaces, tabs and carriage returns are skipped.
struct Lexer {
    let bytes: [UInt8]
    private var position = 0
    private var line = 1
    private var lineStart = 0

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The next token, or a message and the column of the byte it could not read.
    mutating func next() -> Result<Token, LexError> {
        skipBlanksAndComment()
        let start = position
        let column = columnOf(start)
        func token(_ kind: Token.Kind, length: Int = 1) -> Result<Token, LexError> {
            position = start + length
            return .success(Token(kind: kind, start: start, end: position, line: line, column: column))
        }
        guard start < bytes.count else { return token(.end, length: 0) }
        let byte = bytes[start]
        switch byte {
        case UInt8(ascii: "\n"):
            let result = token(.newline)
            line += 1
            lineStart = position
            return result
        case UInt8(ascii: "+"): return token(.plus)
        case UInt8(ascii: "-"): return token(.minus)
        case UInt8(ascii: "*"): return token(.star)
        case UInt8(ascii: "/"): return token(.slash)
        case UInt8(ascii: "^"): return token(.caret)
        case UInt8(ascii: "("): return token(.lparen)
        case UInt8(ascii: ")"): return token(.rparen)
        case UInt8(ascii: ","): return token(.comma)
        case UInt8(ascii: "="): return token(.equals)
        default:
            if Self.isNameStart(byte) {
                var end = start + 1
                while end < bytes.count, Self.isNameContinue(bytes[end]) { end += 1 }
                return token(.name, length: end - start)
            }
            if Self.isDigit(byte) || (byte == UInt8(ascii: ".") && start + 1 < bytes.count && Self.isDigit(bytes[start + 1])) {
                return lexNumber(start: start, column: column)
            }
            let shown = byte < 0x80 ? "'\(Character(Unicode.Scalar(byte)))'" : "a non-ASCII character"
            return .failure(LexError(line: line, column: column, message: "unexpected \(shown)"))
        }
    }

    /// Decimal and exponent forms: `12`, `0.5`, `.5`, `3.`, `1e-9`, `2.5E+3`. A number that runs
    /// straight into a letter, digit or dot (`1.2.3`, `3x`, `1e`) is rejected whole.
    private mutating func lexNumber(start: Int, column: Int) -> Result<Token, LexError> {
        var end = start
        func digits() -> Int {
            let from = end
            while end < bytes.count, Self.isDigit(bytes[end]) { end += 1 }
            return end - from
        }
        var valid = digits() > 0
        if end < bytes.count, bytes[end] == UInt8(ascii: ".") {
            end += 1
            valid = digits() > 0 || valid
        }
        if end < bytes.count, bytes[end] | 0x20 == UInt8(ascii: "e") {
            end += 1
            if end < bytes.count, bytes[end] == UInt8(ascii: "+") || bytes[end] == UInt8(ascii: "-") { end += 1 }
            valid = digits() > 0 && valid
        }
        if end < bytes.count, Self.isNameContinue(bytes[end]) {
            valid = false
            while end < bytes.count, Self.isNameContinue(bytes[end]) { end += 1 }
        }
        guard valid else {
            let text = String(decoding: bytes[start..<end], as: UTF8.self)
            return .failure(LexError(line: line, column: column, message: "'\(text)' is not a number"))
        }
        position = end
        return .success(Token(kind: .number, start: start, end: end, line: line, column: column))
    }

    private mutating func skipBlanksAndComment() {
        while position < bytes.count {
            switch bytes[position] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                position += 1
            case UInt8(ascii: "#"):
                while position < bytes.count, bytes[position] != UInt8(ascii: "\n") { position += 1 }
            default:
                return
            }
        }
    }

    /// Column in characters: UTF-8 continuation bytes do not count.
    private func columnOf(_ offset: Int) -> Int {
        var column = 1
        var i = lineStart
        while i < offset {
            if bytes[i] & 0xC0 != 0x80 { column += 1 }
            i += 1
        }
        return column
    }

    static func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
    static func isNameStart(_ b: UInt8) -> Bool {
        (b | 0x20 >= UInt8(ascii: "a") && b | 0x20 <= UInt8(ascii: "z")) || b == UInt8(ascii: "_")
    }
    static func isNameContinue(_ b: UInt8) -> Bool {
        isNameStart(b) || isDigit(b) || b == UInt8(ascii: ".")
    }
}

struct LexError: Error {
    var line: Int
    var column: Int
    var message: String
}
