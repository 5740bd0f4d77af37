import Foundation
import Testing

/// `gradlog graph` through the real binary: DOT that graphviz renders, with and without a
/// comparison, and the limits that keep large graphs readable.
@Suite struct GraphTests {
    let log = try! RecordedLog()

    func graph(_ args: [String]) throws -> CLIResult { try log.run("graph", args) }

    /// The seed with `den = sigx + xpysqr + 1e-9`, as in the diff tests.
    func recordSeedAndVariant() throws {
        try log.record()
        let source = try String(contentsOfFile: RecordedLog.seed, encoding: .utf8)
        try log.record(source: source.replacingOccurrences(of: "den = sigx + xpysqr\n", with: "den = sigx + xpysqr + 1e-9\n"))
    }

    /// Renders DOT with graphviz's `dot -Tsvg` and returns the SVG.
    func render(_ dot: String) throws -> String {
        let path = "/usr/bin/dot"
        try #require(FileManager.default.isExecutableFile(atPath: path),
                     "graphviz's dot is needed to check that graph output renders (apt-get install graphviz; .ci/run installs it)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["-Tsvg"]
        let input = Pipe(), output = Pipe(), error = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = error
        try process.run()
        input.fileHandleForWriting.write(Data(dot.utf8))
        try input.fileHandleForWriting.close()
        let svg = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let messages = String(decoding: error.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "dot: \(messages)")
        #expect(messages.isEmpty, "dot warned: \(messages)")
        return svg
    }

    @Test func seedGraphRenders() throws {
        try log.record()
        let result = try graph(["latest"])
        #expect(result.status == 0, "\(result.stderr)")
        let dot = result.stdout
        #expect(dot.hasPrefix("digraph gradlog {\n"))
        #expect(dot.components(separatedBy: " [label=").count - 1 == 22 + 24, "22 nodes and 24 edges")
        #expect(dot.contains(#"n21 [label="f  (mul)\nvalue 1.54564\ngrad 1", style="rounded"];"#))
        #expect(dot.contains(#"n0 [label="x  (input)\nvalue 3\ngrad 2.05957", style="rounded"];"#))
        // Each arrow from an input, labelled with the local derivative d(invden)/d(den).
        #expect(dot.contains(#"n18 -> n20 [label="-0.262292"];"#))
        let svg = try render(dot)
        #expect(svg.contains("<svg"))
        #expect(svg.contains("invden"))

        let exact = try graph(["latest", "--digits", "0"]).stdout
        #expect(exact.contains(#"n0 [label="x  (input)\nvalue 3.0\ngrad 2.0595697955721652""#))
    }

    @Test func diffGraphRendersAndMarksTheFirstDivergence() throws {
        try recordSeedAndVariant()
        let result = try graph(["1", "--diff", "2"])
        #expect(result.status == 0, "\(result.stderr)")
        let dot = result.stdout
        #expect(dot.contains(#"label="run 1 (A) compared with run 2 (B)""#))
        #expect(dot.contains(#"[label="first value divergence\nden  (add)\nvalue 1.9525741268224333 → 1.9525741278224333"#))
        // The exponent's adjoint is its one contribution, -0.79 * 0 = -0.0, kept as PyTorch keeps it.
        #expect(dot.contains(##"[label="#16  (const)\nvalue 2\ngrad -0\nequal", style="rounded,filled", fillcolor="#e3f2e1"];"##))
        // The nodes only B has (the inner add and the constant 1e-9) and their arrows.
        #expect(dot.contains(##"[label="B#19  (const)\nvalue 1e-09\ngrad -0.791593\nonly in B", style="rounded,filled", fillcolor="#cfe2ff"];"##))
        #expect(dot.components(separatedBy: "\\nonly in B\"").count - 1 == 2)
        #expect(dot.contains("style=dashed, color=\"#1f5fbf\""))
        #expect(dot.contains("subgraph cluster_legend"))
        #expect(try render(dot).contains("first value divergence"))

        // Under a tolerance the nodes are within it, and nothing is a divergence; adjoints that
        // differ only past the sixth digit print in full.
        let close = try graph(["1", "--diff", "2", "--rtol", "1e-6"]).stdout
        #expect(close.contains(##"n0 [label="x  (input)\nvalue 3\ngrad 2.0595697955721652 → 2.0595697937248625\nwithin tolerance", style="rounded,filled", fillcolor="#fff1b8"];"##))
        #expect(!close.contains("first value divergence\\n"))
        _ = try render(close)
    }

    @Test func aroundANodeKeepsItsNeighbourhood() throws {
        try log.record()
        let result = try graph(["1", "--around", "den", "--depth", "1"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains(#"label="run 1, around den (depth 1): 4 of 22 nodes""#))
        let names = result.stdout.split(separator: "\n").compactMap { line -> String? in
            guard !line.contains("->"), let range = line.range(of: "[label=\"") else { return nil }
            return String(line[range.upperBound...].prefix { $0 != " " })
        }
        #expect(names == ["sigx", "xpysqr", "den", "invden"])
        #expect(result.stdout.contains(#"n0 [label="sigx  (div)\nvalue 0.952574\ngrad -0.791593", style="rounded,dashed"];"#))
        _ = try render(result.stdout)
        #expect(try graph(["1", "--around", "#21", "--depth", "0"]).stdout.contains(#"n0 [label="f  (mul)"#))
    }

    /// The walk stops when nothing new is reached: a depth of 10^14 is the whole graph, at once.
    @Test(.timeLimit(.minutes(1))) func hugeDepthEndsWithTheWholeGraph() throws {
        try log.record()
        let start = Date()
        let result = try graph(["1", "--around", "f", "--depth", "99999999999999"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains(#"around f (depth 99999999999999): 22 of 22 nodes"#))
        #expect(Date().timeIntervalSince(start) < 10)
    }
}
