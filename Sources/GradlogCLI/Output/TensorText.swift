import GradlogStore

/// How a tensor prints: in a table cell, its shape, norm and first few elements; in JSON,
/// nested arrays (NaN and the infinities as strings, as for scalars).
enum TensorText {
    /// Elements shown in a table cell before "…".
    static let shownElements = 3

    /// `[100, 16] norm 7.0193: 0.52, 0.0, 1.3, …`; without elements when they were not kept.
    static func cell(_ shape: Shape, _ statistics: TensorStatistics?, _ elements: [Double]?) -> String {
        var text = shape.description
        if let statistics {
            if let norm = statistics.norm { text += " norm " + FloatEncoding.format(norm) }
            let nonFinite = statistics.nan + statistics.positiveInfinity + statistics.negativeInfinity
            if nonFinite > 0 { text += " (\(statistics.nan) NaN, \(statistics.positiveInfinity + statistics.negativeInfinity) inf)" }
        }
        if let elements {
            let shown = elements.prefix(shownElements).map(FloatEncoding.format)
            text += ": " + shown.joined(separator: ", ") + (elements.count > shownElements ? ", …" : "")
        }
        return text
    }

    /// Nested arrays in row-major order: `[[1, 2], [3, 4]]`.
    static func nested(_ elements: [Double], _ shape: Shape) -> Value {
        func level(_ axis: Int, _ offset: Int) -> Value {
            if axis == shape.rank { return .float(elements[offset]) }
            let stride = shape.dims[(axis + 1)...].reduce(1, *)
            return .array((0..<shape.dims[axis]).map { level(axis + 1, offset + $0 * stride) })
        }
        return level(0, 0)
    }

    /// The statistics as a JSON object, or null.
    static func json(_ t: TensorStatistics?) -> Value {
        guard let t else { return .null }
        return .object([
            ("numel", .int(Int64(t.count))), ("nan", .int(Int64(t.nan))),
            ("pinf", .int(Int64(t.positiveInfinity))), ("ninf", .int(Int64(t.negativeInfinity))),
            ("zero", .int(Int64(t.zero))), ("min", Value(t.min)), ("max", Value(t.max)),
            ("mean", Value(t.mean)), ("norm", Value(t.norm)),
        ])
    }

    /// One line of statistics for a person: `numel 1600  NaN 0  +inf 0  -inf 0  zero 3  min ...`.
    static func statisticsLine(_ t: TensorStatistics) -> String {
        func f(_ d: Double?) -> String { d.map(FloatEncoding.format) ?? "-" }
        return "numel \(t.count)  NaN \(t.nan)  +inf \(t.positiveInfinity)  -inf \(t.negativeInfinity)  zero \(t.zero)  "
            + "min \(f(t.min))  max \(f(t.max))  mean \(f(t.mean))  norm \(f(t.norm))"
    }
}
