import ArgumentParser
import GradlogFormats
import GradlogStore

extension Gradlog {
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export",
            abstract: "Write a run's named values and adjoints as a safetensors file.",
            discussion: """
                Every named node's value is a tensor under its name and its adjoint under \
                NAME.grad (F64, bit for bit; scalars have shape []). A name several nodes \
                bear is the last of them; the earlier ones are NAME@1, NAME@2, ... in order. \
                __metadata__ holds the run's id, its program's SHA-256 and its inputs. Python \
                reads it with safetensors.numpy.load_file or safetensors.torch.load_file.

                  gradlog export latest -o run.safetensors
                """
        )

        @Argument(help: ArgumentHelp("The run: an id, a unique name, latest or latest~N.", valueName: "run"))
        var reference: String

        @Option(name: .shortAndLong, help: ArgumentHelp("The file to write (- for standard output).", valueName: "file"))
        var output: String

        @OptionGroup var options: GlobalOptions

        func validate() throws {
            guard options.format == .table else {
                throw ValidationError("export writes safetensors; --format does not apply")
            }
        }

        func run() throws {
            let log = try options.open(.readOnly)
            let id = try log.resolve(reference)
            let export = try log.export(run: id)
            let bytes: [UInt8]
            do {
                bytes = try SafeTensorsFile.encode(export.tensors, metadata: export.metadata, path: output)
            } catch {
                throw CLIError("cannot export run \(id): \(error)")
            }
            try OutputFile.write(bytes: bytes, to: output, database: log.path)
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Record a safetensors trace captured elsewhere (e.g. PyTorch) as a run.",
            discussion: """
                One node per tensor (op external, no edges), in the order of the file's data; \
                NAME.grad is NAME's adjoint. F32, F16 and BF16 are widened to doubles exactly; \
                the source dtype is kept as the tag import.dtype. show, query, export and diff \
                work on the run like on any other.

                  gradlog import step.safetensors --name torch
                """
        )

        @Argument(help: "The safetensors file.")
        var file: String

        @Option(help: "A label for the run.")
        var name: String?

        @Option(name: .customLong("tag"), help: ArgumentHelp("A key=value tag stored with the run (repeatable).", valueName: "key=value"))
        var tags: [String] = []

        @OptionGroup var options: GlobalOptions

        func validate() throws {
            try options.rejectJSONLines()
            if let name { try GradLog.validateRunName(name) }
        }

        func run() throws {
            let tags = try self.tags.map { try Record.split($0, option: "--tag", what: "KEY=VALUE") }
            let trace = try GradLog.readTrace(path: file)  // before the log is opened: a bad file creates nothing
            let log = try options.open(.create)
            let run = try log.importRun(trace, name: name, tags: tags.map { (key: $0.0, value: $0.1) })
            Record.print(run, format: options.format)
        }
    }
}
