import FoundationEssentials
import Glibc

/// Writes rows of named columns as an aligned table, CSV, a JSON array of objects, or JSON
/// lines. CSV and JSON stream, row by row. A table is aligned over all its rows, so it prints
/// when the last row is in: up to `rowsInMemory` rows wait in memory, and a longer table waits
/// in an unlinked temporary file, so a million-row `show` needs little memory (use
/// `--format csv` or `jsonl` to see rows as they come). Table cells are escaped for the
/// terminal (`TerminalText`).
final class RowWriter {
    private let format: OutputFormat
    private let columns: [String]
    /// The columns' names as JSON keys, unique (see `uniqueKeys`).
    private let keys: [String]
    private let out = StandardOutput.shared
    private var rowCount = 0

    /// An escaped table cell: its text, whether it is a number (right-aligned), its width.
    private struct Cell {
        var text: String
        var isNumber: Bool
        var width: Int

        init(_ text: String, _ isNumber: Bool) {
            self.text = text
            self.isNumber = isNumber
            // Characters, counted quickly when all are ASCII (numbers, most names).
            width = text.utf8.allSatisfy { $0 < 0x80 } ? text.utf8.count : text.count
        }
    }
    private var pending: [[Cell]] = []
    private var widths: [Int]
    /// Where the rows beyond `rowsInMemory` wait: one line a row, cells separated by tabs,
    /// which an escaped cell never holds.
    private var spill: UnsafeMutablePointer<FILE>?
    private static let rowsInMemory = 10_000

    init(format: OutputFormat, columns: [String]) {
        self.format = format
        self.columns = columns
        keys = Self.uniqueKeys(columns)
        widths = columns.map { Cell(TerminalText.escaped($0), false).width }
        switch format {
        case .csv: out.line(columns.map(Self.csvField).joined(separator: ","))
        case .json: out.write("[")
        case .table, .jsonl: break
        }
    }

    deinit {
        if let spill { fclose(spill) }
    }

    func row(_ values: [Value]) {
        precondition(values.count == columns.count, "one value per column")
        switch format {
        case .table:
            let cells = values.map { Cell(TerminalText.escaped($0.text), $0.isNumber) }
            for (i, cell) in cells.enumerated() { widths[i] = max(widths[i], cell.width) }
            pending.append(cells)
            if pending.count >= Self.rowsInMemory { spillPending() }
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
        case .table: printTable()
        case .json: out.line(rowCount == 0 ? "]" : "\n]")
        case .csv, .jsonl: break
        }
    }

    private func object(_ values: [Value]) -> String {
        Value.object(Array(zip(keys, values))).json
    }

    /// A JSON object must not hold a key twice (`SELECT 1 AS a, 2 AS a`; most parsers keep
    /// only the last), so a repeated name gets the suffix :1, :2, ... by occurrence, skipping
    /// any name a column already has: a, a:1.
    static func uniqueKeys(_ columns: [String]) -> [String] {
        var taken = Set(columns)
        var seen = Set<String>()
        return columns.map { name in
            guard seen.insert(name).inserted else {
                var n = 1
                while taken.contains("\(name):\(n)") { n += 1 }
                taken.insert("\(name):\(n)")
                return "\(name):\(n)"
            }
            return name
        }
    }

    private func spillPending() {
        if spill == nil {
            spill = tmpfile()
            // No temporary file to be had: keep the rows in memory instead.
            guard spill != nil else { return }
        }
        var text = ""
        for row in pending {
            text += row.map { ($0.isNumber ? "1" : "0") + $0.text }.joined(separator: "\t")
            text += "\n"
        }
        if fputs(text, spill) < 0 {
            Gradlog.printError("gradlog: error: cannot hold the table's rows in a temporary file: \(String(cString: strerror(errno)))")
            exit(2)
        }
        pending.removeAll(keepingCapacity: true)
    }

    private func printTable() {
        let header = columns.map { Cell(TerminalText.escaped($0), false) }
        printTableRow(header)
        printTableRow(widths.map { Cell(String(repeating: "-", count: $0), false) })
        if let spill {
            spillPending()
            rewind(spill)
            var line: UnsafeMutablePointer<CChar>?
            var capacity = 0
            defer { free(line) }
            while getline(&line, &capacity, spill) > 0, let line {
                let text = String(cString: line).dropLast()  // the newline
                printTableRow(text.split(separator: "\t", omittingEmptySubsequences: false).map { field in
                    Cell(String(field.dropFirst()), field.first == "1")
                })
            }
        }
        for row in pending { printTableRow(row) }
        pending = []
    }

    private func printTableRow(_ cells: [Cell]) {
        var line = ""
        for (i, cell) in cells.enumerated() {
            let pad = String(repeating: " ", count: max(0, widths[i] - cell.width))
            let isLast = i == cells.count - 1
            line += cell.isNumber ? pad + cell.text : (isLast ? cell.text : cell.text + pad)
            if !isLast { line += "  " }
        }
        out.line(line)
    }

    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacing("\"", with: "\"\"") + "\""
    }
}
