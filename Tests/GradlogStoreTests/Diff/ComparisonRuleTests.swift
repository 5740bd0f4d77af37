import Testing
@testable import GradlogStore

/// The comparison rule, value by value: exact by default, torch's assert_close rule, ULPs.
@Suite struct ComparisonRuleTests {
    static let otherNaN = Double(bitPattern: 0x7FF4_0000_0000_0001)
    static let exact = ComparisonRule()
    static let close = ComparisonRule(tolerance: .close(absolute: 1e-12, relative: 1e-6))

    @Test(arguments: [
        // (a, b, exact, within atol 1e-12 + rtol 1e-6)
        (1.0, 1.0, Verdict.identical, Verdict.identical),
        (0.0, -0.0, .identical, .identical),
        (Double.nan, Double.nan, .identical, .identical),
        (Double.nan, otherNaN, .different, .withinTolerance),
        (Double.nan, 1.0, .different, .different),
        (Double.infinity, .infinity, .identical, .identical),
        (Double.infinity, -.infinity, .different, .different),
        (Double.infinity, .greatestFiniteMagnitude, .different, .different),
        (1.0, 1.0 + 1e-7, .different, .withinTolerance),
        (1.0, 1.0 + 1e-5, .different, .different),
        (0.0, 1e-13, .different, .withinTolerance),
        (0.0, 1e-11, .different, .different),
    ])
    func verdicts(a: Double, b: Double, exactly: Verdict, closely: Verdict) {
        #expect(Self.exact.verdict(a, b) == exactly)
        #expect(Self.close.verdict(a, b) == closely)
    }

    @Test func strictZeroTellsTheZerosApart() {
        let strict = ComparisonRule(strictZero: true)
        #expect(strict.verdict(0.0, -0.0) == .different)
        #expect(strict.verdict(-0.0, -0.0) == .identical)
        #expect(ComparisonRule(tolerance: .close(absolute: 1, relative: 1), strictZero: true).verdict(0.0, -0.0) == .different)
    }

    /// A is the reference: the relative tolerance scales with |a|, not |b|.
    @Test func relativeToleranceScalesWithA() {
        let rule = ComparisonRule(tolerance: .close(absolute: 0, relative: 0.5))
        #expect(rule.verdict(2, 3) == .withinTolerance)  // |3 - 2| <= 0.5 * 2
        #expect(rule.verdict(3, 2) == .withinTolerance)  // |2 - 3| <= 0.5 * 3
        #expect(rule.verdict(2, 3.5) == .different)
    }

    @Test func missingValuesAgreeOnlyWithMissing() {
        #expect(Self.exact.verdict(nil, nil) == .identical)
        #expect(Self.close.verdict(nil, 1) == .different)
        #expect(Self.close.verdict(1, nil) == .different)
    }

    @Test func ulpDistances() {
        #expect(ComparisonRule.ulpDistance(1, 1.0.nextUp) == 1)
        #expect(ComparisonRule.ulpDistance(1.0.nextUp, 1) == 1)
        #expect(ComparisonRule.ulpDistance(0.0, -0.0) == 0)
        #expect(ComparisonRule.ulpDistance(5e-324, -5e-324) == 2)
        #expect(ComparisonRule.ulpDistance(.greatestFiniteMagnitude, .infinity) == 1)
        #expect(ComparisonRule.ulpDistance(.nan, 1) == nil)
        let fourApart = ComparisonRule(tolerance: .ulps(4))
        #expect(fourApart.verdict(1, 1.0.nextUp.nextUp.nextUp.nextUp) == .withinTolerance)
        #expect(fourApart.verdict(1, 1.0.nextUp.nextUp.nextUp.nextUp.nextUp) == .different)
    }

    @Test func differencesAreMeasuredAgainstA() {
        let pair = NumberComparison(a: 2, b: 3, verdict: .different)
        #expect(pair.absoluteDifference == 1)
        #expect(pair.relativeDifference == 0.5)
        #expect(NumberComparison(a: 0, b: 1, verdict: .different).relativeDifference == .infinity)
        #expect(NumberComparison(a: 0, b: -0.0, verdict: .identical).relativeDifference == 0)
        #expect(NumberComparison(a: .infinity, b: 1, verdict: .different).absoluteDifference == nil)
    }
}
