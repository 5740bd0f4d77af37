import Testing
@testable import GradlogAutodiff

/// Every op's value and local derivatives at NaN, ±0, ±inf (and a few ordinary points around
/// them) against PyTorch float64, as `scripts/torch_conventions.py` printed them into
/// `TorchConventionTable`. Compared bit for bit, so the sign of a zero counts; any NaN matches
/// a NaN (PyTorch's NaN sign depends on the kernel, not on a convention); and two finite
/// non-zero values of one sign may differ by a relative 1e-13, as two libms may (tanh'(3) =
/// 1 - tanh(3)² magnifies tanh's last bit).
@Suite struct TorchConventionTests {
    struct Point: CustomTestStringConvertible, Sendable {
        var a, b, value, d0, d1: Double
        var testDescription: String { "(\(a), \(b))" }

        init(_ row: TorchConventionTable.Row) {
            a = Double(bitPattern: row.a)
            b = Double(bitPattern: row.b)
            value = Double(bitPattern: row.value)
            d0 = Double(bitPattern: row.d0)
            d1 = Double(bitPattern: row.d1)
        }
    }

    static func points(_ rows: [TorchConventionTable.Row]) -> [Point] { rows.map(Point.init) }

    static func same(_ gradlog: Double, _ torch: Double) -> Bool {
        if gradlog.isNaN || torch.isNaN { return gradlog.isNaN && torch.isNaN }
        if gradlog.bitPattern == torch.bitPattern { return true }
        guard gradlog.isFinite, torch.isFinite, gradlog != 0, torch != 0, gradlog.sign == torch.sign else { return false }
        return Swift.abs(gradlog - torch) <= 1e-13 * Swift.abs(torch)
    }

    func check(_ op: Op, _ p: Point) {
        let r = op.evaluate(p.a, p.b)
        let what = "\(op.name)(\(p.a), \(p.b))"
        #expect(Self.same(r.value, p.value), "\(what) = \(r.value), PyTorch \(p.value)")
        #expect(Self.same(r.d0, p.d0), "d\(what)/da = \(r.d0), PyTorch \(p.d0)")
        if op.arity == 2 { #expect(Self.same(r.d1, p.d1), "d\(what)/db = \(r.d1), PyTorch \(p.d1)") }
        if let fixed = op.fixedLocalDerivatives {
            #expect(Self.same(fixed.0, p.d0), "fixed d\(what)/da = \(fixed.0), PyTorch \(p.d0)")
            if op.arity == 2 { #expect(Self.same(fixed.1, p.d1), "fixed d\(what)/db = \(fixed.1), PyTorch \(p.d1)") }
        }
    }

    @Test func everyOpHasATable() {
        let tested: Set<Op> = [.add, .sub, .mul, .div, .pow, .powc, .max, .min, .neg, .exp, .log, .sqrt, .sin, .cos, .tan, .tanh, .sigmoid, .relu, .abs]
        // The elementwise ops of scalar programs; `identity` (derivative 1) and the comparisons
        // (derivative 0, as PyTorch's, which have no gradient) are fixed by the op table.
        let fixed: Set<Op> = [.identity, .greater, .less, .greaterEqual, .lessEqual, .equal]
        #expect(Set(Op.allCases.filter { $0.kind == .elementwise }).subtracting(fixed) == tested)
    }

    @Test(arguments: points(TorchConventionTable.add)) func add(_ p: Point) { check(.add, p) }
    @Test(arguments: points(TorchConventionTable.sub)) func sub(_ p: Point) { check(.sub, p) }
    @Test(arguments: points(TorchConventionTable.mul)) func mul(_ p: Point) { check(.mul, p) }
    @Test(arguments: points(TorchConventionTable.div)) func div(_ p: Point) { check(.div, p) }
    @Test(arguments: points(TorchConventionTable.pow)) func pow(_ p: Point) { check(.pow, p) }
    @Test(arguments: points(TorchConventionTable.powc)) func powc(_ p: Point) { check(.powc, p) }
    @Test(arguments: points(TorchConventionTable.max)) func max(_ p: Point) { check(.max, p) }
    @Test(arguments: points(TorchConventionTable.min)) func min(_ p: Point) { check(.min, p) }
    @Test(arguments: points(TorchConventionTable.neg)) func neg(_ p: Point) { check(.neg, p) }
    @Test(arguments: points(TorchConventionTable.exp)) func exp(_ p: Point) { check(.exp, p) }
    @Test(arguments: points(TorchConventionTable.log)) func log(_ p: Point) { check(.log, p) }
    @Test(arguments: points(TorchConventionTable.sqrt)) func sqrt(_ p: Point) { check(.sqrt, p) }
    @Test(arguments: points(TorchConventionTable.sin)) func sin(_ p: Point) { check(.sin, p) }
    @Test(arguments: points(TorchConventionTable.cos)) func cos(_ p: Point) { check(.cos, p) }
    @Test(arguments: points(TorchConventionTable.tan)) func tan(_ p: Point) { check(.tan, p) }
    @Test(arguments: points(TorchConventionTable.tanh)) func tanh(_ p: Point) { check(.tanh, p) }
    @Test(arguments: points(TorchConventionTable.sigmoid)) func sigmoid(_ p: Point) { check(.sigmoid, p) }
    @Test(arguments: points(TorchConventionTable.relu)) func relu(_ p: Point) { check(.relu, p) }
    @Test(arguments: points(TorchConventionTable.abs)) func abs(_ p: Point) { check(.abs, p) }

    /// PyTorch assigns a leaf's first gradient contribution and adds the later ones, so a single
    /// -0.0 contribution stays -0.0: x.grad of 1 / y at y = inf is 0.0 and y.grad is -0.0 (see
    /// scripts/torch_conventions.py's div row). The tape starts every adjoint at +0.0 and adds,
    /// and 0.0 + -0.0 is +0.0. That is the tape's accumulation, not an op's evaluate, and the
    /// tape is being rewritten for tensors; this records the expectation for that work.
    @Test func aSingleNegativeZeroContributionKeepsItsSign() {
        let b = ComputationBuilder()
        let x = b.input("x", 1)
        let y = b.input("y", .infinity)
        let c = b.finish(output: x / y)
        let adjoint = c.backward()
        #expect(adjoint[Int(x.id)].bitPattern == (0.0).bitPattern)
        #expect(adjoint[Int(y.id)].bitPattern == (-0.0).bitPattern)
    }
}
