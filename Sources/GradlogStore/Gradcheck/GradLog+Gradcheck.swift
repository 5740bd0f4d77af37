extension GradLog {
    /// Checks the gradients recorded for `runs` against central finite differences.
    ///
    /// The analytic side is what the database holds: each input's stored adjoint. The numeric
    /// side re-parses the run's stored program text, sets every input to the run's stored
    /// value, and evaluates the output at `x ± eps` one input at a time. So a wrong derivative
    /// anywhere in the recorded backward pass (or a stored adjoint changed afterwards) shows
    /// up as a failing input.
    ///
    /// The results are written to the `gradcheck` table in one transaction, replacing earlier
    /// results for the same run and settings (results under other settings stay).
    public func gradcheck(runs: [Int64], check: GradientCheck = GradientCheck()) throws -> [GradcheckResult] {
        try Self.validate(check)
        var programs: [String: Program] = [:]  // by SHA-256: a sweep's runs share one parse
        let results = try runs.map { run in
            let summary = try self.run(id: run)
            // A run built in Swift has neither a text nor its hash; one without the other is damage.
            guard let sha = summary.programSHA256 else {
                guard try programText(run: run) == nil else {
                    throw ChangedFileError(path: path, run: run, "it has a program text but no program_sha256")
                }
                throw GradcheckError.noProgram(run: run)
            }
            if programs[sha] == nil {
                guard let text = try programText(run: run) else {
                    throw ChangedFileError(path: path, run: run, "it has a program_sha256 but no program text")
                }
                guard SHA256.hex(text) == sha else {
                    throw ChangedFileError(path: path, run: run, "its program text does not match its program_sha256")
                }
                let seed = try database.scalarInt(StoreSQL.runSeed, run).map { UInt64(bitPattern: $0) } ?? RandomSource.defaultSeed
                programs[sha] = try Program(source: text, file: summary.programPath ?? "<run \(run)>", seed: seed)
            }
            return try gradcheck(run: run, program: programs[sha]!, check: check)
        }
        try database.transaction {
            let delete = try database.prepare(StoreSQL.deleteGradcheck)
            let insert = try database.prepare(StoreSQL.insertGradcheck)
            for result in results {
                delete.reset()
                try delete.bind(1, result.run)
                try delete.bind(2, float: check.eps)
                try delete.bind(3, float: check.atol)
                try delete.bind(4, float: check.rtol)
                try delete.step()
                for input in result.inputs {
                    insert.reset()
                    try insert.bind(1, result.run)
                    try insert.bind(2, float: check.eps)
                    try insert.bind(3, float: check.atol)
                    try insert.bind(4, float: check.rtol)
                    try insert.bind(5, input.nodeID)
                    try insert.bind(6, input.name)
                    try insert.bind(7, float: input.comparison.analytic)
                    try insert.bind(8, float: input.comparison.numeric)
                    try insert.bind(9, float: input.comparison.absoluteError)
                    try insert.bind(10, float: input.comparison.relativeError)
                    try insert.bind(11, input.comparison.passed ? 1 : 0)
                    if let element = input.element {
                        try insert.bind(12, TensorCodec.shapeText(Shape(element)))
                        try insert.bind(13, Int64(input.checked))
                        try insert.bind(14, Int64(input.failed))
                    } else {
                        for index: Int32 in 12...14 { try insert.bindNull(index) }
                    }
                    try insert.step()
                }
            }
        }
        return results
    }

    public func gradcheck(run: Int64, check: GradientCheck = GradientCheck()) throws -> GradcheckResult {
        try gradcheck(runs: [run], check: check)[0]
    }

    private func gradcheck(run: Int64, program: Program, check: GradientCheck) throws -> GradcheckResult {
        let stored = Dictionary(try inputs(run: run).map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let declared = program.computation.inputs
        guard stored.count == declared.count, declared.allSatisfy({ stored[$0.name]?.nodeID == Int64($0.node) }) else {
            throw GradcheckError.inputsDoNotMatchProgram(run: run, path: path)
        }
        let scalars = declared.filter { program.computation.tape.isScalar($0.node) }
        var computation = try program.computation(setting: Dictionary(uniqueKeysWithValues: scalars.map {
            ($0.name, stored[$0.name]!.value ?? .nan)
        }))
        // Tensor leaves (inputs and data) take the run's stored elements.
        var tensors: [NodeID: RecordedTensor] = [:]
        for leaf in 0..<computation.count where computation.tape.ops[leaf].arity == 0 && !computation.tape.isScalar(NodeID(leaf)) {
            guard let node = try node(run: run, id: Int64(leaf)), let tensor = node.tensor,
                  let elements = tensor.value, elements.count == computation.tape.elementCount(NodeID(leaf)) else {
                throw GradcheckError.tensorsNotKept(run: run, node: Int64(leaf))
            }
            computation.tape.setLeaf(NodeID(leaf), elements: elements)
            tensors[NodeID(leaf)] = tensor
        }
        computation.tape.forward()
        return GradcheckResult(run: run, check: check, inputs: try declared.map { input in
            let recorded = stored[input.name]!
            guard let tensor = tensors[input.node] else {
                return InputGradcheck(
                    name: input.name, nodeID: recorded.nodeID, value: recorded.value ?? .nan,
                    comparison: check.compare(
                        analytic: recorded.grad ?? .nan, numeric: check.numericGradient(of: computation, input: input)))
            }
            guard let grads = tensor.grad else { throw GradcheckError.tensorsNotKept(run: run, node: recorded.nodeID) }
            return tensorGradcheck(input, tensor, grads, computation, check)
        })
    }

    /// Central differences for the elements `check.elements(of:)` picks; reports the worst.
    private func tensorGradcheck(
        _ input: Computation.Input, _ tensor: RecordedTensor, _ grads: [Double], _ computation: Computation, _ check: GradientCheck
    ) -> InputGradcheck {
        let elements = check.elements(of: tensor.shape.count)
        var worst: (element: Int, comparison: GradientComparison)?
        var failed = 0
        for element in elements {
            let comparison = check.compare(
                analytic: grads[element], numeric: check.numericGradient(of: computation, input: input, element: element))
            if !comparison.passed { failed += 1 }
            if let current = worst?.comparison {
                let worse = current.passed != comparison.passed ? !comparison.passed
                    : !(comparison.absoluteError <= current.absoluteError)
                if !worse { continue }
            }
            worst = (element, comparison)
        }
        let chosen = worst ?? (0, check.compare(analytic: 0, numeric: 0))
        var index: [Int] = []
        var rest = chosen.element
        for stride in tensor.shape.strides {
            index.append(rest / stride)
            rest %= stride
        }
        return InputGradcheck(
            name: input.name, nodeID: Int64(input.node), value: tensor.value?[chosen.element] ?? .nan,
            comparison: chosen.comparison, element: index, checked: elements.count, failed: failed)
    }

    private static func validate(_ check: GradientCheck) throws {
        guard check.eps > 0 && check.eps.isFinite else {
            throw GradcheckError.invalidSetting("eps must be a finite number > 0 (got \(FloatEncoding.format(check.eps)))")
        }
        for (name, value) in [("atol", check.atol), ("rtol", check.rtol)] where !(value >= 0 && value.isFinite) {
            throw GradcheckError.invalidSetting("\(name) must be a finite number >= 0 (got \(FloatEncoding.format(value)))")
        }
    }
}
