import ArgumentParser
import GradlogStore

extension Gradlog {
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print every node of a run: value, local derivatives, adjoint.",
            discussion: """
                RUN is a run id, a run name, `latest` or `latest~N`. Nodes print in evaluation \
                order as they are read, so `| head` answers at once on a large run.

                  gradlog show latest
                  gradlog show 3 --format json
                """
        )

        @Argument(help: ArgumentHelp("The run: an id, a unique name, latest or latest~N.", valueName: "run"))
        var reference: String

        @OptionGroup var options: GlobalOptions

        func validate() throws {
            try options.rejectJSONLines()
        }

        func run() throws {
            let log = try options.open(.readOnly)
            let id = try log.resolve(reference)
            let json = options.format == .json
            let writer = RowWriter(
                format: options.format,
                columns: json ? ["id", "name", "op", "inputs", "local_grads", "value", "grad", "line"]
                              : ["id", "name", "op", "inputs", "value", "local_grads", "grad", "line"])
            // Names of earlier nodes, to show inputs the way the program wrote them (tables only).
            var names: [String] = []
            try log.forEachNode(run: id) { node in
                let grads = Value.array(node.localGrads.map(Value.init))
                if json {
                    writer.row([.int(node.id), Value(node.name), .string(node.op.name), .array(node.inputs.map(Value.int)),
                                grads, Value(node.value), Value(node.grad), .int(node.line)])
                    return
                }
                names.append(node.name ?? "#\(node.id)")
                let inputs = node.inputs.map { Int($0) < names.count ? names[Int($0)] : "#\($0)" }
                let op = node.op == .const ? "const" : node.op.name
                writer.row([.int(node.id), .string(node.name ?? ""), .string(op), .string(inputs.joined(separator: ", ")),
                            Value(node.value), grads, Value(node.grad), .int(node.line)])
            }
            writer.finish()
        }
    }
}
