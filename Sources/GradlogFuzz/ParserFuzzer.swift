import Foundation
import GradlogProgram

/// libFuzzer entry point: any bytes as a .grad program, decoded as `gradlog record` decodes a
/// file. Decoding and parsing must either succeed or throw a located ProgramError whose message
/// stays short however long the line; a program that parses must run forward and backward.
/// Anything else (a crash, a trap, an ASan report) is a bug. See scripts/fuzz.sh.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    do {
        let source = try SourceText.decode(Array(UnsafeBufferPointer(start: data, count: size)), file: "fuzz.grad")
        // No files, and small tensors: the fuzzer explores the language, not the disk or the memory.
        var initializers = Initializers(seed: 1)
        initializers.readsFiles = false
        initializers.maximumElements = 4096
        initializers.maximumTotalElements = 1 << 16
        let program = try Program(source: source, file: "fuzz.grad", initializers: initializers)
        let computation = program.computation
        let gradients = computation.backward()
        precondition(gradients.adjoints.count == computation.tape.values.count)
        precondition(gradients.scalar(computation.output) == 1)
        // Setting every scalar input to a new value re-runs forward over the same tape.
        let scalarInputs = computation.inputs.filter { computation.tape.isScalar($0.node) }
        let values = Dictionary(uniqueKeysWithValues: scalarInputs.map { ($0.name, 0.25) })
        _ = try program.computation(setting: values).backward()
    } catch let error as ProgramError {
        precondition(error.line >= 1 && error.column >= 1, "diagnostics are located")
        precondition(error.description.unicodeScalars.count < 1_000, "a diagnostic shows a clipped line")
    } catch {
        preconditionFailure("unexpected error \(error)")
    }
    return 0
}

#if FUZZING
@_silgen_name("LLVMFuzzerRunDriver")
func runLibFuzzer(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> Int32
) -> Int32

/// Under libFuzzer (scripts/fuzz.sh): hand the command line to libFuzzer's driver.
@main
struct Fuzz {
    static func main() {
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(runLibFuzzer(&argc, &argv, fuzzParser))
    }
}
#else
/// Without libFuzzer: replays the files given (a corpus, or crash reproducers) through the
/// same entry point, so a fixed crash stays fixed. `swift run gradlog-fuzz FILE-OR-FOLDER...`
@main
struct ReplayCorpus {
    static func main() throws {
        var count = 0
        for path in CommandLine.arguments.dropFirst() {
            let url = URL(fileURLWithPath: path)
            let files = (try? FileManager.default.contentsOfDirectory(at: url, includingPropertiesForKeys: nil)) ?? [url]
            for file in files.sorted(by: { $0.path < $1.path }) {
                let bytes = [UInt8](try Data(contentsOf: file))
                _ = bytes.withUnsafeBufferPointer { fuzzParser($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, $0.count) }
                count += 1
            }
        }
        print("replayed \(count) inputs")
    }
}
#endif
