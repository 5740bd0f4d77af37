import CSQLite
import FoundationEssentials
import Glibc

/// The stable identifiers of runs and trainings (migrations/0008): what `merge` goes by to
/// know a run it has copied before, in whatever file and under whatever id it now is.
enum RunUUID {
    /// A new random identifier (UUID version 4), lowercase, for a run or training being recorded.
    static func random() -> String {
        UUID().uuidString.lowercased()
    }

    /// The identifier of a run or training recorded before migration 0008: a UUID of version 8
    /// made of the SHA-256 of what identifies it in its file (`parts`: its kind, when the file was
    /// created, its id, its created_at, and a detail such as the program's hash). The migration
    /// and `merge` (for a file never upgraded) derive it alike, through the SQL function
    /// `legacy_uuid`.
    static func derived(_ parts: [String?]) -> String {
        // Each part is marked present or NULL, and separated by a byte no text here holds.
        let text = parts.map { $0.map { "+" + $0 } ?? "-" }.joined(separator: "\u{1F}")
        var bytes = Array(SHA256.digest(text.utf8).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x80  // version 8: custom
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // the RFC 9562 variant
        var result = ""
        for (offset, byte) in bytes.enumerated() {
            if [4, 6, 8, 10].contains(offset) { result += "-" }
            let digits = String(byte, radix: 16)
            result += digits.count == 1 ? "0" + digits : digits
        }
        return result
    }

    /// `legacy_uuid(kind, file_created_at, id, created_at, details...)`: `derived` of its
    /// arguments as text (NULL stays apart from any text).
    static let sqlFunction: SQLFunctions.Body = { context, count, arguments in
        guard let arguments else { return sqlite3_result_null(context) }
        let parts = (0..<Int(count)).map { index -> String? in
            let value = arguments[index]
            guard sqlite3_value_type(value) != SQLITE_NULL, let text = sqlite3_value_text(value) else { return nil }
            return String(cString: text)
        }
        sqlite3_result_text(context, derived(parts), -1, csqlite_transient())
    }
}
