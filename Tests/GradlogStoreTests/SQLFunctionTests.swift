import GradlogStore
import Testing

/// The gradlog-only SQL functions, on a real connection, with floats in gradlog's encoding.
@Suite struct SQLFunctionTests {
    let scratch: ScratchLog

    init() throws {
        scratch = try ScratchLog()
    }

    func call(_ function: String, _ arguments: SQLValue...) throws -> SQLValue? {
        let names = arguments.indices.map { "a\($0)" }
        let sql = "SELECT \(function)(" + names.map { ":" + $0 }.joined(separator: ", ") + ")"
        return try scratch.scalar(sql, Dictionary(uniqueKeysWithValues: zip(names, arguments)))
    }

    @Test(arguments: [
        (SQLValue.real(1), SQLValue.real(1.0.nextUp), SQLValue.integer(1)),
        (.real(0.0), .real(-0.0), .integer(0)),
        (.real(-Double.leastNonzeroMagnitude), .real(Double.leastNonzeroMagnitude), .integer(2)),
        (.real(Double.greatestFiniteMagnitude), .real(.infinity), .integer(1)),
        (.integer(1), .real(1), .integer(0)),
        (.real(-.infinity), .real(.infinity), .integer(Int64.max)),
        (.text("NaN"), .real(1), .null),
        (.text("apple"), .real(1), .null),
        (.null, .real(1), .null),
    ])
    func ulps(_ a: SQLValue, _ b: SQLValue, _ expected: SQLValue) throws {
        #expect(try call("ulps", a, b) == expected)
        #expect(try call("ulps", b, a) == expected)
    }

    @Test(arguments: [
        (SQLValue.text("NaN"), SQLValue.text("-NaN"), SQLValue.integer(1)),
        (.text("NaN(0x7ff0000000000001)"), .text("NaN"), .integer(1)),
        (.real(0.0), .real(-0.0), .integer(1)),
        (.text("NaN"), .real(1), .integer(0)),
        (.real(1), .real(1.0.nextUp), .integer(0)),
        (.null, .real(1), .null),
    ])
    func floatEq(_ a: SQLValue, _ b: SQLValue, _ expected: SQLValue) throws {
        #expect(try call("float_eq", a, b) == expected)
    }

    @Test func nanAndFiniteAndBits() throws {
        #expect(try call("is_nan", .text("-NaN")) == .integer(1))
        #expect(try call("is_nan", .real(.infinity)) == .integer(0))
        #expect(try call("is_finite", .real(.infinity)) == .integer(0))
        #expect(try call("is_finite", .real(-0.0)) == .integer(1))
        #expect(try call("is_finite", .text("x")) == .null)
        #expect(try call("float_bits", .real(-0.0)) == .text("0x8000000000000000"))
        #expect(try call("float_bits", .text("NaN")) == .text("0x7ff8000000000000"))
    }

    @Test func storedNaNIsSeenThroughTheEncoding() throws {
        let b = ComputationBuilder()
        let x = b.input("x", -1)
        let run = try scratch.log.record(b.finish(output: log(x).named("y")))
        #expect(try scratch.scalar("SELECT is_nan(value) FROM nodes WHERE run_id = :run AND name = 'y'", ["run": .integer(run.id)]) == .integer(1))
    }
}
