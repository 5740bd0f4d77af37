import Glibc

/// A top-level .sql file compiled into the binary (see Plugins/EmbedSQL).
public struct EmbeddedFile: Sendable, Equatable {
    /// The file name, e.g. "0001_initial.sql".
    public let name: String
    public let text: String
    /// Hex SHA-256 of `text`, the checksum a migration is recorded with. EmbedSQLTool works it
    /// out at build time for the embedded files, so opening a log hashes no migration.
    public let sha256: String

    public init(name: String, text: String) {
        self.init(name: name, text: text, sha256: SHA256.hex(text))
    }

    init(name: String, text: String, sha256: String) {
        self.name = name
        self.text = text
        self.sha256 = sha256
    }
}

extension EmbeddedSQL {
    /// The schema migrations, in the order they apply.
    public static var allMigrations: [EmbeddedFile] { migrations }
    /// The named queries shipped in queries/.
    public static var allQueries: [EmbeddedFile] { queries }
}

/// The file of a new log, made at build time by EmbedSQLTool: SQLite built it from the schema
/// the migrations make (one script), with a row per applied migration, at the page size of a new
/// log, in WAL mode, checkpointed and closed. Kept as its size and the stretches of bytes that
/// are not zero (the pages are mostly empty), each at its offset, as a string of the code points
/// 0-255. A new log is these bytes with the time of its creation written where the migrations'
/// `applied_at` holds `appliedAtPlaceholder`: no SQL is parsed to make it.
struct NewLogImage: Sendable {
    let size: Int
    let appliedAtPlaceholder: String
    let runs: [(Int, String)]

    /// The file, each migration applied at `appliedAt` (as many characters as the placeholder).
    func bytes(appliedAt: String) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: size)
        for (offset, run) in runs {
            var index = offset
            for scalar in run.unicodeScalars {
                bytes[index] = UInt8(truncatingIfNeeded: scalar.value)
                index += 1
            }
        }
        let placeholder = Array(appliedAtPlaceholder.utf8), stamp = Array(appliedAt.utf8)
        precondition(stamp.count == placeholder.count, "a creation time of \(stamp.count) bytes for \(placeholder.count)")
        var start = 0
        while start + placeholder.count <= bytes.count {
            if bytes[start] == placeholder[0] && bytes[start..<start + placeholder.count].elementsEqual(placeholder) {
                bytes.replaceSubrange(start..<start + placeholder.count, with: stamp)
                start += placeholder.count
            } else {
                start += 1
            }
        }
        return bytes
    }

    /// Now in UTC as SQLite's `strftime('%Y-%m-%dT%H:%M:%fZ', 'now')` writes it (millisecond).
    static func utcTimestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func padded(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(padded(parts.tm_year + 1900, 4))-\(padded(parts.tm_mon + 1, 2))-\(padded(parts.tm_mday, 2))"
            + "T\(padded(parts.tm_hour, 2)):\(padded(parts.tm_min, 2)):\(padded(parts.tm_sec, 2)).\(padded(Int32(now.tv_nsec / 1_000_000), 3))Z"
    }
}
