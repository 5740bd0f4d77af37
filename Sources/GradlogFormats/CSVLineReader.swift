/// One line of a CSV file split into cells, each with its 1-based column for messages.
struct CSVLine {
    var number: Int
    var cells: [(text: ArraySlice<UInt8>, column: Int)]
}

/// Splits CSV bytes into lines and cells: skips a UTF-8 byte order mark and empty lines at the
/// end, accepts LF and CRLF, trims spaces and tabs around cells and unquotes `"..."` cells.
/// A quoted cell ends on its line; a line break inside quotes is an error.
struct CSVLineReader {
    private let bytes: [UInt8]
    private let path: String
    private var position: Int
    private let end: Int
    private var lineNumber = 0

    init(bytes: [UInt8], path: String) {
        self.bytes = bytes
        self.path = path
        position = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var end = bytes.count
        while end > position, [UInt8(ascii: "\n"), UInt8(ascii: "\r")].contains(bytes[end - 1]) { end -= 1 }
        self.end = end
    }

    /// The next line, or nil after the last one.
    mutating func nextLine() throws(FormatError) -> CSVLine? {
        guard position < end else { return nil }
        lineNumber += 1
        let lineStart = position
        var lineEnd = lineStart
        while lineEnd < end, bytes[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
        position = lineEnd + 1
        if lineEnd > lineStart, bytes[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
        if lineEnd == lineStart {
            throw FormatError(file: path, line: lineNumber, message: "empty line inside the table (only empty lines at the end are skipped)")
        }
        return CSVLine(number: lineNumber, cells: try cells(lineStart..<lineEnd))
    }

    private func cells(_ line: Range<Int>) throws(FormatError) -> [(text: ArraySlice<UInt8>, column: Int)] {
        var cells: [(text: ArraySlice<UInt8>, column: Int)] = []
        var index = line.lowerBound
        func skipBlanks() {
            while index < line.upperBound, bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "\t") { index += 1 }
        }
        // Columns count characters (UTF-8 continuation bytes do not count), carried forward
        // from the previous cell so that a wide line costs linear time.
        var counted = (offset: line.lowerBound, column: 1)
        func column(_ offset: Int) -> Int {
            while counted.offset < offset {
                if bytes[counted.offset] & 0xC0 != 0x80 { counted.column += 1 }
                counted.offset += 1
            }
            return counted.column
        }
        while true {
            skipBlanks()
            let cellStart = index
            if index < line.upperBound, bytes[index] == UInt8(ascii: "\"") {
                var text: [UInt8] = []
                index += 1
                while true {
                    guard index < line.upperBound else {
                        throw FormatError(file: path, line: lineNumber, column: column(cellStart), message: "quoted cell has no closing quote on its line")
                    }
                    if bytes[index] == UInt8(ascii: "\"") {
                        if index + 1 < line.upperBound, bytes[index + 1] == UInt8(ascii: "\"") {
                            text.append(UInt8(ascii: "\""))
                            index += 2
                            continue
                        }
                        index += 1
                        break
                    }
                    text.append(bytes[index])
                    index += 1
                }
                skipBlanks()
                if index < line.upperBound, bytes[index] != UInt8(ascii: ",") {
                    throw FormatError(file: path, line: lineNumber, column: column(index), message: "text after the closing quote of a cell")
                }
                cells.append((text[...], column(cellStart)))
            } else {
                while index < line.upperBound, bytes[index] != UInt8(ascii: ",") { index += 1 }
                var textEnd = index
                while textEnd > cellStart, bytes[textEnd - 1] == UInt8(ascii: " ") || bytes[textEnd - 1] == UInt8(ascii: "\t") { textEnd -= 1 }
                cells.append((bytes[cellStart..<textEnd], column(cellStart)))
            }
            guard index < line.upperBound else { return cells }
            index += 1  // the comma; a comma at the end of the line starts one more, empty, cell
        }
    }
}
