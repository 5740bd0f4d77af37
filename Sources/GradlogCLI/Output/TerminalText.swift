/// Text made safe for a terminal: what a table prints of run names, tags, paths and query
/// results, none of which gradlog chose.
///
/// A control character printed raw can move the cursor, recolour or retitle the terminal (ESC
/// sequences), ring the bell, or break a table's rows (tab, newline). So the C0 controls print
/// as their Unicode control pictures (U+2400 + code: tab as ␉, newline as ␊, ESC as ␛, BEL as
/// ␇, NUL as ␀), DEL as ␡, as the parser's messages show them; the C1 controls (U+0080-U+009F,
/// among them CSI U+009B) and the invisible characters that reorder or break lines (U+2028,
/// U+2029, and the bidirectional overrides and isolates U+202A-U+202E, U+2066-U+2069) as
/// `<U+XXXX>`. JSON and CSV escape in their own ways and are left as they are.
enum TerminalText {
    static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x00...0x1F: out.append(Unicode.Scalar(0x2400 + scalar.value)!)
            case 0x7F: out.append("\u{2421}")
            default:
                if needsEscape(scalar) {
                    let hex = String(scalar.value, radix: 16, uppercase: true)
                    out.append(contentsOf: "<U+\(String(repeating: "0", count: max(0, 4 - hex.count)) + hex)>".unicodeScalars)
                } else {
                    out.append(scalar)
                }
            }
        }
        return String(out)
    }

    static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }
}
