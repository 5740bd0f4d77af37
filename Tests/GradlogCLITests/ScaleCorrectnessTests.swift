import Foundation
import Testing

/// The benchmark's graph (bench/gen_chain.py), recorded through the real CLI and held against
/// forward-mode dual numbers: a different algorithm (tangents pushed forward, not adjoints
/// pulled back) that shares no code with gradlog.
@Suite struct ScaleCorrectnessTests {
    /// v_i cycles by (i - 2) mod 3 through v_{i-1} * v_{i/2}, v_{i-1} + v_{i/2}, tanh(v_{i-1}).
    static func program(_ n: Int) -> String {
        var text = "input x = 0.5\ninput y = -0.3\n"
        func name(_ i: Int) -> String { i == 0 ? "x" : i == 1 ? "y" : "v\(i)" }
        for i in 2..<n {
            switch (i - 2) % 3 {
            case 0: text += "v\(i) = \(name(i - 1)) * \(name(i / 2))\n"
            case 1: text += "v\(i) = \(name(i - 1)) + \(name(i / 2))\n"
            default: text += "v\(i) = tanh(\(name(i - 1)))\n"
            }
        }
        return text
    }

    /// The output and d(output)/dy by forward mode: each node carries (value, d value / dy).
    static func reference(_ n: Int) -> (value: Double, dy: Double) {
        var value = [0.5, -0.3], tangent = [0.0, 1.0]
        for i in 2..<n {
            let a = i - 1, b = i / 2
            switch (i - 2) % 3 {
            case 0:
                value.append(value[a] * value[b])
                tangent.append(tangent[a] * value[b] + value[a] * tangent[b])
            case 1:
                value.append(value[a] + value[b])
                tangent.append(tangent[a] + tangent[b])
            default:
                let t = tanh(value[a])
                value.append(t)
                tangent.append((1 - t * t) * tangent[a])
            }
        }
        return (value[n - 1], tangent[n - 1])
    }

    @Test func benchmarkGraphMatchesForwardMode() throws {
        let n = 30_000
        let dir = try TemporaryDirectory()
        let path = try dir.write("chain.grad", Self.program(n))
        let result = try CLI.run(["record", path, "--db", dir.path("g.db"), "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try parseJSON(result.stdout) as? [String: Any])
        let output = try #require(object["output"] as? [String: Any])
        let inputs = try #require(object["inputs"] as? [[String: Any]])
        let expected = Self.reference(n)
        #expect(output["name"] as? String == "v\(n - 1)")
        #expect(output["value"] as? Double == expected.value, "the forward pass is the same arithmetic")
        let dy = try #require(inputs.first { $0["name"] as? String == "y" }?["grad"] as? Double)
        #expect(abs(dy - expected.dy) <= 1e-12 * max(1, abs(expected.dy)), "reverse \(dy) vs forward \(expected.dy)")
    }
}
