import GradlogStore

extension Value {
    /// A cell of a query result: INTEGER as an integer, REAL as a float, and a NaN stored in
    /// gradlog's encoding ('NaN', '-NaN', 'NaN(0x...)') as a float too, so that every float
    /// prints as `show` prints it; other TEXT as text, a BLOB as an SQL literal x'0A1B', NULL as
    /// null (empty in tables and CSV). `quote(value)` in the SQL shows a NaN's stored spelling.
    init(_ value: SQLValue) {
        switch value {
        case .null: self = .null
        case .integer(let integer): self = .int(integer)
        case .real(let real): self = .float(real)
        case .text(let text): self = FloatEncoding.nan(fromText: text).map(Value.float) ?? .string(text)
        case .blob(let bytes):
            let digits = Array("0123456789ABCDEF")
            self = .string("x'" + String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0xF)]] }) + "'")
        }
    }
}
