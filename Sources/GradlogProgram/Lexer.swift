/// One token of a `.grad` line. Its text is a byte range into the source, so lexing allocates
/// nothing; the column is worked out only when a diagnostic needs it.
struct Token {
    enum Kind: Equatable {
        case name, number, plus, minus, star, slash, caret, lparen, rparen, comma, equals
        /// `[`, `]`, `@`, a "quoted string" (its range includes the quotes).
        case lbracket, rbracket, at, string
        /// Comparisons: `>`, `<`, `>=`, `<=`, `==`.
        case greater, less, greaterEqual, lessEqual, equalEqual
        case newline, end
        /// The source could not be read here; `Lexer.error` says why.
        case error
    }

    var kind: Kind
    var start: Int
    var end: Int
    /// 1-based line of the first byte.
    var line: Int
}

/// Splits UTF-8 source into tokens. Newlines are tokens (statements end at them); comments
/// (`#` to end of line), spaces, tabs and carriage returns are skipped, and so is a byte order
/// mark at the very start (editors on Windows write one; the text is stored with it, so a
/// run's program_sha256 is the file's sha256sum).
struct Lexer {
    let bytes: UnsafeBufferPointer<UInt8>
    private var position = 0
    private var line = 1
    /// Set when `next()` returns an `.error` token.
    private(set) var error: LexError?
    /// 3 when the source starts with a UTF-8 byte order mark, else 0.
    private let textStart: Int

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
        textStart = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        position = textStart
    }

    /// The next token; an `.error` token when the source cannot be read there (see `error`).
    mutating func next() -> Token {
        skipBlanksAndComment()
        let start = position
        func token(_ kind: Token.Kind, length: Int = 1) -> Token {
            position = start + length
            return Token(kind: kind, start: start, end: position, line: line)
        }
        guard start < bytes.count else { return token(.end, length: 0) }
        let byte = bytes[start]
        switch byte {
        case UInt8(ascii: "\n"):
            let result = token(.newline)
            line += 1
            return result
        case UInt8(ascii: "+"): return token(.plus)
        case UInt8(ascii: "-"): return token(.minus)
        case UInt8(ascii: "*"): return token(.star)
        case UInt8(ascii: "/"): return token(.slash)
        case UInt8(ascii: "^"): return token(.caret)
        case UInt8(ascii: "("): return token(.lparen)
        case UInt8(ascii: ")"): return token(.rparen)
        case UInt8(ascii: ","): return token(.comma)
        case UInt8(ascii: "="): return next(is: "=") ? token(.equalEqual, length: 2) : token(.equals)
        case UInt8(ascii: "["): return token(.lbracket)
        case UInt8(ascii: "]"): return token(.rbracket)
        case UInt8(ascii: "@"): return token(.at)
        case UInt8(ascii: ">"): return next(is: "=") ? token(.greaterEqual, length: 2) : token(.greater)
        case UInt8(ascii: "<"): return next(is: "=") ? token(.lessEqual, length: 2) : token(.less)
        case UInt8(ascii: "\""): return lexString(start: start)
        default:
            if Self.isNameStart(byte) {
                var end = start + 1
                while end < bytes.count, Self.isNameContinue(bytes[end]) { end += 1 }
                return token(.name, length: end - start)
            }
            if Self.isDigit(byte) || (byte == UInt8(ascii: ".") && start + 1 < bytes.count && Self.isDigit(bytes[start + 1])) {
                return lexNumber(start: start)
            }
            let shown: String
            switch byte {
            case 0x80...: shown = Self.describeNonASCII(at: start, in: bytes)
            case ..<0x20, 0x7F: shown = "control character " + Self.codePoint(UInt32(byte))
            default: shown = "'\(Character(Unicode.Scalar(byte)))'"
            }
            return fail(at: start, "unexpected \(shown)")
        }
    }

    /// Whether the byte after the current token's first byte is `byte`.
    private func next(is byte: Unicode.Scalar) -> Bool {
        position + 1 < bytes.count && bytes[position + 1] == UInt8(byte.value)
    }

    /// A double-quoted string on one line (a file name or a column name); no escapes.
    private mutating func lexString(start: Int) -> Token {
        var end = start + 1
        while end < bytes.count, bytes[end] != UInt8(ascii: "\""), bytes[end] != UInt8(ascii: "\n") { end += 1 }
        guard end < bytes.count, bytes[end] == UInt8(ascii: "\"") else {
            return fail(at: start, "this string has no closing '\"' on its line")
        }
        position = end + 1
        return Token(kind: .string, start: start, end: position, line: line)
    }

    /// Decimal and exponent forms: `12`, `0.5`, `.5`, `3.`, `1e-9`, `2.5E+3`. A number that runs
    /// straight into a letter, digit or dot (`1.2.3`, `3x`, `1e`) is rejected whole.
    private mutating func lexNumber(start: Int) -> Token {
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
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
            return fail(at: start, "'\(text)' is not a number")
        }
        position = end
        return Token(kind: .number, start: start, end: end, line: line)
    }

    private mutating func fail(at offset: Int, _ message: String) -> Token {
        error = LexError(offset: offset, line: line, message: message)
        return Token(kind: .error, start: offset, end: offset, line: line)
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

    /// `non-ASCII character 'é' (U+00E9)`: the character, unless it is invisible or would act
    /// on the terminal (C1 controls, bidirectional overrides), and its code point.
    static func describeNonASCII(at offset: Int, in bytes: UnsafeBufferPointer<UInt8>) -> String {
        var end = offset + 1
        while end < bytes.count, end - offset < 4, bytes[end] & 0xC0 == 0x80 { end += 1 }
        var decoder = UTF8()
        var iterator = UnsafeBufferPointer(rebasing: bytes[offset..<end]).makeIterator()
        guard case .scalarValue(let scalar) = decoder.decode(&iterator) else {
            return "byte 0x" + String(bytes[offset], radix: 16, uppercase: true) + " (not UTF-8)"
        }
        let invisible: [Unicode.GeneralCategory] = [.control, .format, .unassigned, .lineSeparator, .paragraphSeparator, .spaceSeparator]
        let code = codePoint(scalar.value)
        guard !invisible.contains(scalar.properties.generalCategory) else { return "non-ASCII character \(code)" }
        return "non-ASCII character '\(Character(scalar))' (\(code))"
    }

    /// `U+00E9`: at least four hex digits.
    static func codePoint(_ value: UInt32) -> String {
        let hex = String(value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    /// 1-based column of a byte, in characters (UTF-8 continuation bytes do not count; nor
    /// does a byte order mark).
    func column(of offset: Int) -> Int {
        var lineStart = min(offset, bytes.count)
        while lineStart > 0, bytes[lineStart - 1] != UInt8(ascii: "\n") { lineStart -= 1 }
        lineStart = max(lineStart, min(textStart, offset))
        var column = 1
        for i in lineStart..<min(offset, bytes.count) where bytes[i] & 0xC0 != 0x80 { column += 1 }
        return column
    }

    /// The text of the line holding `offset`, for diagnostics.
    func lineText(at offset: Int) -> String {
        var lineStart = min(offset, bytes.count)
        while lineStart > 0, bytes[lineStart - 1] != UInt8(ascii: "\n") { lineStart -= 1 }
        lineStart = max(lineStart, min(textStart, offset))
        var lineEnd = lineStart
        while lineEnd < bytes.count, bytes[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
        if lineEnd > lineStart, bytes[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[lineStart..<lineEnd]), as: UTF8.self)
        return String(String.UnicodeScalarView(text.unicodeScalars.map(Self.visible)))
    }

    /// A scalar as a diagnostic shows it: control characters, which would act on the terminal,
    /// as their control pictures (␀, ␛), a tab as a space; one column each, so the caret
    /// under the line still points at the right place.
    static func visible(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        switch scalar.value {
        case 0x09: " "
        case 0x00..<0x20: Unicode.Scalar(0x2400 + scalar.value) ?? scalar
        case 0x7F: "\u{2421}"
        default: scalar
        }
    }

    static func isDigit(_ b: UInt8) -> Bool { b &- UInt8(ascii: "0") < 10 }
    static func isNameStart(_ b: UInt8) -> Bool {
        (b | 0x20) &- UInt8(ascii: "a") < 26 || b == UInt8(ascii: "_")
    }
    static func isNameContinue(_ b: UInt8) -> Bool {
        isNameStart(b) || isDigit(b) || b == UInt8(ascii: ".")
    }
}

struct LexError: Error {
    var offset: Int
    var line: Int
    var message: String
}
