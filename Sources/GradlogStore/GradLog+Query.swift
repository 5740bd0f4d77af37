import CSQLite

extension GradLog {
    /// Prepares one SQL statement with its named parameters bound, ready to read row by row.
    ///
    /// - Parameters:
    ///   - parameters: values by parameter name, without the prefix (`run` binds `:run`). Each
    ///     must be used by the statement, and every parameter of the statement needs a value.
    ///     A parameter named `run` or `run_...` takes a run reference (an id, a unique run
    ///     name, `latest`, `latest~N`) and binds that run's id; NULL stays NULL.
    ///   - defaults: values for the parameters not given (a named query's header).
    ///   - allowWrite: unless true, a statement that would change the database is refused
    ///     before it runs (the CLI also opens the file read-only). Even then a statement that
    ///     would change the schema is refused: gradlog opens only files whose schema is its own.
    ///   - timeLimit: seconds the statement may spend running (not counting the time the caller
    ///     takes between rows); past it, `QueryCursor.next()` throws `QueryError.timeLimit`.
    public func query(
        _ sql: String, parameters: [String: SQLValue] = [:], defaults: [String: SQLValue] = [:], allowWrite: Bool = false,
        timeLimit: Double? = nil
    ) throws -> QueryCursor {
        let statement = try allowWrite ? database.refusingSchemaChanges { try prepare(sql) } : prepare(sql)
        if !allowWrite && !statement.isReadOnly { throw QueryError.writeRefused(sql: sql) }
        let names = statement.parameterNames
        let known = Set(names.compactMap { $0 })
        if let unknown = parameters.keys.sorted().first(where: { !known.contains($0) }) {
            throw QueryError.unknownParameter(name: unknown, known: Self.unique(names.compactMap { $0 }))
        }
        for (offset, name) in names.enumerated() {
            guard let name else { throw QueryError.unnamedParameter }
            guard var value = parameters[name] ?? defaults[name] else { throw QueryError.missingParameter(name: name) }
            if Self.isRunParameter(name) { value = try resolveRun(value) }
            try statement.bind(Int32(offset + 1), value)
        }
        return QueryCursor(statement, timeLimit: timeLimit)
    }

    /// Prepares a named query with its parameters bound; the header's defaults fill the rest.
    public func query(_ named: NamedQuery, parameters: [String: SQLValue] = [:], timeLimit: Double? = nil) throws -> QueryCursor {
        try query(named.sql, parameters: parameters, defaults: named.defaults, timeLimit: timeLimit)
    }

    /// Prepares `sql`, explaining SQLite's refusal to change a view or the schema.
    private func prepare(_ sql: String) throws -> Statement {
        do {
            return try database.prepare(sql)
        } catch {
            if error.code == SQLITE_AUTH { throw QueryError.schemaChangeRefused(sql: sql) }
            guard error.message.hasSuffix("because it is a view") else { throw error }
            throw QueryError.viewNotWritable(message: error.message, sql: sql)
        }
    }

    public static func isRunParameter(_ name: String) -> Bool {
        name == "run" || name.hasPrefix("run_")
    }

    private func resolveRun(_ value: SQLValue) throws -> SQLValue {
        switch value {
        case .null: return .null
        case .integer(let id): return .integer(try resolve(String(id)))
        case .real(let real): return .integer(try resolve(FloatEncoding.format(real)))
        case .text(let reference): return .integer(try resolve(reference))
        case .blob: throw GradLogError.noSuchRun(reference: "(a blob)", path: path)
        }
    }

    private static func unique(_ names: [String]) -> [String] {
        var seen = Set<String>()
        return names.filter { seen.insert($0).inserted }
    }
}
