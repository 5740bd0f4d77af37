import GradlogAutodiff

/// How a tensor is kept in SQLite: a BLOB of little-endian IEEE doubles, row-major, its shape
/// beside it in `tensor_node.shape` as a JSON array (`[100, 16]`). Bit-exact by construction.
enum TensorCodec {
    /// The BLOB's bytes are the arena's bytes on a little-endian machine; gradlog supports no
    /// other (every platform Swift runs on today is little-endian).
    static func withBytes<R>(_ elements: ArraySlice<Double>, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try elements.withUnsafeBufferPointer { try withBytes($0, body) }
    }

    /// The same for elements in memory gradlog holds (an arena): the bytes are the elements.
    static func withBytes<R>(_ elements: UnsafeBufferPointer<Double>, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        precondition(1.littleEndian == 1, "gradlog stores tensors as the machine's doubles, which must be little-endian")
        return try body(UnsafeRawBufferPointer(elements))
    }

    /// The doubles in a BLOB; nil when its length is not `count` doubles (any whole number of
    /// doubles when `count` is -1).
    static func decode(_ bytes: [UInt8], count: Int) -> [Double]? {
        let count = count == -1 ? bytes.count / 8 : count
        guard bytes.count == count * 8 else { return nil }
        return bytes.withUnsafeBytes { decode($0) }
    }

    /// The doubles of a BLOB's bytes, which must be a whole number of doubles.
    static func decode(_ raw: UnsafeRawBufferPointer) -> [Double] {
        precondition(raw.count % 8 == 0, "a tensor BLOB holds whole doubles")
        return (0..<raw.count / 8).map { element(raw, at: $0) }
    }

    /// Element `index` of a BLOB's bytes.
    static func element(_ raw: UnsafeRawBufferPointer, at index: Int) -> Double {
        Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self)))
    }

    /// Elements as nested JSON arrays in `shape`'s row-major layout (a bare number for a
    /// scalar), written as gradlog's JSON output writes floats: shortest round-trip numbers,
    /// and "NaN", "Infinity", "-Infinity" as strings.
    static func json(_ elements: [Double], shape: Shape) -> String {
        precondition(elements.count == shape.count, "a tensor's elements fill its shape")
        func number(_ x: Double) -> String {
            x.isFinite ? FloatEncoding.format(x) : "\"" + FloatEncoding.format(x) + "\""
        }
        guard !shape.isScalar else { return number(elements[0]) }
        var text = ""
        var next = 0
        func write(axis: Int) {
            text += "["
            for i in 0..<shape.dims[axis] {
                if i > 0 { text += ", " }
                if axis == shape.rank - 1 {
                    text += number(elements[next])
                    next += 1
                } else {
                    write(axis: axis + 1)
                }
            }
            text += "]"
        }
        write(axis: 0)
        return text
    }

    static func shapeText(_ shape: Shape) -> String {
        "[" + shape.dims.map(String.init).joined(separator: ", ") + "]"
    }

    /// Parses `[d0, d1, ...]`; nil for anything else or a shape no tensor may have.
    static func shape(fromText text: String) -> Shape? {
        let trimmed = text.trimmingCharacters(in: " ")
        guard trimmed.hasPrefix("["), trimmed.hasSuffix("]") else { return nil }
        let inner = trimmed.dropFirst().dropLast().trimmingCharacters(in: " ")
        if inner.isEmpty { return .scalar }
        var dims: [Int] = []
        for part in inner.split(separator: ",", omittingEmptySubsequences: false) {
            guard let d = Int(part.trimmingCharacters(in: " ")) else { return nil }
            dims.append(d)
        }
        return Shape.problem(with: dims) == nil ? Shape(dims) : nil
    }
}

private extension StringProtocol {
    func trimmingCharacters(in character: Character) -> String {
        var s = Substring(self)
        while s.first == character { s.removeFirst() }
        while s.last == character { s.removeLast() }
        return String(s)
    }
}
