import ArgumentParser
import Glibc
import GradlogStore

@main
struct Gradlog: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gradlog",
        abstract: "Record gradient computations into SQLite, query them, and diff runs.",
        discussion: """
            Every node's forward value, local derivatives and adjoint are kept in an SQLite \
            file (--db, else $GRADLOG_DB, else ./gradlog.db) that any SQLite client can open.

              gradlog record examples/cs231n.grad
              gradlog show latest
              gradlog explain latest den
              gradlog runs --format json
              gradlog diff latest~1 latest
              gradlog gradcheck latest
              gradlog graph latest | dot -Tsvg > graph.svg
              gradlog report latest -o report.html
              gradlog merge all.db worker1.db worker2.db

            Exit status: 0 success; 1 the runs differ (diff) or a check failed; 2 an error \
            (bad input, missing run, unreadable file); messages go to standard error.
            """,
        version: GradLog.toolVersion,
        subcommands: [
            Record.self, Runs.self, Show.self, Explain.self, Query.self, Diff.self, Gradcheck.self, Graph.self, Report.self, Plot.self,
            Train.self, Trainings.self, Metrics.self, Export.self, Import.self, Merge.self,
            DatasetteMetadata.self,
        ]
    )

    /// Parses, runs, and maps every failure to a message on stderr and an exit status,
    /// so that no error reaches the user as a crash.
    static func main() {
        MemoryTuning.apply()
        signal(SIGPIPE, SIG_IGN)  // a closed pipe (`| head`) drops the rest quietly, see StandardOutput
        var command: ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            let status = report(error)
            if status == 2, let hint = negativeNumberHint(CommandLine.arguments.dropFirst()) { printError(hint) }
            Glibc.exit(status)
        }
        do {
            try command.run()
            StandardOutput.shared.flush()
            Glibc.exit(0)
        } catch {
            StandardOutput.shared.flush()
            Glibc.exit(report(error))
        }
    }

    /// Prints `error` for a person and returns the exit status.
    static func report(_ error: Error) -> Int32 {
        if let status = error as? ExitStatus { return status.code }
        if let error = error as? ProgramError {
            printError(error.description)
            return 2
        }
        if isOurs(error) {
            printError("gradlog: error: \(error)")
            return 2
        }
        // ArgumentParser's own errors: usage mistakes, --help and --version.
        if exitCode(for: error) == .success {
            StandardOutput.shared.line(fullMessage(for: error))
            StandardOutput.shared.flush()
            return 0
        }
        printError(fullMessage(for: error))
        return 2
    }

    /// ArgumentParser reads `-1` as an option (swift-argument-parser issue #31), so `show -1`
    /// fails as "missing argument". Says why, when a stray negative number is on the line.
    static func negativeNumberHint(_ arguments: ArraySlice<String>) -> String? {
        let options = arguments.prefix { $0 != "--" }
        for (previous, token) in zip([""] + options, options)
        where token.hasPrefix("-") && Double(token) != nil && !previous.hasPrefix("--") {
            return "gradlog: note: '\(token)' was read as an option, not as a value; run ids are 1 or more "
                + "(`gradlog runs` lists them), and a value that starts with '-' must come last, after `--`"
        }
        return nil
    }

    static func isOurs(_ error: Error) -> Bool {
        error is GradLogError || error is QueryError || error is ChangedFileError || error is SQLiteError || error is CLIError
            || error is UnknownInputs || error is OpenError || error is GradcheckError || error is GraphPictureError || error is SweepError
            || error is ExplainError || error is MergeError
    }

    /// Writes to stderr with write(2): FileHandle traps when stderr is closed or full (`2>&-`,
    /// `2>/dev/full`), and a message that cannot be shown must not turn into a crash.
    /// A message may quote what the user gave (a run name, a path): its control characters
    /// print escaped as in tables (`TerminalText`), line by line.
    static func printError(_ message: String) {
        writeError(message.split(separator: "\n", omittingEmptySubsequences: false).map { TerminalText.escaped(String($0)) }.joined(separator: "\n") + "\n")
    }

    static func writeError(_ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { Glibc.write(2, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return }
            bytes = bytes.dropFirst(n)
        }
    }
}

/// An exit status without a message, e.g. 1 for "the runs differ".
struct ExitStatus: Error {
    var code: Int32
}

/// A mistake in how the command was called, found while running it.
struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
