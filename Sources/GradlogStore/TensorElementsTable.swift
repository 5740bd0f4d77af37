import CSQLite

/// `tensor_elements(value [, grad [, shape [, operand_shape]]])`: a table-valued function (an
/// eponymous virtual table, like SQLite's json_each) with one row per element of a tensor, so
/// that "which weight of W1 has the largest gradient" is one query:
///
///     SELECT e.i0, e.i1, e.grad
///     FROM nodes n JOIN tensor_stats t USING (run_id, id), tensor_elements(n.value, n.grad, t.shape) e
///     WHERE n.run_id = 1 AND n.name = 'W1' ORDER BY abs(e.grad) DESC LIMIT 5
///
/// Columns: `idx` (row-major, from 0), `i0`..`i3` (the index along each axis; NULL beyond the
/// rank; without a shape the tensor is read as one axis), `value` and `grad` (the elements of
/// the two arguments in gradlog's float encoding, NULL where an argument is NULL), and
/// `operand_idx`: given the shape of an operand that NumPy broadcasting stretched to `shape`,
/// the row-major index of the operand's element this element came from (what the backward of
/// a broadcast sums over); NULL without one. A scalar argument is one element. The arguments
/// are the hidden columns `value_blob`, `grad_blob`, `shape` and `operand_shape`, in that order.
enum TensorElementsTable {
    static let name = "tensor_elements"

    /// Visible columns, then the hidden argument columns.
    private enum Column: Int32 {
        case idx, i0, i1, i2, i3, value, grad, operandIdx, valueArgument, gradArgument, shapeArgument, operandShapeArgument
        static let firstArgument = Column.valueArgument.rawValue
        static let argumentCount = 4
    }

    private static let declaration =
        "CREATE TABLE x(idx, i0, i1, i2, i3, value, grad, operand_idx, value_blob HIDDEN, grad_blob HIDDEN, shape HIDDEN, operand_shape HIDDEN)"

    /// What a cursor walks over: the elements of both arguments and the strides of the shape.
    private final class Cursor {
        var arguments: [SQLArgument] = [SQLArgument](repeating: .null, count: Column.argumentCount)
        var value: [Double]?
        var grad: [Double]?
        var dims: [Int] = []
        var strides: [Int] = []
        /// Per axis of the shape, the operand's stride along it (0 where it was broadcast);
        /// nil without an operand shape.
        var operandStrides: [Int]?
        var count = 0
        var row = 0
    }

    /// An argument kept to be returned from its hidden column.
    private enum SQLArgument {
        case null
        case value(OpaquePointer)

        init(_ value: OpaquePointer?) {
            self = value.map { sqlite3_value_dup($0) }.flatMap { $0 }.map { .value($0) } ?? .null
        }

        func free() {
            if case .value(let pointer) = self { sqlite3_value_free(pointer) }
        }
    }

    /// Lives as long as the process: SQLite keeps a pointer to it in each connection.
    nonisolated(unsafe) private static let module: UnsafeMutablePointer<sqlite3_module> = {
        let module = UnsafeMutablePointer<sqlite3_module>.allocate(capacity: 1)
        module.initialize(to: sqlite3_module())
        // No xCreate: an eponymous-only table, usable as a function, never CREATEd.
        module.pointee.xConnect = { db, _, _, _, table, _ in
            var rc = sqlite3_declare_vtab(db, TensorElementsTable.declaration)
            if rc == SQLITE_OK { rc = csqlite_vtab_innocuous(db) }
            guard rc == SQLITE_OK, let table else { return rc }
            let vtab = UnsafeMutablePointer<sqlite3_vtab>.allocate(capacity: 1)
            vtab.initialize(to: sqlite3_vtab())
            table.pointee = vtab
            return SQLITE_OK
        }
        module.pointee.xDisconnect = { vtab in
            sqlite3_free(vtab?.pointee.zErrMsg)
            vtab?.deallocate()
            return SQLITE_OK
        }
        module.pointee.xBestIndex = { _, info in
            guard let info else { return SQLITE_ERROR }
            return TensorElementsTable.bestIndex(info)
        }
        module.pointee.xOpen = { _, cursor in
            let raw = UnsafeMutablePointer<csqlite_vtab_cursor>.allocate(capacity: 1)
            raw.initialize(to: csqlite_vtab_cursor(base: sqlite3_vtab_cursor(), state: Unmanaged.passRetained(Cursor()).toOpaque()))
            raw.withMemoryRebound(to: sqlite3_vtab_cursor.self, capacity: 1) { cursor?.pointee = $0 }
            return SQLITE_OK
        }
        module.pointee.xClose = { base in
            guard let base else { return SQLITE_OK }
            base.withMemoryRebound(to: csqlite_vtab_cursor.self, capacity: 1) { raw in
                let state = Unmanaged<Cursor>.fromOpaque(raw.pointee.state).takeRetainedValue()
                state.arguments.forEach { $0.free() }
                raw.deallocate()
            }
            return SQLITE_OK
        }
        module.pointee.xFilter = { base, mask, _, count, values in
            guard let base else { return SQLITE_ERROR }
            return TensorElementsTable.filter(base, present: mask, values: UnsafeBufferPointer(start: values, count: Int(count)))
        }
        module.pointee.xNext = { base in
            state(base).row += 1
            return SQLITE_OK
        }
        module.pointee.xEof = { base in
            let cursor = state(base)
            return cursor.row >= cursor.count ? 1 : 0
        }
        module.pointee.xColumn = { base, context, column in
            TensorElementsTable.column(state(base), context, column)
            return SQLITE_OK
        }
        module.pointee.xRowid = { base, rowid in
            rowid?.pointee = sqlite3_int64(state(base).row)
            return SQLITE_OK
        }
        return module
    }()

    static func register(on database: Database) throws(SQLiteError) {
        if sqlite3_create_module_v2(database.handle, name, module, nil, nil) != SQLITE_OK {
            throw database.error(sql: nil)
        }
    }

    private static func state(_ base: UnsafeMutablePointer<sqlite3_vtab_cursor>?) -> Cursor {
        let base = base!  // SQLite always passes the cursor it opened
        return base.withMemoryRebound(to: csqlite_vtab_cursor.self, capacity: 1) { raw in
            Unmanaged<Cursor>.fromOpaque(raw.pointee.state).takeUnretainedValue()
        }
    }

    /// Uses every `=` constraint on an argument column, passing the arguments to xFilter in
    /// column order; idxNum says which are present. An argument that cannot be used yet (it
    /// depends on a table the planner has not placed) makes this plan impossible, as in
    /// json_each, so that the planner puts the tables that feed the arguments first.
    private static func bestIndex(_ info: UnsafeMutablePointer<sqlite3_index_info>) -> Int32 {
        var slotOfArgument: [Int32: Int32] = [:]
        for i in 0..<Int(info.pointee.nConstraint) {
            let constraint = info.pointee.aConstraint[i]
            guard constraint.iColumn >= Column.firstArgument else { continue }
            guard constraint.op == UInt8(SQLITE_INDEX_CONSTRAINT_EQ) else { continue }
            guard constraint.usable != 0 else { return SQLITE_CONSTRAINT }
            slotOfArgument[constraint.iColumn] = Int32(i)
        }
        var mask: Int32 = 0
        var argvIndex: Int32 = 0
        for column in Column.firstArgument...Column.operandShapeArgument.rawValue {
            guard let i = slotOfArgument[column] else { continue }
            argvIndex += 1
            info.pointee.aConstraintUsage[Int(i)].argvIndex = argvIndex
            info.pointee.aConstraintUsage[Int(i)].omit = 1
            mask |= 1 << (column - Column.firstArgument)
        }
        info.pointee.idxNum = mask
        info.pointee.estimatedCost = mask & 1 != 0 ? 1_000 : 1e12
        info.pointee.estimatedRows = mask & 1 != 0 ? 1_000 : 1
        return SQLITE_OK
    }

    private static func filter(
        _ base: UnsafeMutablePointer<sqlite3_vtab_cursor>, present mask: Int32, values: UnsafeBufferPointer<OpaquePointer?>
    ) -> Int32 {
        let cursor = state(base)
        cursor.arguments.forEach { $0.free() }
        cursor.arguments = [SQLArgument](repeating: .null, count: Column.argumentCount)
        var next = 0
        var raw = [OpaquePointer?](repeating: nil, count: Column.argumentCount)
        for slot in 0..<Column.argumentCount where mask & (1 << slot) != 0 {
            raw[slot] = values[next]
            cursor.arguments[slot] = SQLArgument(values[next])
            next += 1
        }
        cursor.value = raw[0].flatMap(SQLFunctions.elements)
        cursor.grad = raw[1].flatMap(SQLFunctions.elements)
        cursor.count = max(cursor.value?.count ?? 0, cursor.grad?.count ?? 0)
        cursor.row = 0
        func fail(_ message: String) -> Int32 {
            let vtab = base.pointee.pVtab!
            sqlite3_free(vtab.pointee.zErrMsg)
            vtab.pointee.zErrMsg = sqliteString("tensor_elements: " + message)
            return SQLITE_ERROR
        }
        if let value = cursor.value, let grad = cursor.grad, value.count != grad.count {
            return fail("the value has \(value.count) elements, the adjoint \(grad.count)")
        }
        // Two scalars are one element of rank 0; a tensor without a shape is read as one axis.
        let isScalar = raw.prefix(2).allSatisfy { $0 == nil || sqlite3_value_type($0) != SQLITE_BLOB }
        var shape = isScalar ? Shape.scalar : Shape([cursor.count])
        if let argument = raw[2], sqlite3_value_type(argument) != SQLITE_NULL {
            guard let given = SQLFunctions.shape(argument) else {
                return fail("the shape must be a JSON array of dimensions such as '[100, 16]'")
            }
            guard given.count == cursor.count || cursor.count == 0 else {
                return fail("shape \(TensorCodec.shapeText(given)) has \(given.count) elements, the tensor \(cursor.count)")
            }
            shape = given
        }
        cursor.dims = shape.dims
        cursor.strides = shape.strides
        cursor.operandStrides = nil
        if let argument = raw[3], sqlite3_value_type(argument) != SQLITE_NULL {
            guard let operand = SQLFunctions.shape(argument) else {
                return fail("the operand shape must be a JSON array of dimensions such as '[16]'")
            }
            guard let strides = operandStrides(operand, broadcastTo: shape) else {
                return fail("an operand of shape \(TensorCodec.shapeText(operand)) does not broadcast to \(TensorCodec.shapeText(shape))")
            }
            cursor.operandStrides = strides
        }
        return SQLITE_OK
    }

    /// For each axis of `shape`, the stride of `operand` along it once the two are aligned at
    /// the end as NumPy aligns them: 0 along the axes the operand lacks or has as 1. Nil when
    /// the operand does not broadcast to `shape`.
    private static func operandStrides(_ operand: Shape, broadcastTo shape: Shape) -> [Int]? {
        guard operand.rank <= shape.rank else { return nil }
        let offset = shape.rank - operand.rank
        var result = [Int](repeating: 0, count: shape.rank)
        let strides = operand.strides
        for axis in 0..<operand.rank {
            let d = operand.dims[axis]
            guard d == 1 || d == shape.dims[axis + offset] else { return nil }
            result[axis + offset] = d == 1 ? 0 : strides[axis]
        }
        return result
    }

    /// A copy of `text` in memory from sqlite3_malloc, as zErrMsg must be.
    private static func sqliteString(_ text: String) -> UnsafeMutablePointer<CChar>? {
        let utf8 = Array(text.utf8CString)
        guard let memory = sqlite3_malloc64(sqlite3_uint64(utf8.count)) else { return nil }
        let copy = memory.bindMemory(to: CChar.self, capacity: utf8.count)
        copy.initialize(from: utf8, count: utf8.count)
        return copy
    }

    private static func column(_ cursor: Cursor, _ context: OpaquePointer?, _ index: Int32) {
        guard let column = Column(rawValue: index) else { return sqlite3_result_null(context) }
        switch column {
        case .idx:
            sqlite3_result_int64(context, sqlite3_int64(cursor.row))
        case .i0, .i1, .i2, .i3:
            let axis = Int(index - Column.i0.rawValue)
            guard axis < cursor.dims.count else { return sqlite3_result_null(context) }
            sqlite3_result_int64(context, sqlite3_int64(cursor.row / cursor.strides[axis] % cursor.dims[axis]))
        case .operandIdx:
            guard let operandStrides = cursor.operandStrides else { return sqlite3_result_null(context) }
            var index = 0
            for axis in cursor.dims.indices {
                index += cursor.row / cursor.strides[axis] % cursor.dims[axis] * operandStrides[axis]
            }
            sqlite3_result_int64(context, sqlite3_int64(index))
        case .value, .grad:
            guard let elements = column == .value ? cursor.value : cursor.grad else { return sqlite3_result_null(context) }
            SQLFunctions.resultFloat(context, elements[cursor.row])
        case .valueArgument, .gradArgument, .shapeArgument, .operandShapeArgument:
            guard case .value(let value) = cursor.arguments[Int(index - Column.firstArgument)] else {
                return sqlite3_result_null(context)
            }
            sqlite3_result_value(context, value)
        }
    }
}
