import CKernels
import Testing
@testable import GradlogAutodiff

/// The statistics next to every tensor: the fast pass for finite elements and the careful one
/// for NaN, infinities and norms that would overflow or underflow give what a direct
/// computation gives.
@Suite struct TensorStatisticsTests {
    @Test func finiteElements() {
        let t = TensorStatistics([1, -2, 0, 3.5])
        #expect(t.count == 4 && t.zero == 1 && t.nan == 0 && t.positiveInfinity == 0)
        #expect(t.min == -2 && t.max == 3.5 && t.mean == 0.625 && t.norm == (1 + 4 + 12.25 as Double).squareRoot())
    }

    @Test func nonFiniteElementsAreCountedAndLeftOut() {
        let t = TensorStatistics([1, .nan, .infinity, -.infinity, -0.0])
        #expect(t.count == 5 && t.nan == 1 && t.positiveInfinity == 1 && t.negativeInfinity == 1 && t.zero == 1)
        #expect(t.min == -0.0 && t.max == 1 && t.mean == 0.5 && t.norm == 1)
        let none = TensorStatistics([.nan, .infinity])
        #expect(none.min == nil && none.mean == nil && none.norm == nil)
    }

    @Test func normsThatWouldOverflowOrUnderflowAreScaled() {
        let huge = TensorStatistics([3e200, 4e200]).norm!  // squares overflow: scaled, within an ULP or two
        #expect(abs(huge - 5e200) <= 2 * 5e200.ulp)
        let tiny = TensorStatistics([3e-300, 4e-300]).norm!
        #expect(abs(tiny - 5e-300) <= 1e-315)
    }

    /// The fast pass against a plain loop over a few thousand pseudo-random elements.
    @Test func agreesWithADirectComputation() {
        var state: UInt64 = 7
        let elements = (0..<5000).map { _ -> Double in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(Int64(bitPattern: state >> 11) % 1000) / 37
        }
        let t = TensorStatistics(elements)
        #expect(t.min == elements.min() && t.max == elements.max() && t.zero == elements.filter { $0 == 0 }.count)
        #expect(abs(t.mean! - elements.reduce(0, +) / 5000) <= 1e-12)
        #expect(abs(t.norm! - elements.map { $0 * $0 }.reduce(0, +).squareRoot()) <= 1e-9)
    }

    /// The AVX2 kernel (CKernels, where the CPU has AVX2) and the Swift loop give the same
    /// statistics bit for bit: lengths around the four lanes, signed zeros, subnormals, large
    /// and tiny magnitudes, and NaN or infinities (then the careful pass decides).
    @Test func theVectorKernelGivesTheSwiftLoopsBits() {
        var generator = SplitMix64(seed: 14)
        let specials: [Double] = [0, -0.0, 5e-324, -2.2e-308, 1e300, -1e-300, .nan, .infinity, -.infinity, 1, -1]
        func bits(_ t: TensorStatistics) -> [UInt64?] {
            [t.min, t.max, t.mean, t.norm].map { $0?.bitPattern } + [t.count, t.nan, t.positiveInfinity, t.negativeInfinity, t.zero].map { UInt64($0) }
        }
        var compared = 0
        for length in Array(0...40) + [255, 256, 257, 1000, 4099] {
            for round in 0..<6 {
                let elements: [Double] = (0..<length).map { _ in
                    let r = generator.next()
                    // Rounds 0-2 all finite (the kernel's pass decides); 3-5 with specials.
                    if round >= 3 && r % 7 == 0 { return specials[Int(r >> 8) % specials.count] }
                    if round == 0 && r % 5 == 0 { return r % 2 == 0 ? 0 : -0.0 }
                    let scale = round == 2 ? 1e-310 : (round == 1 ? 1e150 : 1)
                    return (Double(r >> 11) / Double(1 << 53) - 0.5) * scale
                }
                let kernel = elements.withUnsafeBufferPointer { TensorStatistics(buffer: $0, vectorKernel: true) }
                let swift = elements.withUnsafeBufferPointer { TensorStatistics(buffer: $0, vectorKernel: false) }
                #expect(bits(kernel) == bits(swift), "length \(length), round \(round)")
                compared += 1
            }
        }
        #expect(compared == 46 * 6)
        // Where the CPU has AVX2 the kernel did the work (4 lanes at a time), not the Swift loop.
        if BLASKernels.cpuFlags()?.contains("avx2") == true {
            var lanes = gradlog_statistics_lanes()
            let elements = [Double](repeating: 1, count: 11)
            #expect(elements.withUnsafeBufferPointer { gradlog_statistics_lanes_avx2($0.baseAddress, 11, &lanes) } == 8)
            #expect(lanes.sum == (2, 2, 2, 2) && lanes.zeros == (0, 0, 0, 0))
        }
    }
}

/// A small seeded generator (SplitMix64), so the arrays are the same on every run.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
