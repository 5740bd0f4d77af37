import Foundation
import Testing

/// OPENBLAS_CORETYPE naming kernels this CPU cannot run is refused before anything is computed
/// or written, instead of ending in SIGILL at the first matrix product (BLASKernels).
@Suite struct BLASKernelsCLITests {
    static let digits = TensorRunTests.examples.appendingPathComponent("digits.grad").path

    /// The first processor's flags, as gradlog reads them.
    static func cpuFlags() throws -> Set<String> {
        let text = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        let line = text.split(separator: "\n").first { $0.hasPrefix("flags") } ?? ""
        return Set(line.split(separator: ":").last?.split(separator: " ").map(String.init) ?? [])
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/cpuinfo")))
    func kernelsThisCPULacksAreRefusedAndNothingIsWritten() throws {
        let flags = try Self.cpuFlags()
        // The first kernel family this CPU cannot run; an AVX-512 machine can run them all.
        let needs = [("SkylakeX", "avx512f"), ("Haswell", "avx2"), ("Sandybridge", "avx")]
        guard let (kernels, feature) = needs.first(where: { !flags.contains($0.1) }) else { return }
        let log = try RecordedLog()
        let result = try CLI.run(["record", Self.digits, "--db", log.db], environment: ["OPENBLAS_CORETYPE": kernels])
        #expect(!result.signaled)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("gradlog: error: OPENBLAS_CORETYPE=\(kernels) makes OpenBLAS use its \(kernels) kernels"), "\(result.stderr)")
        #expect(result.stderr.contains("this CPU lacks \(feature)"), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: log.db))
        // --version and usage errors still answer as usual.
        let version = try CLI.run(["--version"], environment: ["OPENBLAS_CORETYPE": kernels])
        #expect(version.status == 0)
    }

    /// Kernels every x86-64 CPU runs (SSE3) are taken as asked, and the run is the one recorded
    /// without the variable, to the kernels' rounding.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/cpuinfo")))
    func kernelsThisCPUCanRunAreUsed() throws {
        let log = try RecordedLog()
        let forced = try CLI.run(["record", Self.digits, "--db", log.db, "--format", "json"], environment: ["OPENBLAS_CORETYPE": "Prescott"])
        #expect(forced.status == 0, "\(forced.stderr)")
        let chosen = try CLI.run(["record", Self.digits, "--db", log.db, "--format", "json"])
        #expect(chosen.status == 0, "\(chosen.stderr)")
        let a = try #require(try parseJSON(forced.stdout) as? [String: Any])
        let b = try #require(try parseJSON(chosen.stdout) as? [String: Any])
        let la = try #require((a["output"] as? [String: Any])?["value"] as? Double)
        let lb = try #require((b["output"] as? [String: Any])?["value"] as? Double)
        #expect(abs(la - lb) <= 1e-12 * abs(lb), "\(la) \(lb)")
    }
}
