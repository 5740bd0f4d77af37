import Glibc
import GradlogStore

/// A sweep drawn as an SVG line chart, written by hand: two panels over the same x axis (the
/// swept input), the node's value above and the output's gradient with respect to the swept
/// input below, one coloured line per combination of the other swept inputs. Each point is a
/// circle that carries its run and exact numbers (`data-run`, `data-x`, `data-y`) and a
/// tooltip, so the picture is also the data. Non-finite values leave a gap in the line.
struct SVGLineChart {
    var series: SweepSeries

    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"]
    static let width = 760.0, left = 80.0, right = 30.0, top = 60.0, panelHeight = 230.0, gap = 70.0, bottom = 50.0
    var legendWidth: Double { series.lines.count > 1 ? 150 : 0 }

    var text: String {
        let plotRight = Self.width - Self.right
        let height = Self.top + 2 * Self.panelHeight + Self.gap + Self.bottom
        let points = series.lines.flatMap(\.points)
        var out = [
            ##"<?xml version="1.0" encoding="UTF-8"?>"##,
            ##"<svg xmlns="http://www.w3.org/2000/svg" width="\##(Int(Self.width + legendWidth))" height="\##(Int(height))" viewBox="0 0 \##(Int(Self.width + legendWidth)) \##(Int(height))" font-family="Helvetica, Arial, sans-serif" font-size="11">"##,
            ##"<rect width="100%" height="100%" fill="white"/>"##,
            ##"<text x="\##(Self.left)" y="24" font-size="14" font-weight="bold">\##(Self.escape("sweep \(series.sweep): \(series.node) and d\(series.outputName)/d\(series.input) against \(series.input)"))</text>"##,
        ]
        guard let xAxis = ChartAxis(values: points.map(\.x), from: Self.left, to: plotRight) else {
            out.append(##"<text x="\##(Self.left)" y="\##(Self.top + 20)">no finite values of \##(Self.escape(series.input)) to plot</text>"##)
            return (out + ["</svg>"]).joined(separator: "\n")
        }
        let panels: [(title: String, kind: String, value: KeyPath<SweepSeries.Point, Double?>)] = [
            ("value of \(series.node)", "value", \.value),
            ("d\(series.outputName)/d\(series.input): the gradient recorded for \(series.input)", "grad", \.grad),
        ]
        for (index, panel) in panels.enumerated() {
            let panelTop = Self.top + Double(index) * (Self.panelHeight + Self.gap)
            out.append(##"<g class="panel" data-panel="\##(panel.kind)">"##)
            out.append(##"<text x="\##(Self.left)" y="\##(f(panelTop - 10))" font-size="12">\##(Self.escape(panel.title))</text>"##)
            let yAxis = ChartAxis(values: points.compactMap { $0[keyPath: panel.value] }, from: panelTop + Self.panelHeight, to: panelTop)
            out += frame(xAxis: xAxis, yAxis: yAxis, top: panelTop, right: plotRight)
            if let yAxis {
                for (number, line) in series.lines.enumerated() {
                    out += draw(line, value: panel.value, color: Self.palette[number % Self.palette.count], x: xAxis, y: yAxis)
                }
            } else {
                out.append(##"<text x="\##(Self.left + 10)" y="\##(f(panelTop + 20))">no finite values</text>"##)
            }
            out.append("</g>")
        }
        out.append(##"<text x="\##(f((Self.left + plotRight) / 2))" y="\##(f(height - 12))" text-anchor="middle" font-size="12">\##(Self.escape(series.input))</text>"##)
        if series.lines.count > 1 { out += legend(x: plotRight + 20) }
        out.append("</svg>")
        return out.joined(separator: "\n")
    }

    /// The panel's box, grid lines, ticks and their labels, and the zero line.
    private func frame(xAxis: ChartAxis, yAxis: ChartAxis?, top: Double, right: Double) -> [String] {
        let bottom = top + Self.panelHeight
        var out = [##"<rect x="\##(Self.left)" y="\##(f(top))" width="\##(f(right - Self.left))" height="\##(Self.panelHeight)" fill="none" stroke="#999999"/>"##]
        for tick in xAxis.ticks {
            let x = f(xAxis.position(tick))
            out.append(##"<line x1="\##(x)" y1="\##(f(top))" x2="\##(x)" y2="\##(f(bottom))" stroke="#eeeeee"/>"##)
            out.append(##"<text x="\##(x)" y="\##(f(bottom + 15))" text-anchor="middle">\##(ChartAxis.label(tick))</text>"##)
        }
        guard let yAxis else { return out }
        for tick in yAxis.ticks {
            let y = f(yAxis.position(tick))
            out.append(##"<line x1="\##(Self.left)" y1="\##(y)" x2="\##(f(right))" y2="\##(y)" stroke="\##(tick == 0 ? "#999999" : "#eeeeee")"/>"##)
            out.append(##"<text x="\##(Self.left - 6)" y="\##(y)" text-anchor="end" dominant-baseline="middle">\##(ChartAxis.label(tick))</text>"##)
        }
        return out
    }

    /// One line: polylines between finite points, then a circle per finite point.
    private func draw(_ line: SweepSeries.Line, value: KeyPath<SweepSeries.Point, Double?>, color: String, x: ChartAxis, y: ChartAxis) -> [String] {
        var out: [String] = [], segment: [String] = []
        func flush() {
            if segment.count > 1 {
                out.append(##"<polyline fill="none" stroke="\##(color)" stroke-width="1.5" points="\##(segment.joined(separator: " "))"/>"##)
            }
            segment = []
        }
        for point in line.points {
            guard let v = point[keyPath: value], v.isFinite, point.x.isFinite else {
                flush()
                continue
            }
            segment.append("\(f(x.position(point.x))),\(f(y.position(v)))")
        }
        flush()
        let label = line.fixed.map { "\($0.name) = \(FloatEncoding.format($0.value))" }.joined(separator: ", ")
        for point in line.points {
            guard let v = point[keyPath: value], v.isFinite, point.x.isFinite else { continue }
            let tip = "run \(point.run): \(series.input) = \(FloatEncoding.format(point.x)), \(FloatEncoding.format(v))" + (label.isEmpty ? "" : " (\(label))")
            out.append(##"<circle cx="\##(f(x.position(point.x)))" cy="\##(f(y.position(v)))" r="2.5" fill="\##(color)" data-run="\##(point.run)" data-x="\##(FloatEncoding.format(point.x))" data-y="\##(FloatEncoding.format(v))"><title>\##(Self.escape(tip))</title></circle>"##)
        }
        return out
    }

    private func legend(x: Double) -> [String] {
        var out: [String] = []
        for (number, line) in series.lines.enumerated() {
            let y = Self.top + Double(number) * 18
            let color = Self.palette[number % Self.palette.count]
            let label = line.fixed.map { "\($0.name) = \(FloatEncoding.format($0.value))" }.joined(separator: ", ")
            out.append(##"<line x1="\##(f(x))" y1="\##(f(y))" x2="\##(f(x + 18))" y2="\##(f(y))" stroke="\##(color)" stroke-width="2"/>"##)
            out.append(##"<text x="\##(f(x + 24))" y="\##(f(y))" dominant-baseline="middle">\##(Self.escape(label))</text>"##)
        }
        return out
    }

    private func f(_ value: Double) -> String { String(format: "%.2f", value) }

    static func escape(_ text: String) -> String {
        text.replacing("&", with: "&amp;").replacing("<", with: "&lt;")
            .replacing(">", with: "&gt;").replacing("\"", with: "&quot;")
    }
}
