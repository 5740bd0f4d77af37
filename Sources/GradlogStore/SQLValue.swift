/// One SQLite value as it is stored: what a query row holds and what a parameter binds.
///
/// Floats in gradlog's columns arrive as stored (see `FloatEncoding`): `.real` for every
/// non-NaN double, `.text("NaN")` (or "-NaN", "NaN(0x...)") for a NaN.
public enum SQLValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])

    /// A value typed by a person (`--param v=3`), typed only when no text is lost: an INTEGER
    /// when the text is the canonical decimal of a 64-bit integer (`7`, `-12`; not `007`, `+7`,
    /// `-0`), a REAL when it is the shortest round-trip form of a finite double as gradlog
    /// prints it (`1.5`, `0.001`, `-0.0`, `1e-06` or `1e-6`, `1e+20` or `1e20`; not `1e3`, which
    /// prints as `1000.0`, nor `.5`), otherwise TEXT (`007`, `1e3`, `nan`, `inf`). So binding
    /// and printing the value back gives the text that was typed.
    public init(argument text: String) {
        if let integer = Int64(text), String(integer) == text {
            self = .integer(integer)
        } else if let real = FloatEncoding.parse(text), real.isFinite, Self.canonicalSpellings(of: real).contains(text) {
            self = .real(real)
        } else {
            self = .text(text)
        }
    }

    /// How gradlog prints `value` ("1e-06"), and the same with the exponent's sign and leading
    /// zeros dropped ("1e-6", "1e20" for "1e+20").
    static func canonicalSpellings(of value: Double) -> [String] {
        let shortest = FloatEncoding.format(value)
        guard let e = shortest.firstIndex(of: "e"), let exponent = Int(shortest[shortest.index(after: e)...]) else { return [shortest] }
        return [shortest, shortest[..<e] + "e" + String(exponent)]
    }
}
