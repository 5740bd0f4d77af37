import Foundation
import Testing
@testable import GradlogAutodiff

/// The check of OPENBLAS_CORETYPE's kernels against the CPU (BLASKernels).
@Suite struct BLASKernelsTests {
    /// Flags of a CPU with AVX2 and FMA but no AVX-512 (as an AMD EPYC's /proc/cpuinfo lists them).
    static let avx2 = Set("fpu sse sse2 ssse3 sse4_1 sse4_2 avx f16c fma avx2 bmi2".split(separator: " ").map(String.init))

    @Test func theKernelFamiliesKnowTheirFeatures() {
        #expect(BLASKernels.requiredFeatures(of: "SkylakeX") == ["avx512f", "avx512bw", "avx512dq", "avx512vl"])
        #expect(BLASKernels.requiredFeatures(of: "SKYLAKEX") == BLASKernels.requiredFeatures(of: "skylakex"))
        #expect(BLASKernels.requiredFeatures(of: "Cooperlake").contains("avx512_bf16"))
        #expect(BLASKernels.requiredFeatures(of: "Haswell") == ["avx", "avx2", "fma"])
        #expect(BLASKernels.requiredFeatures(of: "Zen") == ["avx", "avx2", "fma"])
        #expect(BLASKernels.requiredFeatures(of: "Sandybridge") == ["avx"])
        #expect(BLASKernels.requiredFeatures(of: "Prescott").isEmpty)
        #expect(BLASKernels.requiredFeatures(of: "NEOVERSEN1").isEmpty)
    }

    @Test func avx512KernelsOnAnAVX2CPUAreRefusedWithAWayOut() throws {
        let message = try #require(BLASKernels.problem(kernels: "SkylakeX", forcedBy: "skylakex", cpuFlags: Self.avx2))
        #expect(message.contains("OPENBLAS_CORETYPE=skylakex makes OpenBLAS use its SkylakeX kernels"))
        #expect(message.contains("this CPU lacks avx512f avx512bw avx512dq avx512vl"))
        #expect(message.contains("illegal instruction"))
        #expect(message.hasSuffix("Unset OPENBLAS_CORETYPE (OpenBLAS then picks kernels for this CPU) or set OPENBLAS_CORETYPE=Haswell"))
    }

    @Test func theSuggestedKernelsAreOnesThisCPUCanRun() throws {
        let avxOnly: Set<String> = ["sse2", "avx"]
        #expect(try #require(BLASKernels.problem(kernels: "Haswell", forcedBy: "Haswell", cpuFlags: avxOnly))
            .hasSuffix("set OPENBLAS_CORETYPE=Sandybridge"))
        let sse: Set<String> = ["sse2", "sse3"]
        let message = try #require(BLASKernels.problem(kernels: "Sandybridge", forcedBy: "Sandybridge", cpuFlags: sse))
        #expect(message.contains("this CPU lacks avx,"))
        #expect(message.hasSuffix("set OPENBLAS_CORETYPE=Prescott"))
    }

    @Test func kernelsTheCPUCanRunOrThatAreNotKnownPass() {
        #expect(BLASKernels.problem(kernels: "Haswell", forcedBy: "Haswell", cpuFlags: Self.avx2) == nil)
        #expect(BLASKernels.problem(kernels: "Zen", forcedBy: "Zen", cpuFlags: Self.avx2) == nil)
        let avx512 = Self.avx2.union(["avx512f", "avx512bw", "avx512dq", "avx512vl"])
        #expect(BLASKernels.problem(kernels: "SkylakeX", forcedBy: "SkylakeX", cpuFlags: avx512) == nil)
        #expect(BLASKernels.problem(kernels: "Cooperlake", forcedBy: "Cooperlake", cpuFlags: avx512) != nil)
        #expect(BLASKernels.problem(kernels: "Prescott", forcedBy: "Prescott", cpuFlags: []) == nil)
    }

    @Test func cpuFlagsAreReadFromTheFirstProcessorsFlagsLine() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("blas-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let cpuinfo = dir.appendingPathComponent("cpuinfo")
        try """
            processor\t: 0
            model name\t: AMD EPYC
            flags\t\t: fpu sse2 avx fma avx2
            bugs\t\t: sysret_ss_attrs

            processor\t: 1
            flags\t\t: fpu sse2 avx fma avx2 avx512f

            """.write(to: cpuinfo, atomically: true, encoding: .utf8)
        #expect(BLASKernels.cpuFlags(path: cpuinfo.path) == ["fpu", "sse2", "avx", "fma", "avx2"])
        let noFlags = dir.appendingPathComponent("arm")
        try "processor\t: 0\nFeatures\t: fp asimd\n".write(to: noFlags, atomically: true, encoding: .utf8)
        #expect(BLASKernels.cpuFlags(path: noFlags.path) == nil)
        #expect(BLASKernels.cpuFlags(path: dir.appendingPathComponent("absent").path) == nil)
    }

    #if arch(x86_64) && os(Linux)
    /// This machine: its flags are read, the library loads, and the kernels OpenBLAS picked by
    /// itself pass.
    @Test func thisMachinesOwnKernelsPass() throws {
        let flags = try #require(BLASKernels.cpuFlags())
        #expect(flags.contains("sse2"))
        if ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil {
            #expect(BLASKernels.problem == nil, "\(BLASKernels.problem ?? "")")
            let kernels = try #require(BLASKernels.name)
            #expect(BLASKernels.problem(kernels: kernels, forcedBy: "-", cpuFlags: flags) == nil, "\(kernels)")
        }
    }
    #endif
}
