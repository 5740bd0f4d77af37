import Foundation
import Testing
@testable import GradlogStore

@Suite struct SchemaTests {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func files(in folder: String) throws -> [EmbeddedFile] {
        let url = root.appendingPathComponent(folder)
        return try FileManager.default.contentsOfDirectory(atPath: url.path).filter { $0.hasSuffix(".sql") }.sorted().map {
            EmbeddedFile(name: $0, text: try String(contentsOf: url.appendingPathComponent($0), encoding: .utf8))
        }
    }

    /// The binary's copies of migrations/ and queries/ are the files, byte for byte, and the
    /// checksums worked out at build time are those of the text (EmbeddedFile compares both).
    @Test func embeddedSQLMatchesTheFiles() throws {
        #expect(EmbeddedSQL.allMigrations == (try files(in: "migrations")))
        #expect(EmbeddedSQL.allQueries == (try files(in: "queries")))
        #expect(!EmbeddedSQL.allMigrations.isEmpty)
    }

    /// The op table in the schema and `Op` in Swift agree on every code, name and arity.
    @Test func opTableMatchesOpEnum() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gradlog-\(UUID().uuidString).db").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let log = try GradLog(path: path, mode: .create)
        let statement = try log.database.prepare("SELECT code, name, arity, fixed_d0, fixed_d1 FROM op ORDER BY code")
        var codes: [UInt8] = []
        while try statement.step() {
            let op = try #require(Op(rawValue: UInt8(statement.int(0))))
            codes.append(op.rawValue)
            #expect(statement.string(1) == op.name)
            #expect(Int(statement.int(2)) == op.arity)
            #expect(statement.float(3) == op.fixedLocalDerivatives?.0)
            if op.arity == 2 { #expect(statement.float(4) == op.fixedLocalDerivatives?.1) }
        }
        #expect(codes == Op.allCases.map(\.rawValue))
    }

    @Test func sha256MatchesStandardVectors() {
        #expect(SHA256.hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(SHA256.hex(String(repeating: "a", count: 1_000))
            == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }
}
