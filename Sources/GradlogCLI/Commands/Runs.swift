import ArgumentParser
import GradlogStore

extension Gradlog {
    struct Runs: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "runs",
            abstract: "List the recorded runs.",
            discussion: "  gradlog runs\n  gradlog runs --format json"
        )

        @OptionGroup var options: GlobalOptions

        func validate() throws {
            try options.rejectJSONLines()
        }

        func run() throws {
            let log = try options.open(.readOnly)
            let runs = try log.runs()
            if options.format == .table {
                let writer = RowWriter(format: .table, columns: ["id", "name", "created_at", "status", "nodes", "output", "value", "program"])
                for run in runs {
                    writer.row([.int(run.id), Value(run.name), .string(run.createdAt), .string(run.status), .int(run.nodeCount),
                                Value(run.outputName), Value(run.outputValue), Value(run.programPath)])
                }
                writer.finish()
                return
            }
            let writer = RowWriter(format: options.format, columns: [
                "id", "name", "created_at", "status", "node_count", "output_id", "output_name", "output_value",
                "program_path", "program_sha256", "tool_version", "sqlite_version", "uuid",
            ])
            for run in runs {
                writer.row([.int(run.id), Value(run.name), .string(run.createdAt), .string(run.status), .int(run.nodeCount),
                            .int(run.outputID), Value(run.outputName), Value(run.outputValue), Value(run.programPath),
                            Value(run.programSHA256), .string(run.toolVersion), .string(run.sqliteVersion), Value(run.uuid)])
            }
            writer.finish()
        }
    }
}
