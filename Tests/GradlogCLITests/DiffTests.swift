import Foundation
import Testing

/// `gradlog diff` through the real binary, on real files: exit status and where runs part.
@Suite struct DiffTests {
    let seed = repositoryRoot.appendingPathComponent("examples/cs231n.grad").path
    let dir: TemporaryDirectory
    let db: String

    init() throws {
        dir = try TemporaryDirectory()
        db = dir.path("g.db")
    }

    /// The seed program with one line replaced.
    func seedVariant(_ name: String, replacing line: String, with replacement: String) throws -> String {
        let source = try String(contentsOfFile: seed, encoding: .utf8)
        #expect(source.contains(line + "\n"))
        return try dir.write(name, source.replacingOccurrences(of: line + "\n", with: replacement + "\n"))
    }

    func record(_ program: String, _ extra: [String] = [], db: String? = nil) throws {
        let result = try CLI.run(["record", program, "--db", db ?? self.db] + extra)
        try #require(result.status == 0, "\(result.stderr)")
    }

    /// Runs `gradlog diff ... --format json` and returns the status and the parsed object.
    func diffJSON(_ args: [String]) throws -> (status: Int32, object: [String: Any]) {
        let result = try CLI.run(["diff"] + args + ["--db", db, "--format", "json"])
        #expect(!result.signaled)
        let object = try #require(try parseJSON(result.stdout) as? [String: Any], "\(result.stderr)")
        return (result.status, object)
    }

    func firstValueDivergence(_ object: [String: Any]) -> [String: Any]? {
        object["first_value_divergence"] as? [String: Any]
    }

    @Test func twoRecordingsOfTheSameProgramAgree() throws {
        try record(seed)
        try record(seed)
        let (status, object) = try diffJSON(["1", "2"])
        #expect(status == 0)
        #expect(object["agree"] as? Bool == true)
        #expect(object["alignment"] as? String == "node")
        let summary = try #require(object["summary"] as? [String: Any])
        #expect(summary["compared"] as? Int == 22)
        #expect(summary["identical"] as? Int == 22)
        #expect(object["first_value_divergence"] is NSNull)
        #expect(object["first_grad_divergence"] is NSNull)
        #expect((object["nodes"] as? [Any])?.isEmpty == true)
    }

    /// The done-when case: `+ 1e-9` adds a constant and an add, so the programs align by name,
    /// and the difference is born at `den`, not at the unnamed constant that only B has.
    @Test func epsilonInDenIsBornAtDen() throws {
        let variant = try seedVariant("den.grad", replacing: "den = sigx + xpysqr", with: "den = sigx + xpysqr + 1e-9")
        try record(seed)
        try record(variant)
        let (status, object) = try diffJSON(["1", "2"])
        #expect(status == 1)
        #expect(object["alignment"] as? String == "name")
        let birth = try #require(firstValueDivergence(object))
        #expect(birth["name"] as? String == "den")
        #expect(birth["op"] as? String == "add")
        #expect(birth["line_a"] as? Int == 10)
        // Foundation's JSON parser may round the last digit; the text is exact.
        let json = try CLI.run(["diff", "1", "2", "--db", db, "--format", "json"]).stdout
        #expect(json.contains(#""line_b":10,"a":1.9525741268224333,"b":1.9525741278224333,"#))
        let summary = try #require(object["summary"] as? [String: Any])
        #expect(summary["only_in_b"] as? Int == 2)
        #expect(summary["changed_inputs"] as? Int == 1)

        let (closeStatus, close) = try diffJSON(["1", "2", "--rtol", "1e-6"])
        #expect(closeStatus == 0)
        #expect(close["first_value_divergence"] is NSNull)
        #expect((close["summary"] as? [String: Any])?["within_tolerance"] as? Int == 21)

        let table = try CLI.run(["diff", "1", "2", "--db", db])
        #expect(table.status == 1)
        #expect(table.stdout.contains("first value divergence: den (add, line 10): 1.9525741268224333 vs 1.9525741278224333"))
    }

    @Test func ulpsIsAnAlternativeTolerance() throws {
        let variant = try seedVariant("den.grad", replacing: "den = sigx + xpysqr", with: "den = sigx + xpysqr + 1e-9")
        try record(seed)
        try record(variant)
        #expect(try diffJSON(["1", "2", "--ulps", "100000000"]).status == 0)
        #expect(try diffJSON(["1", "2", "--ulps", "1000"]).status == 1)
        let both = try CLI.run(["diff", "1", "2", "--db", db, "--ulps", "3", "--rtol", "1e-6"])
        #expect(both.status == 2)
        #expect(both.stderr.contains("--ulps is an alternative to --atol/--rtol"))
    }

    @Test func latestReferencesWork() throws {
        try record(seed)
        try record(seed)
        let (status, object) = try diffJSON(["latest~1", "latest"])
        #expect(status == 0)
        #expect((object["a"] as? [String: Any])?["run"] as? Int == 1)
        #expect((object["b"] as? [String: Any])?["run"] as? Int == 2)
    }

    @Test func runInAnotherFileAgreesWithItsCopy() throws {
        let other = dir.path("other.db")
        try record(seed, ["--set", "x=0.5"])  // run 1 in g.db differs from run 2
        try record(seed)
        try record(seed, db: other)
        let result = try CLI.run(["diff", "2", "1", "--db", db, "--db-b", other])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("runs 2 and 1 (A in \(db), B in \(other)), aligned by node: they agree"))
        #expect(try CLI.run(["diff", "1", "1", "--db", db, "--db-b", other]).status == 1)
    }

    /// Another input: the difference is born at the input itself; every node downstream differs.
    @Test func changedInputIsTheBirth() throws {
        try record(seed)
        try record(seed, ["--set", "x=2"])
        let (status, object) = try diffJSON(["1", "2", "--limit", "0"])
        #expect(status == 1)
        let birth = try #require(firstValueDivergence(object))
        #expect(birth["name"] as? String == "x")
        #expect(birth["op"] as? String == "input")
        let inputs = try #require(object["inputs"] as? [[String: Any]])
        #expect(inputs.count == 1)
        #expect(inputs.first?["name"] as? String == "x")
        #expect(inputs.first?["a"] as? Double == 3 && inputs.first?["b"] as? Double == 2)
    }

    /// A changed formula deep in the graph: the difference is born at `xpy`, and every node
    /// after it on the way to the output differs too, which is why "first that differs" would not do.
    @Test func changedOpDeepInTheGraphIsTheBirth() throws {
        let variant = try seedVariant("sub.grad", replacing: "xpy = x + y", with: "xpy = x - y")
        try record(seed)
        try record(variant)
        let (status, object) = try diffJSON(["1", "2", "--limit", "0"])
        #expect(status == 1)
        let birth = try #require(firstValueDivergence(object))
        #expect(birth["name"] as? String == "xpy")
        #expect(birth["a"] as? Double == -1 && birth["b"] as? Double == 7)
        let nodes = try #require(object["nodes"] as? [[String: Any]])
        let valueDiffers = nodes.filter { ($0["value_abs_diff"] as? Double ?? 0) != 0 }.compactMap { $0["name"] as? String }
        #expect(valueDiffers == ["xpy", "xpysqr", "den", "invden", "f"])
        let xpy = try #require(nodes.first { $0["name"] as? String == "xpy" })
        #expect(xpy["change"] as? String == "op add -> sub")
    }

    /// -0.0 and 0.0 agree unless --strict-zero; a NaN agrees with the same NaN, not a number.
    @Test func zerosAndNaNs() throws {
        try record(seed, ["--set", "x=0"])
        try record(seed, ["--set", "x=-0.0"])
        try record(seed, ["--set", "x=nan"])
        try record(seed, ["--set", "x=nan"])
        #expect(try diffJSON(["1", "2"]).status == 0)
        let (strictStatus, strict) = try diffJSON(["1", "2", "--strict-zero"])
        #expect(strictStatus == 1)
        #expect(firstValueDivergence(strict)?["name"] as? String == "x")
        #expect(try diffJSON(["3", "4"]).status == 0)
        let (nanStatus, nan) = try diffJSON(["1", "3", "--rtol", "1"])
        #expect(nanStatus == 1)
        #expect(firstValueDivergence(nan)?["b"] as? String == "NaN")
    }

    @Test func csvListsTheNodes() throws {
        try record(seed)
        try record(seed, ["--set", "y=-3"])
        let result = try CLI.run(["diff", "1", "2", "--db", db, "--format", "csv", "--limit", "2"])
        #expect(result.status == 1)
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.first == "id_a,id_b,name,op,line,status,value_a,value_b,value_abs_diff,value_rel_diff,value_ulps,grad_a,grad_b,grad_abs_diff,grad_rel_diff,grad_ulps,change")
        #expect(lines.count == 3)
    }
}
