import Foundation
import Testing

/// The BLAS library is loaded at the first matrix product (CBLAS, BLASKernels): a program
/// without one never loads it, a library that cannot be loaded or kernels this CPU cannot run
/// (OPENBLAS_CORETYPE) are refused at that product, with a message, before anything is written,
/// instead of a process that cannot start or that ends in SIGILL.
@Suite struct BLASKernelsCLITests {
    static let digits = TensorRunTests.examples.appendingPathComponent("digits.grad").path
    static let scalar = RecordedLog.seed

    /// The first processor's flags, as gradlog reads them.
    static func cpuFlags() throws -> Set<String> {
        let text = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        let line = text.split(separator: "\n").first { $0.hasPrefix("flags") } ?? ""
        return Set(line.split(separator: ":").last?.split(separator: " ").map(String.init) ?? [])
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/cpuinfo")))
    func kernelsThisCPULacksAreRefusedAtTheFirstProduct() throws {
        let flags = try Self.cpuFlags()
        // The first kernel family this CPU cannot run; an AVX-512 machine can run them all.
        let needs = [("SkylakeX", "avx512f"), ("Haswell", "avx2"), ("Sandybridge", "avx")]
        guard let (kernels, feature) = needs.first(where: { !flags.contains($0.1) }) else { return }
        let log = try RecordedLog()
        let environment = ["OPENBLAS_CORETYPE": kernels]
        let result = try CLI.run(["record", Self.digits, "--db", log.db], environment: environment)
        #expect(!result.signaled)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("error: matmul: OPENBLAS_CORETYPE=\(kernels) makes OpenBLAS use its \(kernels) kernels"), "\(result.stderr)")
        #expect(result.stderr.contains("this CPU lacks \(feature)"), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: log.db))
        // Commands without a matrix product are not affected.
        let scalar = try CLI.run(["record", Self.scalar, "--db", log.db], environment: environment)
        #expect(scalar.status == 0, "\(scalar.stderr)")
        #expect(try CLI.run(["runs", "--db", log.db], environment: environment).status == 0)
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

    @Test func aBLASLibraryThatCannotBeLoadedIsAMessageAtTheFirstProduct() throws {
        let log = try RecordedLog()
        let environment = ["GRADLOG_BLAS": "libno-such-blas.so"]  // not on the library path
        let result = try CLI.run(["record", Self.digits, "--db", log.db], environment: environment)
        #expect(!result.signaled)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("digits.grad:"), "\(result.stderr)")
        #expect(result.stderr.contains("error: matmul: cannot load the BLAS library libno-such-blas.so (libno-such-blas.so: cannot open shared object file"), "\(result.stderr)")
        #expect(result.stderr.contains("GRADLOG_BLAS names it"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: log.db))
        // A scalar program needs no BLAS.
        #expect(try CLI.run(["record", Self.scalar, "--db", log.db], environment: environment).status == 0)
    }

    /// A library without cblas_dgemm (zlib) is named as such.
    @Test func aLibraryWithoutDgemmIsRefused() throws {
        let log = try RecordedLog()
        let result = try CLI.run(["record", Self.digits, "--db", log.db], environment: ["GRADLOG_BLAS": "libz.so.1"])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("error: matmul: the BLAS library libz.so.1 has no cblas_dgemm"), "\(result.stderr)")
    }

    /// The dynamic loader's own account (LD_DEBUG=libs): OpenBLAS is loaded for a program with
    /// a matrix product and not for one without.
    @Test func openBLASIsLoadedOnlyForAMatrixProduct() throws {
        let log = try RecordedLog()
        let scalar = try CLI.run(["record", Self.scalar, "--db", log.db], environment: ["LD_DEBUG": "libs"])
        #expect(scalar.status == 0)
        #expect(scalar.stderr.contains("libsqlite3"), "LD_DEBUG printed nothing: \(scalar.stderr.prefix(300))")
        #expect(!scalar.stderr.contains("libopenblas"))
        let tensor = try CLI.run(["record", Self.digits, "--db", log.db], environment: ["LD_DEBUG": "libs"])
        #expect(tensor.status == 0)
        #expect(tensor.stderr.contains("libopenblas"))
    }
}
