import Foundation
import GradlogFormats

/// libFuzzer entry point: any bytes as a safetensors file. Reading must either succeed or
/// throw a FormatError with a message; a file that reads must give every F64/F32/F16/BF16
/// tensor's values, and writing those as F64 and reading them back must give the same bits.
/// Anything else (a crash, a trap, an ASan report) is a bug. See scripts/fuzz.sh.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafeTensors(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    do {
        let file = try SafeTensorsFile.parse(bytes: bytes, path: "fuzz.safetensors")
        var readable: [(name: String, shape: [Int], values: [Double], dtype: DType)] = []
        for entry in file.tensors {
            precondition(entry.byteRange.upperBound <= size, "tensor bytes lie inside the file")
            guard entry.dtype.isReadable else {
                precondition((try? file.values(entry.name)) == nil, "an unsupported dtype is refused")
                continue
            }
            let read = try file.values(entry.name)
            precondition(read.values.count == entry.elementCount && read.shape == entry.shape)
            readable.append((entry.name, read.shape, read.values, .f64))
        }
        let again = try SafeTensorsFile.parse(
            bytes: SafeTensorsFile.encode(readable, metadata: file.metadata, path: "again"), path: "again")
        precondition(again.metadata.map(\.key) == file.metadata.map(\.key))
        precondition(again.metadata.map(\.value) == file.metadata.map(\.value))
        for tensor in readable {
            let back = try again.values(tensor.name).values
            precondition(back.map(\.bitPattern) == tensor.values.map(\.bitPattern), "F64 round trip is exact")
        }
    } catch {
        precondition(!error.message.isEmpty && error.file == "fuzz.safetensors", "only the input may be refused")
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

/// Under libFuzzer (scripts/fuzz.sh RUNS safetensors): hand the command line to libFuzzer's driver.
@main
struct Fuzz {
    static func main() {
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(runLibFuzzer(&argc, &argv, fuzzSafeTensors))
    }
}
#else
/// Without libFuzzer: replays the files given through the same entry point.
/// `swift run gradlog-fuzz-safetensors FILE-OR-FOLDER...`
@main
struct ReplayCorpus {
    static func main() throws {
        var count = 0
        for path in CommandLine.arguments.dropFirst() {
            let url = URL(fileURLWithPath: path)
            let files = (try? FileManager.default.contentsOfDirectory(at: url, includingPropertiesForKeys: nil)) ?? [url]
            for file in files.sorted(by: { $0.path < $1.path }) {
                let bytes = [UInt8](try Data(contentsOf: file))
                _ = bytes.withUnsafeBufferPointer { fuzzSafeTensors($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, $0.count) }
                count += 1
            }
        }
        print("replayed \(count) inputs")
    }
}
#endif
