import GradlogFormats
import GradlogAutodiff

/// The ways a leaf's value can be written besides a number or a literal.
enum Initializer: String, CaseIterable {
    case zeros, ones, uniform, normal, csv, load

    var usage: String {
        switch self {
        case .zeros, .ones: "\(rawValue)([d0, d1, ...])"
        case .uniform: "uniform(LOW, HIGH, [d0, d1, ...])"
        case .normal: "normal(MEAN, STD, [d0, d1, ...])"
        case .csv: "csv(\"file.csv\") or csv(\"file.csv\", \"column\", ...)"
        case .load: "load(\"file.safetensors\", \"key\")"
        }
    }
}

/// A file a leaf reads could not be read, or does not hold what the program asks for.
public struct InitializerError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// What a program's leaves draw on: the seeded random generator, and the files that `csv` and
/// `load` read (paths relative to the program's folder).
public struct Initializers {
    public var random: RandomSource
    /// The folder relative paths are resolved against ("" for the current folder).
    public var folder: String
    /// False to refuse `csv(...)` and `load(...)` (the fuzzer reads no files).
    public var readsFiles = true
    /// The most elements one tensor, and all of them together, may hold.
    public var maximumElements = Shape.maximumCount
    public var maximumTotalElements = Tape.defaultMaximumTotalElements
    /// True to time the forward pass as the program is parsed (`Tape.forwardTime`).
    public var timesForward = false

    public init(seed: UInt64 = RandomSource.defaultSeed, folder: String = "") {
        random = RandomSource(seed: seed)
        self.folder = folder
    }

    /// The folder of a program file's path (`examples/moons.grad` -> `examples`).
    public static func folder(of programPath: String) -> String {
        guard let slash = programPath.lastIndex(of: "/") else { return "" }
        return String(programPath[..<slash])
    }

    func resolve(_ path: String) -> String {
        path.hasPrefix("/") || folder.isEmpty ? path : folder + "/" + path
    }

    /// The data files read so far, by resolved path: a parse reads each file once, however
    /// many leaves name it (eight `load`s of one weights file read it once).
    private var openedTables: [String: CSVTable] = [:]
    private var openedSafetensors: [String: SafeTensorsFile] = [:]

    mutating func csv(_ path: String, columns: [String]) throws(InitializerError) -> (Shape, [Double]) {
        guard readsFiles else { throw InitializerError("this program may not read files (csv \(path))") }
        return try DataFiles.csv(resolve(path), columns: columns, opened: &openedTables)
    }

    mutating func safetensors(_ path: String, key: String) throws(InitializerError) -> (Shape, [Double]) {
        guard readsFiles else { throw InitializerError("this program may not read files (load \(path))") }
        return try DataFiles.safetensors(resolve(path), key: key, opened: &openedSafetensors)
    }
}

/// A seeded generator that gives the same doubles on every machine: xoshiro256** (Blackman and
/// Vigna), its state filled from the seed by splitmix64. A double in [0, 1) is the top 53 bits
/// of a draw times 2^-53. `uniform(lo, hi)` is lo + (hi - lo) * u; `normal` is Marsaglia's
/// polar method, with a logarithm computed from IEEE additions, multiplications and divisions
/// only (`portableLog`), so that no C library's rounding enters. Leaves draw in program order,
/// elements in row-major order.
public struct RandomSource: Sendable {
    public static let defaultSeed: UInt64 = 0
    /// The seed the generator started from.
    public let seed: UInt64
    private var state: (UInt64, UInt64, UInt64, UInt64)
    private var spareNormal: Double?

    public init(seed: UInt64) {
        self.seed = seed
        var x = seed
        func splitmix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (splitmix(), splitmix(), splitmix(), splitmix())
    }

    public mutating func next() -> UInt64 {
        let result = rotate(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotate(state.3, 45)
        return result
    }

    private func rotate(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// A double in [0, 1).
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }

    public mutating func uniform(_ low: Double, _ high: Double, count: Int) -> [Double] {
        (0..<count).map { _ in low + (high - low) * unit() }
    }

    public mutating func normal(mean: Double, deviation: Double, count: Int) -> [Double] {
        (0..<count).map { _ in mean + deviation * standardNormal() }
    }

    private mutating func standardNormal() -> Double {
        if let spare = spareNormal {
            spareNormal = nil
            return spare
        }
        while true {
            let u = 2 * unit() - 1, v = 2 * unit() - 1
            let s = u * u + v * v
            guard s > 0 && s < 1 else { continue }
            let factor = (-2 * Self.portableLog(s) / s).squareRoot()
            spareNormal = v * factor
            return u * factor
        }
    }

    /// ln(x) for x in (0, 1), from x = m * 2^e with m in [1/sqrt 2, sqrt 2):
    /// ln x = e ln 2 + 2 atanh((m - 1) / (m + 1)), the series summed until it stops changing.
    static func portableLog(_ x: Double) -> Double {
        var m = x.significand  // [1, 2)
        var e = Double(x.exponent)
        if m > 1.4142135623730951 {
            m /= 2
            e += 1
        }
        let s = (m - 1) / (m + 1), s2 = s * s
        var term = s, total = 0.0, k = 1.0
        while true {
            let next = total + term / k
            if next == total { break }
            total = next
            term *= s2
            k += 2
        }
        return e * 0.6931471805599453 + 2 * total
    }
}
