extension SafeTensorsFile {
    /// Writes tensors as a safetensors file at `path` (created or truncated, not atomically).
    /// `dtype` is `.f64` (the doubles' bits exactly) or `.f32` (each value rounded by
    /// `Float(value)`); keys and data follow the order given, metadata first; the header is
    /// padded with spaces to a multiple of 8 bytes so that the data is aligned. Python's
    /// `safetensors.numpy.load_file` reads the result.
    public static func write(
        _ tensors: [(name: String, shape: [Int], values: [Double], dtype: DType)],
        metadata: [(key: String, value: String)] = [],
        to path: String
    ) throws(FormatError) {
        try FileBytes.write(try encode(tensors, metadata: metadata, path: path), to: path)
    }

    /// The bytes `write` puts in the file; `path` names it in errors.
    public static func encode(
        _ tensors: [(name: String, shape: [Int], values: [Double], dtype: DType)],
        metadata: [(key: String, value: String)] = [],
        path: String
    ) throws(FormatError) -> [UInt8] {
        func fail(_ message: String) -> FormatError { FormatError(file: path, message: message) }
        var fields: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.map { JSONValue.quoted($0.key) + ":" + JSONValue.quoted($0.value) }
            fields.append("\"__metadata__\":{" + pairs.joined(separator: ",") + "}")
        }
        var names: Set<String> = []
        var offset = 0
        for tensor in tensors {
            let name = tensor.name.quotedForMessage()
            guard tensor.name != "__metadata__" else { throw fail("a tensor may not be called \"__metadata__\"") }
            guard names.insert(tensor.name).inserted else { throw fail("tensor \(name) is given twice") }
            guard tensor.dtype == .f64 || tensor.dtype == .f32 else {
                throw fail("tensor \(name): gradlog writes F64 or F32, not \(tensor.dtype.rawValue)")
            }
            guard elementCount(of: tensor.shape) == tensor.values.count else {
                throw fail("tensor \(name): shape \(tensor.shape) does not hold \(tensor.values.count) values")
            }
            let end = offset + tensor.values.count * tensor.dtype.bitWidth / 8
            fields.append(JSONValue.quoted(tensor.name) + ":{\"dtype\":\"\(tensor.dtype.rawValue)\",\"shape\":["
                + tensor.shape.map(String.init).joined(separator: ",") + "],\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        var header = Array(("{" + fields.joined(separator: ",") + "}").utf8)
        header.append(contentsOf: repeatElement(UInt8(ascii: " "), count: (8 - header.count % 8) % 8))

        var bytes: [UInt8] = []
        bytes.reserveCapacity(8 + header.count + offset)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: header)
        for tensor in tensors {
            for value in tensor.values {
                if tensor.dtype == .f64 {
                    withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
                } else {
                    withUnsafeBytes(of: Float(value).bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
                }
            }
        }
        return bytes
    }

    /// The product of `shape`, or nil for a negative size or a product past `Int.max`.
    private static func elementCount(of shape: [Int]) -> Int? {
        var count = 1
        for size in shape {
            guard size >= 0 else { return nil }
            let product = count.multipliedReportingOverflow(by: size)
            guard !product.overflow else { return nil }
            count = product.partialValue
        }
        return count
    }
}
