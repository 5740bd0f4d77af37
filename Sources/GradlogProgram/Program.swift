import GradlogAutodiff

/// A parsed `.grad` program: its source and the computation it describes, evaluated at the
/// inputs' defaults.
///
/// ```
/// # f(x, y) = x * y + 1
/// input x = 3
/// input y = -4
/// f = x * y + 1
/// ```
public struct Program: Sendable {
    /// The file name used in diagnostics and stored with runs.
    public let file: String
    public let source: String
    /// Evaluated at the inputs' defaults; see `computation(setting:)` for other values.
    public let computation: Computation
    /// Each input's default, in declaration order (parallel to `computation.inputs`); for a
    /// tensor input, its first element.
    public let defaults: [Double]

    /// The seed random initialisers (`uniform`, `normal`) drew from.
    public let seed: UInt64

    /// Parses `source`. Errors carry file:line:column and what was expected. Files named by
    /// `csv(...)` and `load(...)` are read relative to `folder` (by default the folder of
    /// `file`); `uniform` and `normal` draw from a generator seeded with `seed`.
    public init(
        source: String, file: String = "<program>", seed: UInt64 = RandomSource.defaultSeed, folder: String? = nil
    ) throws(ProgramError) {
        try self.init(source: source, file: file, initializers: Initializers(seed: seed, folder: folder ?? Initializers.folder(of: file)))
    }

    /// Parses `source` with leaves drawn from `initializers` (its seed, folder and limits).
    public init(source: String, file: String = "<program>", initializers: Initializers) throws(ProgramError) {
        let seed = initializers.random.seed
        var text = source
        // Parse straight from the string's UTF-8 storage: no copy of a large program.
        let parsed = text.withUTF8 { bytes in
            Result { () throws(ProgramError) in
                var parser = try Parser(source: bytes, file: file, initializers: initializers)
                return try parser.parseProgram()
            }
        }
        let (computation, defaults) = try parsed.get()
        self.file = file
        self.seed = seed
        self.source = source
        self.computation = computation
        self.defaults = defaults
    }

    /// The computation with some inputs set to new values, forward pass done.
    /// Throws `UnknownInputs` naming every key that is not an input of the program.
    public func computation(setting values: [String: Double]) throws(UnknownInputs) -> Computation {
        var result = computation
        if !values.isEmpty {
            let unknown = result.setInputs(values)
            guard unknown.isEmpty else {
                let tensors = computation.inputs.filter { !computation.tape.isScalar($0.node) }.map(\.name)
                throw UnknownInputs(
                    names: unknown, inputs: computation.inputs.map(\.name).filter { !tensors.contains($0) }, tensorInputs: tensors)
            }
        }
        return result
    }
}

/// `--set` named something that is not an input of the program.
public struct UnknownInputs: Error, Equatable, Sendable, CustomStringConvertible {
    public var names: [String]
    /// The scalar inputs, which --set can set.
    public var inputs: [String]
    /// Tensor inputs, which take their values from the program (a literal, a file, a seed).
    public var tensorInputs: [String] = []

    public var description: String {
        if let tensor = names.first(where: tensorInputs.contains) {
            return "'\(tensor)' is a tensor input; --set sets scalar inputs only (change a tensor's value in the program, its file or --seed)"
        }
        let list = names.map { "'\($0)'" }.joined(separator: ", ")
        let known = inputs.isEmpty ? "the program has no inputs" : "its inputs are \(inputs.joined(separator: ", "))"
        return "\(list) \(names.count == 1 ? "is not an input" : "are not inputs") of the program; \(known)"
    }
}
