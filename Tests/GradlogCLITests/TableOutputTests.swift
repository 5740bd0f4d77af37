import Foundation
import Testing

/// Tables through the real binary: control characters in what gradlog did not choose (run
/// names, tags, paths, query results) print escaped, and columns are aligned over all rows.
@Suite struct TableOutputTests {
    let log = try! RecordedLog()

    static let hostile = "evil\u{1B}[31mred\u{07}\ttab\nline\r\u{7F}\u{9B}2J\u{202E}"
    static let escaped = "evil␛[31mred␇␉tab␊line␍␡<U+009B>2J<U+202E>"

    /// No byte of the output may be a control character other than the newline ending a row.
    func expectNoControlCharacters(_ text: String) {
        let controls = text.unicodeScalars.filter { $0 != "\n" && TerminalTextScalar.isControl($0) }
        #expect(controls.isEmpty, "raw control characters: \(controls.map { String($0.value, radix: 16) })")
    }

    @Test func runNamesTagsAndPathsPrintEscaped() throws {
        let program = try log.dir.write("p\u{1B}]0;title\u{07}.grad", "input x = 1\nf = x * 2\n")
        #expect(try CLI.run(["record", program, "--db", log.db, "--name", Self.hostile, "--tag", "k\u{1B}=v\tw"]).status == 0)
        let runs = try log.run("runs", [])
        #expect(runs.status == 0)
        expectNoControlCharacters(runs.stdout)
        #expect(runs.stdout.contains(Self.escaped))
        #expect(runs.stdout.contains("p␛]0;title␇.grad"))
        let tags = try log.query(["SELECT key, value FROM tags"])
        expectNoControlCharacters(tags.stdout)
        #expect(tags.stdout.contains("k␛   v␉w"))
        let lines = runs.stdout.split(separator: "\n")
        #expect(lines.count == 3, "one row a run: \(runs.stdout)")
        // JSON keeps the exact text.
        let json = try #require(try parseJSON(log.run("runs", ["--format", "json"]).stdout) as? [[String: Any]])
        #expect(json.first?["name"] as? String == Self.hostile)
    }

    @Test func queryResultsAndColumnNamesPrintEscaped() throws {
        try log.record()
        let result = try log.query(["SELECT char(27) || '[2J' AS \"a\u{07}b\", 'x' || char(10) || 'y' AS c"])
        #expect(result.status == 0)
        expectNoControlCharacters(result.stdout)
        #expect(result.stdout == "a␇b   c\n----  ---\n␛[2J  x␊y\n")
    }

    /// The widest cell comes last, after the 10,000 rows a table holds in memory.
    @Test func columnsAreAlignedOverAllRows() throws {
        try log.record()
        let sql = """
            WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 12000)
            SELECT CASE WHEN i = 12000 THEN 'a long text at the very end' ELSE 't' || i END AS label, i * 1000000 AS n, 'z' AS last FROM c
            """
        let result = try log.query([sql])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 12_002)
        let widths = Set(lines.dropFirst(2).map { $0.count })
        #expect(widths == [lines[1].count - 3], "every row as wide as the rule above it (less the last column's): \(widths.sorted().prefix(5))")
        #expect(lines.last == "a long text at the very end  12000000000  z")
        #expect(lines[2] == "t1                               1000000  z")
    }
}

enum TerminalTextScalar {
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || (0x202A...0x202E).contains(scalar.value)
    }
}
