@testable import GradlogStore
import Testing

/// Asking about one run reads only that run's rows: every view is searched by (run_id, ...)
/// through a primary key or index, never scanned across runs.
@Suite struct QueryPlanTests {
    /// The `detail` lines of EXPLAIN QUERY PLAN that scan a table, minus allowed ones. Scans of
    /// `run` and `graph` (aliases r and g: a row per run or program) are the planner's choice on
    /// a small log and cost nothing; a scan of node rows is what must never happen.
    static func scans(_ scratch: ScratchLog, _ sql: String, allowing allowed: Set<String> = []) throws -> [String] {
        try scratch.rows("EXPLAIN QUERY PLAN " + sql, ["run": .integer(1)]).compactMap { row in
            guard case .text(let detail) = row[3], detail.hasPrefix("SCAN") else { return nil }
            if detail == "SCAN g" || detail.hasPrefix("SCAN r USING") || detail == "SCAN r" { return nil }
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
    ])
    func oneRunIsSearchedNotScanned(_ sql: String) throws {
        let scratch = try ScratchLog()
        try scratch.recordSeed()
        try scratch.recordSeed(x: 1, y: 2)
        #expect(try Self.scans(scratch, sql) == [])
    }

    /// Across runs, a lookup by name reads the one run that carries the structure and then
    /// one row per run, because record keeps the planner's statistics exact (migration 0003).
    @Test func nameAcrossRunsStartsFromTheStructureRun() throws {
        let scratch = try ScratchLog()
        for x in [1.0, 2.0, 3.0] { try scratch.recordSeed(x: x, y: -4) }
        let plan = try scratch.rows("EXPLAIN QUERY PLAN SELECT run_id, value FROM nodes WHERE name = 'den'", [:]).compactMap { row -> String? in
            guard case .text(let detail) = row[3] else { return nil }
            return detail
        }
        #expect(plan.contains("SEARCH s USING PRIMARY KEY (run_id=?)"), "\(plan)")
        #expect(plan.contains("SEARCH v USING PRIMARY KEY (run_id=? AND id=?)"), "\(plan)")
        #expect(!plan.contains { $0.hasPrefix("SCAN v") || $0.hasPrefix("SCAN s") }, "\(plan)")
    }

    /// The shipped `node` query, across every run, is planned the same way.
    @Test func namedNodeQueryAcrossRunsSearches() throws {
        let scratch = try ScratchLog()
        for x in [1.0, 2.0, 3.0] { try scratch.recordSeed(x: x, y: -4) }
        let sql = try #require(EmbeddedSQL.allQueries.first { $0.name == "node.sql" }).text
        let scans = try scratch.rows("EXPLAIN QUERY PLAN " + sql, ["name": .text("den"), "run": .null]).compactMap { row -> String? in
            guard case .text(let detail) = row[3], detail.hasPrefix("SCAN v") || detail.hasPrefix("SCAN s") else { return nil }
            return detail
        }
        #expect(scans == [])
    }

    @Test func runHealthAggregatesOnlyTheRunAskedFor() throws {
        let scratch = try ScratchLog()
        try scratch.recordSeed()
        // The aggregate is materialized from a primary-key search on run_id = ?; scanning that
        // one-row result is fine.
        #expect(try Self.scans(scratch, "SELECT * FROM run_health WHERE run_id = :run", allowing: ["SCAN h"]) == [])
    }
}
