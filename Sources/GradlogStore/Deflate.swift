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

    /// Decompresses `bytes`, which must come to exactly `size` bytes; nil otherwise. Memory
    /// grows with what the stream really holds and stops at `size`, so a size changed in the
    /// file (4e12 beside a few compressed bytes) never reserves more than the data.
    static func decompress(_ bytes: [UInt8], size: Int) -> [UInt8]? {
        guard size >= 0, bytes.count <= Int(uInt.max) else { return nil }
        var stream = z_stream()
        guard inflateInit_(&stream, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return nil }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        output.reserveCapacity(min(size, 4 * bytes.count))
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var status = Z_OK
        bytes.withUnsafeBytes { input in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
            stream.avail_in = uInt(input.count)
            while status == Z_OK {
                chunk.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress
                    stream.avail_out = uInt(out.count)
                    status = inflate(&stream, Z_NO_FLUSH)
                }
                let produced = chunk.count - Int(stream.avail_out)
                guard output.count + produced <= size else { status = Z_DATA_ERROR; break }
                output.append(contentsOf: chunk[..<produced])
            }
        }
        return status == Z_STREAM_END && output.count == size ? output : nil
    }
}
