import Foundation
import Testing
@testable import GradlogAutodiff

@Suite struct TapeTests {
    /// micrograd's published sanity check (README / test_engine.py): y = -20, dy/dx = 46.
    @Test func microgradSanityExample() {
        let b = ComputationBuilder()
        let x = b.input("x", -4)
        let z = 2 * x + 2 + x
        let q = relu(z) + z * x
        let h = relu(z * z)
        let y = h + q + q * x
        let c = b.finish(output: y)
        let adjoint = c.backward()
        #expect(y.value == -20)
        #expect(adjoint[Int(x.id)] == 46)
    }

    /// Fan-out accumulates: d(a*a)/da = 2a.
    @Test func fanOutAccumulates() {
        let b = ComputationBuilder()
        let a = b.input("a", 3)
        let c = b.finish(output: a * a)
        #expect(c.backward()[Int(a.id)] == 6)
    }

    /// A node the output does not depend on keeps adjoint 0, even when its own local
    /// derivative is infinite (so 0 * inf cannot leak a NaN into the log).
    @Test func unreachableNodesHaveZeroAdjoint() {
        let b = ComputationBuilder()
        let x = b.input("x", 0)
        let dead = log(x)  // local derivative 1/0 = inf
        let out = x + 1
        let c = b.finish(output: out)
        let adjoint = c.backward()
        #expect(adjoint[Int(dead.id)] == 0)
        #expect(adjoint[Int(x.id)] == 1)
    }

    /// The backward pass is one loop: a 300,000-deep chain needs no recursion.
    @Test func deepChainDoesNotOverflow() {
        let b = ComputationBuilder()
        let x = b.input("x", 0.5)
        var v = x
        for _ in 0..<300_000 { v = v * 1.0000001 }
        let c = b.finish(output: v)
        let adjoint = c.backward()
        let expected = Foundation.pow(1.0000001, 300_000.0)
        #expect(abs(adjoint[Int(x.id)] - expected) <= 1e-9 * expected)
    }

    /// Re-running forward with a new leaf value gives what a fresh build gives.
    @Test func forwardAfterSetLeafMatchesFreshBuild() {
        func build(_ x0: Double) -> Computation {
            let b = ComputationBuilder()
            let x = b.input("x", x0)
            return b.finish(output: tanh(x * x) + sin(x) / (1 + exp(-x)))
        }
        var c = build(0.3)
        #expect(c.setInputs(["x": -1.7]).isEmpty)
        let fresh = build(-1.7)
        #expect(c.tape.values == fresh.tape.values)
        #expect(c.backward() == fresh.backward())
        #expect(c.setInputs(["nope": 1]) == ["nope"])
    }

    /// A reduction of a scalar (`mean(x)` with x a scalar) is a scalar node that is not
    /// elementwise: it keeps its one derivative slot like every scalar node, so the elementwise
    /// nodes after it read their own local derivatives (the fuzzer's crash-d5b317eb).
    /// z = (mean(x) * x)^2 = x^4: dz/dx = 4x^3 = 32 at x = 2, before and after a new forward.
    @Test func aReductionOfAScalarKeepsTheScalarTapeDense() throws {
        var tape = Tape()
        let x = tape.appendLeaf(.input, value: 2)
        let m = try tape.append(.mean, x)
        let y = try tape.append(.mul, m, x)
        let z = try tape.append(.mul, y, y)
        #expect(tape.derivative0.count == tape.count)
        for id in 0..<tape.count { #expect(tape.derivativeRange(NodeID(id)).upperBound <= tape.derivative0.count) }
        #expect(tape.scalar(z) == 16)
        #expect(tape.backward(from: z).adjoints[tape.valueStart[Int(x)]] == 32)
        tape.setLeaf(x, value: 3)
        tape.forward()
        #expect(tape.scalar(z) == 81)
        #expect(tape.backward(from: z).adjoints[tape.valueStart[Int(x)]] == 108)
    }

    /// A leaf given as a tensor of shape [] is a scalar too, with its derivative slot.
    /// w = (x * c) * c with c a 0-d constant: dw/dx = c^2 = 9.
    @Test func aZeroDimensionalLeafKeepsTheScalarTapeDense() throws {
        var tape = Tape()
        let x = tape.appendLeaf(.input, value: 2)
        let c = tape.appendLeaf(.const, shape: .scalar, elements: [3])
        let y = try tape.append(.mul, x, c)
        let w = try tape.append(.mul, y, c)
        #expect(tape.derivative0.count == tape.count)
        #expect(tape.scalar(w) == 18)
        #expect(tape.backward(from: w).adjoints[tape.valueStart[Int(x)]] == 9)
    }

    /// A training reuses one `Gradients` for every step (`backward(from:into:)`): its arenas,
    /// contributions included, are not cleared between passes. Each pass must equal a fresh
    /// one, after the inputs change, and from an output earlier on the tape (less room used).
    @Test func backwardIntoReusedArenasEqualsAFreshPass() throws {
        var tape = Tape()
        let x = tape.appendLeaf(.data, shape: Shape([3, 4]), elements: (0..<12).map { Double($0) / 7 - 0.8 })
        let w = tape.appendLeaf(.input, shape: Shape([4, 2]), elements: [0.3, -0.2, 0.5, 0.1, -0.4, 0.7, 0.2, -0.6])
        let b = tape.appendLeaf(.input, shape: Shape([2]), elements: [0.05, -0.1])
        let h = try tape.append(.relu, try tape.append(.add, try tape.append(.matmul, x, w), b))
        let early = try tape.append(.sum, h)
        let loss = try tape.append(.mean, try tape.append(.logSoftmax, h, axis: 1))
        var reused = tape.backward(from: loss)
        tape.setLeaf(w, elements: [-0.3, 0.2, 0.6, -0.1, 0.4, 0.7, -0.2, 0.6])
        tape.forward()
        tape.backward(from: loss, into: &reused)
        #expect(reused == tape.backward(from: loss))
        #expect(!reused.contributions.isEmpty && reused.contributions.allSatisfy(\.isFinite))
        tape.backward(from: early, into: &reused)
        #expect(reused == tape.backward(from: early))
        tape.backward(from: loss, into: &reused)
        #expect(reused == tape.backward(from: loss))
    }

    /// A training's forward after an update skips what no input reaches (`inputDependentOnly`):
    /// it must leave the tape exactly as a full forward does, values and local derivatives bit
    /// for bit, and observe only the nodes it evaluates.
    @Test func aForwardOfTheInputDependentNodesEqualsAFullOne() throws {
        func build() throws -> (Tape, w: NodeID, scaled: NodeID, loss: NodeID) {
            var tape = Tape()
            let pixels = tape.appendLeaf(.data, shape: Shape([3, 4]), elements: (0..<12).map { Double($0) })
            let sixteen = tape.appendLeaf(.data, shape: .scalar, elements: [16])
            let scaled = try tape.append(.div, pixels, sixteen)  // data only: no gradient
            let w = tape.appendLeaf(.input, shape: Shape([4, 2]), elements: [0.3, -0.2, 0.5, 0.1, -0.4, 0.7, 0.2, -0.6])
            let z = try tape.append(.tanh, try tape.append(.matmul, scaled, w))
            let loss = try tape.append(.mean, try tape.append(.mul, z, z))
            return (tape, w, scaled, loss)
        }
        var (partial, w, scaled, loss) = try build()
        var (full, _, _, _) = try build()
        #expect(!partial.requiresGrad(scaled) && partial.requiresGrad(loss))
        let update: [Double] = [-0.3, 0.2, 0.6, -0.1, 0.4, 0.7, -0.2, 0.6]
        partial.setLeaf(w, elements: update)
        full.setLeaf(w, elements: update)
        var observed: [NodeID] = []
        partial.forward(observing: { id, _ in observed.append(id) }, inputDependentOnly: true)
        full.forward()
        #expect(partial.values.map(\.bitPattern) == full.values.map(\.bitPattern))
        #expect(partial.derivative0.map(\.bitPattern) == full.derivative0.map(\.bitPattern))
        #expect(partial.derivative1.map(\.bitPattern) == full.derivative1.map(\.bitPattern))
        #expect(partial.scalar(loss) != 0 && partial.scalar(loss) == full.scalar(loss))
        #expect(!observed.contains(scaled) && observed.contains(loss - 1), "\(observed)")
        // The skipped node really is left alone: changing the data it reads shows it.
        partial.setLeaf(0, elements: [Double](repeating: 1, count: 12))
        partial.forward(inputDependentOnly: true)
        #expect(Array(partial.elements(scaled)) == (0..<12).map { Double($0) / 16 })
        full.setLeaf(0, elements: [Double](repeating: 1, count: 12))
        full.forward()
        #expect(Array(full.elements(scaled)) == [Double](repeating: 1.0 / 16, count: 12))
    }
}
