import ArgumentParser
import GradlogStore

extension Gradlog {
    struct Train: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "train",
            abstract: "Run gradient descent on a program's inputs and keep an experiment log of every step.",
            discussion: """
                At step k: forward and backward at the current parameters, the metrics logged, \
                then the update on every input (data leaves stay fixed): SGD, w -= lr_k * dw; \
                momentum, v = m v + dw, w -= lr_k * v; or Adam (betas 0.9, 0.999, eps 1e-8), \
                as torch.optim defines them. The rate \
                decays linearly to --lr-end: lr_k = LR + (LR_END - LR) * k / N. Every step logs \
                the output, lr, grad_norm, grad_norm.NAME and update_ratio.NAME per input, and \
                each `metric NAME = EXPR` of the program (gradlog metrics TRAINING). The first \
                step, every K-th (--capture-every), the last, and a step whose loss or any \
                adjoint goes NaN or infinite are recorded whole as runs tagged training=ID and \
                step=K. A non-finite step stops the training, names the node where the first \
                non-finite value was born and the first non-finite adjoint, and exits 1.

                  gradlog train examples/moons.grad --steps 100 --lr 1.0 --lr-end 0.1

                Every commit (each 50 steps, and each step recorded whole) keeps a checkpoint: \
                the parameters and the optimizer's buffers, bit for bit. --resume continues a \
                training (killed, or finished and to go on) from its last committed step with \
                its own options and program; past its planned N steps the rate stays at --lr-end.

                  gradlog train --resume 1 --steps 50
                """
        )

        @Argument(help: "The program file (.grad); with --resume, the training's own by default.")
        var program: String?

        @Option(help: "How many steps (with --resume: how many more; default the rest of those planned).")
        var steps: Int?

        @Option(help: ArgumentHelp("The learning rate (at step 0).", valueName: "lr"))
        var lr: Double?

        @Option(name: .customLong("lr-end"), help: ArgumentHelp("The rate at step N, reached linearly.", valueName: "lr"))
        var lrEnd: Double?

        @Option(name: .customLong("capture-every"), help: ArgumentHelp("Record every K-th step whole (the first and last always are).", valueName: "k"))
        var captureEvery: Int?

        @Option(help: ArgumentHelp("What every step keeps besides its metrics: stats (every node's statistics; default) or none.", valueName: "level"))
        var capture: TrainingOptions.Capture?

        @Option(help: ArgumentHelp("sgd, momentum or adam, as torch.optim defines them (default sgd).", valueName: "name"))
        var optimizer: TrainingOptions.Optimizer?

        @Option(help: ArgumentHelp("The momentum of --optimizer momentum (default 0.9).", valueName: "m"))
        var momentum: Double?

        @Option(help: ArgumentHelp("The seed of uniform(...) and normal(...) initial values (default 0).", valueName: "n"))
        var seed: UInt64?

        @Option(help: "A label for the training.")
        var name: String?

        @Option(help: ArgumentHelp("Continue this training from its last committed step, with its own options.", valueName: "training"))
        var resume: Int64?

        @Flag(help: "Print to standard error where the steps' time went: forward, backward, metrics, statistics, update, write, steps, total (seconds).")
        var timings = false

        @OptionGroup var options: GlobalOptions

        func validate() throws {
            try options.rejectJSONLines()
            if let steps, steps < 1 { throw ValidationError("--steps must be at least 1") }
            if let resume {
                let fixed = [
                    ("--lr", lr != nil), ("--lr-end", lrEnd != nil), ("--capture-every", captureEvery != nil), ("--capture", capture != nil),
                    ("--optimizer", optimizer != nil), ("--momentum", momentum != nil), ("--seed", seed != nil), ("--name", name != nil),
                ].filter(\.1).map(\.0)
                if !fixed.isEmpty {
                    throw ValidationError("\(fixed.joined(separator: ", ")): a resumed training keeps the options training \(resume) started with")
                }
                return
            }
            guard program != nil else { throw ValidationError("give the program file to train (or --resume TRAINING)") }
            guard steps != nil else { throw ValidationError("--steps is required (how many steps to train)") }
            guard let lr else { throw ValidationError("--lr is required (the learning rate)") }
            if !lr.isFinite || !(lrEnd?.isFinite ?? true) { throw ValidationError("--lr and --lr-end must be finite numbers") }
            if let captureEvery, captureEvery < 1 { throw ValidationError("--capture-every must be at least 1") }
            if momentum != nil && optimizer != .momentum { throw ValidationError("--momentum goes with --optimizer momentum") }
            if let momentum, !(momentum >= 0 && momentum.isFinite) { throw ValidationError("--momentum must be a finite number >= 0") }
            if let seed, seed > UInt64(Int64.max) { throw ValidationError("--seed \(seed) is too large (at most \(Int64.max))") }
        }

        func run() throws {
            if let resume { return try self.resume(resume) }
            let path = program!, steps = steps!
            let started = ContinuousClock.now
            let (program, text) = try Record.load(path, seed: seed ?? RandomSource.defaultSeed, timesForward: timings)
            guard !program.computation.inputs.isEmpty else {  // before the log is opened: nothing is written
                throw CLIError("\(path): the program has no inputs to train (declare parameters with 'input NAME = ...')")
            }
            let log = try options.open(.create)
            let line = ProgressLine("training")
            let training = TrainingOptions(
                steps: steps, learningRate: lr!, learningRateEnd: lrEnd, captureEvery: captureEvery, name: name,
                optimizer: optimizer ?? .sgd, momentum: momentum ?? 0.9, capture: capture ?? .stats)
            let result = try log.train(
                program, text: text, programPath: Record.shownName(path), options: training,
                progress: { step, loss in
                    line.update(done: step + 1, total: steps, detail: "step \(step), loss \(FloatEncoding.format(loss)), lr \(FloatEncoding.format(training.learningRate(at: step)))")
                })
            line.finish()
            print(result)
            printTimings(result, since: started)
            if result.divergence != nil { throw ExitStatus(code: 1) }
        }

        /// `--resume`: the training's program (given, or the file it was started from), loaded
        /// with its seed, from the checkpoint of its last committed step.
        func resume(_ id: Int64) throws {
            let log = try options.open(.readWrite)
            let stored = try log.storedTraining(id)
            guard let path = program ?? stored.programPath, path != "<stdin>" else {
                throw CLIError("training \(id) was read from standard input; give its program file to resume it")
            }
            let started = ContinuousClock.now
            let (program, text) = try Record.load(path, seed: stored.seed, timesForward: timings)
            let total = steps ?? max(0, stored.options.steps - stored.stepsDone)
            let line = ProgressLine("training")
            let result = try log.resumeTraining(
                stored, program: program, text: text, programPath: Record.shownName(path), steps: steps,
                progress: { step, loss in
                    line.update(
                        done: step + 1 - stored.stepsDone, total: total,
                        detail: "step \(step), loss \(FloatEncoding.format(loss)), lr \(FloatEncoding.format(stored.options.learningRate(at: step)))")
                })
            line.finish()
            print(result)
            printTimings(result, since: started)
            if result.divergence != nil { throw ExitStatus(code: 1) }
        }

        /// `timing PHASE SECONDS` lines on standard error, as `record --timings` prints them;
        /// `steps` is how many steps they cover, `total` the whole command after argument parsing.
        func printTimings(_ result: TrainingResult, since started: ContinuousClock.Instant) {
            guard timings else { return }
            StandardOutput.shared.flush()
            let t = result.timings
            Record.printTimings([
                ("forward", t.forward), ("backward", t.backward), ("metrics", t.metrics), ("statistics", t.statistics),
                ("update", t.update), ("write", t.write),
            ])
            printError("timing steps \(result.stepsDone - result.firstStep)")
            Record.printTimings([("total", started.duration(to: .now))])
        }

        func print(_ result: TrainingResult) {
            let last = result.losses.last ?? .nan
            let metrics = result.metrics.keys.sorted().map { "\($0) \(FloatEncoding.format(result.metrics[$0]!.last!))" }
            let runs = result.runs.map { "\($0.run) (step \($0.step))" }.joined(separator: ", ")
            switch options.format {
            case .json, .jsonl:
                var fields: [(String, Value)] = [
                    ("training_id", .int(result.id)), ("first_step", .int(Int64(result.firstStep))),
                    ("steps_done", .int(Int64(result.stepsDone))),
                    ("loss", .array(result.losses.map(Value.float))),
                    ("metrics", .object(result.metrics.keys.sorted().map { ($0, .array(result.metrics[$0]!.map(Value.float))) })),
                    ("runs", .array(result.runs.map { .object([("step", .int(Int64($0.step))), ("run_id", .int($0.run))]) })),
                ]
                if let d = result.divergence {
                    fields.append(("divergence", .object([
                        ("step", .int(Int64(d.step))), ("run_id", .int(d.run)),
                        ("first_nonfinite_value", Value(d.firstValue)), ("first_nonfinite_grad", Value(d.firstAdjoint)),
                    ])))
                }
                StandardOutput.shared.line(Value.object(fields).json)
            case .table, .csv:
                if let d = result.divergence {
                    StandardOutput.shared.line(
                        "training \(result.id) went non-finite at step \(d.step) (loss \(FloatEncoding.format(last))), recorded whole as run \(d.run)")
                    StandardOutput.shared.line("first non-finite value: \(d.firstValue ?? "none"); first non-finite adjoint: \(d.firstAdjoint ?? "none")")
                    StandardOutput.shared.line("explain it: gradlog query nonfinite --param run=\(d.run)")
                    return
                }
                let first = result.losses.first.map(FloatEncoding.format) ?? "-"
                let steps = result.firstStep == 0
                    ? "\(result.stepsDone) steps" : "steps \(result.firstStep) to \(result.stepsDone - 1) (\(result.stepsDone) done)"
                StandardOutput.shared.line(
                    "training \(result.id): \(steps), loss \(first) -> \(FloatEncoding.format(last))"
                        + (metrics.isEmpty ? "" : ", " + metrics.joined(separator: ", ")))
                StandardOutput.shared.line("recorded runs: \(runs)")
            }
        }
    }

    struct Trainings: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "trainings", abstract: "List the trainings.", discussion: "  gradlog trainings")

        @OptionGroup var options: GlobalOptions

        static func print(_ cursor: QueryCursor, format: OutputFormat) throws {
            let writer = RowWriter(format: format, columns: cursor.columns)
            while let row = try cursor.next() { writer.row(row.map(Value.init)) }
            writer.finish()
        }

        func run() throws {
            let log = try options.open(.readOnly)
            try Self.print(try log.trainings(), format: options.format)
        }
    }

    struct Metrics: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "metrics",
            abstract: "Print a training's metrics, one row per step.",
            discussion: "  gradlog metrics 1\n  gradlog metrics 1 --name loss --name accuracy --format csv")

        @Argument(help: "The training id.")
        var training: Int64

        @Option(name: .customLong("name"), help: ArgumentHelp("A metric to print (repeatable; default all).", valueName: "name"))
        var names: [String] = []

        @OptionGroup var options: GlobalOptions

        func run() throws {
            let log = try options.open(.readOnly)
            try Trainings.print(try log.metrics(training: training, names: names), format: options.format)
        }
    }
}

extension TrainingOptions.Optimizer: ExpressibleByArgument {}
extension TrainingOptions.Capture: ExpressibleByArgument {}
