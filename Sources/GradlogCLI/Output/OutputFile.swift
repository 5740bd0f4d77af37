import Glibc
import GradlogStore

/// Where `-o PATH` writes: standard output for `-` (or no path), else a regular file, written
/// in place as shell redirection (`>`) and `cp` write it.
///
/// In place, not atomically by renaming a temporary file over the path: a rename would replace
/// whatever the path names (a symbolic link would become a plain file, a second hard link
/// would stop sharing the content, a read-only file's permissions would be lost, and as root
/// `/dev/null` itself would be replaced). So a symbolic link is followed to its target, as the
/// shell follows it; the target must be a regular file the user may write (a missing one is
/// created); a directory, FIFO, device or socket, a read-only file, and the log's own database
/// file are refused with a message before anything is opened for writing. The output is complete
/// in memory before the file is truncated, so a failure can only come from the disk itself.
enum OutputFile {
    static func write(_ text: String, to path: String?, database: String? = nil) throws {
        try write(bytes: Array(text.utf8), to: path, database: database)
    }

    static func write(bytes: [UInt8], to path: String?, database: String? = nil) throws {
        guard let path, path != "-" else {
            StandardOutput.shared.write(bytes: bytes)
            return
        }
        guard !path.isEmpty else { throw CLIError("-o '': give a file name, or - for standard output") }
        var target = stat()
        if stat(path, &target) == 0 {
            try refuseUnlessWritableRegularFile(path, target)
            if let database, Self.isSameFile(target, database) {
                throw CLIError("cannot write \(path): it is the database \(database); writing there would destroy the log")
            }
        } else if errno != ENOENT {
            throw CLIError("cannot write \(path): \(String(cString: strerror(errno)))")
        } else {
            let folder = GradLog.folder(of: path)
            var folderInfo = stat()
            if !folder.isEmpty && stat(folder, &folderInfo) != 0 {
                throw CLIError("cannot create \(path): the folder \(folder) does not exist")
            }
        }
        // O_NONBLOCK: a FIFO that appeared since the check must not block the open; O_NOCTTY:
        // a terminal never becomes the controlling one. Both are checked again below.
        let descriptor = open(path, O_WRONLY | O_CREAT | O_NOCTTY | O_NONBLOCK | O_CLOEXEC, 0o666)
        guard descriptor >= 0 else { throw CLIError("cannot write \(path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var opened = stat()
        guard fstat(descriptor, &opened) == 0 else { throw CLIError("cannot write \(path): \(String(cString: strerror(errno)))") }
        try refuseUnlessWritableRegularFile(path, opened)
        guard ftruncate(descriptor, 0) == 0 else { throw CLIError("cannot write \(path): \(String(cString: strerror(errno)))") }
        var bytes = bytes[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw CLIError("cannot write \(path): \(String(cString: strerror(errno)))")
            }
            bytes = bytes.dropFirst(n)
        }
    }

    private static func refuseUnlessWritableRegularFile(_ path: String, _ info: stat) throws {
        let kind = info.st_mode & S_IFMT
        guard kind == S_IFREG else {
            let what: String
            switch kind {
            case S_IFDIR: what = "a directory"
            case S_IFIFO: what = "a FIFO"
            case S_IFCHR: what = "a character device"
            case S_IFBLK: what = "a block device"
            case S_IFSOCK: what = "a socket"
            default: what = "not a regular file"
            }
            throw CLIError("cannot write \(path): it is \(what); -o writes regular files only (use -o - or leave -o out to write to standard output)")
        }
        // access() says yes to root for any file; a file without write permission is refused
        // for root too, as it would be for its owner.
        if info.st_mode & 0o222 == 0 || access(path, W_OK) != 0 {
            throw CLIError("cannot write \(path): the file is read-only")
        }
    }

    private static func isSameFile(_ info: stat, _ other: String) -> Bool {
        var otherInfo = stat()
        return stat(other, &otherInfo) == 0 && otherInfo.st_dev == info.st_dev && otherInfo.st_ino == info.st_ino
    }
}
