import CSQLite
import Foundation
import Testing
@testable import GradlogStore

/// Floats are data: every special double comes back from the database bit for bit.
@Suite struct FloatRoundTripTests {
    static let specials: [Double] = [
        -0.0, 0.0, .nan, -Double.nan, Double(bitPattern: 0x7FF4_0000_0000_0001),  // signalling NaN payload
        .infinity, -.infinity, 5e-324, -5e-324, .leastNormalMagnitude, .greatestFiniteMagnitude, 0.1, 1.0, -3.0,
    ]

    func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("gradlog-\(UUID().uuidString).db").path
    }

    /// Each special value as an input of a recorded run, read back through the store.
    @Test func specialValuesSurviveARecordedRun() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let log = try GradLog(path: path, mode: .create)
        let b = ComputationBuilder()
        let inputs = Self.specials.enumerated().map { b.input("v\($0.offset)", $0.element) }
        let sum = inputs.dropFirst().reduce(inputs[0], +)
        let run = try log.record(b.finish(output: sum))
        let stored = try log.inputs(run: run.id)
        #expect(stored.count == Self.specials.count)
        for (input, expected) in zip(stored, Self.specials) {
            let value = try #require(input.value)
            #expect(value.bitPattern == expected.bitPattern, "\(input.name): \(value) vs \(expected)")
        }
    }

    /// NaN is TEXT, so plain SQL tells it from a missing value; -0.0 is a REAL with its sign.
    @Test func encodingIsVisibleInPlainSQL() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let log = try GradLog(path: path, mode: .create)
        let b = ComputationBuilder()
        let n = b.input("n", .nan), z = b.input("z", -0.0)
        _ = try log.record(b.finish(output: n + z))
        let statement = try log.database.prepare("SELECT name, typeof(value), value FROM inputs ORDER BY node_id")
        #expect(try statement.step())
        #expect(statement.string(0) == "n")
        #expect(statement.string(1) == "text")
        #expect(statement.string(2) == "NaN")
        #expect(try statement.step())
        #expect(statement.string(1) == "real")
        #expect(sqlite3_column_double(statement.handle, 2).sign == .minus)
    }

    @Test func nanTextRoundTrips() {
        for bits: UInt64 in [0x7FF8_0000_0000_0000, 0xFFF8_0000_0000_0000, 0x7FF0_0000_0000_0001, 0xFFFF_FFFF_FFFF_FFFF] {
            let nan = Double(bitPattern: bits)
            #expect(FloatEncoding.nan(fromText: FloatEncoding.nanText(nan))?.bitPattern == bits)
        }
        #expect(FloatEncoding.nan(fromText: "NaN(0x3ff0000000000000)") == nil)  // 1.0 is no NaN
        #expect(FloatEncoding.nan(fromText: "nan") == nil)
    }

    @Test func printedForms() {
        #expect(FloatEncoding.format(-0.0) == "-0.0")
        #expect(FloatEncoding.format(.nan) == "NaN")
        #expect(FloatEncoding.format(-.infinity) == "-Infinity")
        #expect(FloatEncoding.format(5e-324) == "5e-324")
        #expect(FloatEncoding.format(0.1) == "0.1")
        #expect(FloatEncoding.format(1.5456448841066441) == "1.5456448841066441")
    }
}
