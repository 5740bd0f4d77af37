import Foundation
@testable import GradlogStore
import Testing

/// docs/schema.md and the schema of a new database describe the same tables and views, with
/// the same columns in the same order; the doc names every gradlog-only SQL function.
@Suite struct SchemaDocTests {
    static let docPath = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("docs/schema.md").path

    /// "table runs" / "view nodes" -> column names, from headings "### `NAME` (view)" and the
    /// first column of the table under each.
    static func documented() throws -> [String: [String]] {
        let text = try String(contentsOfFile: docPath, encoding: .utf8)
        var objects: [String: [String]] = [:]
        var current: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("#") {
                current = nil
                let parts = line.split(separator: " ")
                if line.hasPrefix("### `"), parts.count == 3, ["(table)", "(view)"].contains(parts[2]) {
                    let name = parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "`"))
                    current = parts[2].dropFirst().dropLast() + " " + name
                    objects[current!] = []
                }
            } else if let current, line.hasPrefix("| `") {
                let cell = line.dropFirst(3).prefix { $0 != "`" }
                objects[current]!.append(String(cell))
            }
        }
        return objects
    }

    static func actual(_ scratch: ScratchLog) throws -> [String: [String]] {
        var objects: [String: [String]] = [:]
        for row in try scratch.rows("""
            SELECT s.type || ' ' || s.name, p.name
            FROM sqlite_schema s JOIN pragma_table_info(s.name) p
            WHERE s.type IN ('table', 'view') AND s.name NOT LIKE 'sqlite_%'
            ORDER BY s.name, p.cid
            """) {
            guard case .text(let object) = row[0], case .text(let column) = row[1] else { continue }
            objects[object, default: []].append(column)
        }
        return objects
    }

    @Test func everyTableAndViewIsDocumentedWithItsColumns() throws {
        let documented = try Self.documented()
        let actual = try Self.actual(ScratchLog())
        let undocumented = Set(actual.keys).subtracting(documented.keys).sorted()
        let stale = Set(documented.keys).subtracting(actual.keys).sorted()
        #expect(undocumented == [], "in a new database but not in docs/schema.md")
        #expect(stale == [], "in docs/schema.md but not in a new database")
        for (object, columns) in actual where documented[object] != nil {
            #expect(documented[object] == columns, "columns of \(object) in docs/schema.md")
        }
    }

    @Test func everyGradlogOnlyFunctionIsDocumented() throws {
        let text = try String(contentsOfFile: Self.docPath, encoding: .utf8)
        for name in SQLFunctions.names {
            #expect(text.contains("| `\(name)("), "docs/schema.md should describe \(name)")
        }
    }

    @Test func noViewUsesAGradlogOnlyFunction() throws {
        let scratch = try ScratchLog()
        for row in try scratch.rows("SELECT name, sql FROM sqlite_schema WHERE type = 'view'") {
            guard case .text(let name) = row[0], case .text(let sql) = row[1] else { continue }
            for function in SQLFunctions.names {
                #expect(!sql.contains(function + "("), "view \(name) uses gradlog-only \(function)()")
            }
        }
    }
}
