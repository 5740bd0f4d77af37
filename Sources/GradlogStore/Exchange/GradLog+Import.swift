import GradlogFormats

/// A safetensors trace read and checked, ready to be recorded: read it before opening the log,
/// so that a bad file leaves no database behind.
public struct ImportedTrace: Sendable {
    let path: String
    let computation: Computation
    let gradients: Gradients
    let tags: [(key: String, value: String)]
}

extension GradLog {
    /// Reads a trace captured elsewhere (a safetensors file, e.g. from gradlog's own `export`
    /// or a PyTorch capture) as a computation: one node per tensor, op `external`, no edges, in
    /// the order of the file's data; `NAME.grad` is NAME's adjoint, and `NAME@k` (an earlier
    /// node bearing NAME, as `export` writes it) becomes NAME again, so that `diff` aligns the
    /// trace with a run by name and occurrence. F32, F16 and BF16 tensors are widened to
    /// doubles exactly; the source dtypes are kept as tags (`import.dtype` when they are all
    /// one, else `import.dtype.NAME` each). The output is the last node named `loss` if there
    /// is one, else the last node.
    public static func readTrace(path: String) throws -> ImportedTrace {
        let file: SafeTensorsFile
        do { file = try SafeTensorsFile.read(path: path) } catch { throw ExchangeError.unreadable(error) }
        let keys = Set(file.tensors.map(\.name))
        for entry in file.tensors where entry.name.hasSuffix(".grad") && !keys.contains(String(entry.name.dropLast(5))) {
            throw ExchangeError.orphanGradient(path: path, key: entry.name)
        }
        var tape = Tape()
        var names = NodeNames()
        var grads: [NodeID: [Double]] = [:]
        var dtypes: [(String, DType)] = []
        // The order the capture gives (metadata `gradlog.order`, names joined by commas, since
        // Python's safetensors lays data out by dtype and name), else the data's order.
        var entries = file.tensors
        if let order = file.metadata.first(where: { $0.key == "gradlog.order" })?.value {
            let rank = Dictionary(order.split(separator: ",").enumerated().map { (String($1), $0) }, uniquingKeysWith: { a, _ in a })
            entries = entries.enumerated().sorted { x, y in
                (rank[x.element.name] ?? Int.max, x.offset) < (rank[y.element.name] ?? Int.max, y.offset)
            }.map(\.element)
        }
        for entry in entries where !entry.name.hasSuffix(".grad") || !keys.contains(String(entry.name.dropLast(5))) {
            let (values, shape, dtype) = try read(file, entry.name)
            var grad: [Double]?
            if file.entry(entry.name + ".grad") != nil {
                let (g, gradShape, _) = try read(file, entry.name + ".grad")
                guard gradShape == shape else {
                    throw ExchangeError.gradientShape(path: path, key: entry.name + ".grad", shape: gradShape, expected: shape)
                }
                grad = g
            }
            if let problem = Shape.problem(with: shape) ?? tape.problemAdding(values.count) {
                throw ExchangeError.tooLarge(path: path, "'\(entry.name)': \(problem)")
            }
            let node = shape.isEmpty
                ? tape.appendLeaf(.external, value: values[0], requiresGrad: grad != nil)
                : tape.appendLeaf(.external, shape: Shape(shape), elements: values, requiresGrad: grad != nil)
            names.appendUnnamed()
            names.setName(Int(node), Self.nodeName(entry.name))
            if let grad { grads[node] = grad }
            dtypes.append((entry.name, dtype))
        }
        guard tape.count > 0 else { throw ExchangeError.empty(path: path) }
        var adjoints = [Double](repeating: 0, count: tape.values.count)
        for (node, grad) in grads { adjoints.replaceSubrange(tape.range(node), with: grad) }
        let output = NodeID((0..<tape.count).last { names[$0] == "loss" } ?? tape.count - 1)
        let computation = Computation(
            tape: tape, names: names, lines: [Int32](repeating: 0, count: tape.count), inputs: [], output: output)
        let gradients = Gradients(tape: tape, adjoints: adjoints)
        var tags: [(key: String, value: String)] = []
        let kinds = Set(dtypes.map(\.1))
        if kinds.count == 1 {
            tags.append(("import.dtype", kinds.first!.rawValue))
        } else {
            tags += dtypes.map { ("import.dtype.\($0.0)", $0.1.rawValue) }
        }
        return ImportedTrace(path: path, computation: computation, gradients: gradients, tags: tags)
    }

    /// Records a trace read by `readTrace` as a run, in one transaction.
    public func importRun(
        _ trace: ImportedTrace, name: String? = nil, tags: [(key: String, value: String)] = []
    ) throws -> RecordedRun {
        if let name { try Self.validateRunName(name) }
        try Self.validateTags(tags)
        let runID = try database.transaction {
            if let name { try refuseTakenName(name) }
            let writer = try RunWriter(database)
            let id = try writer.write(
                trace.computation, gradients: trace.gradients, source: nil, programPath: trace.path, name: name,
                tags: tags + trace.tags)
            try writer.refreshStatistics()
            return id
        }
        return RecordedRun(id: runID, computation: trace.computation, gradients: trace.gradients)
    }

    /// `h@2` -> `h`: export's spelling of an earlier node bearing a name.
    static func nodeName(_ key: String) -> String {
        guard let at = key.lastIndex(of: "@"), at != key.startIndex,
              !key[key.index(after: at)...].isEmpty, key[key.index(after: at)...].allSatisfy(\.isNumber) else { return key }
        return String(key[..<at])
    }

    private static func read(_ file: SafeTensorsFile, _ key: String) throws -> ([Double], [Int], DType) {
        do {
            let (values, shape, dtype) = try file.values(key)
            return (values, shape, dtype)
        } catch {
            throw ExchangeError.unreadable(error)
        }
    }
}
