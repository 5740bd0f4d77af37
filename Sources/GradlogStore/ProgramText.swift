import Dispatch

/// A program's text as it is stored: its SHA-256, and, above 64 KiB, a zlib-compressed copy.
/// Both are worked out on another core as soon as the text exists, so that hashing and
/// compressing a large program overlap with parsing it and writing its nodes:
///
/// ```swift
/// let text = ProgramText(source)          // starts hashing (and compressing) now
/// let program = try Program(source: source, file: path)
/// try log.record(program.computation, program: program, text: text)
/// ```
public final class ProgramText: @unchecked Sendable {
    /// Texts up to this size are stored as plain TEXT, readable in any SQL client.
    public static let plainLimit = 64 * 1024

    public let text: String
    public let byteCount: Int
    public var isCompressed: Bool { byteCount > Self.plainLimit }

    // Written once by the background task, read only after `done` has been signalled.
    private var digest = ""
    private var compressed: [UInt8]?
    private let done = DispatchSemaphore(value: 0)

    public init(_ text: String) {
        self.text = text
        byteCount = text.utf8.count
        DispatchQueue.global().async { [self] in
            var text = self.text
            text.withUTF8 { bytes in
                digest = SHA256.hex(bytes)
                if isCompressed { compressed = Deflate.compress(UnsafeRawBufferPointer(bytes)) }
            }
            done.signal()
        }
    }

    /// Hex SHA-256 of the text; waits for the background task.
    public var sha256: String {
        waitUntilDone()
        return digest
    }

    /// The compressed text, or nil for a text stored plain; waits for the background task.
    var compressedText: [UInt8]? {
        waitUntilDone()
        return compressed
    }

    private func waitUntilDone() {
        done.wait()
        done.signal()  // leave it signalled for the next caller
    }
}
