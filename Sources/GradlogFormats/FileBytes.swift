import Glibc

/// Whole-file reads and writes through the C library, with the errors a person can act on
/// (missing file, a directory, no permission, too large) as `FormatError`s.
enum FileBytes {
    /// The file's bytes; refuses directories, anything else that is not a regular file (a FIFO
    /// would block, /dev/zero never ends) and files over `limit` bytes.
    static func read(path: String, limit: Int = FormatLimits.maxFileBytes) throws(FormatError) -> [UInt8] {
        // O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below.
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else { throw FormatError(file: path, message: "cannot open: \(lastErrorText())") }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            throw FormatError(file: path, message: "cannot read: \(lastErrorText())")
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            throw FormatError(file: path, message: "is a directory, not a file")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw FormatError(file: path, message: "is not a regular file (a FIFO, a device or a socket); gradlog reads data from files")
        }
        if Int(info.st_size) > limit { throw tooLarge(path, Int(info.st_size), limit) }

        // Read to the end rather than trusting st_size: files can grow while being read.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(max(Int(info.st_size), 0) + 1)
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw FormatError(file: path, message: "cannot read: \(lastErrorText())")
            }
            if count == 0 { return bytes }
            if bytes.count + count > limit { throw tooLarge(path, bytes.count + count, limit) }
            bytes.append(contentsOf: chunk[0..<count])
        }
    }

    /// Creates or truncates the file and writes `bytes` to it.
    static func write(_ bytes: [UInt8], to path: String) throws(FormatError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw FormatError(file: path, message: "cannot create: \(lastErrorText())") }
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes {
                Glibc.write(descriptor, $0.baseAddress! + written, $0.count - written)
            }
            if count < 0 {
                if errno == EINTR { continue }
                let text = lastErrorText()
                close(descriptor)
                throw FormatError(file: path, message: "cannot write: \(text)")
            }
            written += count
        }
        if close(descriptor) != 0 {
            throw FormatError(file: path, message: "cannot write: \(lastErrorText())")
        }
    }

    private static func tooLarge(_ path: String, _ size: Int, _ limit: Int) -> FormatError {
        FormatError(file: path, message: "file is larger than gradlog reads (\(size) bytes or more; the limit is \(limit) bytes)")
    }

    private static func lastErrorText() -> String {
        String(cString: strerror(errno))
    }
}
