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
                programs[sha] = try Program(source: text, file: summary.programPath ?? "<run \(run)>")
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
        let computation = try program.computation(setting: stored.mapValues { $0.value ?? .nan })
        return GradcheckResult(run: run, check: check, inputs: declared.map { input in
            let recorded = stored[input.name]!
            return InputGradcheck(
                name: input.name, nodeID: recorded.nodeID, value: recorded.value ?? .nan,
                comparison: check.compare(
                    analytic: recorded.grad ?? .nan, numeric: check.numericGradient(of: computation, input: input)))
        })
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
