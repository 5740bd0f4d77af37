import CZlib

/// zlib compression for program texts too large to keep as plain TEXT. The format is zlib's
/// (RFC 1950), which the sqlite3 shell reads with `sqlar_uncompress(data, size)` and Python
/// with `zlib.decompress`.
enum Deflate {
    /// Compresses at level 1 (a generated program shrinks 3-4x at hundreds of MB/s), growing
    /// the output as it goes rather than reserving zlib's worst-case bound up front.
    static func compress(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        var stream = z_stream()
        var status = deflateInit_(&stream, 1, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        precondition(status == Z_OK, "zlib deflateInit failed with \(status)")
        defer { deflateEnd(&stream) }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count / 4)
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        stream.next_in = UnsafeMutablePointer(mutating: bytes.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(bytes.count)
        repeat {
            chunk.withUnsafeMutableBufferPointer { out in
                stream.next_out = out.baseAddress
                stream.avail_out = uInt(out.count)
                status = deflate(&stream, Z_FINISH)
            }
            precondition(status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR, "zlib deflate failed with \(status)")
            output.append(contentsOf: chunk[..<(chunk.count - Int(stream.avail_out))])
        } while status != Z_STREAM_END
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
