import Foundation
import Testing

/// `gradlog graph` of tensor runs: shapes and norms in the boxes and on the edges, and
/// `--diff` judging tensors element by element.
extension GraphTests {
    static let uniformProgram = """
        data X = [[1, 2], [3, -4], [0.5, 6]]
        input W = uniform(-1, 1, [2, 3])
        h = relu(X @ W)
        loss = sum(h * h)

        """

    @Test func moonsGraphShowsShapesAndNorms() throws {
        let moons = repositoryRoot.appendingPathComponent("examples/moons.grad").path
        #expect(try CLI.run(["record", moons, "--db", log.db]).status == 0)
        let result = try graph(["1"])
        #expect(result.status == 0, "\(result.stderr)")
        let dot = result.stdout
        #expect(dot.contains("[100, 16]"))
        // W1: shape, value and adjoint norms (tensor_stats: 3.1552362238023974, 1.6793826829451666).
        #expect(dot.contains(#"n2 [label="W1  (input)\n[2, 16]\nvalue norm 3.15524\ngrad norm 1.67938", style="rounded"];"#))
        // Data has no adjoint; a scalar node keeps its value and adjoint.
        #expect(dot.contains(#"n0 [label="X  (data)\n[100, 2]\nvalue norm 11.5226", style="rounded"];"#))
        #expect(dot.contains(#"n21 [label="data_loss  (mean)\nvalue 0.886251\ngrad 1", style="rounded"];"#))
        // matmul stores W1's contribution (its adjoint, W1 having one consumer in the layer);
        // relu stores its local derivative, 1 on 959 of 1600 elements: norm sqrt(959).
        #expect(dot.contains(#"n2 -> n8 [label="contribution [2, 16] norm 1.67938"];"#))
        #expect(dot.contains(#"n9 -> n10 [label="[100, 16] norm \#(String(format: "%.6g", 959.0.squareRoot()))"];"#))
        #expect(!dot.contains("value null"))
        let svg = try render(dot)
        #expect(svg.contains("[100, 16]"))
    }

    @Test func tensorDiffComparesElements() throws {
        for arguments in [["--seed", "1"], ["--seed", "1"], ["--seed", "2"], ["--seed", "1", "--capture", "stats"]] {
            try log.record(arguments, source: Self.uniformProgram)
        }
        let same = try graph(["1", "--diff", "2"])
        #expect(same.status == 0, "\(same.stderr)")
        #expect(same.stdout.contains(#"n1 [label="W  (input)\n[2, 3]\nvalue norm 0.948296\ngrad norm 50.592\nequal""#), "\(same.stdout)")
        #expect(!same.stdout.contains("\\ndifferent\""), "no node is different (the legend still names it)")

        let other = try graph(["1", "--diff", "3"])
        #expect(other.status == 0, "\(other.stderr)")
        // diff compares tensors element by element: W, the first leaf drawn, is where they part.
        #expect(other.stdout.contains(#"n1 [label="first value divergence\nW  (input)\n[2, 3]\nvalue norm 0.948296 → 1.37809\ngrad norm 50.592 → 47.0955\ndifferent""#), "\(other.stdout)")
        #expect(other.stdout.contains(#"n0 [label="X  (data)\n[3, 2]\nvalue norm 8.13941\nequal""#))
        _ = try render(other.stdout)

        // A run that kept statistics only cannot be compared element by element: uncoloured.
        let stats = try graph(["1", "--diff", "4"])
        #expect(stats.status == 0, "\(stats.stderr)")
        #expect(stats.stdout.contains(#"n3 [label="h  (relu)\n[3, 3]\nvalue norm 4.64792\ngrad norm 9.29583\nnot compared: a run kept statistics only", style="rounded"];"#), "\(stats.stdout)")
        _ = try render(stats.stdout)
    }
}
