import Foundation
import Testing
import GradlogFormats

/// Every file under Tests/Fuzz/safetensors-corpus (the seeds) and Tests/Fuzz/safetensors-crashes
/// (inputs the fuzzer once crashed on, kept after the fix) goes through the fuzzer's checks:
/// read or refused with a message, every readable tensor's values, an exact F64 round trip.
/// See scripts/fuzz.sh and Sources/GradlogFuzzSafeTensors.
@Suite struct SafeTensorsFuzzCorpusTests {
    static let fuzzFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz")

    static var inputs: [URL] {
        ["safetensors-corpus", "safetensors-crashes"].flatMap { folder in
            let url = fuzzFolder.appendingPathComponent(folder)
            return ((try? FileManager.default.contentsOfDirectory(at: url, includingPropertiesForKeys: nil)) ?? [])
                .sorted { $0.path < $1.path }
        }
    }

    @Test func corpusIsThere() {
        #expect(Self.inputs.count >= 5)
    }

    @Test(arguments: inputs)
    func replays(_ input: URL) throws {
        let bytes = [UInt8](try Data(contentsOf: input))
        let file: SafeTensorsFile
        do {
            file = try SafeTensorsFile.parse(bytes: bytes, path: input.lastPathComponent)
        } catch {
            #expect(error.file == input.lastPathComponent && !error.message.isEmpty)
            return
        }
        var readable: [(name: String, shape: [Int], values: [Double], dtype: DType)] = []
        for entry in file.tensors where entry.dtype.isReadable {
            let read = try file.values(entry.name)
            #expect(read.values.count == entry.elementCount && read.shape == entry.shape)
            readable.append((entry.name, read.shape, read.values, .f64))
        }
        let again = try SafeTensorsFile.parse(bytes: SafeTensorsFile.encode(readable, metadata: file.metadata, path: "again"), path: "again")
        #expect(again.metadata.map(\.key) == file.metadata.map(\.key))
        for tensor in readable {
            #expect(try again.values(tensor.name).values.map(\.bitPattern) == tensor.values.map(\.bitPattern))
        }
    }
}
