import Foundation
import Testing

/// `gradlog query` through the real binary: ad hoc SQL, parameters, output, read-only safety.
@Suite struct QueryCommandTests {
    /// Done when: the first example returns invden's value and adjoint.
    @Test func invdenByParameter() throws {
        let log = try RecordedLog()
        try log.record()
        let result = try log.query([
            "SELECT name, value, grad FROM nodes WHERE run_id = :run AND name = 'invden'",
            "--param", "run=1", "--format", "json",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        // Compared as text: the doubles print in shortest round-trip form, bit for bit (and
        // Foundation's JSON parser on Linux does not read them back exactly).
        #expect(result.stdout == "[\n{\"name\":\"invden\",\"value\":0.5121444488396316,\"grad\":3.0179862099620918}\n]\n")
    }

    @Test func writeOptsIn() throws {
        let log = try RecordedLog()
        try log.record()
        let result = try log.query(["UPDATE run SET name = :name WHERE id = :run", "--param", "name=baseline", "--param", "run=1", "--write"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("1 row changed"))
        #expect(try log.rows(["SELECT name FROM runs"]).first?["name"] as? String == "baseline")
    }

    @Test func parametersBindAsNumbersOrTextNeverAsSQL() throws {
        let log = try RecordedLog()
        try log.record()
        let typed = try log.rows(["SELECT typeof(:a) AS a, typeof(:b) AS b, typeof(:c) AS c, :c AS text",
                                  "--param", "a=3", "--param", "b=-0.0015", "--param", "c=x' OR '1'='1"])
        #expect(typed.first?["a"] as? String == "integer")
        #expect(typed.first?["b"] as? String == "real")
        #expect(typed.first?["c"] as? String == "text")
        #expect(typed.first?["text"] as? String == "x' OR '1'='1")
        let injected = try log.rows(["SELECT name FROM nodes WHERE name = :name", "--param", "name=x' OR '1'='1"])
        #expect(injected.isEmpty)
        // run takes a run reference.
        let latest = try log.rows(["SELECT :run AS id", "--param", "run=latest"])
        #expect(latest.first?["id"] as? Int == 1)
    }

    @Test func floatsPrintAsShowPrintsThem() throws {
        let log = try RecordedLog()
        try log.record(["--set", "x=nan"])
        let sql = "SELECT -0.0 AS z, 9e999 AS i, 1e-9 AS s, 0.1 AS d, NULL AS e, x'0AFF' AS b, 7 AS n"
        let json = try log.query([sql, "--format", "json"])
        #expect(json.stdout == "[\n{\"z\":-0.0,\"i\":\"Infinity\",\"s\":1e-09,\"d\":0.1,\"e\":null,\"b\":\"x'0AFF'\",\"n\":7}\n]\n")
        let csv = try log.query([sql, "--format", "csv"])
        #expect(csv.stdout == "z,i,s,d,e,b,n\n-0.0,Infinity,1e-09,0.1,,x'0AFF',7\n")
        let jsonl = try log.query(["SELECT id FROM nodes WHERE run_id = 1 AND id < 2 ORDER BY id", "--format", "jsonl"])
        #expect(jsonl.stdout == "{\"id\":0}\n{\"id\":1}\n")
        // A stored NaN prints as show prints it, whatever its bits; quote() shows the spelling.
        let nan = try log.rows(["SELECT value FROM inputs WHERE name = 'x'"])
        #expect(nan.first?["value"] as? String == "NaN")
        let negative = try log.query(["SELECT '-NaN' AS v, quote('-NaN') AS q, 'Ada' AS t", "--format", "csv"])
        #expect(negative.stdout == "v,q,t\nNaN,'-NaN',Ada\n")
    }

    @Test func listShowsEveryNamedQueryWithItsParameters() throws {
        let table = try CLI.run(["query", "--list"])
        #expect(table.status == 0)
        for name in ["node", "top-grads", "nonfinite", "chain-rule", "input-grads", "contributions", "vanishing", "run-health", "grad-norms", "dead-relu"] {
            #expect(table.stdout.contains(name + " "), "--list shows \(name)")
        }
        #expect(table.stdout.contains(":limit = 10"))
        let queries = try #require(try parseJSON(try CLI.run(["query", "--list", "--format", "json"]).stdout) as? [[String: Any]])
        let topGrads = try #require(queries.first { $0["name"] as? String == "top-grads" })
        let parameters = try #require(topGrads["parameters"] as? [[String: Any]])
        #expect(parameters.map { $0["name"] as? String } == ["run", "limit"])
        #expect(parameters.last?["default"] as? Int == 10)
    }

    /// '007' stays the text '007': it matches the tag value '007' and not the integer 7.
    @Test func parametersAreTypedOnlyWhenNoTextIsLost() throws {
        let log = try RecordedLog()
        try log.record(["--tag", "v=007"])
        try log.record(["--tag", "v=7"])
        let sql = "SELECT run_id FROM tags WHERE key = 'v' AND value = :v"
        #expect(try log.rows([sql, "--param", "v=007"]).map { $0["run_id"] as? Int } == [1])
        let typed = try log.rows(["SELECT typeof(:a) AS a, typeof(:b) AS b, typeof(:c) AS c, typeof(:d) AS d, typeof(:e) AS e, :e AS ev",
                                  "--param", "a=7", "--param", "b=1e-6", "--param", "c=1e3", "--param", "d:text=7", "--param", "e:real=1e3"])
        #expect(typed.first?["a"] as? String == "integer")
        #expect(typed.first?["b"] as? String == "real")
        #expect(typed.first?["c"] as? String == "text")
        #expect(typed.first?["d"] as? String == "text")
        #expect(typed.first?["e"] as? String == "real")
        #expect(typed.first?["ev"] as? Double == 1000)
    }

    /// `:run` takes a run reference as text, as `show` does: 1e3 is the run named 1e3.
    @Test func runParametersAreRunReferencesAsTyped() throws {
        let log = try RecordedLog()
        try log.record()
        try log.record(["--name", "1e3"])
        #expect(try log.rows(["SELECT :run AS run", "--param", "run=1e3"]).first?["run"] as? Int == 2)
        #expect(try log.run("show", ["1e3"]).status == 0)
    }

    @Test func repeatedColumnNamesGetSuffixesInJSON() throws {
        let log = try RecordedLog()
        try log.record()
        let result = try log.query(["SELECT 1 AS a, 2 AS a, 3 AS a", "--format", "json"])
        #expect(result.stdout == "[\n{\"a\":1,\"a:1\":2,\"a:2\":3}\n]\n")
        let lines = try log.query(["SELECT 1 AS a, 2 AS a", "--format", "jsonl"])
        #expect(lines.stdout == "{\"a\":1,\"a:1\":2}\n")
        #expect(try log.query(["SELECT 1 AS a, 2 AS a", "--format", "csv"]).stdout == "a,a\n1,2\n")
    }
}
