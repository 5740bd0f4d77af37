import Foundation

/// A fresh temporary folder, removed when the value is released.
final class ScratchFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("gradlog-formats-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    /// The path of `name` inside the folder.
    func path(_ name: String) -> String {
        url.appendingPathComponent(name).path
    }

    /// Writes `bytes` to `name` and returns its path.
    @discardableResult
    func file(_ name: String, _ bytes: [UInt8]) throws -> String {
        try Data(bytes).write(to: url.appendingPathComponent(name))
        return path(name)
    }
}

/// Builds a safetensors file by hand: the header text as given, its length (or `headerLength`
/// to lie about it), then `data`.
func safetensorsBytes(header: String, data: [UInt8] = [], headerLength: UInt64? = nil) -> [UInt8] {
    let json = Array(header.utf8)
    var bytes: [UInt8] = []
    withUnsafeBytes(of: (headerLength ?? UInt64(json.count)).littleEndian) { bytes.append(contentsOf: $0) }
    return bytes + json + data
}

/// Little-endian bytes of 16-bit patterns.
func littleEndian(_ patterns: [UInt16]) -> [UInt8] {
    patterns.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
}
