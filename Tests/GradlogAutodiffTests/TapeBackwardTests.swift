import GradlogAutodiff
import Testing

/// The tape's backward pass on small computations whose gradients are known by hand.
@Suite struct TapeBackwardTests {
    @Test func aNodeUsedTwiceAccumulatesBothContributions() {
        let b = ComputationBuilder()
        let x = b.input("x", 3)
        let f = x * x
        let adjoints = b.finish(output: f).backward()
        #expect(adjoints[Int(x.id)] == 6)
        #expect(adjoints[Int(f.id)] == 1)
    }

    @Test func nodesTheOutputDoesNotDependOnKeepAdjointZero() {
        let b = ComputationBuilder()
        let x = b.input("x", 0)
        let unused = log(x)  // local derivative 1/0 = inf, must not turn 0 into NaN
        let f = x + 1
        let adjoints = b.finish(output: f).backward()
        #expect(adjoints[Int(unused.id)] == 0)
        #expect(adjoints[Int(x.id)] == 1)
    }
}
