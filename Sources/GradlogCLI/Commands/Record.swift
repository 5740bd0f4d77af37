import ArgumentParser
import Foundation
import GradlogStore

extension Gradlog {
    struct Record: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a .grad program forward and backward and record every intermediate.",
            discussion: """
                Writes the run in one transaction: every node's value, local derivatives and \
                adjoint. The database is created on first use.

                --sweep NAME=START:STOP:COUNT records COUNT runs with the input NAME evenly \
                spaced from START to STOP (both included); several --sweep flags make a grid. \
                The runs are tagged sweep=ID and sweep.NAME=VALUE, ID being the first run's id.

                --gradcheck then checks the recorded gradients against finite differences, as \
                `gradlog gradcheck` does, and exits 1 if an input fails.

                  gradlog record examples/cs231n.grad
                  gradlog record examples/cs231n.grad --set x=2 --set y=-1 --name probe --tag lr=0.1
                  gradlog record examples/cs231n.grad --sweep x=-2:2:9 --gradcheck
                  gradlog record examples/digits.grad --seed 7 --capture stats

                PROGRAM - reads the program from standard input (stored as <stdin>); a pipe or \
                FIFO such as /dev/stdin works as a path too. The text is stored as its bytes \
                are, so program_sha256 is the file's sha256sum (a byte order mark included).
                """
        )

        @Argument(help: "The program file (.grad), or - for standard input.")
        var program: String

        @Option(name: .customLong("set"), help: ArgumentHelp("Set an input: NAME=VALUE (repeatable). VALUE may be nan, inf or -inf.", valueName: "name=value"))
        var assignments: [String] = []

        @Option(help: "A label for the run; refer to it by this name later.")
        var name: String?

        @Option(name: .customLong("tag"), help: ArgumentHelp("A key=value tag stored with the run (repeatable).", valueName: "key=value"))
        var tags: [String] = []

        @Option(name: .customLong("sweep"), help: ArgumentHelp("Record a run for each of COUNT values of input NAME from START to STOP (repeatable: a grid).", valueName: "name=start:stop:count"))
        var sweepAxes: [String] = []

        @Flag(help: "Check the recorded gradients against finite differences (see `gradlog gradcheck`).")
        var gradcheck = false

        @Option(help: ArgumentHelp("The seed of uniform(...) and normal(...) initial values (default 0; stored with the run).", valueName: "n"))
        var seed: UInt64?

        @Option(help: ArgumentHelp("What to keep: full (values, adjoints, local derivatives, contributions), values (values and adjoints) or stats (tensors' statistics only).", valueName: "level"))
        var capture: Capture = .full

        @Flag(help: "Print to standard error where the time went: parse, forward, open, backward, statistics, write, commit, total (seconds).")
        var timings = false

        @OptionGroup var check: GradcheckOptions

        @OptionGroup var options: GlobalOptions

        func validate() throws {
            try options.rejectJSONLines()
            _ = try parsedAssignments()
            _ = try parsedTags()
            if let name { try GradLog.validateRunName(name) }
            if try parsedSweep() != nil && name != nil {
                throw ValidationError("--name labels one run; a sweep's runs are told apart by their tags (sweep=ID, sweep.NAME=VALUE)")
            }
            if let seed, seed > UInt64(Int64.max) {
                throw ValidationError("--seed \(seed) is too large (at most \(Int64.max))")
            }
            if timings && !sweepAxes.isEmpty {
                throw ValidationError("--timings times one run; leave out --sweep")
            }
            if check.isGiven && !gradcheck {
                throw ValidationError("--eps, --atol and --rtol set up the check of --gradcheck; add --gradcheck, or leave them out")
            }
        }

        /// The grid of the --sweep flags, or nil without any.
        func parsedSweep() throws -> Sweep? {
            guard !sweepAxes.isEmpty else { return nil }
            do {
                return try Sweep(axes: sweepAxes.map(SweepAxis.init(parsing:)))
            } catch {
                throw ValidationError(error.description)
            }
        }

        func parsedAssignments() throws -> [String: Double] {
            var values: [String: Double] = [:]
            for assignment in assignments {
                let (key, text) = try Self.split(assignment, option: "--set", what: "NAME=VALUE")
                guard let value = FloatEncoding.parse(text) else {
                    throw ValidationError("--set \(assignment): '\(text)' is not a number (expected e.g. 1.5, -2e-3, nan, inf)")
                }
                guard values.updateValue(value, forKey: key) == nil else {
                    throw ValidationError("--set \(key) is given twice")
                }
                values[key] = value
            }
            return values
        }

        func parsedTags() throws -> [(key: String, value: String)] {
            var seen = Set<String>()
            return try tags.map { tag in
                let (key, value) = try Self.split(tag, option: "--tag", what: "KEY=VALUE")
                guard seen.insert(key).inserted else { throw ValidationError("--tag \(key) is given twice") }
                do {
                    try GradLog.refuseReservedTags([(key, value)])
                } catch {
                    throw ValidationError("--tag \(tag): \(error)")
                }
                return (key, value)
            }
        }

        static func split(_ text: String, option: String, what: String) throws -> (String, String) {
            guard let eq = text.firstIndex(of: "="), eq != text.startIndex else {
                throw ValidationError("\(option) \(text): expected \(what)")
            }
            return (String(text[..<eq]), String(text[text.index(after: eq)...]))
        }

        func run() throws {
            let clock = ContinuousClock()
            let started = clock.now
            let (program, text) = try Self.load(self.program, seed: seed ?? RandomSource.defaultSeed, timesForward: timings)
            let parsed = clock.now
            let programPath = Self.shownName(self.program)
            if let sweep = try parsedSweep() { return try record(sweep, of: program, text: text) }
            let computation = try program.computation(setting: try parsedAssignments())
            let opening = clock.now
            let log = try options.open(.create)
            let opened = clock.now
            let run = try log.record(
                computation, program: program, text: text, programPath: programPath, name: name, tags: try parsedTags(),
                capture: capture)
            let recorded = clock.now
            // After what the run prints, so that they do not interleave on a terminal.
            defer {
                if timings {
                    StandardOutput.shared.flush()
                    Self.printTimings([
                        ("parse", started.duration(to: parsed) - program.computation.tape.forwardTime),
                        ("forward", computation.tape.forwardTime), ("open", opening.duration(to: opened)),
                        ("backward", run.timings.backward), ("statistics", run.timings.statistics),
                        ("write", run.timings.write), ("commit", run.timings.commit), ("total", started.duration(to: recorded)),
                    ])
                }
            }
            guard gradcheck else { return Self.print(run, format: options.format) }
            let result = try log.gradcheck(run: run.id, check: check.check)
            Self.print(run, gradcheck: GradcheckReport(result: result), format: options.format)
            if !result.passed { throw ExitStatus(code: 1) }
        }

        /// Reads and parses a program file; read failures become messages naming the file.
        /// The text's fingerprint is computed on another core while the program parses.
        static func load(
            _ path: String, seed: UInt64 = RandomSource.defaultSeed, timesForward: Bool = false
        ) throws -> (Program, ProgramText) {
            let source = try read(path)
            let text = ProgramText(source)
            var initializers = Initializers(seed: seed, folder: Initializers.folder(of: shownName(path)))
            initializers.timesForward = timesForward
            return (try Program(source: source, file: shownName(path), initializers: initializers), text)
        }

        /// `timing PHASE SECONDS` lines on standard error, one per phase, for people and awk.
        static func printTimings(_ phases: [(String, Duration)]) {
            for (phase, duration) in phases {
                let (seconds, attoseconds) = duration.components
                let text = String(format: "%.6f", Double(seconds) + Double(attoseconds) * 1e-18)
                printError("timing \(phase) \(text)")
            }
        }

        /// The name diagnostics and the stored program_path give a program: `<stdin>` for -.
        static func shownName(_ path: String) -> String { path == "-" ? "<stdin>" : path }

        /// The file's text, its bytes as they are (see `SourceText.decode`); they are released
        /// before parsing starts. Reads to the end of a pipe or FIFO as of a regular file.
        static func read(_ path: String) throws -> String {
            let descriptor = path == "-" ? 0 : open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else {
                let reason = errno == ENOENT ? "no such file" : String(cString: strerror(errno)).lowercased()
                throw CLIError("cannot read program \(path): \(reason)")
            }
            defer { if descriptor != 0 { close(descriptor) } }
            var info = stat()
            if fstat(descriptor, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR {
                throw CLIError("cannot read program \(path): it is a directory")
            }
            var bytes: [UInt8] = []
            if info.st_mode & S_IFMT == S_IFREG { bytes.reserveCapacity(Int(info.st_size)) }
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let n = chunk.withUnsafeMutableBytes { Foundation.read(descriptor, $0.baseAddress, $0.count) }
                if n == 0 { break }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw CLIError("cannot read program \(shownName(path)): \(String(cString: strerror(errno)).lowercased())")
                }
                bytes += chunk[..<n]
            }
            return try SourceText.decode(bytes, file: shownName(path))
        }

        static func print(_ run: RecordedRun, gradcheck: GradcheckReport? = nil, format: OutputFormat) {
            let inputs = Value.array(run.inputs.indices.map { i in
                let input = run.inputs[i]
                guard let shape = run.inputShapes[i], let statistics = run.inputStatistics[i] else {
                    return .object([("name", .string(input.name)), ("value", Value(input.value)), ("grad", Value(input.grad))])
                }
                return .object([
                    ("name", .string(input.name)), ("shape", .array(shape.dims.map { .int(Int64($0)) })),
                    ("value", TensorText.json(statistics.value)), ("grad", TensorText.json(statistics.grad)),
                ])
            })
            switch format {
            case .json, .jsonl:
                let object = Value.object([
                    ("run_id", .int(run.id)),
                    ("node_count", .int(Int64(run.nodeCount))),
                    ("output", .object([("name", Value(run.outputName)), ("value", .float(run.outputValue))])),
                    ("inputs", inputs),
                ] + (gradcheck.map { [("gradcheck", $0.json)] } ?? []))
                StandardOutput.shared.line(object.json)
            case .csv, .table:
                if format == .table {
                    StandardOutput.shared.line("recorded run \(run.id): \(run.nodeCount) nodes, output \(run.outputName ?? "#?") = \(FloatEncoding.format(run.outputValue))")
                }
                // The gradcheck table holds each input's value and recorded gradient as well.
                if let gradcheck { return gradcheck.print(format: format) }
                let writer = RowWriter(format: format, columns: ["input", "value", "grad"])
                for (i, input) in run.inputs.enumerated() {
                    if let shape = run.inputShapes[i], let statistics = run.inputStatistics[i] {
                        writer.row([.string(input.name), .string(TensorText.cell(shape, statistics.value, nil)),
                                    .string(TensorText.cell(shape, statistics.grad, nil))])
                    } else {
                        writer.row([.string(input.name), Value(input.value), Value(input.grad)])
                    }
                }
                writer.finish()
            }
        }
    }
}

extension Capture: ExpressibleByArgument {}
