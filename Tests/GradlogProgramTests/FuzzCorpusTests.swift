import Foundation
import Testing
@testable import GradlogProgram

/// Every file under Tests/Fuzz (the seed corpus and any crash the fuzzer found, once fixed)
/// goes through the parser, forward and backward without a crash. See scripts/fuzz.sh.
@Suite struct FuzzCorpusTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz")

    static var inputs: [URL] {
        let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey])
        return (walker?.allObjects as? [URL] ?? [])
            .filter { (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true }
            .sorted { $0.path < $1.path }
    }

    @Test func corpusIsThere() {
        #expect(Self.inputs.count >= 5)
    }

    @Test(arguments: inputs)
    func replays(_ file: URL) throws {
        let bytes = [UInt8](try Data(contentsOf: file))
        do {
            let source = try SourceText.decode(bytes, file: file.lastPathComponent)
            let program = try Program(source: source, file: file.lastPathComponent)
            let adjoints = program.computation.backward()
            #expect(adjoints[Int(program.computation.output)] == 1)
        } catch {  // SourceText.decode and Program(source:) throw only ProgramError
            #expect(error.line >= 1 && error.column >= 1)
            #expect(error.description.unicodeScalars.count < 1_000, "a clipped line")
        }
    }
}
