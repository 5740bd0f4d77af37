import Foundation
import Testing
import GradlogFormats

/// Files gradlog writes are read bit for bit by Hugging Face's own `safetensors` package, and
/// the other way round. Skipped (and reported as skipped) where python3 lacks safetensors or
/// numpy; `.ci/run` installs them.
@Suite struct PythonCrossCheckTests {
    static let pythonHasSafetensors: Bool = (try? python(["-c", "import safetensors, numpy"])) != nil

    /// Runs python3 with `arguments`; its standard output, or nil if it failed.
    static func python(_ arguments: [String]) throws -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return process.terminationStatus == 0 ? text : nil
    }

    static let f64Bits: [UInt64] = [
        0x7FF0_0000_0000_0001, 0xFFF8_0000_0000_0000, 0x7FF8_0000_DEAD_BEEF, 0x8000_0000_0000_0000,
        0x7FF0_0000_0000_0000, 0xFFF0_0000_0000_0000, 0x0000_0000_0000_0001, 0x3FB9_9999_9999_999A,
    ]

    @Test(.enabled(if: pythonHasSafetensors, "python3 with safetensors and numpy is not installed"))
    func pythonReadsWhatSwiftWrites() throws {
        let scratch = try ScratchFolder()
        let path = scratch.path("swift.safetensors")
        try SafeTensorsFile.write([
            ("W1", [2, 4], Self.f64Bits.map(Double.init(bitPattern:)), .f64),
            ("b1", [3], [0.1, -0.0, 1e-40], .f32),
        ], metadata: [("run", "12"), ("note", "ünïcode \"quoted\"")], to: path)
        let script = """
            import sys
            from safetensors import safe_open
            from safetensors.numpy import load_file
            tensors = load_file(sys.argv[1])
            for name, array in tensors.items():
                view = array.view('<u8') if array.dtype.itemsize == 8 else array.view('<u4')
                print(name, array.dtype, list(array.shape), ' '.join('%x' % v for v in view.ravel()))
            with safe_open(sys.argv[1], 'np') as f:
                print(sorted(f.metadata().items()))
            """
        let output = try #require(try Self.python(["-c", script, path]))
        let f32Bits = [0.1, -0.0, 1e-40].map { String(Float($0).bitPattern, radix: 16) }
        #expect(output.split(separator: "\n").map(String.init) == [
            "W1 float64 [2, 4] " + Self.f64Bits.map { String($0, radix: 16) }.joined(separator: " "),
            "b1 float32 [3] " + f32Bits.joined(separator: " "),
            #"[('note', 'ünïcode "quoted"'), ('run', '12')]"#,
        ])
    }

    @Test(.enabled(if: pythonHasSafetensors, "python3 with safetensors and numpy is not installed"))
    func swiftReadsWhatPythonWrites() throws {
        let scratch = try ScratchFolder()
        let path = scratch.path("python.safetensors")
        let script = """
            import sys, numpy as np
            from safetensors.numpy import save_file
            f64 = np.array([\(Self.f64Bits.map { "0x\(String($0, radix: 16))" }.joined(separator: ", "))], dtype='<u8').view('<f8')
            f32 = np.array([0x7f800001, 0xffc00000, 0x00000001, 0x3dcccccd], dtype='<u4').view('<f4')
            f16 = np.array([0x3c00, 0x0001, 0x7c00, 0xfe00, 0x8000], dtype='<u2').view('<f2')
            save_file({'z': f64.reshape(2, 4), 'a': f32, 'h': f16, 'i': np.arange(3)}, sys.argv[1], metadata={'k': 'v'})
            """
        _ = try #require(try Self.python(["-c", script, path]))
        let file = try SafeTensorsFile.read(path: path)
        #expect(file.metadata.map(\.key) == ["k"] && file.metadata.map(\.value) == ["v"])
        let z = try file.values("z")
        #expect(z.values.map(\.bitPattern) == Self.f64Bits && z.shape == [2, 4] && z.dtype == .f64)
        let a = try file.values("a")
        #expect(a.dtype == .f32)
        #expect(a.values.map(\.bitPattern) == [0x7FF0_0000_2000_0000, 0xFFF8_0000_0000_0000,
                                               Double(Float.leastNonzeroMagnitude).bitPattern, Double(Float(0.1)).bitPattern])
        let h = try file.values("h")
        #expect(h.dtype == .f16)
        #expect(h.values.map(\.bitPattern) == [1.0, 0x1p-24, .infinity, -Double.nan, -0.0].map(\.bitPattern))
        #expect(file.entry("i")?.dtype == .i64)
    }
}
