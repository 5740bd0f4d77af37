/// A safetensors file (Hugging Face's tensor exchange format), read whole and checked.
///
/// Layout: an 8-byte little-endian header length N, N bytes of a UTF-8 JSON object
/// `{"NAME": {"dtype": "F64", "shape": [2, 3], "data_offsets": [BEGIN, END]}, ...,
/// "__metadata__": {"key": "value", ...}}` (possibly padded with spaces), then the data buffer;
/// offsets count from the start of the data buffer. As in the reference implementation, the
/// tensors must tile the data buffer exactly: no overlap, no gap, nothing after the last.
/// Every tensor's header entry is checked when the file is read; its values are converted to
/// doubles only when asked for, and only for F64, F32, F16 and BF16.
public struct SafeTensorsFile: Sendable {
    /// One tensor as the header describes it.
    public struct Entry: Equatable, Sendable {
        public let name: String
        public let dtype: DType
        public let shape: [Int]
        /// Where its bytes are, counted from the start of the data buffer.
        public let byteRange: Range<Int>
        /// The product of `shape`, 1 for a scalar (shape `[]`).
        public let elementCount: Int
    }

    /// The path as the caller gave it, for messages.
    public let path: String
    /// `__metadata__` in the order the header gives it (empty when absent).
    public let metadata: [(key: String, value: String)]
    /// Every tensor, in the order of their data offsets.
    public let tensors: [Entry]
    /// The whole file; the data buffer starts at `dataStart`.
    let bytes: [UInt8]
    let dataStart: Int
    /// Where each name is in `tensors`, so that reading every tensor of a large file is linear.
    let indexByName: [String: Int]

    init(path: String, metadata: [(key: String, value: String)], tensors: [Entry], bytes: [UInt8], dataStart: Int) {
        self.path = path
        self.metadata = metadata
        self.tensors = tensors
        self.bytes = bytes
        self.dataStart = dataStart
        // Names are unique: the JSON parser refuses a key given twice.
        indexByName = Dictionary(tensors.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Reads and checks the file at `path` (at most `FormatLimits.maxFileBytes`).
    public static func read(path: String) throws(FormatError) -> SafeTensorsFile {
        try parse(bytes: try FileBytes.read(path: path), path: path)
    }

    /// The tensor called `name`, or nil.
    public func entry(_ name: String) -> Entry? {
        indexByName[name].map { tensors[$0] }
    }

    /// The tensor's elements widened to doubles (row-major, as stored), its shape and the
    /// dtype it was stored in. Errors: no such tensor (the message lists the names there
    /// are), a dtype gradlog does not convert, more than `FormatLimits.maxElements` elements.
    public func values(_ name: String) throws(FormatError) -> (values: [Double], shape: [Int], dtype: DType) {
        guard let entry = entry(name) else {
            var names = tensors.prefix(20).map { $0.name.quotedForMessage() }.joined(separator: ", ")
            if tensors.count > 20 { names += " and \(tensors.count - 20) more" }
            let listing = tensors.isEmpty ? "the file holds no tensors" : "the tensors are \(names)"
            throw FormatError(file: path, message: "no tensor \(name.quotedForMessage()); \(listing)")
        }
        guard entry.dtype.isReadable else {
            throw FormatError(file: path, message: "unsupported dtype \(entry.dtype.rawValue) for tensor \(name.quotedForMessage()) (gradlog reads F64, F32, F16, BF16)")
        }
        guard entry.elementCount <= FormatLimits.maxElements else {
            throw FormatError(file: path, message: "tensor \(name.quotedForMessage()) has \(entry.elementCount) elements, more than the \(FormatLimits.maxElements) gradlog reads")
        }
        let start = dataStart + entry.byteRange.lowerBound
        let values = bytes.withUnsafeBytes { file in
            let raw = UnsafeRawBufferPointer(rebasing: file[start..<(dataStart + entry.byteRange.upperBound)])
            #if _endian(little)
            // F64 is the host's own layout: one copy, bit for bit (every NaN payload kept), not
            // a conversion per element (the MLP benchmark's 3.7 MB: 9 M instructions to a copy).
            if entry.dtype == .f64 && raw.count == entry.elementCount * 8 {
                return [Double](unsafeUninitializedCapacity: entry.elementCount) { buffer, count in
                    UnsafeMutableRawBufferPointer(buffer).copyMemory(from: raw)
                    count = entry.elementCount
                }
            }
            #endif
            return (0..<entry.elementCount).map { entry.dtype.double(in: raw, at: $0) }
        }
        return (values, entry.shape, entry.dtype)
    }
}
