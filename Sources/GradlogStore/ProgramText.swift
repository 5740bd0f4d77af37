import Dispatch

/// A program's text as it is stored: its SHA-256, and, above 64 KiB, a zlib-compressed copy made
/// on another core while the run's nodes are written.
final class ProgramText: @unchecked Sendable {
    /// Texts up to this size are stored as plain TEXT, readable in any SQL client.
    static let plainLimit = 64 * 1024

    let text: String
    let sha256: String
    let byteCount: Int
    var isCompressed: Bool { byteCount > Self.plainLimit }

    // Written once by the compressing task, read after `done` is signalled.
    private var compressed: [UInt8]?
    private let done = DispatchSemaphore(value: 0)

    init(_ program: Program) {
        text = program.source
        byteCount = text.utf8.count
        sha256 = SHA256.hex(text)
        if isCompressed {
            DispatchQueue.global().async { [self] in
                var text = self.text
                compressed = text.withUTF8 { Deflate.compress(UnsafeRawBufferPointer($0)) }
                done.signal()
            }
        }
    }

    /// The compressed text, once it is ready; nil for a text stored plain.
    func waitForCompressed() -> [UInt8]? {
        guard isCompressed else { return nil }
        done.wait()
        done.signal()  // later callers do not block
        return compressed
    }
}
