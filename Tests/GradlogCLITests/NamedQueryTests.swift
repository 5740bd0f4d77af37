import Foundation
import Testing

/// Each named query in queries/ on runs recorded through the real CLI.
@Suite struct NamedQueryTests {
    @Test func nodeInOneRunOrEveryRun() throws {
        let log = try RecordedLog()
        try log.record()
        try log.record(["--set", "x=1"])
        let every = try log.rows(["node", "--param", "name=invden"])
        #expect(every.map { $0["run_id"] as? Int } == [1, 2])
        let one = try log.rows(["node", "--param", "name=invden", "--param", "run=1"])
        #expect(one.count == 1)
        #expect(abs((one.first?["grad"] as? Double ?? 0) - 3.0179862099620918) <= 1e-12)
        #expect(one.first?["op"] as? String == "div")
        #expect(one.first?["input_names"] as? String == "#19, den")
    }

    @Test func topGradsSortsByMagnitude() throws {
        let log = try RecordedLog()
        try log.record()
        let rows = try log.rows(["top-grads", "--param", "run=latest", "--param", "limit=4"])
        #expect(rows.count == 4)
        #expect(rows.first?["name"] as? String == "invden")
        let magnitudes = rows.compactMap { ($0["grad"] as? Double).map(abs) }
        #expect(magnitudes == magnitudes.sorted(by: >))
    }

    /// Done when: the NaN of `n = log(a - 1)` is named first.
    @Test func nonfiniteNamesWhereTheNaNIsBorn() throws {
        let log = try RecordedLog()
        try log.record()
        try log.record(source: RecordedLog.nanProgram)
        let rows = try log.rows(["nonfinite", "--param", "run=2"])
        #expect(rows.first?["name"] as? String == "n")
        #expect(rows.first?["pass"] as? String == "forward")
        #expect(rows.first?["line"] as? Int == 3)
        // m and out only inherit n's NaN. Backward, the constant 2 in `m = n * 2` gets
        // adjoint 1 x n = NaN: born there, below a finite adjoint.
        #expect(rows.map { $0["pass"] as? String } == ["forward", "backward"])
        #expect(rows.last?["op"] as? String == "const")
        #expect(rows.last?["line"] as? Int == 4)
        #expect(try log.rows(["nonfinite", "--param", "run=1"]).isEmpty)
        let table = try log.query(["nonfinite", "--param", "run=2"])
        #expect(table.stdout.split(separator: "\n").dropFirst(2).first?.contains(" n ") == true, "\(table.stdout)")
    }

    @Test func chainRuleHoldsOnARecordedRun() throws {
        let log = try RecordedLog()
        try log.record()
        let rows = try log.rows(["chain-rule", "--param", "run=1"])
        #expect(rows.count == 21, "every node but the output f")
        #expect(rows.allSatisfy { $0["status"] as? String == "ok" }, "\(rows)")
        #expect(!rows.contains { $0["name"] as? String == "f" })
    }

    @Test func chainRuleFindsATamperedAdjoint() throws {
        let log = try RecordedLog()
        try log.record()
        let update = try log.query(["UPDATE run_node SET grad = 5.0 WHERE run_id = 1 AND id = 20", "--write"])
        #expect(update.status == 0, "\(update.stderr)")
        let rows = try log.rows(["chain-rule", "--param", "run=1"])
        let mismatched = rows.filter { $0["status"] as? String == "MISMATCH" }.compactMap { $0["id"] as? Int }
        // invden's stored 5 disagrees with f's contribution, and invden's inputs got 3.02 x d,
        // not 5 x d.
        #expect(mismatched.contains(20))
        #expect(rows.first?["status"] as? String == "MISMATCH", "problems sort first")
    }

    @Test func chainRuleSaysWhatItCannotCheck() throws {
        let log = try RecordedLog()
        try log.record(source: RecordedLog.nanProgram)
        let rows = try log.rows(["chain-rule", "--param", "run=1"])
        #expect(!rows.contains { $0["status"] as? String == "MISMATCH" })
        let unchecked = rows.filter { $0["status"] as? String == "not checked" }
        #expect(unchecked.map { $0["op"] as? String } == ["const"], "the NaN adjoint of the 2 in n * 2")
    }

    /// `unused = log(x)` at x = 0 has local derivative inf, but the output does not depend on
    /// it, so the tape sends nothing back through it and x's adjoint is clean.
    @Test func chainRuleCountsOnlyConsumersTheOutputDependsOn() throws {
        let log = try RecordedLog()
        try log.record(source: "input x = 0\nunused = log(x)\nf = x + 1\n")
        let rows = try log.rows(["chain-rule", "--param", "run=1"])
        let x = try #require(rows.first { $0["name"] as? String == "x" })
        #expect(x["status"] as? String == "ok")
        #expect(x["adjoint"] as? Double == 1)
    }

    @Test func inputGradsAcrossASweep() throws {
        let log = try RecordedLog()
        for x in ["1", "2", "3"] { try log.record(["--set", "x=\(x)", "--tag", "x=\(x)", "--tag", "series=a"]) }
        let rows = try log.rows(["input-grads", "--param", "name=x"])
        #expect(rows.map { $0["run_id"] as? Int } == [1, 2, 3])
        #expect(rows.map { $0["value"] as? Double } == [1, 2, 3])
        #expect(rows.first?["tags"] as? String == "series=a, x=1")
        #expect(try log.rows(["input-grads"]).count == 6)
    }

    @Test func contributionsAddUpToTheAdjoint() throws {
        let log = try RecordedLog()
        try log.record()
        let rows = try log.rows(["contributions", "--param", "run=1", "--param", "name=x"])
        #expect(Set(rows.compactMap { $0["consumer"] as? String }).isSuperset(of: ["num", "xpy"]))
        let sum = rows.compactMap { $0["contribution"] as? Double }.reduce(0, +)
        #expect(abs(sum - 2.0595697955721652) <= 1e-15)
        let magnitudes = rows.compactMap { ($0["contribution"] as? Double).map(abs) }
        #expect(magnitudes == magnitudes.sorted(by: >))
    }

    @Test func vanishingFindsADeadRelu() throws {
        let log = try RecordedLog()
        try log.record()  // cs231n: no cut edges, and x ^ 2's exponent is not reported
        try log.record(source: "input x = -1\nr = relu(x)\nf = r + x * 3\n")
        #expect(try log.rows(["vanishing", "--param", "run=1"]).isEmpty)
        let rows = try log.rows(["vanishing", "--param", "run=2"])
        #expect(rows.count == 1)
        #expect(rows.first?["node_name"] as? String == "r")
        #expect(rows.first?["input_name"] as? String == "x")
        #expect(rows.first?["local_grad"] as? Double == 0)
    }

    @Test func runHealthCountsAndNamesTheFirstNaN() throws {
        let log = try RecordedLog()
        try log.record()
        try log.record(source: RecordedLog.nanProgram)
        let rows = try log.rows(["run-health"])
        #expect(rows.count == 2)
        #expect(rows[0]["nan_values"] as? Int == 0)
        #expect(rows[0]["first_nonfinite_name"] is NSNull)
        #expect(rows[1]["nan_values"] as? Int == 3)
        #expect(rows[1]["nan_grads"] as? Int == 1)
        #expect(rows[1]["first_nonfinite_name"] as? String == "n")
        #expect(try log.rows(["run-health", "--param", "run=latest"]).count == 1)
    }
}
