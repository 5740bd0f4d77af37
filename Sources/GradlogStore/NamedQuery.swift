import CSQLite

/// A query shipped in queries/NAME.sql. Its header, the leading block of `--` lines, says what
/// it answers and which parameters it takes; other lines of the header are notes for people:
///
///     -- description: The nodes of a run with the largest |adjoint|.
///     -- param :run          the run: an id, a unique name, latest or latest~N
///     -- param :limit = 10   how many nodes to list
///
/// A parameter without `= DEFAULT` is required. A default is NULL, a number, or 'quoted text'.
public struct NamedQuery: Sendable {
    public struct Parameter: Sendable, Equatable {
        public var name: String
        /// Bound when no value is given; nil when the parameter is required.
        public var defaultValue: SQLValue?
        public var summary: String
    }

    public let name: String
    public let summary: String
    public let parameters: [Parameter]
    public let sql: String

    /// Every shipped query, by name. Throws only if a shipped header is malformed (a test
    /// reads them all).
    public static func all() throws(QueryError) -> [NamedQuery] {
        var result: [NamedQuery] = []
        for file in EmbeddedSQL.allQueries {
            result.append(try NamedQuery(name: String(file.name.dropLast(".sql".count)), sql: file.text))
        }
        return result
    }

    public static func named(_ name: String) throws(QueryError) -> NamedQuery {
        let queries = try all()
        guard let query = queries.first(where: { $0.name == name }) else {
            throw QueryError.unknownQuery(name: name, known: queries.map(\.name))
        }
        return query
    }

    /// True when `text` should be read as a query name rather than SQL: a single word of
    /// letters, digits, '-' and '_' that is not an SQL keyword (`VACUUM` is SQL).
    public static func isName(_ text: String) -> Bool {
        guard !text.isEmpty, text.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" }) else {
            return false
        }
        return sqlite3_keyword_check(text, Int32(text.utf8.count)) == 0
    }

    /// The defaults of the optional parameters, by name.
    public var defaults: [String: SQLValue] {
        var result: [String: SQLValue] = [:]
        for parameter in parameters { result[parameter.name] = parameter.defaultValue }
        return result
    }

    init(name: String, sql: String) throws(QueryError) {
        var summary: String?
        var parameters: [Parameter] = []
        for line in sql.split(separator: "\n", omittingEmptySubsequences: false) {
            guard line.hasPrefix("--") else { break }
            let text = line.dropFirst(2).drop { $0 == " " }
            if text.hasPrefix("description:") {
                summary = String(text.dropFirst("description:".count).drop { $0 == " " })
            } else if text.hasPrefix("param ") {
                guard let parameter = Self.parameter(text.dropFirst("param ".count)) else {
                    throw QueryError.malformedHeader(query: name, line: String(line))
                }
                parameters.append(parameter)
            }
        }
        guard let summary, !summary.isEmpty else {
            throw QueryError.malformedHeader(query: name, line: "(no `-- description:` line)")
        }
        self.name = name
        self.summary = summary
        self.parameters = parameters
        self.sql = sql
    }

    /// Reads `:NAME [= DEFAULT] SUMMARY`.
    private static func parameter(_ text: Substring) -> Parameter? {
        var rest = text.drop { $0 == " " }
        guard rest.first == ":" else { return nil }
        rest = rest.dropFirst()
        let name = rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
        guard !name.isEmpty else { return nil }
        rest = rest.dropFirst(name.count).drop { $0 == " " }
        var defaultValue: SQLValue?
        if rest.first == "=" {
            rest = rest.dropFirst().drop { $0 == " " }
            if rest.first == "'" {
                guard let close = rest.dropFirst().firstIndex(of: "'") else { return nil }
                defaultValue = .text(String(rest[rest.index(after: rest.startIndex)..<close]))
                rest = rest[rest.index(after: close)...]
            } else {
                let token = rest.prefix { $0 != " " }
                guard !token.isEmpty else { return nil }
                defaultValue = token.uppercased() == "NULL" ? .null : SQLValue(argument: String(token))
                rest = rest.dropFirst(token.count)
            }
        }
        return Parameter(name: String(name), defaultValue: defaultValue, summary: String(rest.drop { $0 == " " }))
    }
}
