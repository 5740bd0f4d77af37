import GradlogStore

extension Value {
    /// A cell of a query result as stored: INTEGER as an integer, REAL as a float (printed as
    /// `show` prints floats), TEXT as text (a stored NaN keeps its spelling, e.g. "NaN" or
    /// "-NaN"), a BLOB as an SQL literal x'0A1B', NULL as null (empty in tables and CSV).
    init(_ value: SQLValue) {
        switch value {
        case .null: self = .null
        case .integer(let integer): self = .int(integer)
        case .real(let real): self = .float(real)
        case .text(let text): self = .string(text)
        case .blob(let bytes):
            let digits = Array("0123456789ABCDEF")
            self = .string("x'" + String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0xF)]] }) + "'")
        }
    }
}
