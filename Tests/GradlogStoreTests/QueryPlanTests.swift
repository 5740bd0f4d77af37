import GradlogStore
import Testing

/// Asking about one run reads only that run's rows: every view is searched by (run_id, ...)
/// through a primary key or index, never scanned across runs.
@Suite struct QueryPlanTests {
    /// The `detail` lines of EXPLAIN QUERY PLAN that scan a table, minus allowed ones.
    static func scans(_ scratch: ScratchLog, _ sql: String, allowing allowed: Set<String> = []) throws -> [String] {
        try scratch.rows("EXPLAIN QUERY PLAN " + sql, ["run": .integer(1)]).compactMap { row in
            guard case .text(let detail) = row[3], detail.hasPrefix("SCAN") else { return nil }
            return allowed.contains(detail) ? nil : detail
        }
    }

    @Test(arguments: [
        "SELECT name, value, grad FROM nodes WHERE run_id = :run AND name = 'invden'",
        "SELECT * FROM node_details WHERE run_id = :run AND name = 'invden'",
        "SELECT * FROM node_details WHERE run_id = :run",
        "SELECT * FROM edge_details WHERE run_id = :run",
        "SELECT * FROM edges WHERE run_id = :run",
        "SELECT * FROM inputs WHERE run_id = :run",
        "SELECT * FROM runs WHERE id = :run",
        "SELECT * FROM gradchecks WHERE run_id = :run",
    ])
    func oneRunIsSearchedNotScanned(_ sql: String) throws {
        let scratch = try ScratchLog()
        try scratch.recordSeed()
        try scratch.recordSeed(x: 1, y: 2)
        #expect(try Self.scans(scratch, sql) == [])
    }

    /// An input's numbers are one primary-key lookup, not a pass over the run's nodes (what a
    /// sweep's `input-grads` and `plot` read once per run).
    @Test func inputsAreLookedUpByNodeKey() throws {
        let scratch = try ScratchLog()
        try scratch.recordSeed()
        for sql in ["SELECT * FROM inputs WHERE run_id = :run", "SELECT * FROM inputs WHERE :run > 0"] {
            let plan = try scratch.rows("EXPLAIN QUERY PLAN " + sql, ["run": .integer(1)]).compactMap { row -> String? in
                guard case .text(let detail) = row[3] else { return nil }
                return detail
            }
            #expect(plan.contains("SEARCH v USING PRIMARY KEY (run_id=? AND id=?)"), "\(sql): \(plan)")
        }
    }

    @Test func runHealthAggregatesOnlyTheRunAskedFor() throws {
        let scratch = try ScratchLog()
        try scratch.recordSeed()
        // The aggregate is materialized from a primary-key search on run_id = ?; scanning that
        // one-row result is fine.
        #expect(try Self.scans(scratch, "SELECT * FROM run_health WHERE run_id = :run", allowing: ["SCAN h"]) == [])
    }
}
