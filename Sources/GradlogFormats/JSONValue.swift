/// A JSON value as the safetensors header needs it: objects keep their key order, numbers
/// keep their text (so that a 64-bit offset is read exactly, and `1.0` or `-1` can be refused
/// where a count is expected).
indirect enum JSONValue: Equatable {
    case object([(key: String, value: JSONValue)])
    case array([JSONValue])
    case string(String)
    case number(String)
    case bool(Bool)
    case null

    static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case let (.object(a), .object(b)):
            a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        case let (.array(a), .array(b)): a == b
        case let (.string(a), .string(b)), let (.number(a), .number(b)): a == b
        case let (.bool(a), .bool(b)): a == b
        case (.null, .null): true
        default: false
        }
    }

    /// What the value is, for messages: "a string", "an array", ...
    var kind: String {
        switch self {
        case .object: "an object"
        case .array: "an array"
        case .string: "a string"
        case .number(let text): "the number \(text)"
        case .bool(let value): "\(value)"
        case .null: "null"
        }
    }

    /// The value as an exact non-negative integer that fits in UInt64, or nil (a fraction,
    /// an exponent, a sign, too many digits, or not a number at all).
    var unsignedInteger: UInt64? {
        guard case .number(let text) = self else { return nil }
        guard !text.hasPrefix("-") else { return nil }
        return UInt64(text)  // plain decimal digits only; nil on a point, an exponent or overflow
    }
}

/// A JSON syntax error at a byte offset of the parsed text.
struct JSONSyntaxError: Error {
    var offset: Int
    var message: String
}

extension JSONValue {
    /// `text` as a JSON string literal: quotes, backslashes and control characters escaped,
    /// everything else as UTF-8.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
