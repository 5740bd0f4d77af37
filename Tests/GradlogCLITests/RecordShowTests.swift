import Foundation
import Testing

/// The seed program through the real CLI: the published CS231n figures.
@Suite struct RecordShowTests {
    let seed = repositoryRoot.appendingPathComponent("examples/cs231n.grad").path

    /// Values and adjoints of the named nodes, from CS231n's staged backprop example.
    static let expectedAdjoints: [String: Double] = [
        "num": 0.5121444488396316, "invden": 3.0179862099620918, "den": -0.7915934472725935,
        "sigx": -0.7915934472725935, "xpysqr": -0.7915934472725935, "xpy": 1.583186894545187,
        "sigy": 0.5121444488396316, "x": 2.0595697955721652, "y": 1.5922327514838093, "f": 1,
    ]

    @Test func seedRecordsAndShowsThePublishedGradients() throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("g.db")
        let record = try CLI.run(["record", seed, "--db", db, "--format", "json"])
        #expect(record.status == 0, "\(record.stderr)")
        let recorded = try #require(try parseJSON(record.stdout) as? [String: Any])
        #expect(recorded["run_id"] as? Int == 1)
        let output = try #require(recorded["output"] as? [String: Any])
        #expect(output["name"] as? String == "f")
        #expect(abs(try #require(output["value"] as? Double) - 1.5456448841066441) <= 1e-12)

        let show = try CLI.run(["show", "latest", "--db", db, "--format", "json"])
        #expect(show.status == 0, "\(show.stderr)")
        let nodes = try #require(try parseJSON(show.stdout) as? [[String: Any]])
        var seen: Set<String> = []
        for node in nodes {
            guard let name = node["name"] as? String, let expected = Self.expectedAdjoints[name] else { continue }
            let grad = try #require(node["grad"] as? Double)
            #expect(abs(grad - expected) <= 1e-12, "adjoint of \(name)")
            seen.insert(name)
        }
        #expect(seen == Set(Self.expectedAdjoints.keys))
    }

    @Test func setGivesTheAnalyticGradient() throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("g.db")
        let (x, y) = (1.25, 0.5)
        let result = try CLI.run(["record", seed, "--db", db, "--set", "x=\(x)", "--set", "y=\(y)", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try parseJSON(result.stdout) as? [String: Any])
        let inputs = try #require(object["inputs"] as? [[String: Any]])
        // Hand-derived: f = N / D with N = x + s(y), D = s(x) + (x + y)^2, s' = s(1 - s).
        func s(_ t: Double) -> Double { 1 / (1 + exp(-t)) }
        let n = x + s(y), d = s(x) + (x + y) * (x + y)
        let dfdx = (1 * d - n * (s(x) * (1 - s(x)) + 2 * (x + y))) / (d * d)
        let dfdy = (s(y) * (1 - s(y)) * d - n * 2 * (x + y)) / (d * d)
        #expect(abs((inputs[0]["grad"] as? Double ?? .nan) - dfdx) <= 1e-12)
        #expect(abs((inputs[1]["grad"] as? Double ?? .nan) - dfdy) <= 1e-12)
    }
}
