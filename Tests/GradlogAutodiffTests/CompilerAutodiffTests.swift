import Foundation
import Testing
import _Differentiation
@testable import GradlogAutodiff

/// The seed computation's gradients against Swift's compiler-generated reverse-mode autodiff,
/// an implementation that shares no code with gradlog's tape.
@Suite struct CompilerAutodiffTests {
    @differentiable(reverse)
    static func sigmoid(_ t: Double) -> Double { 1 / (1 + Foundation.exp(-t)) }

    @differentiable(reverse)
    static func f(_ x: Double, _ y: Double) -> Double {
        let xpy = x + y
        return (x + sigmoid(y)) / (sigmoid(x) + xpy * xpy)
    }

    static func tape(_ x0: Double, _ y0: Double) -> (Double, Double, Double) {
        let b = ComputationBuilder()
        let x = b.input("x", x0), y = b.input("y", y0)
        let f = (x + GradlogAutodiff.sigmoid(y)) / (GradlogAutodiff.sigmoid(x) + pow(x + y, 2))
        let c = b.finish(output: f)
        let adjoint = c.backward()
        return (f.value, adjoint[Int(x.id)], adjoint[Int(y.id)])
    }

    @Test(arguments: [(3.0, -4.0), (0.5, 0.25), (-2.0, 1.5), (10.0, -9.0)])
    func seedGradientsMatchCompilerAutodiff(_ point: (Double, Double)) {
        let (value, dx, dy) = Self.tape(point.0, point.1)
        let (reference, pullback) = valueWithPullback(at: point.0, point.1, of: Self.f)
        let (rdx, rdy) = pullback(1)
        #expect(abs(value - reference) <= 1e-12 * max(1, abs(reference)))
        #expect(abs(dx - rdx) <= 1e-12 * max(1, abs(rdx)))
        #expect(abs(dy - rdy) <= 1e-12 * max(1, abs(rdy)))
    }

    /// CS231n's published figures at the defaults.
    @Test func seedMatchesPublishedFigures() {
        let (value, dx, dy) = Self.tape(3, -4)
        #expect(abs(value - 1.5456448841066441) <= 1e-12)
        #expect(abs(dx - 2.0595697955721652) <= 1e-12)
        #expect(abs(dy - 1.5922327514838093) <= 1e-12)
    }
}
