import CSQLite

/// Where a row was read from, for the message when one of its values cannot be right.
struct ValueLocation {
    let path: String
    let run: Int64
    /// The node whose row it is, if the row is a node's.
    var node: Int64?

    func failure(_ problem: String) -> ChangedFileError {
        ChangedFileError(path: path, run: run, node: node, problem)
    }
}

/// Values read from a file are input: each helper checks one kind of value (its storage class
/// and its range) before it is used as an index, a count or a number, and throws
/// `ChangedFileError` naming the run, node and column otherwise. Building that message costs
/// nothing unless a check fails.
extension Statement {
    /// A count or id that must be an INTEGER within `range`.
    func storedInteger(_ index: Int32, _ column: String, in range: ClosedRange<Int64>, at place: ValueLocation) throws -> Int64 {
        guard type(index) == SQLITE_INTEGER else { throw place.failure("\(column) is \(describe(index)), not an integer") }
        let value = int(index)
        guard range.contains(value) else {
            throw place.failure("\(column) \(value) is outside \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    /// A node count: at most one node per byte of the file (a node row takes more than that)
    /// and within 32-bit node ids, so that nothing sized by it can exceed the file.
    func storedNodeCount(_ index: Int32, fileBytes: Int64, at place: ValueLocation) throws -> Int {
        Int(try storedInteger(index, "node_count", in: 0...min(fileBytes, Int64(Int32.max)), at: place))
    }

    /// An input stored as a distance back from node `place.node` (in0_back, in1_back): nil for
    /// NULL (no input), otherwise the input's id, which lies before the node.
    func storedInput(_ index: Int32, _ column: String, at place: ValueLocation) throws -> Int64? {
        if type(index) == SQLITE_NULL { return nil }
        let node = place.node ?? 0
        guard type(index) == SQLITE_INTEGER else { throw place.failure("\(column) is \(describe(index)), not an integer") }
        let back = int(index)
        guard back >= 1 && back <= node else {
            throw place.failure("\(column) \(back) points outside the run (node \(node) can only use nodes 0 to \(node - 1))")
        }
        return node - back
    }

    /// An op code (`op.code`), with as many inputs as the op takes when `inputs` are given.
    func storedOp(_ index: Int32, inputs: (Int64?, Int64?)?, at place: ValueLocation) throws -> Op {
        guard type(index) == SQLITE_INTEGER else { throw place.failure("op is \(describe(index)), not an op code") }
        let code = int(index)
        guard let op = UInt8(exactly: code).flatMap(Op.init(rawValue:)) else { throw place.failure("op \(code) is not an op code") }
        guard let inputs else { return op }
        let count = (inputs.0 == nil ? 0 : 1) + (inputs.1 == nil ? 0 : 1)
        guard count == op.arity, inputs.0 != nil || inputs.1 == nil else {
            throw place.failure("op \(op.name) takes \(op.arity) input\(op.arity == 1 ? "" : "s"), the row has in0_back \(inputs.0.map(String.init) ?? "NULL") and in1_back \(inputs.1.map(String.init) ?? "NULL")")
        }
        return op
    }

    /// A program line (`id - line_offset`, worked out in SQL): an INTEGER >= 0. An offset that
    /// overflows makes SQLite's subtraction a REAL, which fails here too.
    func storedLine(_ index: Int32, at place: ValueLocation) throws -> Int64 {
        guard type(index) == SQLITE_INTEGER, int(index) >= 0 else {
            throw place.failure("line_offset makes the line \(describe(index))")
        }
        return int(index)
    }

    /// A double in gradlog's float encoding (REAL or INTEGER, or a NaN spelling as TEXT); NULL
    /// only when `nullable`. A blob, or text that is not a NaN, is not a number gradlog wrote.
    @inline(__always)
    func storedFloat(_ index: Int32, _ column: String, nullable: Bool = false, at place: @autoclosure () -> ValueLocation) throws -> Double? {
        switch type(index) {
        case SQLITE_FLOAT, SQLITE_INTEGER: return sqlite3_column_double(handle, index)
        case SQLITE_NULL where nullable: return nil
        case SQLITE_TEXT:
            if let nan = string(index).flatMap(FloatEncoding.nan(fromText:)) { return nan }
            fallthrough
        default: throw place().failure("\(column) is \(describe(index)), not a number")
        }
    }

    /// A column as a person reads it in a message: 42, 'text', a blob of 8 bytes, NULL.
    private func describe(_ index: Int32) -> String {
        switch type(index) {
        case SQLITE_INTEGER: return String(int(index))
        case SQLITE_FLOAT: return FloatEncoding.format(sqlite3_column_double(handle, index))
        case SQLITE_TEXT:
            // Control characters would reach the terminal; a message shows them as '?'.
            let text = String(String.UnicodeScalarView((string(index) ?? "").unicodeScalars.prefix(40).map {
                $0.value < 0x20 || $0.value == 0x7F ? "?" : $0
            }))
            return "the text '\(text)'"
        case SQLITE_BLOB: return "a blob of \(sqlite3_column_bytes(handle, index)) bytes"
        default: return "NULL"
        }
    }
}
