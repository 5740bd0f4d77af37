import GradlogStore
import Testing

/// Sweep specs: evenly spaced values with both endpoints, grids in nested-loop order.
@Suite struct SweepAxisTests {
    @Test func evenlySpacedWithBothEndpoints() throws {
        #expect(try SweepAxis(parsing: "x=-2:2:9").values == [-2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2])
        #expect(try SweepAxis(parsing: "lr=1e-3:1e-1:3").values == [0.001, 0.0505, 0.1])
        #expect(try SweepAxis(parsing: "x=2:-2:3").values == [2, 0, -2])
        #expect(try SweepAxis(parsing: "x=5:5:1").values == [5])
        // The last value is STOP exactly, whatever the rounding of the steps.
        #expect(try SweepAxis(parsing: "x=0:0.3:7").values.last == 0.3)
    }

    /// `stop - start` overflows to inf at the ends of the double range; the values must not.
    @Test func wideRangesDoNotOverflow() throws {
        #expect(try SweepAxis(parsing: "x=-1e308:1e308:3").values == [-1e308, 0, 1e308])
        let widest = try SweepAxis(parsing: "x=1.7976931348623157e308:-1.7976931348623157e308:5").values
        #expect(widest.first == .greatestFiniteMagnitude && widest[2] == 0 && widest.last == -.greatestFiniteMagnitude)
        let values = try SweepAxis(parsing: "x=-1e308:1e308:101").values
        let finite = values.allSatisfy(\.isFinite)
        let increasing = zip(values, values.dropFirst()).allSatisfy { $0 < $1 }
        #expect(finite && increasing)
    }

    @Test func gridPointsVaryTheLastAxisFastest() throws {
        let sweep = try Sweep(axes: [SweepAxis(parsing: "a=0:1:2"), SweepAxis(parsing: "b=10:30:3")])
        #expect(sweep.count == 6)
        #expect((0..<6).map(sweep.point) == [[0, 10], [0, 20], [0, 30], [1, 10], [1, 20], [1, 30]])
    }

    @Test(arguments: [
        ("x=1:2:0", "--sweep x=1:2:0: COUNT must be at least 1"),
        ("x=a:b:c", "--sweep x=a:b:c: START 'a' is not a number"),
        ("x=0:b:3", "--sweep x=0:b:3: STOP 'b' is not a number"),
        ("x=0:1:-3", "--sweep x=0:1:-3: COUNT must be at least 1"),
        ("=0:1:3", "--sweep =0:1:3: expected NAME=START:STOP:COUNT, e.g. x=-2:2:9"),
        ("x=0:1:3:4", "--sweep x=0:1:3:4: expected NAME=START:STOP:COUNT, e.g. x=-2:2:9"),
        ("x=nan:1:3", "--sweep x=nan:1:3: START and STOP must be finite numbers"),
        ("x=0:1:1", "--sweep x=0:1:1: COUNT 1 makes a single value, so START and STOP must be equal"),
    ])
    func badSpecs(spec: String, message: String) {
        #expect(throws: SweepError.self) { try SweepAxis(parsing: spec) }
        do {
            _ = try SweepAxis(parsing: spec)
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func gridLimits() throws {
        #expect(throws: SweepError.sweptTwice("x")) { try Sweep(axes: [SweepAxis(parsing: "x=0:1:2"), SweepAxis(parsing: "x=0:1:3")]) }
        #expect(throws: SweepError.noAxes) { try Sweep(axes: []) }
        let huge = try SweepAxis(parsing: "x=0:1:100000")
        #expect(throws: SweepError.tooManyRuns([100000, 100000])) { try Sweep(axes: [huge, SweepAxis(parsing: "y=0:1:100000")]) }
    }
}
