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

    /// A value typed by a person (`--param run=3`): an integer if it reads as a 64-bit integer,
    /// a REAL if it reads as a decimal number (`1.5`, `-2e-3`), otherwise text. Words such as
    /// `nan` or `inf` stay text: they are also valid node names.
    public init(argument text: String) {
        if let integer = Int64(text) {
            self = .integer(integer)
        } else if text.utf8.contains(where: { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
                  let real = FloatEncoding.parse(text) {
            // A digit rules out FloatEncoding's words (nan, inf); "1e999" is +inf, a number.
            self = .real(real)
        } else {
            self = .text(text)
        }
    }
}
