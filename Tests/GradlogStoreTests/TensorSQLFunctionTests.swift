import GradlogStore
import Testing

/// The gradlog-only functions over tensor BLOBs: tensor_element, tensor_json and the
/// table-valued tensor_elements, on BLOBs written by hand and on a recorded tensor run.
@Suite struct TensorSQLFunctionTests {
    let scratch: ScratchLog

    init() throws {
        scratch = try ScratchLog()
    }

    /// Little-endian doubles as an SQL blob literal.
    static func blob(_ elements: [Double]) -> String {
        "x'" + elements.map { x in
            (0..<8).map { byte in
                let b = (x.bitPattern >> (8 * UInt64(byte))) & 0xFF
                return (b < 16 ? "0" : "") + String(b, radix: 16)
            }.joined()
        }.joined() + "'"
    }

    static let special: [Double] = [1.5, -0.0, .infinity, Double(bitPattern: 0x7FF0_0000_0000_0001), -.infinity, .leastNonzeroMagnitude]

    func value(_ sql: String) throws -> SQLValue? {
        try scratch.scalar(sql)
    }

    @Test func tensorElementReadsEachElementInTheFloatEncoding() throws {
        let b = Self.blob(Self.special)
        #expect(try value("SELECT tensor_element(\(b), 0)") == .real(1.5))
        #expect(try value("SELECT float_bits(tensor_element(\(b), 1))") == .text("0x8000000000000000"))
        #expect(try value("SELECT tensor_element(\(b), 2)") == .real(.infinity))
        #expect(try value("SELECT tensor_element(\(b), 3)") == .text("NaN(0x7ff0000000000001)"))
        #expect(try value("SELECT tensor_element(\(b), 5)") == .real(.leastNonzeroMagnitude))
        #expect(try value("SELECT tensor_element(\(b), 6)") == .null, "out of range")
        #expect(try value("SELECT tensor_element(\(b), -1)") == .null)
        #expect(try value("SELECT tensor_element(x'0011', 0)") == .null, "not whole doubles")
        #expect(try value("SELECT tensor_element(2.5, 0)") == .real(2.5), "a scalar is element 0")
        #expect(try value("SELECT tensor_element('-NaN', 0)") == .text("-NaN"))
        #expect(try value("SELECT tensor_element(2.5, 1)") == .null)
        #expect(try value("SELECT tensor_element('apple', 0)") == .null)
        #expect(try value("SELECT tensor_element(NULL, 0)") == .null)
    }

    @Test func tensorJSONNestsByTheShape() throws {
        let b = Self.blob([1, 2, 3, 4, 5, 6])
        #expect(try value("SELECT tensor_json(\(b), '[2, 3]')") == .text("[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]"))
        #expect(try value("SELECT tensor_json(\(b), '[3, 2, 1]')") == .text("[[[1.0], [2.0]], [[3.0], [4.0]], [[5.0], [6.0]]]"))
        #expect(try value("SELECT tensor_json(\(b))") == .text("[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]"))
        #expect(try value("SELECT tensor_json(\(Self.blob(Self.special)))")
            == .text("[1.5, -0.0, \"Infinity\", \"NaN\", \"-Infinity\", 5e-324]"))
        #expect(try value("SELECT tensor_json('NaN')") == .text("\"NaN\""))
        #expect(try value("SELECT tensor_json(0.25)") == .text("0.25"))
        #expect(try value("SELECT json_valid(tensor_json(\(b), '[2, 3]'))") == .integer(1))
        #expect(throws: SQLiteError.self) { try value("SELECT tensor_json(\(b), '[4]')") }
        #expect(throws: SQLiteError.self) { try value("SELECT tensor_json(\(b), 'two by three')") }
    }

    @Test func tensorElementsListsIndicesValuesAndAdjoints() throws {
        let value = Self.blob([1, 2, 3, 4, 5, 6]), grad = Self.blob([-1, 0, .nan, 0.5, 7, -7])
        let rows = try scratch.rows("SELECT idx, i0, i1, i2, i3, value, grad FROM tensor_elements(\(value), \(grad), '[2, 3]')")
        #expect(rows.count == 6)
        #expect(rows[4] == [.integer(4), .integer(1), .integer(1), .null, .null, .real(5), .real(7)])
        #expect(rows[2][6] == .text("NaN"))
        let flat = try scratch.rows("SELECT idx, i0, i1, value, grad FROM tensor_elements(\(value))")
        #expect(flat.map { $0[1] } == (0..<6).map { .integer($0) })
        #expect(flat.allSatisfy { $0[2] == .null && $0[4] == .null })
        let scalar = try scratch.rows("SELECT idx, i0, value, grad FROM tensor_elements(2.5, 'NaN')")
        #expect(scalar == [[.integer(0), .null, .real(2.5), .text("NaN")]])
        let rank4 = try scratch.rows("SELECT i0, i1, i2, i3 FROM tensor_elements(zeroblob(8 * 24), NULL, '[2, 1, 3, 4]') WHERE idx = 23")
        #expect(rank4 == [[.integer(1), .integer(0), .integer(2), .integer(3)]])
        #expect(try scratch.rows("SELECT * FROM tensor_elements(NULL)").isEmpty)
        // operand_idx: the element of a [3, 1] operand each element of [2, 3, 2] came from.
        let broadcast = try scratch.rows("SELECT operand_idx FROM tensor_elements(zeroblob(8 * 12), NULL, '[2, 3, 2]', '[3, 1]')")
        #expect(broadcast.map { $0[0] } == [0, 0, 1, 1, 2, 2, 0, 0, 1, 1, 2, 2].map { .integer($0) })
        let scalarOperand = try scratch.rows("SELECT DISTINCT operand_idx FROM tensor_elements(zeroblob(8 * 6), NULL, '[2, 3]', '[]')")
        #expect(scalarOperand == [[.integer(0)]])
        #expect(try scratch.rows("SELECT operand_idx FROM tensor_elements(\(value))").allSatisfy { $0 == [.null] })
        #expect(throws: SQLiteError.self) { try scratch.rows("SELECT * FROM tensor_elements(\(value), NULL, '[2, 3]', '[2]')") }
        #expect(throws: SQLiteError.self) { try scratch.rows("SELECT * FROM tensor_elements(\(value), NULL, '[4]')") }
        #expect(throws: SQLiteError.self) { try scratch.rows("SELECT * FROM tensor_elements(\(value), x'0000000000000000')") }
    }

    /// The question, "which weight of W has the largest gradient", is one query, and
    /// its answer agrees with the elements read in Swift.
    @Test func largestGradientOfARecordedWeight() throws {
        let program = try Program(source: """
            data X = [[1, 2], [3, -4], [0.5, 6]]
            input W = [[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]]
            loss = sum(relu(X @ W) * relu(X @ W))
            """, file: "w.grad")
        let run = try scratch.log.record(program.computation, program: program)
        let rows = try scratch.rows("""
            SELECT e.idx, e.i0, e.i1, e.value, e.grad
            FROM nodes n JOIN tensor_stats t USING (run_id, id), tensor_elements(n.value, n.grad, t.shape) e
            WHERE n.run_id = :run AND n.name = 'W' ORDER BY abs(e.grad) DESC
            """, ["run": .integer(run.id)])
        let node = try #require(try scratch.log.nodes(run: run.id).first { $0.name == "W" })
        let grad = try #require(node.tensor?.grad), values = try #require(node.tensor?.value)
        let worst = grad.indices.max { abs(grad[$0]) < abs(grad[$1]) }!
        #expect(rows.count == 6)
        #expect(rows.first == [.integer(Int64(worst)), .integer(Int64(worst / 3)), .integer(Int64(worst % 3)),
                               .real(values[worst]), .real(grad[worst])])
        let json = try scratch.scalar("SELECT tensor_json(n.grad, t.shape) FROM nodes n JOIN tensor_stats t USING (run_id, id) WHERE n.run_id = :run AND n.name = 'W'", ["run": .integer(run.id)])
        #expect(json == .text("[[" + grad[0..<3].map { FloatEncoding.format($0) }.joined(separator: ", ") + "], ["
            + grad[3..<6].map { FloatEncoding.format($0) }.joined(separator: ", ") + "]]"))
    }
}
