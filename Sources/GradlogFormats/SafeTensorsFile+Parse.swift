extension SafeTensorsFile {
    /// Checks and indexes the bytes of a safetensors file; `path` names it in errors. Any
    /// bytes give either a file or a `FormatError` naming the tensor and the problem; the
    /// checks use overflow-reporting arithmetic, so nothing traps.
    public static func parse(bytes: [UInt8], path: String) throws(FormatError) -> SafeTensorsFile {
        func fail(_ message: String) -> FormatError { FormatError(file: path, message: message) }

        guard bytes.count >= 8 else {
            throw fail("is \(bytes.count) bytes long, too short for a safetensors file (it starts with an 8-byte header length)")
        }
        let headerLength = bytes[0..<8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard headerLength <= UInt64(FormatLimits.maxHeaderBytes) else {
            throw fail("header length \(headerLength) is over the \(FormatLimits.maxHeaderBytes)-byte limit; is this a safetensors file?")
        }
        guard headerLength <= UInt64(bytes.count - 8) else {
            throw fail("header length \(headerLength) runs past the end of the file (\(bytes.count - 8) bytes follow the length); the file is truncated or not safetensors")
        }
        let dataStart = 8 + Int(headerLength)
        let header: JSONValue
        do {
            header = try JSONParser.parse(Array(bytes[8..<dataStart]))
        } catch {
            throw fail("header is not valid JSON: \(error.message) at byte \(error.offset) of the header (byte \(error.offset + 8) of the file)")
        }
        guard case .object(let members) = header else { throw fail("header is \(header.kind), not a JSON object") }

        var metadata: [(key: String, value: String)] = []
        var entries: [Entry] = []
        let dataLength = bytes.count - dataStart
        for (name, info) in members {
            if name == "__metadata__" {
                metadata = try metadataPairs(info, fail: fail)
            } else {
                entries.append(try entry(name, info, dataLength: dataLength, fail: fail))
            }
        }
        let ordered = entries.enumerated()
            .sorted { ($0.element.byteRange.lowerBound, $0.element.byteRange.upperBound, $0.offset) < ($1.element.byteRange.lowerBound, $1.element.byteRange.upperBound, $1.offset) }
            .map(\.element)
        try checkTiling(ordered, dataLength: dataLength, fail: fail)
        return SafeTensorsFile(path: path, metadata: metadata, tensors: ordered, bytes: bytes, dataStart: dataStart)
    }

    private static func metadataPairs(_ info: JSONValue, fail: (String) -> FormatError) throws(FormatError) -> [(key: String, value: String)] {
        if info == .null { return [] }  // as the reference implementation allows
        guard case .object(let pairs) = info else { throw fail("__metadata__ is \(info.kind), not an object of strings") }
        var metadata: [(key: String, value: String)] = []
        for (key, value) in pairs {
            guard case .string(let text) = value else {
                throw fail("__metadata__ \(key.quotedForMessage()) is \(value.kind); metadata values must be strings")
            }
            metadata.append((key, text))
        }
        return metadata
    }

    /// One tensor's header entry, checked on its own: dtype, shape, offsets, byte count.
    /// Other keys in the entry are ignored, as the reference implementation does.
    private static func entry(_ name: String, _ info: JSONValue, dataLength: Int, fail: (String) -> FormatError) throws(FormatError) -> Entry {
        let tensor = "tensor \(name.quotedForMessage())"
        guard case .object(let fields) = info else { throw fail("\(tensor) is described by \(info.kind), not an object") }
        func field(_ key: String) throws(FormatError) -> JSONValue {
            guard let value = fields.first(where: { $0.key == key })?.value else { throw fail("\(tensor) has no \"\(key)\"") }
            return value
        }
        guard case .string(let dtypeName) = try field("dtype") else {
            throw fail("\(tensor): \"dtype\" is \(try field("dtype").kind), not a string")
        }
        guard let dtype = DType(rawValue: dtypeName) else {
            throw fail("\(tensor) has unknown dtype \(dtypeName.quotedForMessage())")
        }
        guard case .array(let dimensions) = try field("shape") else {
            throw fail("\(tensor): \"shape\" is \(try field("shape").kind), not an array")
        }
        var shape: [Int] = []
        var elementCount = 1
        var overflow = false
        for dimension in dimensions {
            guard let size = dimension.unsignedInteger, size <= UInt64(Int.max) else {
                throw fail("\(tensor): shape has \(dimension.kind) where a non-negative integer is expected")
            }
            shape.append(Int(size))
            if !overflow {
                let product = elementCount.multipliedReportingOverflow(by: Int(size))
                (elementCount, overflow) = (product.partialValue, product.overflow)
            }
        }
        let shapeText = "[" + shape.map(String.init).joined(separator: ", ") + "]"
        let bits = elementCount.multipliedReportingOverflow(by: dtype.bitWidth)
        if overflow || bits.overflow {
            if !shape.contains(0) { throw fail("\(tensor): shape \(shapeText) has too many elements to count in 64 bits") }
            elementCount = 0
        }
        guard case .array(let offsets) = try field("data_offsets"), offsets.count == 2 else {
            throw fail("\(tensor): \"data_offsets\" is \(try field("data_offsets").kind), not an array of two integers [BEGIN, END]")
        }
        guard let begin = offsets[0].unsignedInteger, let end = offsets[1].unsignedInteger else {
            let bad = offsets[0].unsignedInteger == nil ? offsets[0] : offsets[1]
            throw fail("\(tensor): data_offsets has \(bad.kind) where a non-negative integer is expected")
        }
        let offsetsText = "[\(begin), \(end)]"
        guard begin <= end else { throw fail("\(tensor): data_offsets \(offsetsText) end before they begin") }
        guard end <= UInt64(dataLength) else {
            throw fail("\(tensor): data_offsets \(offsetsText) run past the end of the data buffer (\(dataLength) bytes); the file is truncated or its header is wrong")
        }
        let byteCount = Int(end - begin)
        let bitCount = elementCount * dtype.bitWidth
        guard bitCount % 8 == 0, bitCount / 8 == byteCount else {
            let needed = bitCount % 8 == 0 ? "\(bitCount / 8) bytes" : "\(bitCount) bits, not a whole number of bytes"
            throw fail("\(tensor): data_offsets \(offsetsText) hold \(byteCount) bytes, but shape \(shapeText) of \(dtype.rawValue) needs \(needed) (\(elementCount) elements of \(dtype.bitWidth) bits)")
        }
        return Entry(name: name, dtype: dtype, shape: shape, byteRange: Int(begin)..<Int(end), elementCount: elementCount)
    }

    /// The tensors, sorted by offset, must cover the data buffer exactly once.
    private static func checkTiling(_ ordered: [Entry], dataLength: Int, fail: (String) -> FormatError) throws(FormatError) {
        var covered = 0
        var previous: Entry? = nil
        for entry in ordered {
            let range = entry.byteRange
            if range.lowerBound < covered, let previous {
                throw fail("tensors \(previous.name.quotedForMessage()) (bytes \(previous.byteRange.lowerBound)..<\(previous.byteRange.upperBound)) and \(entry.name.quotedForMessage()) (bytes \(range.lowerBound)..<\(range.upperBound)) overlap")
            }
            if range.lowerBound > covered {
                let before = previous.map { "after tensor \($0.name.quotedForMessage())" } ?? "at the start of the data buffer"
                throw fail("bytes \(covered)..<\(range.lowerBound) of the data buffer belong to no tensor (\(before), before \(entry.name.quotedForMessage()))")
            }
            covered = range.upperBound
            previous = entry
        }
        if covered < dataLength {
            throw fail("the data buffer has \(dataLength - covered) bytes after the last tensor ends (at byte \(covered)); the header does not describe the whole file")
        }
    }
}
