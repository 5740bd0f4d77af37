/// A program file's bytes as text, or a located error where they are not UTF-8.
public enum SourceText {
    /// Decodes `bytes` as UTF-8 exactly as they are (a byte order mark is kept, so the stored
    /// text hashes to the file's sha256sum; the lexer skips it). Invalid UTF-8 anywhere, in a
    /// comment too, is an error at its line and column.
    public static func decode(_ bytes: [UInt8], file: String) throws(ProgramError) -> String {
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        // Not UTF-8: walk the scalars again, counting lines and columns, to say where.
        var decoder = UTF8()
        var iterator = bytes.makeIterator()
        var offset = 0, line = 1, column = 1, lineStart = 0
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                offset += UTF8.width(scalar)
                if scalar == "\n" {
                    line += 1
                    column = 1
                    lineStart = offset
                } else {
                    column += 1
                }
            case .emptyInput:
                preconditionFailure("String(validating:) found invalid UTF-8 that the decoder did not")
            case .error:
                var lineEnd = offset
                while lineEnd < bytes.count, bytes[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
                let shown = String(decoding: bytes[lineStart..<lineEnd], as: UTF8.self).unicodeScalars.map(Lexer.visible)
                throw ProgramError(
                    file: file, line: line, column: column,
                    message: "the file is not UTF-8 text: byte 0x\(String(bytes[offset], radix: 16, uppercase: true)) cannot start or continue a character here",
                    sourceLine: String(String.UnicodeScalarView(shown)))
            }
        }
    }
}
