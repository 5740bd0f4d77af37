import Glibc

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
            if (low - pad).isFinite { low -= pad }
            if (high + pad).isFinite { high += pad }
        }
        // Steps are computed from the halves, so that a span of ±Double.greatestFiniteMagnitude
        // does not overflow; a span too small for round steps keeps its two ends.
        let rough = (high / 2 - low / 2) / Double(tickCount) * 2
        let magnitude = pow(10, floor(log10(rough)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= rough } ?? 10 * magnitude
        let first = (low / step).rounded(.down), last = (high / step).rounded(.up)
        if step.isNormal && step.isFinite && (first * step).isFinite && (last * step).isFinite && last - first <= 100 {
            self.low = first * step
            self.high = last * step
            // Ticks as multiples of the step, so that 0.1 * 3 prints as 0.3.
            ticks = stride(from: first, through: last, by: 1).map { $0 * step }
        } else {
            self.low = low
            self.high = high
            ticks = [low, high]
        }
        self.from = from
        self.to = to
    }

    /// The pixel position of `value`.
    func position(_ value: Double) -> Double {
        from + (value / 2 - low / 2) / (high / 2 - low / 2) * (to - from)
    }

    /// A tick's label: six significant digits, no "-0".
    static func label(_ value: Double) -> String {
        let text = String(format: "%.6g", value)
        return text == "-0" ? "0" : text
    }
}
