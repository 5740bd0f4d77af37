import Glibc
import GradlogStore

/// A training's metrics drawn as SVG, one panel per metric over the steps, by hand like
/// `SVGLineChart`. A metric whose positive values span more than three decades (a loss, a
/// gradient norm) is drawn on a log scale. Each point carries its step and exact value
/// (`data-step`, `data-y`); non-finite values leave a gap.
struct SVGMetricsChart {
    var training: Int64
    /// Per metric, in the order asked: its (step, value) points.
    var metrics: [(name: String, points: [(step: Int, value: Double)])]

    static let width = 760.0, left = 80.0, right = 30.0, top = 60.0, panelHeight = 200.0, gap = 60.0, bottom = 40.0

    var text: String {
        let height = Self.top + Double(metrics.count) * (Self.panelHeight + Self.gap) - Self.gap + Self.bottom
        let plotRight = Self.width - Self.right
        var out = [
            ##"<?xml version="1.0" encoding="UTF-8"?>"##,
            ##"<svg xmlns="http://www.w3.org/2000/svg" width="\##(Int(Self.width))" height="\##(Int(height))" viewBox="0 0 \##(Int(Self.width)) \##(Int(height))" font-family="Helvetica, Arial, sans-serif" font-size="11">"##,
            ##"<rect width="100%" height="100%" fill="white"/>"##,
            ##"<text x="\##(Self.left)" y="24" font-size="14" font-weight="bold">training \##(training): \##(SVGLineChart.escape(metrics.map(\.name).joined(separator: ", "))) by step</text>"##,
        ]
        let steps = metrics.flatMap { $0.points.map { Double($0.step) } }
        guard let xAxis = ChartAxis(values: steps, from: Self.left, to: plotRight) else {
            return (out + [##"<text x="\##(Self.left)" y="\##(Self.top + 20)">no steps to plot</text>"##, "</svg>"]).joined(separator: "\n")
        }
        for (index, metric) in metrics.enumerated() {
            let panelTop = Self.top + Double(index) * (Self.panelHeight + Self.gap)
            let finite = metric.points.map(\.value).filter(\.isFinite)
            let logScale = !finite.isEmpty && finite.allSatisfy { $0 > 0 } && finite.max()! / finite.min()! > 1000
            let shown = { (v: Double) in logScale ? log10(v) : v }
            out.append(##"<g class="panel" data-metric="\##(SVGLineChart.escape(metric.name))" data-scale="\##(logScale ? "log" : "linear")">"##)
            out.append(##"<text x="\##(Self.left)" y="\##(f(panelTop - 10))" font-size="12">\##(SVGLineChart.escape(metric.name + (logScale ? " (log scale)" : "")))</text>"##)
            out.append(##"<rect x="\##(Self.left)" y="\##(f(panelTop))" width="\##(f(plotRight - Self.left))" height="\##(Self.panelHeight)" fill="none" stroke="#999999"/>"##)
            for tick in xAxis.ticks {
                out.append(##"<text x="\##(f(xAxis.position(tick)))" y="\##(f(panelTop + Self.panelHeight + 15))" text-anchor="middle">\##(ChartAxis.label(tick))</text>"##)
            }
            guard let yAxis = ChartAxis(values: finite.map(shown), from: panelTop + Self.panelHeight, to: panelTop) else {
                out.append(##"<text x="\##(Self.left + 10)" y="\##(f(panelTop + 20))">no finite values</text>"##)
                out.append("</g>")
                continue
            }
            for tick in yAxis.ticks {
                let y = f(yAxis.position(tick))
                let label = logScale ? "1e" + ChartAxis.label(tick) : ChartAxis.label(tick)
                out.append(##"<line x1="\##(Self.left)" y1="\##(y)" x2="\##(f(plotRight))" y2="\##(y)" stroke="#eeeeee"/>"##)
                out.append(##"<text x="\##(Self.left - 6)" y="\##(y)" text-anchor="end" dominant-baseline="middle">\##(label)</text>"##)
            }
            var segment: [String] = []
            var circles: [String] = []
            func flush() {
                if segment.count > 1 { out.append(##"<polyline fill="none" stroke="#1f77b4" stroke-width="1.5" points="\##(segment.joined(separator: " "))"/>"##) }
                segment = []
            }
            for point in metric.points {
                guard point.value.isFinite else { flush(); continue }
                let x = f(xAxis.position(Double(point.step))), y = f(yAxis.position(shown(point.value)))
                segment.append("\(x),\(y)")
                circles.append(##"<circle cx="\##(x)" cy="\##(y)" r="1.8" fill="#1f77b4" data-step="\##(point.step)" data-y="\##(FloatEncoding.format(point.value))"><title>step \##(point.step): \##(FloatEncoding.format(point.value))</title></circle>"##)
            }
            flush()
            out += circles
            out.append("</g>")
        }
        out.append(##"<text x="\##(f((Self.left + plotRight) / 2))" y="\##(f(height - 8))" text-anchor="middle" font-size="12">step</text>"##)
        out.append("</svg>")
        return out.joined(separator: "\n")
    }

    private func f(_ value: Double) -> String { String(format: "%.2f", value) }
}
