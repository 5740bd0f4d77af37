@testable import GradlogStore
import Testing

/// The headers of queries/*.sql, and how text becomes a query name or a parameter value.
@Suite struct NamedQueryHeaderTests {
    @Test func theShippedQueriesAreThere() throws {
        let names = Set(try NamedQuery.all().map(\.name))
        #expect(names.isSuperset(of: ["node", "top-grads", "nonfinite", "chain-rule", "input-grads"]))
        #expect(names.count >= 7)
    }

    /// The header declares exactly the parameters the SQL uses, and the SQL compiles.
    @Test func everyHeaderMatchesItsStatement() throws {
        let scratch = try ScratchLog()
        for query in try NamedQuery.all() {
            #expect(!query.summary.isEmpty && !query.summary.contains("\n"), "\(query.name): one-line description")
            let statement = try scratch.log.database.prepare(query.sql)
            #expect(statement.isReadOnly, "\(query.name) must only read")
            let used = Set(statement.parameterNames.compactMap { $0 })
            #expect(used == Set(query.parameters.map(\.name)), "\(query.name): declared vs used parameters")
            #expect(!statement.parameterNames.contains(nil), "\(query.name) has a bare ?")
        }
    }

    @Test func headerSyntax() throws {
        let query = try NamedQuery(name: "demo", sql: """
            -- description: A demo.
            -- param :run              the run
            -- param :limit = 10       how many
            -- param :name = NULL      a name, or every name
            -- param :label = 'a b'    a label
            -- a note, not a parameter
            SELECT :run, :limit, :name, :label;
            """)
        #expect(query.summary == "A demo.")
        #expect(query.parameters == [
            .init(name: "run", defaultValue: nil, summary: "the run"),
            .init(name: "limit", defaultValue: .integer(10), summary: "how many"),
            .init(name: "name", defaultValue: .null, summary: "a name, or every name"),
            .init(name: "label", defaultValue: .text("a b"), summary: "a label"),
        ])
        #expect(throws: QueryError.self) { try NamedQuery(name: "bad", sql: "-- param :run the run\nSELECT :run") }
        #expect(throws: QueryError.self) { try NamedQuery(name: "bad", sql: "-- description: x\n-- param run the run\nSELECT 1") }
    }

    @Test(arguments: [
        ("top-grads", true), ("chain_rule", true), ("VACUUM", false), ("select", false),
        ("SELECT 1", false), ("nodes;", false), ("", false),
    ])
    func nameOrSQL(_ text: String, _ isName: Bool) {
        #expect(NamedQuery.isName(text) == isName)
    }

    @Test(arguments: [
        ("3", SQLValue.integer(3)), ("-12", .integer(-12)), ("1.5", .real(1.5)), ("-0.002", .real(-2e-3)),
        ("1e-06", .real(1e-6)), ("1e-6", .real(1e-6)), ("1e+20", .real(1e20)), ("1e20", .real(1e20)),
        ("-0.0", .real(-0.0)), ("1.0", .real(1)), ("1000.0", .real(1000)),
        // Not the canonical spelling of a number: kept as typed.
        ("007", .text("007")), ("+7", .text("+7")), ("-0", .text("-0")), ("1e3", .text("1e3")), ("-2e-3", .text("-2e-3")),
        (".5", .text(".5")), ("1.50", .text("1.50")), ("1e999", .text("1e999")), ("9223372036854775808", .text("9223372036854775808")),
        ("nan", .text("nan")), ("inf", .text("inf")), ("x1", .text("x1")), ("", .text("")), ("3 OR 1=1", .text("3 OR 1=1")),
    ])
    func parameterTyping(_ text: String, _ expected: SQLValue) {
        #expect(SQLValue(argument: text) == expected)
    }
}
