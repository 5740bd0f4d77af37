import Foundation

/// Buffered writes to standard output. When the reader goes away (`gradlog show | head`),
/// the write fails with EPIPE (SIGPIPE is ignored) and gradlog exits quietly with status 0.
final class StandardOutput: @unchecked Sendable {
    // Only the main thread writes; the CLI is single-threaded.
    static let shared = StandardOutput()

    private var buffer: [UInt8] = []

    init() {
        buffer.reserveCapacity(1 << 16)
    }

    func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 16 { flush() }
    }

    func line(_ text: String = "") {
        write(text)
        write("\n")
    }

    func flush() {
        var offset = 0
        while offset < buffer.count {
            let n = buffer[offset...].withUnsafeBytes { Foundation.write(1, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                buffer.removeAll()
                exit(0)  // EPIPE or a closed stdout: nobody is reading any more
            }
            offset += n
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
