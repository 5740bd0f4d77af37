import Foundation
import Testing

/// `gradlog report` opened in a real headless Chromium from a file:// URL: no console error,
/// every named node with its value and adjoint as `show` prints them, the backward steps from
/// the output back to the inputs, the first divergence of a --diff marked, and a screenshot
/// that is not blank. Skipped when Chromium is not installed (.ci/run installs it).
@Suite(.serialized) struct ReportTests {
    static let chromium: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Runs headless Chromium on `url` with `arguments`; returns stdout and stderr.
    static func browse(_ url: String, _ arguments: [String]) throws -> (stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(chromium))
        process.arguments = ["--headless", "--disable-gpu", "--no-sandbox", "--enable-logging=stderr", "--v=0"] + arguments + [url]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        nonisolated(unsafe) var errData = Data()
        let errReader = Thread { errData = err.fileHandleForReading.readDataToEndOfFile() }
        errReader.start()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !errReader.isFinished { usleep(1000) }
        return (String(decoding: data, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }

    /// Lines of Chromium's log that come from the page's console (an error, an uncaught exception).
    static func consoleErrors(_ log: String) -> [Substring] {
        log.split(separator: "\n").filter { $0.contains("CONSOLE") || $0.contains("Uncaught") }
    }

    @Test(.enabled(if: chromium != nil, "chromium is not installed (apt-get install chromium; .ci/run does)"))
    func seedReportInAHeadlessBrowser() throws {
        let log = try RecordedLog()
        try log.record()
        let page = log.dir.path("seed.html")
        let result = try log.run("report", ["latest", "-o", page])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("22 nodes"))
        let html = try String(contentsOfFile: page, encoding: .utf8)
        for fetch in ["src=", "href=", "@import", "url(", "fetch("] {
            #expect(!html.contains(fetch), "the page must need no network: \(fetch)")
        }

        let dom = try Self.browse("file://\(page)#test", ["--dump-dom"])
        #expect(Self.consoleErrors(dom.stderr).isEmpty, "\(Self.consoleErrors(dom.stderr))")
        // Every named node, with its value and adjoint as gradlog prints them.
        let rows = try log.query(["SELECT name, value, grad FROM nodes WHERE run_id = 1 AND name IS NOT NULL", "--format", "csv"])
        let named = rows.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        #expect(named.count == 10)
        for row in named {
            #expect(dom.stdout.contains("<tr data-node=\"\(row[0])\""), "\(row[0])")
            let cells = "<td class=\"value\">\(row[1])</td><td class=\"grad\">\(row[2])</td>"
            #expect(dom.stdout.contains(cells), "\(row[0]): \(cells)")
        }
        // The side panel holds the selected node's `explain` text (the output, on opening).
        #expect(dom.stdout.contains("f is the output: its adjoint d(f)/d(f) is 1 by definition"))
        #expect(html.contains("d(invden)/d(den) = d(1/den)/d(den) = -1/den^2 = -1/1.9525741268224333^2 = -0.26229193647725"))
        // The backward steps: every node from the output f down to the inputs, in reverse order.
        let order = try #require(dom.stdout.firstMatch(of: #/<pre id="test-order">([^<]*)</pre>/#)?.output.1).split(separator: " ")
        #expect(order.count == 22)
        #expect(order.first == "f" && order.suffix(2) == ["y", "x"], "\(order)")
        #expect(order.prefix(4) == ["f", "invden", "#19", "den"])
        // The forward pass likewise, in evaluation order.
        let forward = try #require(dom.stdout.firstMatch(of: #/<pre id="test-forward-order">([^<]*)</pre>/#)?.output.1).split(separator: " ")
        #expect(forward.count == 22 && forward.prefix(2) == ["x", "y"] && forward.last == "f", "\(forward)")

        let shot = log.dir.path("shot.png")
        _ = try Self.browse("file://\(page)", ["--screenshot=\(shot)", "--window-size=1200,800"])
        let png = try Data(contentsOf: URL(fileURLWithPath: shot))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        // A blank page of this size compresses to a few KB; the graph, program and table do not.
        let blank = log.dir.path("blank.html"), blankShot = log.dir.path("blank.png")
        try "<!DOCTYPE html><html><body></body></html>".write(toFile: blank, atomically: true, encoding: .utf8)
        _ = try Self.browse("file://\(blank)", ["--screenshot=\(blankShot)", "--window-size=1200,800"])
        let blankSize = try Data(contentsOf: URL(fileURLWithPath: blankShot)).count
        #expect(png.count > 20_000 && png.count > 5 * blankSize, "\(png.count) bytes, a blank page \(blankSize)")
    }

    @Test(.enabled(if: chromium != nil, "chromium is not installed (apt-get install chromium; .ci/run does)"))
    func diffMarksTheFirstDivergence() throws {
        let log = try RecordedLog()
        try log.record()
        let seed = try String(contentsOfFile: RecordedLog.seed, encoding: .utf8)
        try log.record(source: seed.replacingOccurrences(of: "den = sigx + xpysqr", with: "den = sigx + xpysqr + 1e-9"))
        let page = log.dir.path("diff.html")
        let result = try log.run("report", ["1", "--diff", "2", "-o", page])
        #expect(result.status == 0, "\(result.stderr)")
        let dom = try Self.browse("file://\(page)", ["--dump-dom"])
        #expect(Self.consoleErrors(dom.stderr).isEmpty, "\(Self.consoleErrors(dom.stderr))")
        let marked = dom.stdout.firstMatch(of: #/<g class="[^"]*firstValue[^"]*"[^>]*><rect[^>]*></rect><text[^>]*>([^<]*)</text>/#)
        #expect(marked?.output.1 == "den (add)", "\(String(describing: marked?.output.1))")
        #expect(dom.stdout.contains("class=\"node different"))
    }

    /// 10,000 nodes: the page opens without an error and draws a neighbourhood, not everything.
    @Test(.enabled(if: chromium != nil, "chromium is not installed (apt-get install chromium; .ci/run does)"))
    func tenThousandNodes() throws {
        let log = try RecordedLog()
        let lines = ["input x = 0.5"] + (1...2_000).map { "x = tanh(x * 1.01 + \($0 % 7).5)" }
        try log.record(source: lines.joined(separator: "\n") + "\n")
        let page = log.dir.path("big.html")
        let result = try log.run("report", ["latest", "-o", page])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("10001 nodes"), "\(result.stderr)")
        let dom = try Self.browse("file://\(page)", ["--dump-dom"])
        #expect(Self.consoleErrors(dom.stderr).isEmpty, "\(Self.consoleErrors(dom.stderr))")
        let drawn = dom.stdout.matches(of: #/<g class="node/#).count
        #expect(drawn > 1 && drawn < 50, "\(drawn) nodes drawn")
        #expect(dom.stdout.contains("id=\"search\""))
    }

    /// A tensor node: its shape, statistics and heatmaps in the panel; tensors step too.
    @Test(.enabled(if: chromium != nil, "chromium is not installed (apt-get install chromium; .ci/run does)"))
    func tensorNodes() throws {
        let log = try RecordedLog()
        try log.record(source: "input W = [[1, 2], [3, 4], [5, 6]]\ninput x = [[0.5, -1, 2]]\nh = x @ W\nloss = sum(h * h)\n")
        let page = log.dir.path("t.html")
        #expect(try log.run("report", ["latest", "-o", page]).status == 0)
        let dom = try Self.browse("file://\(page)#node=W", ["--dump-dom"])
        #expect(Self.consoleErrors(dom.stderr).isEmpty, "\(Self.consoleErrors(dom.stderr))")
        #expect(dom.stdout.contains("<h3>W</h3>"))
        #expect(dom.stdout.contains("shape [3, 2]<br>value: numel 6  NaN 0  +inf 0  -inf 0  zero 0  min 1.0  max 6.0  mean 3.5  norm 9.539392014169456"))
        #expect(dom.stdout.matches(of: #/<svg class="heatmap" width="16" height="24">/#).count == 2)
        #expect(dom.stdout.contains("d(W) = transpose(x) @ d(h)"), "the panel holds explain's text")
        let steps = try Self.browse("file://\(page)#test", ["--dump-dom"])
        let order = try #require(steps.stdout.firstMatch(of: #/<pre id="test-order">([^<]*)</pre>/#)?.output.1)
        #expect(order == "loss #3 h x W", "\(order)")
    }

    @Test func reportRefusesAFIFO() throws {
        let log = try RecordedLog()
        try log.record()
        let fifo = log.dir.path("fifo")
        #expect(mkfifo(fifo, 0o644) == 0)
        let result = try log.run("report", ["latest", "-o", fifo])
        #expect(result.status == 2)
        #expect(result.stderr.contains("it is a FIFO"))
    }
}
