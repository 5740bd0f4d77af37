import ArgumentParser
import GradlogStore

extension Gradlog {
    struct Query: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "query",
            abstract: "Run one SQL statement or a named query against the log.",
            discussion: """
                SQL-OR-NAME is one SQL statement, or the name of a query shipped with gradlog \
                (--list shows them and their parameters). --param NAME=VALUE binds :NAME through \
                SQLite, never by pasting text into the SQL. VALUE binds as an INTEGER when it is \
                an integer written the canonical way (7, -12; not 007 or +7), as a REAL when it \
                is a number as gradlog prints it (1.5, 0.001, 1e-06 or 1e-6; not 1e3 or .5), and \
                as TEXT otherwise, so '007' stays '007'. NAME:int=, NAME:real= and NAME:text= \
                choose the type (--param v:real=1e3, --param v:text=7). A parameter named run or \
                run_... takes a run reference, read as text: an id, a unique name (1e3 is the \
                run named 1e3), latest or latest~N.

                The database is opened read-only: a statement that would change it is refused \
                unless --write is given; one that would change the schema (tables, views, \
                triggers, indexes) is refused even then. A statement is stopped after running \
                for --timeout seconds (default 30; 0 for no limit), so a runaway recursive query \
                ends with a message instead of hanging. Tables, views and the SQL functions that exist only \
                inside gradlog (ulps, float_eq, is_nan, is_finite, float_bits) are described in \
                docs/schema.md.

                  gradlog query "SELECT name, grad FROM nodes WHERE run_id = :run" --param run=latest
                  gradlog query nonfinite --param run=latest
                  gradlog query top-grads --param run=3 --param limit=5 --format json
                  gradlog query --list
                """
        )

        @Argument(help: ArgumentHelp("One SQL statement, or the name of a named query.", valueName: "sql-or-name"))
        var statement: String?

        @Option(name: .customLong("param"), help: ArgumentHelp("Bind :NAME to VALUE (repeatable).", valueName: "name=value"))
        var parameters: [String] = []

        @Flag(help: "List the named queries, what they answer, and their parameters.")
        var list = false

        @Flag(help: "Allow a statement that changes the database.")
        var write = false

        @Option(help: ArgumentHelp("Stop the statement after it has run this many seconds; 0 for no limit.", valueName: "seconds"))
        var timeout: Double = 30

        @OptionGroup var options: GlobalOptions

        func validate() throws {
            if list && (statement != nil || !parameters.isEmpty || write) {
                throw ValidationError("--list takes no statement, --param or --write")
            }
            if !list && statement == nil {
                throw ValidationError("give one SQL statement or a query name (see --list)")
            }
            _ = try parsedParameters()
            if !(timeout >= 0 && timeout.isFinite) { throw ValidationError("--timeout must be a number of seconds >= 0 (0 for no limit)") }
        }

        func parsedParameters() throws -> [String: SQLValue] {
            var values: [String: SQLValue] = [:]
            for parameter in parameters {
                var (name, text) = try Record.split(parameter, option: "--param", what: "NAME=VALUE")
                if let prefix = name.first, ":@$".contains(prefix) { name.removeFirst() }
                var value = GradLog.isRunParameter(name) ? .text(text) : SQLValue(argument: text)
                if let colon = name.lastIndex(of: ":") {
                    let type = name[name.index(after: colon)...]
                    name = String(name[..<colon])
                    value = try Self.typed(text, as: type, parameter: parameter)
                }
                guard values.updateValue(value, forKey: name) == nil else {
                    throw ValidationError("--param \(name) is given twice")
                }
            }
            return values
        }

        /// `--param NAME:TYPE=VALUE`: VALUE as the type asked for, or a message.
        static func typed(_ text: String, as type: Substring, parameter: String) throws -> SQLValue {
            switch type {
            case "text": return .text(text)
            case "int":
                guard let integer = Int64(text) else { throw ValidationError("--param \(parameter): '\(text)' is not a 64-bit integer") }
                return .integer(integer)
            case "real":
                guard let real = FloatEncoding.parse(text), !real.isNaN else {
                    throw ValidationError("--param \(parameter): '\(text)' is not a number (a NaN cannot be bound; SQLite makes it NULL)")
                }
                return .real(real)
            default:
                throw ValidationError("--param \(parameter): the type '\(type)' is not one of int, real, text (NAME:TYPE=VALUE)")
            }
        }

        func run() throws {
            if list { return try Self.printList(format: options.format) }
            guard let statement else { return }
            let log = try options.open(write ? .readWrite : .readOnly)
            let limit = timeout > 0 ? timeout : nil
            let cursor = NamedQuery.isName(statement)
                ? try log.query(try NamedQuery.named(statement), parameters: try parsedParameters(), timeLimit: limit)
                : try log.query(statement, parameters: try parsedParameters(), allowWrite: write, timeLimit: limit)
            if cursor.columns.isEmpty {
                while try cursor.next() != nil {}
            } else {
                let writer = RowWriter(format: options.format, columns: cursor.columns)
                while let row = try cursor.next() { writer.row(row.map(Value.init)) }
                writer.finish()
            }
            if !cursor.isReadOnly {
                Gradlog.printError("gradlog: \(cursor.changes) row\(cursor.changes == 1 ? "" : "s") changed")
            }
        }

        /// `text` followed by spaces up to `width` characters (every name and signature is shorter).
        private static func padded(_ text: String, to width: Int) -> String {
            text + String(repeating: " ", count: max(0, width - text.count))
        }

        /// A listing for people (table), or one row per query (csv, json, jsonl).
        static func printList(format: OutputFormat) throws {
            let queries = try NamedQuery.all()
            let out = StandardOutput.shared
            switch format {
            case .table:
                let width = (queries.map(\.name.count).max() ?? 0) + 2
                for query in queries {
                    out.line(padded(query.name, to: width) + query.summary)
                    let signatures = query.parameters.map(signature)
                    let signatureWidth = (signatures.map(\.count).max() ?? 0) + 2
                    for (parameter, signature) in zip(query.parameters, signatures) {
                        out.line(String(repeating: " ", count: width + 2)
                            + padded(signature, to: signatureWidth) + parameter.summary)
                    }
                }
            case .csv:
                let writer = RowWriter(format: format, columns: ["name", "parameters", "description"])
                for query in queries {
                    writer.row([.string(query.name), .string(query.parameters.map(signature).joined(separator: ", ")), .string(query.summary)])
                }
                writer.finish()
            case .json, .jsonl:
                let writer = RowWriter(format: format, columns: ["name", "description", "parameters"])
                for query in queries {
                    let parameters = query.parameters.map { parameter in
                        var fields: [(String, Value)] = [("name", .string(parameter.name))]
                        if let value = parameter.defaultValue { fields.append(("default", Value(value))) }
                        fields.append(("description", .string(parameter.summary)))
                        return Value.object(fields)
                    }
                    writer.row([.string(query.name), .string(query.summary), .array(parameters)])
                }
                writer.finish()
            }
        }

        /// `:run` or `:limit = 10`, as the header declares it.
        static func signature(_ parameter: NamedQuery.Parameter) -> String {
            guard let value = parameter.defaultValue else { return ":" + parameter.name }
            let literal: String
            switch value {
            case .null: literal = "NULL"
            case .text(let text): literal = "'" + text + "'"
            default: literal = Value(value).text
            }
            return ":" + parameter.name + " = " + literal
        }
    }
}
