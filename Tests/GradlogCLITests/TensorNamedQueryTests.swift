import Foundation
import Testing

/// The named queries on a recorded examples/moons.grad run (micrograd's MLP 2-16-16-1), each
/// number checked against the stored BLOBs decoded here, read with the stock sqlite3 shell.
@Suite struct TensorNamedQueryTests {
    static let moons = repositoryRoot.appendingPathComponent("examples/moons.grad").path

    /// The doubles of a BLOB column, read by the stock shell as hex and decoded here.
    static func elements(_ log: RecordedLog, _ sql: String) throws -> [Double] {
        let hex = Array(try SQLiteShell.run(log.db, "SELECT hex((\(sql)))").utf8)
        #expect(hex.count % 16 == 0)
        return stride(from: 0, to: hex.count, by: 16).map { start in
            var bits: UInt64 = 0
            for byte in 0..<8 {
                let text = String(decoding: hex[start + 2 * byte ..< start + 2 * byte + 2], as: UTF8.self)
                bits |= UInt64(text, radix: 16)! << (8 * UInt64(byte))
            }
            return Double(bitPattern: bits)
        }
    }

    static func norm(_ elements: [Double]) -> Double {
        elements.filter(\.isFinite).reduce(0) { $0 + $1 * $1 }.squareRoot()
    }

    static func number(_ any: Any?) -> Double? {
        (any as? NSNumber)?.doubleValue
    }

    static func close(_ a: Double?, _ b: Double, _ tolerance: Double = 1e-12) -> Bool {
        guard let a else { return false }
        return abs(a - b) <= tolerance * max(1, abs(b))
    }

    func moonsLog() throws -> RecordedLog {
        let log = try RecordedLog()
        let result = try CLI.run(["record", Self.moons, "--db", log.db])
        #expect(result.status == 0, "\(result.stderr)")
        return log
    }

    @Test func gradNormsAreTheNormsOfTheStoredAdjoints() throws {
        let log = try moonsLog()
        let rows = try log.rows(["grad-norms"])
        #expect(rows.map { $0["input"] as? String } == ["W1", "b1", "W2", "b2", "W3", "b3"])
        for row in rows {
            let name = try #require(row["input"] as? String)
            let grad = try Self.elements(log, "SELECT grad FROM nodes WHERE run_id = 1 AND name = '\(name)'")
            let value = try Self.elements(log, "SELECT value FROM nodes WHERE run_id = 1 AND name = '\(name)'")
            #expect(Self.close(Self.number(row["grad_norm"]), Self.norm(grad)), "\(name)")
            #expect(Self.close(Self.number(row["value_norm"]), Self.norm(value)), "\(name)")
            #expect(Self.number(row["grad_nonfinite"]) == 0)
        }
        #expect(rows.first?["shape"] as? String == "[2, 16]")
        // A second run of a scalar program: |grad| for a scalar input; :name filters.
        try log.record()
        let x = try log.rows(["grad-norms", "--param", "name=x"])
        #expect(x.count == 1 && x.first?["run_id"] as? Int == 2)
        #expect(Self.close(Self.number(x.first?["grad_norm"]), 2.0595697955721652))
        #expect(x.first?["shape"] is NSNull)
    }

    /// relu'(x) = 0 for x <= 0 and NaN: the zero local derivatives, counted in the stored d0
    /// BLOB, are the zero (and NaN) outputs counted by the query from the statistics.
    @Test func deadReluCountsTheZeroLocalDerivatives() throws {
        let log = try moonsLog()
        let rows = try log.rows(["dead-relu", "--param", "run=1"])
        #expect(rows.map { $0["id"] as? Int } == [10, 13, 20])
        #expect(rows.map { $0["name"] as? String } == ["h1", "h2", nil])
        for row in rows {
            let id = try #require(row["id"] as? Int)
            let value = try Self.elements(log, "SELECT value FROM nodes WHERE run_id = 1 AND id = \(id)")
            let derivative = try Self.elements(log, "SELECT d0 FROM run_node WHERE run_id = 1 AND id = \(id)")
            let zeros = value.filter { $0 == 0 || $0.isNaN }.count
            #expect(derivative.filter { $0 == 0 }.count == zeros)
            #expect(row["dead"] as? Int == zeros)
            #expect(row["numel"] as? Int == value.count)
            #expect(Self.number(row["dead_fraction"]) == Double(zeros) / Double(value.count))
        }
        #expect(rows.first?["dead"] as? Int == 641, "h1: 641 of 1600")
    }

    /// top-grads ranks by |grad| for a scalar and by the norm of the adjoint for a tensor.
    @Test func topGradsRanksTensorsByAdjointNorm() throws {
        let log = try moonsLog()
        let rows = try log.rows(["top-grads", "--param", "run=1", "--param", "limit=100"])
        var expected: [(id: Int, magnitude: Double)] = []
        let ids = try SQLiteShell.run(log.db, "SELECT id || ' ' || typeof(grad) FROM nodes WHERE run_id = 1 AND grad IS NOT NULL")
        for line in ids.split(separator: "\n") {
            let parts = line.split(separator: " ")
            let id = Int(parts[0])!
            if parts[1] == "blob" {
                expected.append((id, Self.norm(try Self.elements(log, "SELECT grad FROM nodes WHERE run_id = 1 AND id = \(id)"))))
            } else {
                expected.append((id, abs(Double(try SQLiteShell.run(log.db, "SELECT printf('%!.17g', grad) FROM nodes WHERE run_id = 1 AND id = \(id)"))!)))
            }
        }
        #expect(rows.count == expected.count, "every node with an adjoint (not the data X and y)")
        for (row, node) in zip(rows, expected.sorted { ($0.magnitude, -$0.id) > ($1.magnitude, -$1.id) }) {
            #expect(Self.close(Self.number(row["grad_norm"]), node.magnitude, 1e-9))
        }
        #expect(rows.first?["id"] as? Int == 22, "the constant 0.0001, adjoint 95.9")
        #expect(rows[1]["name"] as? String == "W1")
        #expect(rows[1]["shape"] as? String == "[2, 16]")
        #expect(rows[1]["grad"] is NSNull, "a tensor's adjoint is summarised, not printed as a BLOB")
    }

    /// log of a negative weight is born forward in `a`; the 1/x of a zero in the data is born
    /// backward in `b` (the adjoint of c = b / x is finite), and the counts are the elements'.
    @Test func nonfiniteUsesTheTensorCounts() throws {
        let log = try moonsLog()
        #expect(try log.rows(["nonfinite", "--param", "run=1"]).isEmpty, "moons is finite throughout")
        try log.record(source: "input W = [[1, -2], [3, 4]]\ndata x = [1, 0]\na = log(W)\nb = a * x\nc = b / x\nloss = sum(c)\n")
        let rows = try log.rows(["nonfinite", "--param", "run=2"])
        #expect(rows.map { $0["pass"] as? String } == ["forward", "backward"])
        #expect(rows.map { $0["name"] as? String } == ["a", "b"])
        let a = try Self.elements(log, "SELECT value FROM nodes WHERE run_id = 2 AND name = 'a'")
        let b = try Self.elements(log, "SELECT grad FROM nodes WHERE run_id = 2 AND name = 'b'")
        #expect(rows[0]["nonfinite"] as? Int == a.filter { !$0.isFinite }.count)
        #expect(rows[1]["nonfinite"] as? Int == b.filter { !$0.isFinite }.count)
        #expect(rows[1]["nonfinite"] as? Int == 2)
        #expect(rows[0]["shape"] as? String == "[2, 2]")
    }

    @Test func vanishingJudgesTensorEdgesByTheirLargestLocalDerivative() throws {
        let log = try moonsLog()
        let rows = try log.rows(["vanishing", "--param", "run=1"])
        // b1 * b1 with b1 = 0: both local derivatives are 0 everywhere; gt is cut by design.
        #expect(rows.map { $0["node_id"] as? Int } == [25, 25, 31, 31, 37, 37, 44, 44])
        #expect(rows.first?["shape"] as? String == "[16]")
        // The relus are only partly dead: not listed here (see dead-relu).
        #expect(!rows.contains { $0["op"] as? String == "relu" })
        let tanh = try log.rows(["vanishing", "--param", "run=1", "--param", "threshold=2"])
        let h1 = try #require(tanh.first { $0["node_id"] as? Int == 10 })
        let derivative = try Self.elements(log, "SELECT d0 FROM run_node WHERE run_id = 1 AND id = 10")
        #expect(Self.number(h1["local_grad"]) == derivative.map(abs).max())
    }

    @Test func nodeAndInputGradsSummariseTensors() throws {
        let log = try moonsLog()
        let node = try log.rows(["node", "--param", "name=h1"])
        #expect(node.first?["shape"] as? String == "[100, 16]")
        #expect(node.first?["value"] is NSNull)
        let value = try Self.elements(log, "SELECT value FROM nodes WHERE run_id = 1 AND name = 'h1'")
        #expect(Self.close(Self.number(node.first?["value_norm"]), Self.norm(value)))
        let loss = try log.rows(["node", "--param", "name=loss"])
        #expect(Self.close(Self.number(loss.first?["value"]), 0.8958441028683222))
        #expect(loss.first?["shape"] is NSNull)
        let inputs = try log.rows(["input-grads"])
        #expect(inputs.map { $0["shape"] as? String } == ["[2, 16]", "[16]", "[16, 16]", "[16]", "[16, 1]", "[1]"])
    }

    /// The question in one query, through the CLI: the largest |gradient| of W1.
    @Test func largestGradientOfW1InOneQuery() throws {
        let log = try moonsLog()
        let sql = """
            SELECT e.idx, e.i0, e.i1, e.grad FROM nodes n JOIN tensor_stats t USING (run_id, id),
            tensor_elements(n.value, n.grad, t.shape) e
            WHERE n.run_id = 1 AND n.name = 'W1' ORDER BY abs(e.grad) DESC LIMIT 5
            """
        let rows = try log.rows([sql])
        let grad = try Self.elements(log, "SELECT grad FROM nodes WHERE run_id = 1 AND name = 'W1'")
        let order = grad.indices.sorted { abs(grad[$0]) > abs(grad[$1]) }
        #expect(rows.map { $0["idx"] as? Int } == Array(order.prefix(5)))
        #expect(rows.map { $0["i0"] as? Int } == order.prefix(5).map { $0 / 16 })
        #expect(rows.map { $0["i1"] as? Int } == order.prefix(5).map { $0 % 16 })
        // Bit for bit: CSV, since Foundation's JSON reader may round the last digit.
        let csv = try log.query([sql, "--format", "csv"]).stdout.split(separator: "\n").dropFirst()
        #expect(csv.map { Double($0.split(separator: ",")[3]) } == order.prefix(5).map { grad[$0] })
    }
}

/// chain-rule on tensors: every element of every adjoint against the sum of its consumers'
/// contributions, broadcasting included.
extension TensorNamedQueryTests {
    @Test func chainRuleHoldsForEveryTensorElementOfMoons() throws {
        let log = try moonsLog()
        let rows = try log.rows(["chain-rule", "--param", "run=1"])
        #expect(rows.count == 45, "every node but the output")
        let notOK = rows.filter { $0["status"] as? String != "ok" }
        #expect(notOK.map { $0["name"] as? String } == ["X", "y"], "only the data, which has no adjoint")
        #expect(notOK.allSatisfy { $0["status"] as? String == "not checked" })
        // W1 feeds a matmul (a stored contribution) and W1 * W1 (two local derivatives); b1 is
        // broadcast over 100 rows; the constant 1 in `1 - y * score` over 100 elements.
        let w1 = try #require(rows.first { $0["name"] as? String == "W1" })
        #expect(w1["consumers"] as? Int == 3)
        #expect(w1["shape"] as? String == "[2, 16]")
        let one = try #require(rows.first { $0["id"] as? Int == 17 })
        let sum = try Self.elements(log, "SELECT grad FROM nodes WHERE run_id = 1 AND id = 19").reduce(0, +)
        #expect(Self.close(Self.number(one["sum_of_contributions"]), sum))
    }

    @Test func chainRuleFindsATamperedTensorElement() throws {
        let log = try moonsLog()
        // b1's adjoint, element 1 set to 1.0 (bytes 8..15 of the BLOB).
        let update = try log.query(["""
            UPDATE run_node SET grad = CAST(substr(grad, 1, 8) || x'000000000000F03F' || substr(grad, 17) AS BLOB)
            WHERE run_id = 1 AND id = 3
            """, "--write"])
        #expect(update.status == 0, "\(update.stderr)")
        let rows = try log.rows(["chain-rule", "--param", "run=1"])
        #expect(rows.first?["name"] as? String == "b1")
        #expect(rows.first?["status"] as? String == "MISMATCH")
        #expect(rows.filter { $0["status"] as? String == "MISMATCH" }.count == 1)
    }

    @Test func chainRuleSaysWhatItCannotCheckOnTensors() throws {
        let values = try RecordedLog()
        #expect(try CLI.run(["record", Self.moons, "--db", values.db, "--capture", "values"]).status == 0)
        let rows = try values.rows(["chain-rule", "--param", "run=1"])
        // No local derivative or contribution was kept: W1's consumers (matmul, W1 * W1) cannot
        // be redone; the matmul #8 feeds an add, whose local derivative 1 is the op's own.
        #expect(rows.first { $0["name"] as? String == "W1" }?["status"] as? String == "not checked")
        #expect(rows.first { $0["name"] as? String == "h1" }?["status"] as? String == "not checked")
        #expect(rows.first { $0["id"] as? Int == 8 }?["status"] as? String == "ok")
        #expect(!rows.contains { $0["status"] as? String == "MISMATCH" })
    }
}

extension TensorNamedQueryTests {
    /// b1 gets its adjoint from `X @ W1 + b1` (broadcast over 100 rows: summed over them) and
    /// from b1 * b1, which passes 0 back (b1 = 0): the add's contribution is b1's whole adjoint.
    @Test func contributionsReduceOverBroadcastAxes() throws {
        let log = try moonsLog()
        let rows = try log.rows(["contributions", "--param", "run=1", "--param", "name=b1"])
        #expect(rows.map { $0["consumer_id"] as? Int } == [9, 25, 25])
        #expect(rows.map { $0["shape"] as? String } == ["[16]", "[16]", "[16]"])
        let grad = try Self.elements(log, "SELECT grad FROM nodes WHERE run_id = 1 AND name = 'b1'")
        #expect(Self.close(Self.number(rows[0]["contribution_norm"]), Self.norm(grad)))
        #expect(Self.number(rows[1]["contribution_norm"]) == 0)
        // W1: the matmul's stored contribution, then 2 x 0.0001 x W1 from W1 * W1 (one per slot).
        let w1 = try log.rows(["contributions", "--param", "run=1", "--param", "name=W1"])
        let contribution = try Self.elements(log, "SELECT d1 FROM run_node WHERE run_id = 1 AND id = 8")
        let value = try Self.elements(log, "SELECT value FROM nodes WHERE run_id = 1 AND name = 'W1'")
        #expect(w1.map { $0["op"] as? String } == ["matmul", "mul", "mul"])
        #expect(Self.close(Self.number(w1[0]["contribution_norm"]), Self.norm(contribution)))
        #expect(Self.close(Self.number(w1[1]["contribution_norm"]), 0.0001 * Self.norm(value)))
    }
}

extension TensorNamedQueryTests {
    /// A scalar input broadcast into a tensor op gets the sum over the elements (w: 1 + 2 + 3
    /// + 4 = 10, over 16); the constant 16 feeds only data-derived x, which passes nothing back.
    @Test func chainRuleOnAScalarFedByTensors() throws {
        let log = try RecordedLog()
        try log.record(source: "data X = [[1, 2], [3, 4]]\ninput w = 2\nx = X / 16\nloss = sum(x * w)\n")
        let rows = try log.rows(["chain-rule", "--param", "run=1"])
        let w = try #require(rows.first { $0["name"] as? String == "w" })
        #expect(w["status"] as? String == "ok")
        #expect(Self.number(w["sum_of_contributions"]) == 0.625)
        #expect(rows.first { $0["op"] as? String == "const" }?["status"] as? String == "ok")
        #expect(rows.filter { $0["status"] as? String == "not checked" }.map { $0["name"] as? String } == ["X", "x"])
    }
}

extension TensorNamedQueryTests {
    /// Five axes, and b [2, 1, 2] broadcast into [2, 2, 2, 1, 2]: every element checked.
    @Test func chainRuleBeyondFourAxes() throws {
        let log = try RecordedLog()
        try log.record(source: """
            input v = uniform(-1, 1, [16])
            input b = uniform(-1, 1, [2, 1, 2])
            t = reshape(v, [2, 2, 2, 1, 2])
            u = t + b
            loss = sum(u * u)

            """)
        let rows = try log.rows(["chain-rule", "--param", "run=1"])
        #expect(rows.count == 5)
        #expect(rows.allSatisfy { $0["status"] as? String == "ok" }, "\(rows)")
        // Tampered: b's element 3 doubled.
        let update = try log.query(["""
            UPDATE run_node SET grad = CAST(substr(grad, 1, 24) || x'0000000000000040' AS BLOB) WHERE run_id = 1 AND id = 1
            """, "--write"])
        #expect(update.status == 0, "\(update.stderr)")
        let tampered = try log.rows(["chain-rule", "--param", "run=1"])
        #expect(tampered.filter { $0["status"] as? String == "MISMATCH" }.map { $0["name"] as? String } == ["b"])
    }
}
