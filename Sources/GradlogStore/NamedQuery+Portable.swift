/// A named query as another SQLite client runs it (Datasette's canned queries): without
/// gradlog's own SQL functions, and with every parameter given as text, where an empty one
/// means "not given".
extension NamedQuery {
    /// The gradlog-only functions the query calls (`SQLFunctions`); empty when any SQLite
    /// client can run it.
    public var gradlogOnlyFunctions: [String] {
        let called = Set(Self.tokens(sql).compactMap { token -> String? in
            guard case .call(let name) = token else { return nil }
            return name.lowercased()
        })
        return SQLFunctions.names.filter { called.contains($0) }
    }

    /// The SQL with each parameter read as gradlog reads it: a run parameter (`run`,
    /// `run_...`) takes a run reference (an id, a name one run has, `latest`, `latest~N`)
    /// resolved in SQL; an empty value stands for the header's default, converted to the
    /// default's type (a client such as Datasette passes every value as text). Required
    /// parameters other than runs are bound as given.
    public var portableSQL: String {
        var replacement: [String: String] = [:]
        for parameter in parameters {
            let given = ":" + parameter.name
            var value = parameter.defaultValue.map { "coalesce(nullif(\(given), ''), \(Self.literal($0)))" } ?? given
            switch parameter.defaultValue {
            case .integer?: value = "CAST(\(value) AS INTEGER)"
            case .real?: value = "CAST(\(value) AS REAL)"
            default: break
            }
            if GradLog.isRunParameter(parameter.name) { value = Self.runReference(value) }
            replacement[parameter.name] = value
        }
        var result = ""
        for token in Self.tokens(sql) {
            switch token {
            case .parameter(let name): result += replacement[name] ?? ":" + name
            case .call(let name): result += name
            case .text(let text): result += text
            }
        }
        return result
    }

    /// GradLog.resolve in SQL: `latest`, `latest~N`, an id (its canonical decimal), or the name
    /// of exactly one run; NULL when none matches (so the query finds nothing).
    static func runReference(_ value: String) -> String {
        """
        (SELECT CASE WHEN v = 'latest' THEN (SELECT id FROM run ORDER BY id DESC LIMIT 1)
                     WHEN v GLOB 'latest~[0-9]*' AND length(v) < 26
                     THEN (SELECT id FROM (SELECT id, row_number() OVER (ORDER BY id DESC) - 1 AS back FROM run)
                           WHERE back = CAST(substr(v, 8) AS INTEGER))
                     WHEN CAST(CAST(v AS INTEGER) AS TEXT) = v THEN (SELECT id FROM run WHERE id = CAST(v AS INTEGER))
                     ELSE (SELECT min(id) FROM run WHERE name = v HAVING count(*) = 1) END
         FROM (SELECT CAST(\(value) AS TEXT) AS v))
        """
    }

    static func literal(_ value: SQLValue) -> String {
        switch value {
        case .null: "NULL"
        case .integer(let i): String(i)
        case .real(let d): FloatEncoding.format(d)
        case .text(let s): "'" + s.replacing("'", with: "''") + "'"
        case .blob: "NULL"
        }
    }

    /// SQL text cut where it matters here: `:name` parameters and `name(` calls outside
    /// strings, quoted names and comments; everything else passes through as text.
    enum Token: Equatable {
        case text(String)
        case parameter(String)
        case call(String)
    }

    static func tokens(_ sql: String) -> [Token] {
        let s = Array(sql.unicodeScalars)
        var tokens: [Token] = []
        var text = ""
        func isWord(_ c: Unicode.Scalar) -> Bool { c.properties.isAlphabetic || ("0"..."9").contains(c) || c == "_" }
        var i = 0
        while i < s.count {
            let c = s[i]
            var end = i + 1
            if c == "'" || c == "\"" || c == "`" || c == "[" {
                let close: Unicode.Scalar = c == "[" ? "]" : c
                while end < s.count && s[end] != close { end += 1 }
                end = min(end + 1, s.count)
            } else if c == "-" && i + 1 < s.count && s[i + 1] == "-" {
                while end < s.count && s[end] != "\n" { end += 1 }
            } else if c == "/" && i + 1 < s.count && s[i + 1] == "*" {
                end = i + 2
                while end + 1 < s.count && !(s[end] == "*" && s[end + 1] == "/") { end += 1 }
                end = min(end + 2, s.count)
            } else if c == ":" && end < s.count && isWord(s[end]) {
                while end < s.count && isWord(s[end]) { end += 1 }
                if !text.isEmpty { tokens.append(.text(text)); text = "" }
                tokens.append(.parameter(String(String.UnicodeScalarView(s[(i + 1)..<end]))))
                i = end
                continue
            } else if isWord(c) {
                while end < s.count && isWord(s[end]) { end += 1 }
                var next = end
                while next < s.count && s[next].properties.isWhitespace { next += 1 }
                if next < s.count && s[next] == "(" {
                    if !text.isEmpty { tokens.append(.text(text)); text = "" }
                    tokens.append(.call(String(String.UnicodeScalarView(s[i..<end]))))
                    i = end
                    continue
                }
            }
            text.unicodeScalars.append(contentsOf: s[i..<end])
            i = end
        }
        if !text.isEmpty { tokens.append(.text(text)) }
        return tokens
    }
}
