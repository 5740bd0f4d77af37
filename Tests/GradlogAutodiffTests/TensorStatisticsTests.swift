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
}
