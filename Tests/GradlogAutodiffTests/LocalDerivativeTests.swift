import Foundation
import Testing
@testable import GradlogAutodiff

/// Every op's local derivatives against central finite differences of its own forward value.
@Suite struct LocalDerivativeTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var op: Op
        var a: Double
        var b: Double
        var testDescription: String { "\(op.name)(\(a), \(b))" }
    }

    /// Points away from kinks and poles, where a central difference is accurate.
    static let cases: [Case] = {
        var cases: [Case] = []
        let pairs: [(Double, Double)] = [(0.7, 1.3), (-1.9, 0.45), (2.5, -0.8), (0.3, 3.1)]
        for op in Op.allCases where op.kind == .elementwise {
            for (a, b) in pairs {
                switch op {
                case .log, .sqrt: cases.append(Case(op: op, a: abs(a), b: b))
                case .pow: cases.append(Case(op: op, a: abs(a) + 0.1, b: b))
                case .powc: cases.append(Case(op: op, a: a, b: 3))  // integer exponent: any base
                default: cases.append(Case(op: op, a: a, b: b))
                }
            }
        }
        return cases
    }()

    @Test(arguments: cases)
    func matchesCentralDifference(_ c: Case) {
        let r = c.op.evaluate(c.a, c.b)
        let f = { (a: Double, b: Double) in c.op.evaluate(a, b).value }
        let ha = 1e-6 * max(1, abs(c.a)), hb = 1e-6 * max(1, abs(c.b))
        let numeric0 = (f(c.a + ha, c.b) - f(c.a - ha, c.b)) / (2 * ha)
        #expect(abs(r.d0 - numeric0) <= 1e-6 * max(1, abs(numeric0)), "d/da: analytic \(r.d0), numeric \(numeric0)")
        guard c.op.arity == 2 else { return }
        if c.op == .powc {
            #expect(r.d1 == 0, "a constant exponent is not differentiated")
            return
        }
        let numeric1 = (f(c.a, c.b + hb) - f(c.a, c.b - hb)) / (2 * hb)
        #expect(abs(r.d1 - numeric1) <= 1e-6 * max(1, abs(numeric1)), "d/db: analytic \(r.d1), numeric \(numeric1)")
    }

    @Test func fixedDerivativesAgreeWithEvaluate() {
        for op in Op.allCases {
            guard let fixed = op.fixedLocalDerivatives else { continue }
            let r = op.evaluate(1.234, -5.6)
            #expect(r.d0 == fixed.0)
            if op.arity == 2 { #expect(r.d1 == fixed.1) }
        }
    }

    /// At kinks gradlog follows PyTorch: relu'(0) = 0, abs'(0) = 0, ties split evenly.
    @Test func kinksFollowPyTorch() {
        #expect(Op.relu.evaluate(0, .nan).d0 == 0)
        #expect(Op.abs.evaluate(0, .nan).d0 == 0)
        #expect(Op.max.evaluate(2, 2).d0 == 0.5)
        #expect(Op.max.evaluate(2, 2).d1 == 0.5)
        #expect(Op.min.evaluate(-1, -1).d0 == 0.5)
        #expect(Op.max.evaluate(3, 2).d0 == 1)
        #expect(Op.max.evaluate(3, 2).d1 == 0)
        #expect(Op.min.evaluate(3, 2).d1 == 1)
    }

    /// IEEE results are values, not errors.
    @Test func ieeeSemantics() {
        #expect(Op.div.evaluate(1, 0).value == .infinity)
        #expect(Op.log.evaluate(-1, .nan).value.isNaN)
        #expect(Op.log.evaluate(0, .nan).value == -.infinity)
        #expect(Op.sqrt.evaluate(-1, .nan).value.isNaN)
        #expect(Op.exp.evaluate(1000, .nan).value == .infinity)
    }

    /// `x ^ 2` at negative x: value, base derivative and exponent slot all finite.
    @Test func constantExponentNeverMakesNaN() {
        for x in [-3.0, -0.5, -1e-300, 0, -0.0] {
            let r = Op.powc.evaluate(x, 2)
            #expect(r.value == x * x)
            #expect(r.d0 == 2 * x)
            #expect(r.d1 == 0)
        }
    }
}
