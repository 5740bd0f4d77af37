import Foundation
@testable import GradlogStore
import Testing

/// The SQL compiled into the binary is the SQL in the repository: a backstop for the EmbedSQL
/// plugin's rebuild rules.
@Suite struct EmbeddedSQLTests {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test(arguments: ["migrations", "queries"])
    func embeddedFilesMatchTheFolder(_ folder: String) throws {
        let embedded = folder == "migrations" ? EmbeddedSQL.allMigrations : EmbeddedSQL.allQueries
        let url = Self.root.appendingPathComponent(folder)
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? [])
            .filter { $0.hasSuffix(".sql") }.sorted()
        #expect(embedded.map(\.name) == names, "rebuild if \(folder)/ changed since the last build")
        for file in embedded {
            let text = try String(contentsOf: url.appendingPathComponent(file.name), encoding: .utf8)
            let path = folder + "/" + file.name
            #expect(file.text == text, "\(path) differs from the embedded copy")
        }
    }
}
