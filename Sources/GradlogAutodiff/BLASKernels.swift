import CBLAS
import Glibc

/// The kernels OpenBLAS runs matrix products with, and whether this CPU can run them.
///
/// OpenBLAS picks its kernels by CPU model when it loads, unless `OPENBLAS_CORETYPE` names
/// them. It trusts that name for some kernels: Debian 12's OpenBLAS (0.3.21) told to use its
/// SkylakeX kernels on a CPU without AVX-512 (an AMD EPYC here) loads them, and the first matrix
/// product stops the process with an illegal instruction. The README advises that variable on
/// CPUs OpenBLAS does not know, so gradlog checks the choice before the first product.
public enum BLASKernels {
    /// Why matrix products cannot run in this process, or nil when they can: the library
    /// (GRADLOG_BLAS, else libopenblas.so.0) is loaded on first use, and the kernels it chose
    /// are checked against the CPU when OPENBLAS_CORETYPE chose them.
    public static let problem: String? = {
        if let failure = gradlog_blas_load() { return String(cString: failure) }
        return problemHere()
    }()

    /// The name OpenBLAS gives the kernels it loaded ("Haswell", "Zen", "SkylakeX", ...); nil
    /// for a library other than OpenBLAS. Loads the library.
    public static var name: String? { gradlog_blas_corename().map { String(cString: $0) } }

    /// The CPU features, as /proc/cpuinfo spells them, that a kernel family of OpenBLAS's x86-64
    /// builds executes; empty for a name not listed (those are not checked).
    public static func requiredFeatures(of kernels: String) -> [String] {
        let avx512 = ["avx512f", "avx512bw", "avx512dq", "avx512vl"]
        switch kernels.lowercased() {
        case "skylakex": return avx512
        case "cooperlake", "sapphirerapids": return avx512 + ["avx512_bf16"]
        case "haswell", "zen": return ["avx", "avx2", "fma"]
        case "sandybridge": return ["avx"]
        default: return []
        }
    }

    /// Why the loaded kernels cannot run on a CPU with `cpuFlags`, or nil when they can (or when
    /// `kernels` is not a family whose needs are known). `forcedBy` is OPENBLAS_CORETYPE's value.
    public static func problem(kernels: String, forcedBy: String, cpuFlags: Set<String>) -> String? {
        let missing = requiredFeatures(of: kernels).filter { !cpuFlags.contains($0) }
        guard !missing.isEmpty else { return nil }
        let alternative = ["Haswell", "Sandybridge"].first { requiredFeatures(of: $0).allSatisfy(cpuFlags.contains) } ?? "Prescott"
        return """
            OPENBLAS_CORETYPE=\(forcedBy) makes OpenBLAS use its \(kernels) kernels, which need \
            \(requiredFeatures(of: kernels).joined(separator: " ")); this CPU lacks \(missing.joined(separator: " ")), \
            and the first matrix product would stop with an illegal instruction. Unset OPENBLAS_CORETYPE \
            (OpenBLAS then picks kernels for this CPU) or set OPENBLAS_CORETYPE=\(alternative)
            """
    }

    /// The check for this process: nil unless OPENBLAS_CORETYPE is set and the kernels it made
    /// OpenBLAS load need features that /proc/cpuinfo does not list.
    static func problemHere() -> String? {
        guard let forced = getenv("OPENBLAS_CORETYPE").map({ String(cString: $0) }), !forced.isEmpty,
              let kernels = name, let flags = cpuFlags()
        else { return nil }
        return problem(kernels: kernels, forcedBy: forced, cpuFlags: flags)
    }

    /// The first processor's feature flags from /proc/cpuinfo (x86's `flags` line), or nil when
    /// the file cannot be read or has no such line.
    public static func cpuFlags(path: String = "/proc/cpuinfo") -> Set<String>? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var line: UnsafeMutablePointer<CChar>?
        var capacity = 0
        defer { free(line) }
        while getline(&line, &capacity, file) > 0 {
            guard let line else { break }
            let parts = String(cString: line).split(separator: ":", maxSplits: 1)
            guard parts.count == 2, parts[0].filter({ !$0.isWhitespace }) == "flags" else { continue }
            return Set(parts[1].split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).map(String.init))
        }
        return nil
    }
}
