/// A numeric CSV file: an optional header line and a rectangle of doubles.
///
/// What is read: cells separated by commas, one row a line (LF or CRLF); spaces and tabs
/// around a cell are trimmed; a cell may be quoted (`"a name"`, `""` for a quote inside); a
/// UTF-8 byte order mark and empty lines at the end are skipped. The first line is a header
/// when any of its cells is not a number. A number is a decimal (`-1.5`, `.5`, `2.`, `1e-3`,
/// `6.02E+23`) read with correct rounding, or, in any letter case, `nan`, `inf` or `infinity`
/// with an optional sign. Hexadecimal floats and `nan(...)` payloads are not accepted.
/// Anything else (an empty cell, `1,5`, `0x10`) is an error at its line and column.
public struct CSVTable: Equatable, Sendable {
    /// The path as the caller gave it, for messages.
    public let path: String
    /// The column names from the header line, or nil when the first line holds numbers.
    public let header: [String]?
    public let rowCount: Int
    public let columnCount: Int
    /// Every cell, row after row: the cell in row r and column c is `values[r * columnCount + c]`.
    public let values: [Double]

    /// `[rowCount, columnCount]`: the table as a matrix.
    public var shape: [Int] { [rowCount, columnCount] }

    /// Reads and parses the file at `path` (at most `FormatLimits.maxFileBytes`).
    public static func read(path: String) throws(FormatError) -> CSVTable {
        try parse(bytes: try FileBytes.read(path: path), path: path)
    }

    /// Parses CSV text; `path` names it in errors.
    public static func parse(_ text: String, path: String) throws(FormatError) -> CSVTable {
        try parse(bytes: Array(text.utf8), path: path)
    }

    /// The named columns, in the order given. One name gives a vector of shape `[rowCount]`;
    /// several give a matrix of shape `[rowCount, names.count]`, row-major. A name that is not
    /// in the header is an error that lists the columns there are.
    public func columns(_ names: [String]) throws(FormatError) -> (values: [Double], shape: [Int]) {
        guard let header else {
            throw FormatError(file: path, message: "has no header line, so its columns have no names; the first line holds numbers")
        }
        guard !names.isEmpty else { throw FormatError(file: path, message: "no column names given") }
        var indices: [Int] = []
        for name in names {
            let matches = header.indices.filter { header[$0] == name }
            if matches.isEmpty {
                let available = header.map(\.debugDescription).joined(separator: ", ")
                throw FormatError(file: path, line: 1, message: "no column \(name.quotedForMessage()); the columns are \(available)")
            }
            if matches.count > 1 {
                throw FormatError(file: path, line: 1, message: "column \(name.quotedForMessage()) appears \(matches.count) times in the header")
            }
            indices.append(matches[0])
        }
        var picked: [Double] = []
        picked.reserveCapacity(rowCount * indices.count)
        for row in 0..<rowCount {
            for column in indices { picked.append(values[row * columnCount + column]) }
        }
        return (picked, names.count == 1 ? [rowCount] : [rowCount, names.count])
    }
}
