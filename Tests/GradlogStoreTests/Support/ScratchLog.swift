import Foundation
import GradlogStore

/// A new log in a fresh temporary folder, removed when the value is released.
final class ScratchLog {
    let folder: URL
    let log: GradLog

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("gradlog-store-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        log = try GradLog(path: folder.appendingPathComponent("g.db").path, mode: .create)
    }

    deinit {
        try? FileManager.default.removeItem(at: folder)
    }

    /// Records CS231n's staged example, f = (x + s(y)) / (s(x) + (x + y)^2), at (x, y).
    @discardableResult
    func recordSeed(x: Double = 3, y: Double = -4) throws -> Int64 {
        let b = ComputationBuilder()
        let xv = b.input("x", x), yv = b.input("y", y)
        let num = (xv + sigmoid(yv)).named("num")
        let den = (sigmoid(xv) + pow(xv + yv, 2)).named("den")
        let invden = (1 / den).named("invden")
        return try log.record(b.finish(output: (num * invden).named("f"))).id
    }

    /// Every row of a query, as stored.
    func rows(_ sql: String, _ parameters: [String: SQLValue] = [:]) throws -> [[SQLValue]] {
        let cursor = try log.query(sql, parameters: parameters)
        var rows: [[SQLValue]] = []
        while let row = try cursor.next() { rows.append(row) }
        return rows
    }

    /// The single value of a one-row, one-column query.
    func scalar(_ sql: String, _ parameters: [String: SQLValue] = [:]) throws -> SQLValue? {
        try rows(sql, parameters).first?.first
    }
}
