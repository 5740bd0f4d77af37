/// How two numbers of a node compare.
public enum Verdict: UInt8, Sendable, Comparable {
    /// Bit for bit the same (0.0 and -0.0 count as the same unless `strictZero`).
    case identical
    /// Not the same bits, but within the tolerance given.
    case withinTolerance
    case different

    public static func < (lhs: Verdict, rhs: Verdict) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// When two doubles count as the same: exactly (the default), within an absolute and relative
/// tolerance, or within a number of units in the last place.
///
/// Whatever the tolerance, a NaN never agrees with a number, an infinity agrees only with the
/// same infinity, and `nil` (no value stored) agrees only with `nil`. Exactly, two NaNs agree
/// when their bits do; under a tolerance any two NaNs agree. 0.0 and -0.0 are identical unless
/// `strictZero`, which makes them different under any tolerance.
public struct ComparisonRule: Sendable, Equatable {
    public enum Tolerance: Sendable, Equatable {
        case exact
        /// `|b − a| ≤ absolute + relative·|a|`, A the reference, as `torch.testing.assert_close`.
        case close(absolute: Double, relative: Double)
        /// At most this many representable doubles apart.
        case ulps(UInt64)
    }

    public var tolerance: Tolerance
    public var strictZero: Bool
    /// Count ULPs of float32 (a trace captured in float32 and widened): `--ulps` and the
    /// reported distances are then in float32 units.
    public var singlePrecision: Bool

    public init(tolerance: Tolerance = .exact, strictZero: Bool = false, singlePrecision: Bool = false) {
        self.tolerance = tolerance
        self.strictZero = strictZero
        self.singlePrecision = singlePrecision
    }

    /// Compares `b` against the reference `a`. This runs for every value and adjoint of a diff:
    /// no allocation, the common equal case decided by one comparison of bits.
    @inline(__always)
    public func verdict(_ a: Double?, _ b: Double?) -> Verdict {
        guard let a, let b else { return a == nil && b == nil ? .identical : .different }
        if a.bitPattern == b.bitPattern { return .identical }
        return verdictOfDifferentBits(a, b)
    }

    private func verdictOfDifferentBits(_ a: Double, _ b: Double) -> Verdict {
        if a == b { return strictZero ? .different : .identical }  // only 0.0 and -0.0 get here
        if a.isNaN || b.isNaN {
            return a.isNaN && b.isNaN && tolerance != .exact ? .withinTolerance : .different
        }
        if !a.isFinite || !b.isFinite { return .different }
        switch tolerance {
        case .exact:
            return .different
        case .close(let absolute, let relative):
            return abs(b - a) <= absolute + relative * abs(a) ? .withinTolerance : .different
        case .ulps(let limit):
            let distance = singlePrecision ? Self.floatUlpDistance(a, b) : Self.ulpDistance(a, b)
            return distance.map { $0 <= limit } == true ? .withinTolerance : .different
        }
    }

    /// How many representable floats (float32) lie between `a` and `b`, both rounded to float32.
    public static func floatUlpDistance(_ a: Double, _ b: Double) -> UInt64? {
        if a.isNaN || b.isNaN { return nil }
        let x = Float(a).bitPattern, y = Float(b).bitPattern
        let sign: UInt32 = 1 << 31
        let mx = UInt64(x & ~sign), my = UInt64(y & ~sign)
        if (x & sign) == (y & sign) { return mx > my ? mx - my : my - mx }
        return mx + my
    }

    /// How many representable doubles lie between `a` and `b` (0.0 and -0.0 are 0 apart);
    /// nil if either is NaN.
    public static func ulpDistance(_ a: Double, _ b: Double) -> UInt64? {
        if a.isNaN || b.isNaN { return nil }
        let signBit: UInt64 = 1 << 63
        let magnitudeA = a.bitPattern & ~signBit, magnitudeB = b.bitPattern & ~signBit
        if (a.bitPattern & signBit) == (b.bitPattern & signBit) {
            return magnitudeA > magnitudeB ? magnitudeA - magnitudeB : magnitudeB - magnitudeA
        }
        return magnitudeA + magnitudeB  // across zero; each magnitude is below 2^63
    }
}
