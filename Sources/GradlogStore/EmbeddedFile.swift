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
