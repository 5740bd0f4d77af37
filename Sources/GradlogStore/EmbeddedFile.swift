/// A top-level .sql file compiled into the binary (see Plugins/EmbedSQL).
public struct EmbeddedFile: Sendable, Equatable {
    /// The file name, e.g. "0001_initial.sql".
    public let name: String
    public let text: String
}

extension EmbeddedSQL {
    /// The schema migrations, in the order they apply.
    public static var allMigrations: [EmbeddedFile] { migrations }
    /// The named queries shipped in queries/.
    public static var allQueries: [EmbeddedFile] { queries }
}
