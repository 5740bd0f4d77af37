import Glibc

extension String {
    /// `format` filled in as C's printf does (`%.2f`, `%.6g`): what Foundation's
    /// `String(format:)` gives for numbers, without loading Foundation, which costs every
    /// command more instructions than opening the log.
    init(format: String, _ arguments: CVarArg...) {
        let length = withVaList(arguments) { vsnprintf(nil, 0, format, $0) }
        precondition(length >= 0, "bad format \(format)")
        let bytes = [CChar](unsafeUninitializedCapacity: Int(length) + 1) { buffer, count in
            _ = withVaList(arguments) { vsnprintf(buffer.baseAddress, Int(length) + 1, format, $0) }
            count = Int(length)
        }
        self = String(decoding: bytes.lazy.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
