import ArgumentParser
import GradlogStore

extension Gradlog {
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Print every node of a run (value, local derivatives, adjoint), or one node in full.",
            discussion: """
                RUN is a run id, a run name, `latest` or `latest~N`. Nodes print in evaluation \
                order as they are read, so `| head` answers at once on a large run. A tensor \
                node prints as its shape, the norm of its value or adjoint and its first few \
                elements; in JSON, as nested arrays with its shape and statistics.

                NODE (a name, the last node that bears it, or an id such as 21 or #21) prints \
                that node alone and in full: every element of its value, adjoint and stored \
                local derivatives or contributions, and their statistics.

                  gradlog show latest
                  gradlog show 3 --format json
                  gradlog show latest W1
                """
        )

        @Argument(help: ArgumentHelp("The run: an id, a unique name, latest or latest~N.", valueName: "run"))
        var reference: String

        @Argument(help: ArgumentHelp("One node to print in full: a name or an id (#21).", valueName: "node"))
        var node: String?

        @OptionGroup var options: GlobalOptions

        func validate() throws {
            try options.rejectJSONLines()
        }

        func run() throws {
            let log = try options.open(.readOnly)
            let id = try log.resolve(reference)
            if let node { return try showNode(node, of: id, in: log) }
            let json = options.format == .json
            let writer = RowWriter(
                format: options.format,
                columns: json ? ["id", "name", "op", "inputs", "local_grads", "value", "grad", "line"]
                              : ["id", "name", "op", "inputs", "value", "local_grads", "grad", "line"])
            // Names of earlier nodes, to show inputs the way the program wrote them, and the shapes
            // of earlier tensor nodes, to show what their contributions hold (tables only).
            var names: [String] = []
            var shapes: [Int64: Shape] = [:]
            try log.forEachNode(run: id) { node in
                if json { return writer.row(Self.jsonRow(node)) }
                names.append(node.name ?? "#\(node.id)")
                if let t = node.tensor { shapes[node.id] = t.shape }
                let inputs = node.inputs.map { Int($0) < names.count ? names[Int($0)] : "#\($0)" }
                writer.row([.int(node.id), .string(node.name ?? ""), .string(Self.opText(node)), .string(inputs.joined(separator: ", ")),
                            Self.valueCell(node), Self.localGradsCell(node, shapes), Self.gradCell(node), .int(node.line)])
            }
            writer.finish()
        }

        /// `sum(axis 1)` for ops with an axis.
        static func opText(_ node: RecordedNode) -> String {
            node.axis.map { "\(node.op.name)(axis \($0))" } ?? node.op.name
        }

        static func valueCell(_ node: RecordedNode) -> Value {
            guard let t = node.tensor else { return Value(node.value) }
            return .string(TensorText.cell(t.shape, t.valueStatistics, t.value))
        }

        static func gradCell(_ node: RecordedNode) -> Value {
            guard let t = node.tensor else { return Value(node.grad) }
            guard let statistics = t.gradStatistics else { return .null }
            return .string(TensorText.cell(t.shape, statistics, t.grad))
        }

        /// Scalars' local derivatives as numbers; a stored tensor (a local derivative in the
        /// node's shape, or a contribution in its input's) as its shape and first elements.
        static func localGradsCell(_ node: RecordedNode, _ shapes: [Int64: Shape]) -> Value {
            let stored = node.stored
            return .array(node.inputs.indices.map { slot in
                if let d = node.localGrads[slot] { return .float(d) }
                guard let elements = stored[slot] ?? nil else { return .null }
                let shape = node.op.kind == .contribution ? shapes[node.inputs[slot]] : node.tensor?.shape
                return .string(TensorText.cell(shape ?? Shape([elements.count]), nil, elements))
            })
        }

        static func jsonRow(_ node: RecordedNode) -> [Value] {
            let grads = Value.array(node.inputs.indices.map { slot in
                if let d = node.localGrads[slot] { return .float(d) }
                return node.stored[slot].map { .array($0.map(Value.float)) } ?? .null
            })
            let value: Value, grad: Value
            if let t = node.tensor {
                value = .object([("shape", .array(t.shape.dims.map { .int(Int64($0)) })),
                                 ("elements", t.value.map { TensorText.nested($0, t.shape) } ?? .null),
                                 ("stats", TensorText.json(t.valueStatistics))])
                grad = t.gradStatistics == nil ? .null
                    : .object([("shape", .array(t.shape.dims.map { .int(Int64($0)) })),
                               ("elements", t.grad.map { TensorText.nested($0, t.shape) } ?? .null),
                               ("stats", TensorText.json(t.gradStatistics))])
            } else {
                value = Value(node.value)
                grad = Value(node.grad)
            }
            return [.int(node.id), Value(node.name), .string(node.op.name), .array(node.inputs.map(Value.int)),
                    grads, value, grad, .int(node.line)]
        }

        /// One node, every element.
        func showNode(_ reference: String, of run: Int64, in log: GradLog) throws {
            var found: RecordedNode?
            var names: [Int64: String] = [:]
            let id = Int64(reference.hasPrefix("#") ? String(reference.dropFirst()) : reference)
            try log.forEachNode(run: run) { node in
                names[node.id] = node.name ?? "#\(node.id)"
                if node.id == id || (id == nil && node.name == reference) { found = node }
            }
            guard let node = found else {
                throw CLIError("run \(run) has no node '\(reference)' (give a node's name or id; `gradlog show \(run)` lists them)")
            }
            if options.format == .json {
                let fields = zip(["id", "name", "op", "inputs", "local_grads", "value", "grad", "line"], Self.jsonRow(node))
                return StandardOutput.shared.line(Value.object(Array(fields)).json)
            }
            let out = StandardOutput.shared
            let inputs = node.inputs.map { names[$0] ?? "#\($0)" }.joined(separator: ", ")
            out.line("node \(node.id)\(node.name.map { " '\($0)'" } ?? ""): \(Self.opText(node))(\(inputs)), line \(node.line)")
            guard let t = node.tensor else {
                out.line("value       \(Value(node.value).text)")
                out.line("grad        \(Value(node.grad).text)")
                return printStored(node, names)
            }
            out.line("shape       \(t.shape)")
            out.line("value       \(TensorText.statisticsLine(t.valueStatistics))")
            out.line("grad        \(t.gradStatistics.map(TensorText.statisticsLine) ?? "none (the node needs no gradient)")")
            let kept = t.value == nil ? " (not kept: recorded with --capture stats)" : ""
            out.line("\nvalue\(kept)")
            if let v = t.value { out.line(TensorText.nested(v, t.shape).text(nested: true)) }
            if t.gradStatistics != nil {
                out.line("\ngrad\(t.grad == nil ? kept : "")")
                if let g = t.grad { out.line(TensorText.nested(g, t.shape).text(nested: true)) }
            }
            printStored(node, names)
        }

        /// The stored local derivatives or contributions of a node, every element.
        private func printStored(_ node: RecordedNode, _ names: [Int64: String]) {
            let out = StandardOutput.shared
            let kind = node.op.kind == .contribution ? "contribution to" : "local derivative with respect to"
            for (slot, input) in node.inputs.enumerated() {
                if let d = node.localGrads[slot] {
                    out.line("\n\(kind) \(names[input] ?? "#\(input)"): \(FloatEncoding.format(d)) (every element)")
                } else if let stored = node.stored[slot] {
                    out.line("\n\(kind) \(names[input] ?? "#\(input)") (\(stored.count) elements)")
                    out.line(Value.array(stored.map(Value.float)).text(nested: true))
                }
            }
        }
    }
}

extension Value {
    /// Nested arrays as NumPy prints them, one innermost row a line: `[[1, 2],\n [3, 4]]`.
    func text(nested: Bool) -> String {
        func render(_ v: Value, indent: Int) -> String {
            guard case .array(let items) = v else { return v.text }
            if items.allSatisfy({ if case .array = $0 { false } else { true } }) {
                return "[" + items.map(\.text).joined(separator: ", ") + "]"
            }
            return "[" + items.map { render($0, indent: indent + 1) }
                .joined(separator: ",\n" + String(repeating: " ", count: indent + 1)) + "]"
        }
        return render(self, indent: 0)
    }
}
