import ArgumentParser
import GradlogStore

extension Gradlog {
    struct Merge: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "merge",
            abstract: "Copy the runs and trainings of other gradlog files (one per worker) into one log.",
            discussion: """
                Every complete run of each INPUT, with its program, tags, gradient checks, and \
                the INPUT's trainings with their metrics, lands in OUT (created if missing) under \
                new ids; names, tags and created_at are kept, runs of one program text share its \
                structure, and each new run is tagged source=INPUT (or --source-tag KEY=VALUE). \
                Runs are known by their uuid: merging a file again adds only what is new in it. \
                Each input is copied in one transaction, so a merge that is killed leaves OUT with \
                whole inputs only. Inputs are opened read-only; one from an older gradlog is read \
                as it is, one from a newer gradlog is refused. The first input that cannot be \
                merged stops the merge (the inputs before it stay merged).

                  gradlog merge all.db worker1/gradlog.db worker2/gradlog.db
                  gradlog runs --db all.db
                """
        )

        @Argument(help: ArgumentHelp("The log to merge into (created if missing).", valueName: "out"))
        var output: String

        @Argument(help: ArgumentHelp("The gradlog files to copy from.", valueName: "input"))
        var inputs: [String]

        @Option(name: .customLong("source-tag"), help: ArgumentHelp(
            "The tag every new run gets (default source=INPUT, the input's path as given).", valueName: "key=value"))
        var sourceTag: String?

        @Option(name: .long, help: "Output format: table, csv or json.")
        var format: OutputFormat = .table

        func validate() throws {
            if inputs.isEmpty { throw ValidationError("give at least one input file after OUT") }
            if format == .jsonl { throw ValidationError("--format jsonl is for `gradlog query`; use json here") }
            if output.isEmpty { throw ValidationError("OUT is empty; give a file name") }
            if let sourceTag { _ = try Record.split(sourceTag, option: "--source-tag", what: "KEY=VALUE") }
        }

        func run() throws {
            let tag = try sourceTag.map { try Record.split($0, option: "--source-tag", what: "KEY=VALUE") }
            let log = try GradLog(path: output, mode: .create)
            let writer = RowWriter(format: format, columns: [
                "input", "schema", "runs", "runs_added", "runs_present", "programs_added",
                "trainings", "trainings_added", "trainings_advanced", "gradchecks_added", "metrics_added",
            ])
            let line = ProgressLine("merging")
            defer { line.finish() }
            for (done, input) in inputs.enumerated() {
                line.update(done: done, total: inputs.count)
                let result: MergeResult
                do {
                    result = try log.merge(input, sourceTag: tag ?? ("source", input))
                } catch {
                    writer.finish()
                    line.finish()
                    let merged = done == 0 ? "nothing was merged" : "the \(done) input(s) before it are merged"
                    throw CLIError("cannot merge \(input): \(error); \(merged), and \(output) holds whole inputs only")
                }
                writer.row([
                    .string(input), .int(Int64(result.schemaVersion)), .int(Int64(result.runs)), .int(Int64(result.runsAdded)),
                    .int(Int64(result.runsPresent)), .int(Int64(result.graphsAdded)), .int(Int64(result.trainings)),
                    .int(Int64(result.trainingsAdded)), .int(Int64(result.trainingsAdvanced)), .int(Int64(result.gradchecksAdded)),
                    .int(Int64(result.metricsAdded)),
                ])
            }
            writer.finish()
        }
    }
}
