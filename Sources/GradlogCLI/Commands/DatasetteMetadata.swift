import ArgumentParser
import GradlogStore

extension Gradlog {
    struct DatasetteMetadata: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "datasette-metadata",
            abstract: "Print a Datasette metadata file that serves the named queries as canned queries.",
            discussion: """
                Each named query (gradlog query --list) that any SQLite client can run becomes a \
                canned query of each database, with its description and parameters: a run \
                parameter takes a run reference as gradlog does (an id, a name, latest, \
                latest~N), and an empty parameter its default. The queries that need \
                gradlog's own SQL functions (chain-rule, contributions, vanishing) are left out \
                and named in the description. Nothing is opened: a database's name is its \
                file's name without the extension, as Datasette names it.

                  gradlog datasette-metadata > metadata.json
                  datasette -i gradlog.db -m metadata.json
                """
        )

        @Option(name: .customLong("db"), help: ArgumentHelp(
            "A database Datasette will serve (repeatable; default $GRADLOG_DB, else ./gradlog.db).", valueName: "path"))
        var databases: [String] = []

        func run() throws {
            let paths = databases.isEmpty ? [GlobalOptions.databasePath(nil)] : databases
            if let empty = paths.first(where: \.isEmpty) {
                throw CLIError("--db '\(empty)': the database path is empty; give a file name")
            }
            let all = try NamedQuery.all()
            let portable = all.filter { $0.gradlogOnlyFunctions.isEmpty }
            let left = all.filter { !$0.gradlogOnlyFunctions.isEmpty }
            let queries = Value.object(portable.map { query in
                (query.name, .object([
                    ("title", .string(query.name)),
                    ("description", .string(Self.describe(query))),
                    ("sql", .string(query.portableSQL)),
                    ("params", .array(query.parameters.map { .string($0.name) })),
                ]))
            })
            // Datasette names a database after its file, without the extension.
            let names = paths.map { path in
                let file = path.split(separator: "/").last.map(String.init) ?? path
                guard let dot = file.lastIndex(of: "."), dot != file.startIndex else { return file }
                return String(file[..<dot])
            }
            var note = "Runs, views and named queries of a gradlog log (docs/schema.md)."
            if !left.isEmpty {
                note += " Not here, as they need gradlog's own SQL functions: "
                    + left.map { "\($0.name) (\($0.gradlogOnlyFunctions.joined(separator: ", ")))" }.joined(separator: ", ")
                    + "; run them with gradlog query."
            }
            let metadata = Value.object([
                ("title", .string("gradlog")),
                ("description", .string(note)),
                ("databases", .object(names.map { ($0, .object([("queries", queries)])) })),
            ])
            StandardOutput.shared.line(metadata.json)
        }

        /// The query's description, then each parameter's: what it is and its default.
        static func describe(_ query: NamedQuery) -> String {
            var text = query.summary
            for parameter in query.parameters {
                text += " :\(parameter.name): \(parameter.summary)"
                if let value = parameter.defaultValue { text += " (empty: \(Self.shown(value)))" }
                text += "."
            }
            return text
        }

        static func shown(_ value: SQLValue) -> String {
            switch value {
            case .null: "NULL"
            case .integer(let i): String(i)
            case .real(let d): FloatEncoding.format(d)
            case .text(let s): "'\(s)'"
            case .blob: "a blob"
            }
        }
    }
}
