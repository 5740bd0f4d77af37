import Foundation
import Testing
@testable import GradlogStore

/// The named queries as another SQLite client runs them (Datasette's canned queries): on a
/// connection without gradlog's functions, every parameter bound as text, an empty one for
/// "not given". They answer what `gradlog query NAME` answers.
@Suite struct NamedQueryPortableTests {
    @Test func whichQueriesNeedGradlogsFunctions() throws {
        let needs = Dictionary(uniqueKeysWithValues: try NamedQuery.all().map { ($0.name, $0.gradlogOnlyFunctions) })
        #expect(needs == [
            "chain-rule": ["ulps", "tensor_elements"], "contributions": ["tensor_elements"], "vanishing": ["tensor_elements"],
            "dead-relu": [], "grad-norms": [], "input-grads": [], "node": [], "nonfinite": [], "run-health": [], "top-grads": [],
        ])
    }

    @Test func parametersAreReplacedOutsideStringsAndComments() {
        let tokens = NamedQuery.tokens("SELECT f(':x') -- :y\n, \":z\", g (a), :w FROM t /* h(:v) */")
        #expect(tokens == [
            .text("SELECT "), .call("f"), .text("(':x') -- :y\n, \":z\", "), .call("g"), .text(" (a), "),
            .parameter("w"), .text(" FROM t /* h(:v) */"),
        ])
    }

    /// (query, parameters as Datasette passes them, the same for gradlog query)
    static let cases: [(String, [String: String], [String: SQLValue])] = [
        ("top-grads", ["run": "latest", "limit": ""], ["run": .text("latest")]),
        ("top-grads", ["run": "probe", "limit": "3"], ["run": .text("probe"), "limit": .integer(3)]),
        ("top-grads", ["run": "latest~2", "limit": ""], ["run": .text("latest~2")]),
        ("top-grads", ["run": "1", "limit": ""], ["run": .integer(1)]),
        ("node", ["name": "f", "run": ""], ["name": .text("f")]),
        ("node", ["name": "f", "run": "latest~1"], ["name": .text("f"), "run": .text("latest~1")]),
        ("run-health", ["run": ""], [:]),
        ("input-grads", ["name": ""], [:]),
        ("grad-norms", ["name": "x"], ["name": .text("x")]),
        ("nonfinite", ["run": "latest"], ["run": .text("latest")]),
        ("dead-relu", ["run": "probe"], ["run": .text("probe")]),
        // A reference to no run finds nothing, as it would in any client (gradlog says why).
        ("top-grads", ["run": "nosuch", "limit": ""], [:]),
    ]

    @Test func portableQueriesAnswerAsGradlogDoes() throws {
        let scratch = try ScratchLog()
        let program = try Program(source: "input x = 3\ninput y = -4\nf = relu(x * y) + (x + sigmoid(y)) / (sigmoid(x) + (x + y) ^ 2)\n")
        _ = try scratch.log.record(program.computation, program: program, name: "probe")
        _ = try scratch.log.record(try program.computation(setting: ["x": 2]), program: program)
        let nan = try Program(source: "input a = 0\nn = log(a - 1)\nf = n * 2 + a\n")
        _ = try scratch.log.record(nan.computation, program: nan)
        // Another client: a plain connection, without gradlog's SQL functions.
        let plain = try Database(path: scratch.log.path, mode: .readOnly)
        for (name, text, typed) in Self.cases {
            let query = try NamedQuery.named(name)
            var expected: [[SQLValue]] = []
            if name != "top-grads" || text["run"] != "nosuch" {
                let cursor = try scratch.log.query(query, parameters: typed)
                while let row = try cursor.next() { expected.append(row) }
                #expect(!expected.isEmpty, "\(name) \(text) finds rows")
            }
            let statement = try plain.prepare(query.portableSQL)
            for (index, parameter) in statement.parameterNames.enumerated() {
                try statement.bind(Int32(index + 1), .text(text[parameter!]!))
            }
            var rows: [[SQLValue]] = []
            while try statement.step() { rows.append((0..<statement.columnCount).map { statement.value($0) }) }
            #expect(rows == expected, "\(name) \(text)")
        }
    }
}
