import Foundation

/// Writes rows of named columns as an aligned table, CSV, a JSON array of objects, or JSON
/// lines, streaming: a table is aligned on its first rows and then printed as rows come, so
/// the first lines of a million-row result appear at once.
final class RowWriter {
    private let format: OutputFormat
    private let columns: [String]
    private let out = StandardOutput.shared
    private var rowCount = 0
    /// Table rows held back until the column widths are known.
    private var pending: [[Value]] = []
    private var widths: [Int]?
    private static let alignOnRows = 200

    init(format: OutputFormat, columns: [String]) {
        self.format = format
        self.columns = columns
        switch format {
        case .csv: out.line(columns.map(Self.csvField).joined(separator: ","))
        case .json: out.write("[")
        case .table, .jsonl: break
        }
    }

    func row(_ values: [Value]) {
        precondition(values.count == columns.count, "one value per column")
        switch format {
        case .table:
            if let widths {
                printTableRow(values.map(\.text), widths: widths, numeric: values.map(\.isNumber))
            } else {
                pending.append(values)
                if pending.count >= Self.alignOnRows { flushPending() }
            }
        case .csv:
            out.line(values.map { Self.csvField($0.text) }.joined(separator: ","))
        case .json:
            out.write((rowCount == 0 ? "\n" : ",\n") + object(values))
        case .jsonl:
            out.line(object(values))
        }
        rowCount += 1
    }

    func finish() {
        switch format {
        case .table: flushPending()
        case .json: out.line(rowCount == 0 ? "]" : "\n]")
        case .csv, .jsonl: break
        }
    }

    private func object(_ values: [Value]) -> String {
        Value.object(Array(zip(columns, values))).json
    }

    private func flushPending() {
        guard widths == nil else { return }
        var widths = columns.map(\.count)
        for row in pending {
            for (i, value) in row.enumerated() { widths[i] = max(widths[i], value.text.count) }
        }
        self.widths = widths
        printTableRow(columns, widths: widths, numeric: columns.map { _ in false })
        printTableRow(widths.map { String(repeating: "-", count: $0) }, widths: widths, numeric: columns.map { _ in false })
        for row in pending { printTableRow(row.map(\.text), widths: widths, numeric: row.map(\.isNumber)) }
        pending = []
    }

    private func printTableRow(_ cells: [String], widths: [Int], numeric: [Bool]) {
        var line = ""
        for (i, cell) in cells.enumerated() {
            let pad = String(repeating: " ", count: max(0, widths[i] - cell.count))
            let isLast = i == cells.count - 1
            line += numeric[i] ? pad + cell : (isLast ? cell : cell + pad)
            if !isLast { line += "  " }
        }
        out.line(line)
    }

    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
