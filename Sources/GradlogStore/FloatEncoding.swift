/// How gradlog keeps doubles exact in SQLite, and how it prints them.
///
/// In the database (float columns have no declared type, so SQLite stores what is bound):
/// every non-NaN double is REAL, bit for bit (-0.0, ±inf and subnormals included). NaN cannot be
/// a REAL in SQLite (it becomes NULL), so it is TEXT: "NaN" for the quiet NaN 0x7ff8000000000000,
/// "-NaN" for 0xfff8000000000000, and "NaN(0x<16 hex digits>)" for any other bit pattern.
///
/// In output: shortest round-trip decimal ("0.1", "1e-09", "5e-324"), "-0.0" for negative zero,
/// and "NaN", "Infinity", "-Infinity" for the non-finite values.
public enum FloatEncoding {
    public static func nanText(_ value: Double) -> String {
        precondition(value.isNaN, "only NaN is stored as text")
        switch value.bitPattern {
        case 0x7FF8_0000_0000_0000: return "NaN"
        case 0xFFF8_0000_0000_0000: return "-NaN"
        default: return "NaN(" + bitPattern(value) + ")"
        }
    }

    /// A double's IEEE 754 bits as 16 hex digits: "0x8000000000000000" for -0.0.
    public static func bitPattern(_ value: Double) -> String {
        let hex = String(value.bitPattern, radix: 16)
        return "0x" + String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// Decodes a NaN stored as text; nil if `text` is not one of the NaN spellings.
    public static func nan(fromText text: String) -> Double? {
        switch text {
        case "NaN": return Double(bitPattern: 0x7FF8_0000_0000_0000)
        case "-NaN": return Double(bitPattern: 0xFFF8_0000_0000_0000)
        default:
            guard text.hasPrefix("NaN(0x"), text.hasSuffix(")"), text.count == 23,
                  let bits = UInt64(text.dropFirst(6).dropLast(), radix: 16)
            else { return nil }
            let value = Double(bitPattern: bits)
            return value.isNaN ? value : nil
        }
    }

    /// The text gradlog prints for a double.
    public static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
        return value.description
    }

    /// Parses what a person types for a number: decimal or exponent form, or NaN / inf /
    /// Infinity (any case, with a sign). Nil for anything else.
    public static func parse(_ text: String) -> Double? {
        switch text.lowercased() {
        case "nan", "+nan": return .nan
        case "-nan": return -Double.nan
        case "inf", "+inf", "infinity", "+infinity": return .infinity
        case "-inf", "-infinity": return -.infinity
        default:
            // Double(String) also takes hex floats and "nan(...)"; accept only plain decimals.
            let allowed = text.utf8.allSatisfy { b in
                (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: ".") || b == UInt8(ascii: "e")
                    || b == UInt8(ascii: "E") || b == UInt8(ascii: "+") || b == UInt8(ascii: "-")
            }
            return allowed ? Double(text) : nil
        }
    }
}
