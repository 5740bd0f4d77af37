import Testing
@testable import GradlogFormats

/// Writing then reading safetensors gives back every double bit for bit, F32 rounds as
/// `Float(value)`, and the header is laid out as documented.
@Suite struct SafeTensorsRoundTripTests {
    static let specialBits: [UInt64] = [
        0x7FF0_0000_0000_0001,  // signalling NaN, smallest payload
        0xFFF8_0000_0000_0000,  // negative quiet NaN
        0x7FF8_0000_DEAD_BEEF,  // quiet NaN with a payload
        0x8000_0000_0000_0000,  // -0.0
        0x7FF0_0000_0000_0000,  // +inf
        0xFFF0_0000_0000_0000,  // -inf
        0x0000_0000_0000_0001,  // 5e-324
        0x000F_FFFF_FFFF_FFFF,  // largest subnormal
        0x3FF0_0000_0000_0000,  // 1
        0x7FEF_FFFF_FFFF_FFFF,  // largest finite
    ]

    @Test func f64BitPatternsComeBackExactly() throws {
        let scratch = try ScratchFolder()
        let path = scratch.path("bits.safetensors")
        let values = Self.specialBits.map(Double.init(bitPattern:))
        try SafeTensorsFile.write(
            [("special", [2, 5], values, .f64), ("scalar", [], [0.1], .f64), ("empty", [0, 3], [], .f64)],
            metadata: [("run", "7"), ("note", "quote \" and\nnewline")], to: path)
        let file = try SafeTensorsFile.read(path: path)
        let read = try file.values("special")
        #expect(read.values.map(\.bitPattern) == Self.specialBits)
        #expect(read.shape == [2, 5] && read.dtype == .f64)
        #expect(try file.values("scalar").values == [0.1])
        #expect(try file.values("scalar").shape == [])
        #expect(try file.values("empty").shape == [0, 3])
        #expect(file.tensors.map(\.name) == ["special", "scalar", "empty"])
        #expect(file.metadata.map(\.key) == ["run", "note"])
        #expect(file.metadata.map(\.value) == ["7", "quote \" and\nnewline"])
    }

    @Test func headerIsPaddedAndOrdered() throws {
        let bytes = try SafeTensorsFile.encode([("b", [1], [2], .f64), ("a", [2], [3, 4], .f32)], metadata: [("k", "v")], path: "h")
        let length = Int(bytes[0]) | Int(bytes[1]) << 8
        #expect(length % 8 == 0)
        let header = String(decoding: bytes[8..<(8 + length)], as: UTF8.self)
        #expect(header == #"{"__metadata__":{"k":"v"},"b":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},"a":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}"# + String(repeating: " ", count: length - 133))
        #expect(bytes.count == 8 + length + 16)
    }

    @Test func f32WritingRoundsLikeFloat() throws {
        let values: [Double] = [0.1, -0.0, 1e-40, 1e39, .nan, 3.4028235677973366e38, 16777217]
        let bytes = try SafeTensorsFile.encode([("x", [7], values, .f32)], path: "f32")
        let read = try SafeTensorsFile.parse(bytes: bytes, path: "f32").values("x")
        #expect(read.dtype == .f32)
        for (written, back) in zip(values, read.values) {
            #expect(back.bitPattern == Double(Float(written)).bitPattern)
        }
    }

    @Test func tensorsAreListedInDataOrderWithTheirDtypes() throws {
        let header = #"{"late":{"dtype":"I64","shape":[1],"data_offsets":[8,16]},"early":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}}"#
        let file = try SafeTensorsFile.parse(bytes: safetensorsBytes(header: header, data: Array(repeating: 0, count: 16)), path: "o")
        #expect(file.tensors.map(\.name) == ["early", "late"])
        #expect(file.tensors.map(\.dtype) == [.f64, .i64])
        #expect(file.entry("late")?.byteRange == 8..<16)
        #expect(throws: FormatError(file: "o", message: "unsupported dtype I64 for tensor \"late\" (gradlog reads F64, F32, F16, BF16)")) {
            try file.values("late")
        }
        #expect(throws: FormatError(file: "o", message: #"no tensor "w"; the tensors are "early", "late""#)) {
            try file.values("w")
        }
    }

    @Test(arguments: [
        ([("__metadata__", [1], [1.0], DType.f64)], #"a tensor may not be called "__metadata__""#),
        ([("a", [1], [1.0], .f64), ("a", [1], [1.0], .f64)], #"tensor "a" is given twice"#),
        ([("a", [1], [1.0], .f16)], #"tensor "a": gradlog writes F64 or F32, not F16"#),
        ([("a", [2, 2], [1.0], .f64)], #"tensor "a": shape [2, 2] does not hold 1 values"#),
        ([("a", [-1, -1], [1.0], .f64)], #"tensor "a": shape [-1, -1] does not hold 1 values"#),
    ])
    func writerRefusesBadTensors(tensors: [(name: String, shape: [Int], values: [Double], dtype: DType)], message: String) {
        #expect(throws: FormatError(file: "w", message: message)) { try SafeTensorsFile.encode(tensors, path: "w") }
    }

    @Test func writeReportsAnUnwritablePath() throws {
        let scratch = try ScratchFolder()
        let path = scratch.path("no/such/folder/x.safetensors")
        #expect(throws: FormatError(file: path, message: "cannot create: No such file or directory")) {
            try SafeTensorsFile.write([("a", [1], [1], .f64)], to: path)
        }
    }
}
