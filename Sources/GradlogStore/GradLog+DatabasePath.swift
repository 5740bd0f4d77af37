import FoundationEssentials
import Glibc

extension GradLog {
    /// Checks what `path` names before SQLite opens it, following symbolic links as SQLite
    /// will: an existing database must be a non-empty regular file; a missing one is created
    /// (in `.create` mode) only at a plain path. A directory, FIFO, device, socket, a link to
    /// any of them or to a missing file, a descriptor of this process (`/dev/stdout`,
    /// `/proc/self/fd/N`) and an empty file are refused untouched, so opening never blocks
    /// on a FIFO and never writes into a terminal, a pipe or someone else's empty file.
    /// Returns true when the path exists.
    static func checkDatabasePath(_ path: String, mode: Database.Mode) throws -> Bool {
        guard !path.isEmpty else { throw OpenError(message: "the database path is empty; give a file name") }
        if isProcessDescriptor(path) {
            throw GradLogError.notAGradlogDatabase(path: path, reason: "it names one of gradlog's own input or output streams, not a file")
        }
        var info = stat()
        guard stat(path, &info) == 0 else {
            let reason = errno
            var link = stat()
            if reason == ENOENT && lstat(path, &link) == 0 {
                let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? "?"
                guard mode == .create else { throw GradLogError.noDatabase(path: path) }
                throw OpenError(message: "cannot create \(path): it is a symbolic link to \(target), which does not exist; give the path of the file itself")
            }
            guard reason == ENOENT || reason == ENOTDIR else {
                throw OpenError(message: "cannot open \(path): \(String(cString: strerror(reason)))")
            }
            guard mode == .create else { throw GradLogError.noDatabase(path: path) }
            return false
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw GradLogError.notAGradlogDatabase(path: path, reason: "it is a directory")
        case S_IFIFO: throw GradLogError.notAGradlogDatabase(path: path, reason: "it is a FIFO (a named pipe), not a regular file")
        case S_IFCHR, S_IFBLK: throw GradLogError.notAGradlogDatabase(path: path, reason: "it is a device, not a regular file")
        case S_IFSOCK: throw GradLogError.notAGradlogDatabase(path: path, reason: "it is a socket, not a regular file")
        default: throw GradLogError.notAGradlogDatabase(path: path, reason: "it is not a regular file")
        }
        // gradlog never leaves an empty file behind (see createAtomically), so one is not ours.
        if info.st_size == 0 { throw GradLogError.notAGradlogDatabase(path: path, reason: "the file is empty") }
        return true
    }

    /// `/dev/stdin`, `/dev/stdout`, `/dev/stderr`, `/dev/fd/N` and `/proc/.../fd/N`, directly
    /// or through links: a path that stands for whatever a descriptor is (`> out.bin` makes
    /// `/dev/stdout` a regular file, which must not become a database either).
    private static func isProcessDescriptor(_ path: String) -> Bool {
        // Not standardizingPath: it resolves the links this walk must see.
        var current = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        for _ in 0..<40 {
            while let double = current.firstRange(of: "//") { current.replaceSubrange(double, with: "/") }
            if ["/dev/stdin", "/dev/stdout", "/dev/stderr"].contains(current) || current.hasPrefix("/dev/fd/")
                || (current.hasPrefix("/proc/") && current.contains("/fd/")) {
                return true
            }
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: current) else { return false }
            let folder = folder(of: current)
            current = target.hasPrefix("/") ? target : folder + "/" + target
        }
        return false
    }

    /// The folder part of a path, as NSString's `deletingLastPathComponent` has it (without
    /// Foundation, whose loading costs every command more than opening the log): "" for a
    /// bare name, "/" for a name at the root; trailing slashes do not count.
    public static func folder(of path: String) -> String {
        var path = Substring(path)
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        guard let slash = path.lastIndex(of: "/") else { return "" }
        if slash == path.startIndex { return "/" }
        var folder = path[..<slash]
        while folder.count > 1 && folder.hasSuffix("/") { folder.removeLast() }
        return String(folder)
    }
}
