import Foundation
import Testing

/// `gradlog explain` through the real CLI on real files: the numbers it prints are the stored
/// ones (read back through `gradlog query` and the stock sqlite3 shell), and its sum is the
/// stored adjoint.
@Suite struct ExplainTests {
    /// The one number at the end of `text` after its last " = ", before any "(...)" note.
    static func lastNumber(_ line: Substring) -> Double? {
        let text = line.components(separatedBy: "   (").first ?? String(line)
        return text.components(separatedBy: " = ").last.flatMap { Double($0.trimmingCharacters(in: .whitespaces)) }
    }

    static func line(_ text: String, startingWith prefix: String) throws -> Substring {
        try #require(text.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix(prefix) }, "no line '\(prefix)' in\n\(text)")
    }

    /// The issue's example: d(f)/d(den) = d(f)/d(invden) × d(invden)/d(den), with invden = 1/den.
    @Test func seedDenIsTheChainRuleWithTheStoredNumbers() throws {
        let log = try RecordedLog()
        try log.record()
        let result = try log.run("explain", ["latest", "den"])
        #expect(result.status == 0, "\(result.stderr)")
        let text = result.stdout
        // CSV, not JSON: Foundation's JSON parser on Linux may miss the last bit of a double.
        func stored(_ sql: String) throws -> Double {
            let result = try log.query([sql, "--format", "csv"])
            let value = result.stdout.split(separator: "\n").dropFirst().first.flatMap { Double($0) }
            return try #require(value, "\(sql): \(result.stdout) \(result.stderr)")
        }
        let invdenGrad = try stored("SELECT grad FROM nodes WHERE run_id = 1 AND name = 'invden'")
        let localGrad = try stored("SELECT e.local_grad FROM edges e JOIN nodes n ON n.run_id = e.run_id AND n.id = e.node_id WHERE e.run_id = 1 AND n.name = 'invden' AND e.slot = 1")
        let denGrad = try stored("SELECT grad FROM nodes WHERE run_id = 1 AND name = 'den'")
        let denValue = try stored("SELECT value FROM nodes WHERE run_id = 1 AND name = 'den'")
        #expect(denGrad == -0.7915934472725935)

        #expect(Self.lastNumber(try Self.line(text, startingWith: "d(f)/d(invden)")) == invdenGrad)
        let local = try Self.line(text, startingWith: "d(invden)/d(den)")
        #expect(local.contains("d(1/den)/d(den) = -1/den^2 = -1/\(denValue)^2 = -0.26229193647725"), "\(local)")
        #expect(Self.lastNumber(local) == localGrad)
        let product = try Self.line(text, startingWith: "product")
        #expect(product.contains("\(invdenGrad) × \(localGrad) = "))
        let expected: Double = invdenGrad * localGrad
        #expect(Self.lastNumber(product) == expected)
        #expect(Self.lastNumber(try Self.line(text, startingWith: "sum = ")) == denGrad)
        #expect(text.contains("the sum equals the stored adjoint -0.7915934472725935, bit for bit"))
        // The stock shell sees the same adjoint, all 17 digits.
        #expect(Double(try SQLiteShell.run(log.db, "SELECT printf('%!.17g', grad) FROM nodes WHERE run_id = 1 AND name = 'den'")) == denGrad)
    }

    @Test func seedDenAsJSONAndMarkdown() throws {
        let log = try RecordedLog()
        try log.record()
        let json = try log.run("explain", ["latest", "#18", "--format", "json"])
        #expect(json.status == 0, "\(json.stderr)")
        let object = try #require(try parseJSON(json.stdout) as? [String: Any])
        #expect(object["node"] as? String == "den")
        #expect(object["equals"] as? Bool == true)
        let terms = try #require(object["terms"] as? [[String: Any]])
        #expect(terms.count == 1)
        let term = try #require(terms.first)
        #expect(term["consumer"] as? String == "invden")
        #expect(term["op"] as? String == "div")
        #expect(term["slot"] as? Int == 1)
        #expect(term["formula"] as? String == "-1/den^2")
        #expect(term["substituted"] as? String == "-1/1.9525741268224333^2")
        // The numbers as written (Foundation's parser on Linux may miss a double's last bit).
        for field in ["\"adjoint\":-0.7915934472725935", "\"sum\":-0.7915934472725935", "\"consumer_adjoint\":3.0179862099620918",
                      "\"local_grad\":-0.26229193647725", "\"product\":-0.7915934472725935"] {
            #expect(json.stdout.contains(field), "\(field)")
        }

        let markdown = try log.run("explain", ["latest", "den", "--format", "markdown"])
        #expect(markdown.status == 0)
        #expect(markdown.stdout.contains("| consumer | op | input | d(f)/d(C) | d(C)/d(den) | formula | product |"))
        #expect(markdown.stdout.contains("| invden = 1/den | div | 1 | 3.0179862099620918 | -0.26229193647725 | `-1/den^2 = -1/1.9525741268224333^2` | -0.7915934472725935 |"))
    }

    /// x feeds three nodes; their terms add up, in the backward pass's order, to x's adjoint.
    /// A huge --depth ends (each node once) and every unfolded adjoint checks out too.
    @Test func severalConsumersAndAHugeDepth() throws {
        let log = try RecordedLog()
        try log.record()
        let result = try log.run("explain", ["latest", "x", "--depth", "1000000000", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try parseJSON(result.stdout) as? [String: Any])
        #expect((object["terms"] as? [Any])?.count == 3)
        #expect(result.stdout.contains("\"sum\":2.0595697955721652,\"equals\":true"))
        #expect(result.stdout.contains("\"adjoint\":2.0595697955721652"))
        var seen: [String] = []
        func walk(_ e: [String: Any]) {
            seen.append(e["node"] as? String ?? "?")
            #expect(e["equals"] as? Bool == true, "\(e["node"] ?? "?")")
            for u in e["unfolded"] as? [[String: Any]] ?? [] { walk(u) }
        }
        walk(object)
        #expect(seen.contains("f") && Set(seen).count == seen.count)
    }

    @Test func theOutputAndUnknownNodes() throws {
        let log = try RecordedLog()
        try log.record()
        let output = try log.run("explain", ["latest", "f"])
        #expect(output.status == 0)
        #expect(output.stdout.contains("f is the output: its adjoint d(f)/d(f) is 1 by definition"))
        let unknown = try log.run("explain", ["latest", "nope"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("run 1 has no node 'nope'"))
        #expect(try log.run("explain", ["latest", "#99"]).status == 2)
    }

    /// A stored adjoint changed behind gradlog's back: explain says the sum differs, and by how much.
    @Test func aChangedAdjointIsCalledOut() throws {
        let log = try RecordedLog()
        try log.record()
        _ = try SQLiteShell.run(log.db, "UPDATE run_node SET grad = -0.75 WHERE run_id = 1 AND id = 18")
        let result = try log.run("explain", ["latest", "den"])
        #expect(result.stdout.contains("the sum differs from the stored adjoint -0.75 by \(-0.7915934472725935 - -0.75)"), "\(result.stdout)")
    }

    /// A matmul stores contributions: explain shows shapes, statistics and dW = transpose(x) @ dh,
    /// and the contributions' sum is the stored adjoint, element for element.
    @Test func aTensorNode() throws {
        let log = try RecordedLog()
        try log.record(source: """
            input W = [[1, 2], [3, 4], [5, 6]]
            input x = [[0.5, -1, 2]]
            input b = [0.1, -0.2]
            h = x @ W
            z = tanh(h + b)
            loss = sum(z * z) + sum(W * W)
            """)
        let text = try log.run("explain", ["latest", "W"])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("d(loss)/d(W) in run 1: W (node 0, input, line 1, shape [3, 2])"))
        #expect(text.stdout.contains("formula      : d(W) = transpose(x) @ d(h)"))
        #expect(text.stdout.contains("d(W) = d(#8) * W"))
        #expect(text.stdout.contains("the sum equals the stored adjoint, all 6 elements bit for bit"))

        let json = try #require(try parseJSON(try log.run("explain", ["latest", "W", "--format", "json"]).stdout) as? [String: Any])
        #expect(json["equals"] as? Bool == true)
        let adjoint = try #require(json["adjoint"] as? [String: Any])
        #expect(adjoint["shape"] as? [Int] == [3, 2])
        let norm = try #require(try log.rows(["SELECT grad_norm FROM tensor_stats WHERE run_id = 1 AND name = 'W'"]).first?["grad_norm"] as? Double)
        #expect(adjoint["norm"] as? Double == norm)
        let terms = try #require(json["terms"] as? [[String: Any]])
        #expect(terms.map { $0["op"] as? String } == ["mul", "mul", "matmul"])

        let broadcast = try log.run("explain", ["latest", "b", "--format", "markdown"])
        #expect(broadcast.stdout.contains("`d(b) = d(#4) * 1, summed over the broadcast axes`"))
        #expect(broadcast.stdout.contains("all 2 elements bit for bit"))
    }

    @Test func helpListsExplain() throws {
        let help = try CLI.run(["--help"])
        #expect(help.stdout.contains("explain"))
    }
}
