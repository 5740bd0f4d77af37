import Foundation
import GradlogStore
import Testing

/// `gradlog gradcheck` and `record --gradcheck` through the real binary: the seed passes, a
/// run whose stored gradient is wrong fails with exit 1, and the results are stored.
@Suite struct GradcheckTests {
    let log = try! RecordedLog()

    func gradcheck(_ args: [String]) throws -> CLIResult { try log.run("gradcheck", args) }

    func inputs(_ json: String) throws -> [String: [String: Any]] {
        let object = try #require(try parseJSON(json) as? [String: Any], "\(json)")
        let inputs = try #require(object["inputs"] as? [[String: Any]])
        return Dictionary(uniqueKeysWithValues: inputs.map { ($0["input"] as? String ?? "", $0) })
    }

    @Test func seedRunPasses() throws {
        try log.record()
        let result = try gradcheck(["latest", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains(#"{"input":"x","value":3.0,"analytic":2.0595697955721652,"numeric":2.05956979"#))
        let object = try #require(try parseJSON(result.stdout) as? [String: Any])
        #expect(object["passed"] as? Bool == true)
        #expect(object["eps"] as? Double == 1e-6)
        let inputs = try inputs(result.stdout)
        #expect(inputs["x"]?["verdict"] as? String == "pass")
        #expect(inputs["y"]?["verdict"] as? String == "pass")
        #expect(abs((inputs["x"]?["numeric"] as? Double ?? 0) - 2.0595697955721652) < 1e-8)

        let table = try gradcheck(["1"])
        #expect(table.stdout.hasPrefix("gradcheck of run 1 (eps 1e-06, atol 1e-05, rtol 0.001): passed\n"))
        #expect(table.stdout.contains("input  value  analytic            numeric"))
    }

    /// The "wrong on purpose" case: the analytic side is the adjoint stored in the file, so
    /// changing x's stored adjoint behind gradlog's back is a wrong gradient gradcheck must
    /// catch against an independent reference (the re-evaluated program).
    @Test func aWrongStoredGradientFailsWithExitOne() throws {
        try log.record()
        _ = try SQLiteShell.run(log.db, "UPDATE run_node SET grad = grad + 0.01 WHERE run_id = 1 AND id = 0")
        let result = try gradcheck(["1"])
        #expect(result.status == 1)
        #expect(result.stdout.hasPrefix("gradcheck of run 1 (eps 1e-06, atol 1e-05, rtol 0.001): FAILED for 1 of 2 inputs\n"))
        let json = try inputs(try gradcheck(["1", "--format", "json"]).stdout)
        #expect(json["x"]?["verdict"] as? String == "fail")
        #expect(json["y"]?["verdict"] as? String == "pass")
        #expect(abs((json["x"]?["abs_error"] as? Double ?? 0) - 0.01) < 1e-8)
        // Stored next to the run, readable by any client.
        #expect(try SQLiteShell.run(log.db, "SELECT input, verdict FROM gradchecks ORDER BY node_id") == "x|fail\ny|pass")
        // A loose enough tolerance passes it.
        #expect(try gradcheck(["1", "--atol", "0.1"]).status == 0)
    }

    @Test func checkingAgainReplacesResultsOfTheSameSettings() throws {
        try log.record()
        #expect(try gradcheck(["1"]).status == 0)
        #expect(try gradcheck(["1"]).status == 0)
        #expect(try SQLiteShell.run(log.db, "SELECT count(*) FROM gradchecks") == "2")
        #expect(try gradcheck(["1", "--eps", "1e-4"]).status == 0)
        #expect(try SQLiteShell.run(log.db, "SELECT count(*) FROM gradchecks") == "4")
        #expect(try SQLiteShell.run(log.db, "SELECT DISTINCT eps FROM gradchecks ORDER BY eps") == "1.0e-06\n0.0001")
    }

    @Test func recordWithGradcheck() throws {
        let result = try CLI.run(["record", RecordedLog.seed, "--db", log.db, "--gradcheck", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try parseJSON(result.stdout) as? [String: Any])
        #expect(object["run_id"] as? Int == 1)
        let check = try #require(object["gradcheck"] as? [String: Any])
        #expect(check["passed"] as? Bool == true)
        #expect((check["inputs"] as? [Any])?.count == 2)

        let table = try CLI.run(["record", RecordedLog.seed, "--db", log.db, "--gradcheck"])
        #expect(table.stdout.hasPrefix("recorded run 2: 22 nodes, output f = 1.5456448841066441\ngradcheck of run 2 ("))
    }

    /// relu at its kink: gradlog (like PyTorch) takes relu'(0) = 0, the central difference
    /// sees 1/2. gradcheck reports it, as torch.autograd.gradcheck does.
    @Test func aKinkFails() throws {
        try log.record(source: "input x = 0\nf = relu(x)\n")
        let json = try inputs(try gradcheck(["1", "--format", "json"]).stdout)
        #expect(json["x"]?["analytic"] as? Double == 0)
        #expect(json["x"]?["numeric"] as? Double == 0.5)
        #expect(try gradcheck(["1"]).status == 1)
    }

    @Test func aRunBuiltInSwiftHasNoProgramToCheck() throws {
        let store = try GradLog(path: log.db, mode: .create)
        let b = ComputationBuilder()
        _ = try store.record(b.finish(output: (b.input("x", 2) * b.input("y", 3)).named("f")))
        let result = try gradcheck(["1"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("run 1 has no program text (it was built through the Swift API)"), "\(result.stderr)")
    }
}
