import Testing
@testable import GradlogFormats

/// F16 and BF16 (read only) widen to doubles exactly, from hand-built files with known bits.
@Suite struct HalfPrecisionTests {
    static func read(_ dtype: String, _ patterns: [UInt16]) throws -> [Double] {
        let header = #"{"t":{"dtype":"\#(dtype)","shape":[\#(patterns.count)],"data_offsets":[0,\#(patterns.count * 2)]}}"#
        let file = try SafeTensorsFile.parse(bytes: safetensorsBytes(header: header, data: littleEndian(patterns)), path: "h")
        let read = try file.values("t")
        #expect(read.dtype.rawValue == dtype)
        return read.values
    }

    @Test func f16() throws {
        let values = try Self.read("F16", [0x3C00, 0xC000, 0x0001, 0x03FF, 0x0400, 0x7BFF, 0x8000, 0x7C00, 0xFC00, 0x3555])
        #expect(values[0] == 1 && values[1] == -2)
        #expect(values[2] == 0x1p-24)  // smallest subnormal
        #expect(values[3] == 1023 * 0x1p-24)  // largest subnormal
        #expect(values[4] == 0x1p-14)  // smallest normal
        #expect(values[5] == 65504)  // largest finite
        #expect(values[6].bitPattern == (-0.0).bitPattern)
        #expect(values[7] == .infinity && values[8] == -.infinity)
        #expect(values[9] == 0.333251953125)
    }

    @Test func f16NaNsKeepSignQuietBitAndPayload() throws {
        let values = try Self.read("F16", [0x7E00, 0xFE00, 0x7C01, 0x7E55])
        #expect(values.map(\.bitPattern) == [
            0x7FF8_0000_0000_0000, 0xFFF8_0000_0000_0000, 0x7FF0_0400_0000_0000, 0x7FF9_5400_0000_0000,
        ])
    }

    @Test func bf16() throws {
        let values = try Self.read("BF16", [0x3F80, 0xC040, 0x0001, 0x8000, 0x7F80, 0xFF80, 0x7FC0, 0x7F81, 0x3E4D])
        #expect(values[0] == 1 && values[1] == -3)
        #expect(values[2] == 0x1p-133)  // smallest bfloat16 subnormal
        #expect(values[3].bitPattern == (-0.0).bitPattern)
        #expect(values[4] == .infinity && values[5] == -.infinity)
        #expect(values[6].bitPattern == 0x7FF8_0000_0000_0000)
        #expect(values[7].bitPattern == 0x7FF0_2000_0000_0000)  // signalling NaN stays signalling
        #expect(values[8] == 0.2001953125)
    }

    @Test func f32NaNPayloadsAreKept() throws {
        let bits: [UInt32] = [0x7F80_0001, 0xFFC0_0000, 0x0000_0001]
        let data = bits.flatMap { b in (0..<4).map { UInt8(truncatingIfNeeded: b >> (8 * $0)) } }
        let header = #"{"t":{"dtype":"F32","shape":[3],"data_offsets":[0,12]}}"#
        let values = try SafeTensorsFile.parse(bytes: safetensorsBytes(header: header, data: data), path: "f").values("t").values
        #expect(values.map(\.bitPattern) == [0x7FF0_0000_2000_0000, 0xFFF8_0000_0000_0000, Double(Float.leastNonzeroMagnitude).bitPattern])
    }
}
