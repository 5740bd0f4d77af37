import Testing
@testable import GradlogAutodiff

/// Central differences and PyTorch's gradcheck rule, on CS231n's staged example.
@Suite struct GradientCheckTests {
    /// f(x, y) = (x + σ(y)) / (σ(x) + (x + y)²) at (3, -4).
    static func seed() -> Computation {
        let b = ComputationBuilder()
        let x = b.input("x", 3), y = b.input("y", -4)
        return b.finish(output: ((x + sigmoid(y)) / (sigmoid(x) + pow(x + y, 2))).named("f"))
    }

    @Test func numericGradientsMatchTheBackwardPass() {
        let computation = Self.seed()
        let adjoints = computation.backward()
        let check = GradientCheck()
        for input in computation.inputs {
            let numeric = check.numericGradient(of: computation, input: input)
            let result = check.compare(analytic: adjoints[Int(input.node)], numeric: numeric)
            #expect(result.passed, "\(input.name): \(result)")
            #expect(result.absoluteError < 1e-8)
        }
        #expect(adjoints[0] == 2.0595697955721652)
    }

    @Test func aWrongGradientFails() {
        let computation = Self.seed()
        let check = GradientCheck()
        let numeric = check.numericGradient(of: computation, input: computation.inputs[0])
        let result = check.compare(analytic: 2.0595697955721652 + 0.01, numeric: numeric)
        #expect(!result.passed)
        #expect(abs(result.absoluteError - 0.01) < 1e-8)
        #expect(abs(result.relativeError - 0.01 / 2.0595697955721652) < 1e-8)
    }

    /// |numeric − analytic| ≤ atol + rtol·|numeric|, relative to the numeric side.
    @Test(arguments: [
        (100.0, 100.1, true),   // 0.1 <= 1e-5 + 1e-3 * 100
        (100.0, 100.2, false),
        (0.0, 9e-6, true),      // atol alone
        (0.0, 2e-5, false),
    ])
    func toleranceRule(numeric: Double, analytic: Double, passes: Bool) {
        #expect(GradientCheck().compare(analytic: analytic, numeric: numeric).passed == passes)
    }

    @Test func nonFiniteGradients() {
        let check = GradientCheck()
        #expect(!check.compare(analytic: .nan, numeric: .nan).passed)
        #expect(!check.compare(analytic: 1, numeric: .nan).passed)
        #expect(check.compare(analytic: .infinity, numeric: .infinity).passed)
        #expect(check.compare(analytic: .infinity, numeric: .infinity).absoluteError == 0)
        #expect(!check.compare(analytic: .infinity, numeric: 1).passed)
        #expect(check.compare(analytic: 1, numeric: 0).relativeError == .infinity)
    }

    /// The perturbation works on a copy: the computation keeps its values.
    @Test func numericGradientLeavesTheComputationAlone() {
        let computation = Self.seed()
        _ = GradientCheck(eps: 0.5).numericGradient(of: computation, input: computation.inputs[1])
        #expect(computation.tape.values[1] == -4)
    }
}
