import CZlib

/// zlib's compress/uncompress, for program texts too large to keep as plain TEXT. The format is
/// zlib's (RFC 1950), which the sqlite3 shell reads with `sqlar_uncompress(data, size)` and
/// Python with `zlib.decompress`.
enum Deflate {
    /// Compresses at level 1: a generated program shrinks 3-4x, at hundreds of MB/s.
    static func compress(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        var size = compressBound(uLong(bytes.count))
        var output = [UInt8](repeating: 0, count: Int(size))
        let status = output.withUnsafeMutableBytes { out in
            compress2(out.baseAddress!.assumingMemoryBound(to: Bytef.self), &size,
                      bytes.baseAddress?.assumingMemoryBound(to: Bytef.self), uLong(bytes.count), 1)
        }
        precondition(status == Z_OK, "zlib compress2 failed with \(status)")
        output.removeSubrange(Int(size)...)
        return output
    }

    /// Decompresses `bytes` into exactly `size` bytes, or nil if they are not that.
    static func decompress(_ bytes: [UInt8], size: Int) -> [UInt8]? {
        var length = uLongf(size)
        var output = [UInt8](repeating: 0, count: size)
        let status = output.withUnsafeMutableBytes { out in
            bytes.withUnsafeBytes { input in
                uncompress(out.baseAddress!.assumingMemoryBound(to: Bytef.self), &length,
                           input.baseAddress?.assumingMemoryBound(to: Bytef.self), uLong(bytes.count))
            }
        }
        return status == Z_OK && Int(length) == size ? output : nil
    }
}
