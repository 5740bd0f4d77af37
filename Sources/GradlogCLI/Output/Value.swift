import GradlogStore

/// A cell of output: what a row holds before it is rendered as a table, CSV or JSON.
enum Value {
    case null
    case bool(Bool)
    case int(Int64)
    case float(Double)
    case string(String)
    case array([Value])
    case object([(String, Value)])

    init(_ float: Double?) { self = float.map(Value.float) ?? .null }
    init(_ string: String?) { self = string.map(Value.string) ?? .null }

    /// JSON text. Doubles in shortest round-trip form, -0.0 kept; NaN and ±inf, which JSON
    /// has no numbers for, as the strings "NaN", "Infinity", "-Infinity".
    var json: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .float(let d): return d.isFinite ? FloatEncoding.format(d) : Self.quote(FloatEncoding.format(d))
        case .string(let s): return Self.quote(s)
        case .array(let items): return "[" + items.map(\.json).joined(separator: ",") + "]"
        case .object(let fields): return "{" + fields.map { Self.quote($0.0) + ":" + $0.1.json }.joined(separator: ",") + "}"
        }
    }

    /// Text for tables and CSV: NULL as empty, arrays as "a, b".
    var text: String {
        switch self {
        case .null: return ""
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .float(let d): return FloatEncoding.format(d)
        case .string(let s): return s
        case .array(let items): return items.map(\.text).joined(separator: ", ")
        case .object: return json
        }
    }

    var isNumber: Bool {
        switch self {
        case .int, .float: true
        default: false
        }
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
