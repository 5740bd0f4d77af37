import CSQLite

/// The gradlog-only functions over tensor BLOBs (see `TensorCodec`): one element, and a tensor
/// as JSON. The table-valued `tensor_elements` is `TensorElementsTable`.
extension SQLFunctions {
    /// The elements of an argument: a tensor BLOB's doubles, or a scalar in gradlog's float
    /// encoding as one element; nil for NULL, other text, or a BLOB that is not whole doubles.
    static func elements(_ value: OpaquePointer?) -> [Double]? {
        guard sqlite3_value_type(value) == SQLITE_BLOB else { return float(value).map { [$0] } }
        let count = Int(sqlite3_value_bytes(value))
        guard count % 8 == 0 else { return nil }
        guard count > 0, let bytes = sqlite3_value_blob(value) else { return [] }
        return TensorCodec.decode(UnsafeRawBufferPointer(start: bytes, count: count))
    }

    /// A shape argument (`'[100, 16]'`, as `tensor_stats.shape`); nil for NULL or anything else.
    static func shape(_ value: OpaquePointer?) -> Shape? {
        guard sqlite3_value_type(value) == SQLITE_TEXT, let text = sqlite3_value_text(value) else { return nil }
        return TensorCodec.shape(fromText: String(cString: text))
    }

    /// Sets a double as the result in gradlog's float encoding: REAL, or the NaN's text.
    static func resultFloat(_ context: OpaquePointer?, _ x: Double) {
        if x.isNaN {
            sqlite3_result_text(context, FloatEncoding.nanText(x), -1, csqlite_transient())
        } else {
            sqlite3_result_double(context, x)
        }
    }

    /// tensor_element(blob, i): element i (row-major, from 0) as a float; a scalar is element 0.
    static let tensorElement: Body = { context, _, arguments in
        guard let arguments, sqlite3_value_type(arguments[1]) == SQLITE_INTEGER else { return sqlite3_result_null(context) }
        let index = sqlite3_value_int64(arguments[1])
        if sqlite3_value_type(arguments[0]) == SQLITE_BLOB {
            let count = Int64(sqlite3_value_bytes(arguments[0]))
            guard count % 8 == 0, index >= 0, index < count / 8, let bytes = sqlite3_value_blob(arguments[0]) else {
                return sqlite3_result_null(context)
            }
            resultFloat(context, TensorCodec.element(UnsafeRawBufferPointer(start: bytes, count: Int(count)), at: Int(index)))
        } else if index == 0, let x = float(arguments[0]) {
            resultFloat(context, x)
        } else {
            sqlite3_result_null(context)
        }
    }

    /// tensor_json(blob [, shape]): nested JSON arrays in the shape's layout (a flat array
    /// without one); a scalar is a bare number. Non-finite elements are the strings "NaN",
    /// "Infinity", "-Infinity", as gradlog's JSON output writes them.
    static let tensorJSON: Body = { context, count, arguments in
        guard let arguments, let elements = elements(arguments[0]) else { return sqlite3_result_null(context) }
        let isScalar = sqlite3_value_type(arguments[0]) != SQLITE_BLOB
        var shape = isScalar ? Shape.scalar : Shape([elements.count])
        if count == 2 && sqlite3_value_type(arguments[1]) != SQLITE_NULL {
            guard let given = SQLFunctions.shape(arguments[1]) else {
                return sqlite3_result_error(context, "tensor_json: the shape must be a JSON array of dimensions such as '[100, 16]'", -1)
            }
            guard given.count == elements.count else {
                let message = "tensor_json: shape \(TensorCodec.shapeText(given)) has \(given.count) elements, the value \(elements.count)"
                return sqlite3_result_error(context, message, -1)
            }
            shape = given
        }
        sqlite3_result_text(context, TensorCodec.json(elements, shape: shape), -1, csqlite_transient())
    }
}
