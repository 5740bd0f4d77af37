/// Checks analytic gradients against central finite differences, by the rule of PyTorch's
/// `torch.autograd.gradcheck`: an input passes when
/// `|numeric − analytic| ≤ atol + rtol·|numeric|`.
///
/// ```swift
/// let check = GradientCheck()                    // eps 1e-6, atol 1e-5, rtol 1e-3
/// let numeric = check.numericGradient(of: computation, input: computation.inputs[0])
/// let result = check.compare(analytic: computation.backward()[0], numeric: numeric)
/// ```
public struct GradientCheck: Sendable, Equatable {
    /// The finite-difference step: f is evaluated at x − eps and x + eps.
    public var eps: Double
    public var atol: Double
    public var rtol: Double
    /// How many elements of a tensor input to check: all of them up to this many, else this
    /// many chosen by a seeded sample.
    public var samples: Int

    public init(eps: Double = 1e-6, atol: Double = 1e-5, rtol: Double = 1e-3, samples: Int = 100) {
        self.eps = eps
        self.atol = atol
        self.rtol = rtol
        self.samples = samples
    }

    /// The elements of an input of `count` elements to check, in order: all when there are at
    /// most `samples`, else `samples` distinct ones drawn with a fixed seed (the same every time).
    public func elements(of count: Int) -> [Int] {
        guard count > samples else { return Array(0..<count) }
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        var chosen = Set<Int>()
        while chosen.count < samples {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            chosen.insert(Int((state >> 33) % UInt64(count)))
        }
        return chosen.sorted()
    }

    /// `(f(x + eps) − f(x − eps)) / 2·eps` for one input, the other inputs at their current
    /// values; f is the computation's output. Runs the forward pass twice on a copy.
    public func numericGradient(of computation: Computation, input: Computation.Input) -> Double {
        numericGradient(of: computation, input: input, element: 0)
    }

    /// The central difference for one element (row-major index) of a tensor input.
    public func numericGradient(of computation: Computation, input: Computation.Input, element: Int) -> Double {
        var tape = computation.tape
        let x = tape.values[tape.valueStart[Int(input.node)] + element]
        tape.setLeaf(input.node, element: element, value: x + eps)
        tape.forward()
        let above = tape.scalar(computation.output)
        tape.setLeaf(input.node, element: element, value: x - eps)
        tape.forward()
        let below = tape.scalar(computation.output)
        return (above - below) / (2 * eps)
    }

    /// Compares an analytic gradient with a numeric one. A NaN on either side fails; two equal
    /// infinities pass, as in `torch.allclose`.
    public func compare(analytic: Double, numeric: Double) -> GradientComparison {
        let absoluteError = Swift.abs(numeric - analytic)
        let relativeError: Double
        if analytic == numeric {
            relativeError = 0
        } else {
            relativeError = numeric == 0 ? .infinity : absoluteError / Swift.abs(numeric)
        }
        let passed = analytic == numeric
            || (analytic.isFinite && numeric.isFinite && absoluteError <= atol + rtol * Swift.abs(numeric))
        return GradientComparison(
            analytic: analytic, numeric: numeric,
            absoluteError: analytic == numeric ? 0 : absoluteError, relativeError: relativeError, passed: passed)
    }
}

/// One input's analytic and numeric gradient, how far apart they are, and the verdict.
public struct GradientComparison: Sendable, Equatable {
    public var analytic: Double
    public var numeric: Double
    /// `|numeric − analytic|` (0 when they are equal, infinities included).
    public var absoluteError: Double
    /// `|numeric − analytic| / |numeric|`: 0 when they are equal, infinity when only numeric is 0.
    public var relativeError: Double
    public var passed: Bool
}
