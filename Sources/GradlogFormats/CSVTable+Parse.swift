extension CSVTable {
    /// Parses CSV bytes (the rules are on `CSVTable`); `path` names the file in errors.
    public static func parse(bytes: [UInt8], path: String) throws(FormatError) -> CSVTable {
        try parse(bytes: bytes, path: path, maxElements: FormatLimits.maxElements)
    }

    static func parse(bytes: [UInt8], path: String, maxElements: Int) throws(FormatError) -> CSVTable {
        var reader = CSVLineReader(bytes: bytes, path: path)
        guard let first = try reader.nextLine() else {
            throw FormatError(file: path, message: "is empty: no header and no rows")
        }
        var header: [String]? = nil
        var values: [Double] = []
        let columnCount = first.cells.count
        if first.cells.contains(where: { number(in: $0.text) == nil }) {
            header = first.cells.map { String(decoding: $0.text, as: UTF8.self) }
        } else {
            try appendRow(first, to: &values, path: path, maxElements: maxElements)
        }
        var rowCount = header == nil ? 1 : 0
        while let line = try reader.nextLine() {
            guard line.cells.count == columnCount else {
                let reference = header == nil ? "the first row" : "the header"
                throw FormatError(file: path, line: line.number,
                                  message: "row has \(line.cells.count) cells, \(reference) has \(columnCount)")
            }
            try appendRow(line, to: &values, path: path, maxElements: maxElements)
            rowCount += 1
        }
        if rowCount == 0 {
            throw FormatError(file: path, line: first.number, message: "has a header line but no rows of numbers")
        }
        return CSVTable(path: path, header: header, rowCount: rowCount, columnCount: columnCount, values: values)
    }

    private static func appendRow(_ line: CSVLine, to values: inout [Double], path: String, maxElements: Int) throws(FormatError) {
        if values.count + line.cells.count > maxElements {
            throw FormatError(file: path, line: line.number, message: "table has more than \(maxElements) numbers, the most gradlog reads")
        }
        for cell in line.cells {
            guard let value = number(in: cell.text) else {
                let message = cell.text.isEmpty
                    ? "empty cell where a number is expected"
                    : "cell \(String(decoding: cell.text, as: UTF8.self).quotedForMessage()) is not a number"
                throw FormatError(file: path, line: line.number, column: cell.column, message: message)
            }
            values.append(value)
        }
    }

    /// The number a cell spells, or nil. Decimal forms go through the standard library's
    /// correctly rounded conversion; `nan` is the quiet NaN 0x7ff8000000000000 (`-nan` with the
    /// sign bit set) and `inf`/`infinity` are the infinities, in any letter case.
    static func number(in cell: ArraySlice<UInt8>) -> Double? {
        var body = cell[...]
        var negative = false
        if let sign = body.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
            negative = sign == UInt8(ascii: "-")
            body = body.dropFirst()
        }
        if let first = body.first, first | 0x20 == UInt8(ascii: "n") || first | 0x20 == UInt8(ascii: "i") {
            switch String(decoding: body.map { $0 | 0x20 }, as: UTF8.self) {  // ASCII lowercase
            case "nan": return negative ? -Double.nan : Double.nan
            case "inf", "infinity": return negative ? -Double.infinity : Double.infinity
            default: return nil
            }
        }
        guard isDecimal(body) else { return nil }
        return Double(String(decoding: cell, as: UTF8.self))
    }

    /// Digits with an optional point and exponent: `1`, `1.`, `.5`, `1.5e-3`, `2E+8`.
    private static func isDecimal(_ text: ArraySlice<UInt8>) -> Bool {
        var index = text.startIndex
        func digits() -> Int {
            let start = index
            while index < text.endIndex, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(text[index]) { index += 1 }
            return index - start
        }
        var mantissaDigits = digits()
        if index < text.endIndex, text[index] == UInt8(ascii: ".") {
            index += 1
            mantissaDigits += digits()
        }
        guard mantissaDigits > 0 else { return false }
        if index < text.endIndex, text[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            if index < text.endIndex, text[index] == UInt8(ascii: "+") || text[index] == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { return false }
        }
        return index == text.endIndex
    }
}
