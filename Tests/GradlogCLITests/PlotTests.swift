import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// `gradlog plot` through the real binary: well-formed SVG that holds every point of the sweep.
@Suite struct PlotTests {
    let log = try! RecordedLog()

    /// The elements of an SVG document, parsed by Foundation's XMLParser (which fails on
    /// anything that is not well-formed XML).
    final class Elements: NSObject, XMLParserDelegate {
        var all: [(name: String, attributes: [String: String], panel: String?)] = []
        private var panels: [String?] = []

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String]) {
            if name == "g" { panels.append(attributes["data-panel"]) }
            all.append((name, attributes, panels.last ?? nil))
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            if name == "g" { panels.removeLast() }
        }

        func points(_ panel: String) -> [(run: Int, x: Double, y: Double)] {
            all.filter { $0.name == "circle" && $0.panel == panel }.map {
                (Int($0.attributes["data-run"] ?? "") ?? -1, Double($0.attributes["data-x"] ?? "") ?? .nan, Double($0.attributes["data-y"] ?? "") ?? .nan)
            }
        }
    }

    func parse(_ svg: String) throws -> Elements {
        let parser = XMLParser(data: Data(svg.utf8))
        let elements = Elements()
        parser.delegate = elements
        #expect(parser.parse(), "not well-formed: \(parser.parserError.map(String.init(describing:)) ?? "")")
        #expect(elements.all.first?.name == "svg")
        return elements
    }

    func plot(_ args: [String]) throws -> CLIResult { try log.run("plot", args) }

    @Test func sweepPlotHoldsEveryPoint() throws {
        // CSV, not JSON: Foundation's JSON parser may round the last digit.
        let record = try CLI.run(["record", RecordedLog.seed, "--db", log.db, "--sweep", "x=-2:2:9", "--format", "csv"])
        let runs = record.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: ",").map { Double($0) ?? .nan } }
        #expect(runs.count == 9)
        let result = try plot(["latest"])
        #expect(result.status == 0, "\(result.stderr)")
        let svg = try parse(result.stdout)
        let values = svg.points("value"), grads = svg.points("grad")
        #expect(values.map(\.run) == Array(1...9))
        #expect(values.map(\.x) == [-2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2])
        // The exact numbers the runs recorded (shortest round-trip text).
        #expect(values.map(\.y) == runs.map { $0[2] })  // run_id, x, output, grad_x
        #expect(grads.map(\.y) == runs.map { $0[3] })
        let lines = svg.all.filter { $0.name == "polyline" }
        #expect(lines.count == 2)
        #expect(lines.allSatisfy { ($0.attributes["points"] ?? "").split(separator: " ").count == 9 })
        #expect(result.stdout.contains("sweep 1: f and df/dx against x"))
    }

    /// A grid: one line per value of the other swept input; --x and --node choose what is drawn.
    @Test func gridPlotHasALinePerFixedValue() throws {
        try log.record(["--sweep", "x=0:1:3", "--sweep", "y=-1:1:2"])
        let svg = try parse(try plot(["1", "--x", "y", "--node", "den"]).stdout)
        #expect(svg.all.filter { $0.name == "polyline" }.count == 3 * 2, "x = 0, 0.5, 1: a line each, in both panels")
        #expect(svg.points("value").map(\.run) == [1, 2, 3, 4, 5, 6])
        #expect(svg.points("value").map(\.x) == [-1, 1, -1, 1, -1, 1])
        let den = try log.query(["SELECT value FROM nodes WHERE name = 'den' ORDER BY run_id", "--format", "csv"])
            .stdout.split(separator: "\n").dropFirst().map { Double($0) ?? .nan }
        #expect(svg.points("value").map(\.y) == den)

        let file = log.dir.path("plot.svg")
        #expect(try plot(["latest", "-o", file]).stdout.isEmpty)
        _ = try parse(try String(contentsOfFile: file, encoding: .utf8))
    }

    /// A NaN leaves a gap: the line is split and the point is not drawn.
    @Test func nonFiniteValuesLeaveGaps() throws {
        try log.record(["--sweep", "a=-1:1:5"], source: "input a = 0\nf = log(a)\n")
        let svg = try parse(try plot([]).stdout)
        #expect(svg.points("value").map(\.x) == [0.5, 1])
        #expect(svg.all.filter { $0.name == "polyline" && $0.panel == "value" }.count == 1)
    }

    /// Values near the ends of the double range still make a chart (no overflow, no NaN).
    @Test(arguments: ["f = a * 1.7976931348623157e308", "f = a * 1e-320", "f = 1.7976931348623157e308 + a * 0"])
    func extremeValuesStillPlot(formula: String) throws {
        try log.record(["--sweep", "a=-1:1:3"], source: "input a = 0\n\(formula)\n")
        let result = try plot([])
        #expect(result.status == 0, "\(result.stderr)")
        let svg = try parse(result.stdout)
        #expect(svg.points("value").count == 3)
        // Every coordinate is a number inside the picture.
        var coordinates: [String] = []
        for element in svg.all {
            coordinates += ["x", "y", "x1", "y1", "x2", "y2", "cx", "cy"].compactMap { element.attributes[$0] }
            let points = element.attributes["points"] ?? ""
            coordinates += points.split { $0 == " " || $0 == "," }.map(String.init)
        }
        #expect(coordinates.count > 50)
        #expect(coordinates.allSatisfy { Double($0).map { (0...1000).contains($0) } ?? false }, "\(coordinates)")
    }

    @Test(arguments: [
        (["latest"], "no sweep 'latest'"),
        (["4"], "no run '4'"),
        (["1", "--x", "y"], "'y' is not swept in this sweep; its swept inputs are x"),
        (["1", "--node", "zz"], "no node 'zz' in run 1"),
    ])
    func badArguments(args: [String], message: String) throws {
        try log.record(args == ["latest"] ? [] : ["--sweep", "x=0:1:3"])
        let result = try plot(args)
        #expect(result.status == 2)
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    /// Any run of a sweep names the sweep: its id, latest~N, a later run of it.
    @Test func anyRunOfASweepNamesIt() throws {
        try log.record(["--sweep", "x=-1:1:3"])
        try log.record(["--sweep", "x=0:1:2"])
        let whole = try log.run("plot", ["1"]).stdout
        #expect(whole.hasPrefix("<?xml"))
        for reference in ["2", "3", "latest~2", "latest~4"] {
            let result = try log.run("plot", [reference])
            #expect(result.status == 0, "\(reference): \(result.stderr)")
            #expect(result.stdout == whole, "\(reference) is in sweep 1")
        }
        #expect(try log.run("plot", ["latest~1"]).stdout == log.run("plot", ["latest"]).stdout)
    }
}
