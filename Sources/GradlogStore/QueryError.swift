/// Mistakes in a query a person runs (`gradlog query`), with messages that say what to do.
public enum QueryError: Error, Equatable, Sendable, CustomStringConvertible {
    case unknownQuery(name: String, known: [String])
    case malformedHeader(query: String, line: String)
    case missingParameter(name: String)
    case unknownParameter(name: String, known: [String])
    case unnamedParameter
    case writeRefused(sql: String)
    case viewNotWritable(message: String, sql: String)
    case schemaChangeRefused(sql: String)
    case timeLimit(seconds: Double)

    public var description: String {
        switch self {
        case .unknownQuery(let name, let known):
            return "no named query '\(name)'; the named queries are \(known.joined(separator: ", ")) (see `gradlog query --list`; to run SQL, pass a statement such as \"SELECT * FROM runs\")"
        case .malformedHeader(let query, let line):
            return "the header of named query '\(query)' cannot be read at `\(line)` (expected `-- description: TEXT` or `-- param :NAME [= DEFAULT] TEXT`)"
        case .missingParameter(let name):
            return "missing parameter :\(name) (pass --param \(name)=VALUE)"
        case .unknownParameter(let name, let known):
            let list = known.isEmpty ? "it takes none" : "its parameters are " + known.map { ":" + $0 }.joined(separator: ", ")
            return "--param \(name): the statement has no parameter :\(name) (\(list))"
        case .unnamedParameter:
            return "the statement has a '?' placeholder, which --param cannot name; write :NAME and pass --param NAME=VALUE"
        case .writeRefused(let sql):
            return "refused to run `\(sql)`: it would change the database, and gradlog query is read-only by default so that a stray DELETE or DROP cannot lose runs; pass --write to allow changes"
        case .viewNotWritable(let message, let sql):
            return "\(message) - `\(sql)` was not run; views are read-only, their rows come from the tables described in docs/schema.md, and gradlog query changes those only with --write"
        case .schemaChangeRefused(let sql):
            return "refused to run `\(sql)`: it would create, drop or alter a table, index, view or trigger, and gradlog opens only files whose schema is exactly its own (docs/schema.md); keep your own tables and views in another database file and ATTACH it"
        case .timeLimit(let seconds):
            return "the statement was stopped after running for \(FloatEncoding.format(seconds)) s, its time limit; pass --timeout SECONDS to allow longer (0 for no limit)"
        }
    }
}
