import GradlogFormats

/// A run as safetensors (Hugging Face's format): every named node's value under its name and
/// its adjoint under `NAME.grad`. A name that several nodes bear (`c = c + 1`) is the last of
/// them, the binding the program ends with; the earlier ones are `NAME@1`, `NAME@2`, ... in
/// order. Scalars are tensors of shape []. `__metadata__` holds the run's id, its program's
/// SHA-256 and its inputs.
public struct RunExport: Sendable {
    public var tensors: [(name: String, shape: [Int], values: [Double], dtype: DType)]
    public var metadata: [(key: String, value: String)]
}

extension GradLog {
    public func export(run: Int64) throws -> RunExport {
        let summary = try self.run(id: run)
        var named: [RecordedNode] = []
        var occurrences: [String: Int] = [:]
        try forEachNode(run: run) { node in
            guard let name = node.name else { return }
            named.append(node)
            occurrences[name, default: 0] += 1
        }
        var seen: [String: Int] = [:]
        var tensors: [(name: String, shape: [Int], values: [Double], dtype: DType)] = []
        for node in named {
            let name = node.name!
            seen[name, default: 0] += 1
            let key = seen[name] == occurrences[name] ? name : "\(name)@\(seen[name]!)"
            let shape = node.tensor?.shape.dims ?? []
            guard let value = node.tensor.map({ $0.value }) ?? node.value.map({ [$0] }) else {
                throw ExchangeError.notKept(run: run, node: node.id, name: name)
            }
            tensors.append((key, shape, value, .f64))
            if let grad = node.tensor.map({ $0.grad }) ?? node.grad.map({ [$0] }) {
                tensors.append((key + ".grad", shape, grad, .f64))
            }
        }
        let inputs = try self.inputs(run: run).map(\.name)
        return RunExport(tensors: tensors, metadata: [
            ("format", "gradlog export 1"),
            ("gradlog.run_id", String(run)),
            ("gradlog.program_sha256", summary.programSHA256 ?? ""),
            ("gradlog.inputs", inputs.joined(separator: ",")),
        ])
    }
}

/// A run that cannot be exported, or a file that cannot be imported.
public enum ExchangeError: Error, Sendable, CustomStringConvertible {
    case notKept(run: Int64, node: Int64, name: String)
    case unreadable(FormatError)
    case empty(path: String)
    case orphanGradient(path: String, key: String)
    case gradientShape(path: String, key: String, shape: [Int], expected: [Int])
    case tooLarge(path: String, String)

    public var description: String {
        switch self {
        case .notKept(let run, let node, let name):
            "run \(run) keeps no elements for node \(node) '\(name)' (recorded with --capture stats); export needs the values: record with --capture values or full"
        case .unreadable(let error):
            "cannot import \(error)"
        case .empty(let path):
            "cannot import \(path): it holds no tensors"
        case .orphanGradient(let path, let key):
            "cannot import \(path): '\(key)' is a gradient of a tensor the file does not hold ('\(key.dropLast(5))')"
        case .gradientShape(let path, let key, let shape, let expected):
            "cannot import \(path): '\(key)' has shape \(Shape(shape)) but its tensor has shape \(Shape(expected))"
        case .tooLarge(let path, let problem):
            "cannot import \(path): \(problem)"
        }
    }
}
