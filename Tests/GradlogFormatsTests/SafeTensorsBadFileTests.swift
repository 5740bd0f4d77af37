import Testing
@testable import GradlogFormats

/// Every way a safetensors file can be wrong gives a message that names the tensor and the
/// problem; no bytes make the reader trap.
@Suite struct SafeTensorsBadFileTests {
    static func tensor(_ name: String = "w", dtype: String = "F64", shape: String = "[2]", offsets: String = "[0,16]") -> String {
        #""\#(name)":{"dtype":"\#(dtype)","shape":\#(shape),"data_offsets":\#(offsets)}"#
    }

    static func parse(_ header: String, data: Int = 16) throws(FormatError) -> SafeTensorsFile {
        try SafeTensorsFile.parse(bytes: safetensorsBytes(header: header, data: Array(repeating: 0, count: data)), path: "bad.safetensors")
    }

    @Test(arguments: [
        ("{" + tensor(dtype: "Q4") + "}", #"tensor "w" has unknown dtype "Q4""#),
        ("{" + tensor(dtype: "7") + "}", #"tensor "w" has unknown dtype "7""#),
        (#"{"w":{"dtype":7,"shape":[2],"data_offsets":[0,16]}}"#, #"tensor "w": "dtype" is the number 7, not a string"#),
        (#"{"w":{"shape":[2],"data_offsets":[0,16]}}"#, #"tensor "w" has no "dtype""#),
        (#"{"w":{"dtype":"F64","data_offsets":[0,16]}}"#, #"tensor "w" has no "shape""#),
        (#"{"w":{"dtype":"F64","shape":[2]}}"#, #"tensor "w" has no "data_offsets""#),
        (#"{"w":[1]}"#, #"tensor "w" is described by an array, not an object"#),
        ("{" + tensor(shape: "2") + "}", #"tensor "w": "shape" is the number 2, not an array"#),
        ("{" + tensor(shape: "[-2]") + "}", #"tensor "w": shape has the number -2 where a non-negative integer is expected"#),
        ("{" + tensor(shape: "[2.0]") + "}", #"tensor "w": shape has the number 2.0 where a non-negative integer is expected"#),
        ("{" + tensor(shape: "[2e0]") + "}", #"tensor "w": shape has the number 2e0 where a non-negative integer is expected"#),
        ("{" + tensor(shape: "[\"2\"]") + "}", #"tensor "w": shape has a string where a non-negative integer is expected"#),
        ("{" + tensor(shape: "[18446744073709551616]") + "}", #"tensor "w": shape has the number 18446744073709551616 where a non-negative integer is expected"#),
        ("{" + tensor(shape: "[4294967296,4294967296]") + "}", #"tensor "w": shape [4294967296, 4294967296] has too many elements to count in 64 bits"#),
        ("{" + tensor(shape: "[3]") + "}", #"tensor "w": data_offsets [0, 16] hold 16 bytes, but shape [3] of F64 needs 24 bytes (3 elements of 64 bits)"#),
        ("{" + tensor(dtype: "F4", shape: "[3]", offsets: "[0,2]") + "}", #"tensor "w": data_offsets [0, 2] hold 2 bytes, but shape [3] of F4 needs 12 bits, not a whole number of bytes (3 elements of 4 bits)"#),
        ("{" + tensor(offsets: "[0]") + "}", #"tensor "w": "data_offsets" is an array, not an array of two integers [BEGIN, END]"#),
        ("{" + tensor(offsets: "[0,-16]") + "}", #"tensor "w": data_offsets has the number -16 where a non-negative integer is expected"#),
        ("{" + tensor(offsets: "[16,0]") + "}", #"tensor "w": data_offsets [16, 0] end before they begin"#),
        ("{" + tensor(offsets: "[8,24]") + "}", #"tensor "w": data_offsets [8, 24] run past the end of the data buffer (16 bytes); the file is truncated or its header is wrong"#),
        ("{" + tensor(shape: "[1]", offsets: "[0,8]") + "," + tensor("v", shape: "[1]", offsets: "[4,12]") + "}", #"tensors "w" (bytes 0..<8) and "v" (bytes 4..<12) overlap"#),
        ("{" + tensor(shape: "[1]", offsets: "[8,16]") + "}", #"bytes 0..<8 of the data buffer belong to no tensor (at the start of the data buffer, before "w")"#),
        ("{" + tensor(shape: "[1]", offsets: "[0,8]") + "}", #"the data buffer has 8 bytes after the last tensor ends (at byte 8); the header does not describe the whole file"#),
        ("{" + tensor() + "," + tensor() + "}", #"header is not valid JSON: key "w" appears twice in one object at byte 55 of the header (byte 63 of the file)"#),
        ("{" + tensor() + #","__metadata__":{"n":1}}"#, #"__metadata__ "n" is the number 1; metadata values must be strings"#),
        ("{" + tensor() + #","__metadata__":[]}"#, #"__metadata__ is an array, not an object of strings"#),
        ("[1]", "header is an array, not a JSON object"),
        ("{" + tensor() + ",}", "header is not valid JSON: expected a key in quotes, found '}' at byte 55 of the header (byte 63 of the file)"),
        ("{\"w\":{\"dtype\":\"F\u{1}64\"}}", "header is not valid JSON: control character 0x1 inside a string (it must be escaped) at byte 16 of the header (byte 24 of the file)"),
        ("{" + tensor() + "} x", "header is not valid JSON: unexpected text after the end of the JSON value at byte 56 of the header (byte 64 of the file)"),
        ("", "header is not valid JSON: expected a value, found the end of the header at byte 0 of the header (byte 8 of the file)"),
        (String(repeating: "[", count: 100), "header is not valid JSON: JSON nested more than 64 levels deep at byte 64 of the header (byte 72 of the file)"),
    ])
    func badHeader(header: String, message: String) {
        #expect(throws: FormatError(file: "bad.safetensors", message: message)) { try Self.parse(header) }
    }

    @Test func headerThatIsNotUTF8() {
        let bytes = safetensorsBytes(header: "", data: Array("{\"\u{00}".utf8).dropLast() + [0xFF, 0x22, 0x3A, 0x31, 0x7D], headerLength: 6)
        #expect(throws: FormatError(file: "u", message: "header is not valid JSON: string is not valid UTF-8 at byte 1 of the header (byte 9 of the file)")) {
            try SafeTensorsFile.parse(bytes: bytes, path: "u")
        }
    }

    @Test func shortFilesAndBadLengths() {
        #expect(throws: FormatError(file: "s", message: "is 5 bytes long, too short for a safetensors file (it starts with an 8-byte header length)")) {
            try SafeTensorsFile.parse(bytes: [1, 2, 3, 4, 5], path: "s")
        }
        #expect(throws: FormatError(file: "s", message: "header length 100 runs past the end of the file (2 bytes follow the length); the file is truncated or not safetensors")) {
            try SafeTensorsFile.parse(bytes: safetensorsBytes(header: "{}", headerLength: 100), path: "s")
        }
        #expect(throws: FormatError(file: "s", message: "header length 18446744073709551615 is over the 100000000-byte limit; is this a safetensors file?")) {
            try SafeTensorsFile.parse(bytes: safetensorsBytes(header: "{}", headerLength: .max), path: "s")
        }
    }

    @Test func paddedHeaderAndEmptyFileAreFine() throws {
        let file = try Self.parse("{" + Self.tensor() + "}        ")
        #expect(file.tensors.count == 1)
        #expect(try Self.parse("  {}  ", data: 0).tensors.isEmpty)
        #expect(throws: FormatError(file: "bad.safetensors", message: #"no tensor "x"; the file holds no tensors"#)) {
            try Self.parse("{}", data: 0).values("x")
        }
    }

    @Test func unsupportedButKnownDtypesAreListed() throws {
        let header = "{" + Self.tensor(dtype: "BOOL", shape: "[16]") + "}"
        let file = try Self.parse(header)
        #expect(file.tensors.first?.dtype == .bool)
        #expect(throws: FormatError(file: "bad.safetensors", message: #"unsupported dtype BOOL for tensor "w" (gradlog reads F64, F32, F16, BF16)"#)) {
            try file.values("w")
        }
    }

    @Test func truncatedAndMissingFiles() throws {
        let scratch = try ScratchFolder()
        let whole = try SafeTensorsFile.encode([("w", [4], [1, 2, 3, 4], .f64)], path: "t")
        let path = try scratch.file("cut.safetensors", Array(whole.dropLast(5)))
        #expect(throws: FormatError(file: path, message: #"tensor "w": data_offsets [0, 32] run past the end of the data buffer (27 bytes); the file is truncated or its header is wrong"#)) {
            try SafeTensorsFile.read(path: path)
        }
        let headerCut = try scratch.file("header-cut.safetensors", Array(whole.prefix(20)))
        #expect(throws: FormatError(file: headerCut, message: "header length 56 runs past the end of the file (12 bytes follow the length); the file is truncated or not safetensors")) {
            try SafeTensorsFile.read(path: headerCut)
        }
        #expect(throws: FormatError(file: scratch.path("none.safetensors"), message: "cannot open: No such file or directory")) {
            try SafeTensorsFile.read(path: scratch.path("none.safetensors"))
        }
    }

    @Test func nullMetadataAndUnknownKeysAreAccepted() throws {
        let header = #"{"w":{"dtype":"F64","shape":[2],"data_offsets":[0,16],"quantization":{"x":1}},"__metadata__":null}"#
        let file = try Self.parse(header)
        #expect(file.metadata.isEmpty && file.tensors.map(\.name) == ["w"])
    }

    @Test func zeroSizedDimensionAfterAHugeOneIsEmpty() throws {
        let file = try Self.parse("{" + Self.tensor(shape: "[9223372036854775807,4,0]", offsets: "[0,0]") + "}", data: 0)
        #expect(try file.values("w").values.isEmpty)
    }
}
