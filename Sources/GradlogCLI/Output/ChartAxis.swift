import Foundation

/// One axis of a chart: a data range widened to round tick values (steps of 1, 2 or 5 times a
/// power of ten) and mapped onto a pixel range.
struct ChartAxis {
    let low: Double
    let high: Double
    let ticks: [Double]
    /// Pixel positions of `low` and `high` (for a y axis, `high` is the smaller pixel).
    let from: Double
    let to: Double

    /// An axis over the finite `values`; nil when there are none.
    init?(values: [Double], from: Double, to: Double, tickCount: Int = 5) {
        let finite = values.filter(\.isFinite)
        guard var low = finite.min(), var high = finite.max() else { return nil }
        if low == high {
            let pad = low == 0 ? 1 : abs(low) / 2
            low -= pad
            high += pad
        }
        let rough = (high - low) / Double(tickCount)
        let magnitude = pow(10, floor(log10(rough)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= rough } ?? 10 * magnitude
        self.low = floor(low / step) * step
        self.high = ceil(high / step) * step
        // Ticks as multiples of the step, so that 0.1 * 3 prints as 0.3.
        let first = Int((self.low / step).rounded()), last = Int((self.high / step).rounded())
        ticks = (first...last).map { Double($0) * step }
        self.from = from
        self.to = to
    }

    /// The pixel position of `value`.
    func position(_ value: Double) -> Double {
        from + (value - low) / (high - low) * (to - from)
    }

    /// A tick's label: six significant digits, no "-0".
    static func label(_ value: Double) -> String {
        let text = String(format: "%.6g", value)
        return text == "-0" ? "0" : text
    }
}
