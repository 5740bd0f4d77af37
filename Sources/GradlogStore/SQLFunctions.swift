import CSQLite

/// SQL functions that gradlog registers on its own connections, for `gradlog query` and the
/// named queries. They exist only inside gradlog: the stock sqlite3 shell and other clients do
/// not have them, so no view may use them (a test reads every view with the stock shell).
///
/// Every argument is read in gradlog's float encoding (REAL or INTEGER as a number, 'NaN'
/// spellings as NaN); NULL or any other text gives NULL, so a typo cannot pass as a number.
enum SQLFunctions {
    typealias Body = @convention(c) (OpaquePointer?, Int32, UnsafeMutablePointer<OpaquePointer?>?) -> Void

    /// Name, number of arguments, implementation.
    static let all: [(name: String, arity: Int32, body: Body)] = [
        // ulps(a, b): how many doubles lie between a and b (0 when equal, 0.0 and -0.0 included);
        // NULL if either is NaN.
        ("ulps", 2, { context, _, arguments in
            guard let (a, b) = pair(arguments), !a.isNaN, !b.isNaN else { return sqlite3_result_null(context) }
            sqlite3_result_int64(context, ulps(a, b))
        }),
        // float_eq(a, b): equality that holds for NaN = NaN (any sign or payload); 0.0 = -0.0.
        ("float_eq", 2, { context, _, arguments in
            guard let (a, b) = pair(arguments) else { return sqlite3_result_null(context) }
            sqlite3_result_int(context, a == b || (a.isNaN && b.isNaN) ? 1 : 0)
        }),
        ("is_nan", 1, { context, _, arguments in
            guard let x = float(arguments?[0]) else { return sqlite3_result_null(context) }
            sqlite3_result_int(context, x.isNaN ? 1 : 0)
        }),
        ("is_finite", 1, { context, _, arguments in
            guard let x = float(arguments?[0]) else { return sqlite3_result_null(context) }
            sqlite3_result_int(context, x.isFinite ? 1 : 0)
        }),
        // float_bits(x): the IEEE 754 bit pattern as text, '0x8000000000000000' for -0.0.
        ("float_bits", 1, { context, _, arguments in
            guard let x = float(arguments?[0]) else { return sqlite3_result_null(context) }
            sqlite3_result_text(context, FloatEncoding.bitPattern(x), -1, csqlite_transient())
        }),
        // Tensors (SQLFunctions+Tensor.swift); tensor_elements is a table (TensorElementsTable).
        ("tensor_element", 2, tensorElement),
        ("tensor_json", 1, tensorJSON),
        ("tensor_json", 2, tensorJSON),
        // legacy_uuid(kind, file_created_at, id, created_at, details...): the stable identifier
        // of a run or training recorded before migration 0008 (RunUUID.derived).
        ("legacy_uuid", -1, RunUUID.sqlFunction),
    ]

    /// Every gradlog-only name, the table-valued tensor_elements included.
    static var names: [String] {
        var seen = Set<String>()
        return (all.map(\.name) + [TensorElementsTable.name]).filter { seen.insert($0).inserted }
    }

    static func register(on database: Database) throws(SQLiteError) {
        try register(all, on: database)
        try TensorElementsTable.register(on: database)
    }

    /// The functions a migration calls (0008 fills in `legacy_uuid`), for connections that
    /// apply migrations without the rest (the expected schema's, a new file's).
    static func registerForMigrations(on database: Database) throws(SQLiteError) {
        try register(all.filter { $0.name == "legacy_uuid" }, on: database)
    }

    private static func register(_ functions: [(name: String, arity: Int32, body: Body)], on database: Database) throws(SQLiteError) {
        let flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS
        for function in functions {
            let rc = sqlite3_create_function_v2(database.handle, function.name, function.arity, flags, nil, function.body, nil, nil, nil)
            if rc != SQLITE_OK { throw database.error(sql: nil) }
        }
    }

    /// An argument in gradlog's float encoding; nil for NULL, blobs, and text that is not a NaN.
    static func float(_ value: OpaquePointer?) -> Double? {
        switch sqlite3_value_type(value) {
        case SQLITE_FLOAT, SQLITE_INTEGER:
            return sqlite3_value_double(value)
        case SQLITE_TEXT:
            guard let text = sqlite3_value_text(value) else { return nil }
            return FloatEncoding.nan(fromText: String(cString: text))
        default:
            return nil
        }
    }

    private static func pair(_ arguments: UnsafeMutablePointer<OpaquePointer?>?) -> (Double, Double)? {
        guard let arguments, let a = float(arguments[0]), let b = float(arguments[1]) else { return nil }
        return (a, b)
    }

    /// The number of representable doubles between two non-NaN doubles, saturating at
    /// Int64.max (only from -inf to +inf and nearby). 0.0 and -0.0 are 0 apart.
    static func ulps(_ a: Double, _ b: Double) -> Int64 {
        precondition(!a.isNaN && !b.isNaN, "ulps of NaN")
        // Map the sign-magnitude bit patterns onto a line where neighbours differ by 1.
        func ordinal(_ x: Double) -> Int64 {
            let magnitude = Int64(bitPattern: x.bitPattern & 0x7FFF_FFFF_FFFF_FFFF)
            return x.sign == .minus ? -magnitude : magnitude
        }
        let (difference, overflow) = ordinal(a).subtractingReportingOverflow(ordinal(b))
        return overflow || difference == .min ? .max : Swift.abs(difference)
    }
}
