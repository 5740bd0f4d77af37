import Glibc

/// Buffered writes to standard output.
///
/// When the reader goes away (`gradlog diff A B | head -1`), the write fails with EPIPE
/// (SIGPIPE is ignored): the rest of the output is dropped quietly and the command runs to its
/// end, so its exit status is the one it would have had with a reader (1 when the runs differ,
/// as git keeps its status under `| head`). Any other write error (a full disk, `>&-`) is
/// fatal: a message on stderr and exit status 2, never a silently truncated output.
final class StandardOutput: @unchecked Sendable {
    // Only the main thread writes; the CLI is single-threaded.
    static let shared = StandardOutput()

    private var buffer: [UInt8] = []
    private let descriptor: Int32
    /// True once the reader has gone away; later output is dropped.
    private(set) var readerGone = false

    init(descriptor: Int32 = 1) {
        self.descriptor = descriptor
        buffer.reserveCapacity(1 << 16)
    }

    func write(_ text: String) {
        guard !readerGone else { return }
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 16 { flush() }
    }

    func write(bytes: [UInt8]) {
        guard !readerGone else { return }
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 16 { flush() }
    }

    func line(_ text: String = "") {
        write(text)
        write("\n")
    }

    func flush() {
        var offset = 0
        while offset < buffer.count && !readerGone {
            let n = buffer[offset...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if n < 0 {
                switch errno {
                case EINTR: continue
                case EAGAIN: usleep(1000)  // a non-blocking stdout that is full: wait for the reader
                case EPIPE: readerGone = true
                default:
                    let reason = String(cString: strerror(errno))
                    Gradlog.printError("gradlog: error: cannot write to standard output: \(reason)")
                    exit(2)
                }
            } else {
                offset += n
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
