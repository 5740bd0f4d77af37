/// A node's operation. The raw value is the op code stored in the database (`op.code` in
/// migrations/0001); a test keeps the two lists in step, so never renumber a case.
public enum Op: UInt8, CaseIterable, Sendable {
    case input = 0
    case const = 1
    case add = 2
    case sub = 3
    case mul = 4
    case div = 5
    case neg = 6
    /// `pow(a, b)` with both operands differentiated.
    case pow = 7
    /// `a ^ c` where `c` is a literal: the exponent is a fixed parameter, not differentiated
    /// (PyTorch's `x ** 2` with a Python scalar), so a negative base never produces NaN.
    case powc = 8
    case exp = 9
    case log = 10
    case sqrt = 11
    case sin = 12
    case cos = 13
    case tan = 14
    case tanh = 15
    case sigmoid = 16
    case relu = 17
    case abs = 18
    case max = 19
    case min = 20
    /// A leaf that is not differentiated: a data set, labels, a mask. No adjoint is computed or
    /// stored for it, nor for any node that depends on data leaves only.
    case data = 21
    /// `b = a` for a name `a`: a node of its own that bears the new name, with derivative 1.
    case identity = 22
    /// `a @ b`: the matrix product (1-D operands as NumPy's matmul). Stores contributions.
    case matmul = 23
    /// `sum(x)` (every element) or `sum(x, AXIS)`. Stores contributions.
    case sum = 24
    /// `mean(x)` or `mean(x, AXIS)`. Stores contributions.
    case mean = 25
    /// `transpose(x)`: the axes in reverse order. Stores contributions.
    case transpose = 26
    /// `reshape(x, [d0, d1, ...])`. Stores contributions.
    case reshape = 27
    /// `softmax(x, AXIS)`, computed as exp(x - max) / sum. Stores contributions.
    case softmax = 28
    /// `log_softmax(x, AXIS)`. Stores contributions.
    case logSoftmax = 29
    /// `logsumexp(x, AXIS)`. Stores contributions.
    case logsumexp = 30
    /// `cross_entropy(logits, labels)`: PyTorch's, the mean over rows of
    /// logsumexp(row) - row[label]. The labels are not differentiated. Stores contributions.
    case crossEntropy = 31
    /// Comparisons give 1 or 0, with derivative 0 (NaN compares false, as in IEEE).
    case greater = 32
    case less = 33
    case greaterEqual = 34
    case lessEqual = 35
    case equal = 36
    /// A tensor captured elsewhere and imported (`gradlog import`): a leaf with no edges, its
    /// value and adjoint as recorded by the other framework.
    case external = 37

    /// The name shown to people and stored in the `op` table.
    public var name: String {
        switch self {
        case .input: "input"
        case .const: "const"
        case .add: "add"
        case .sub: "sub"
        case .mul: "mul"
        case .div: "div"
        case .neg: "neg"
        case .pow: "pow"
        case .powc: "powc"
        case .exp: "exp"
        case .log: "log"
        case .sqrt: "sqrt"
        case .sin: "sin"
        case .cos: "cos"
        case .tan: "tan"
        case .tanh: "tanh"
        case .sigmoid: "sigmoid"
        case .relu: "relu"
        case .abs: "abs"
        case .max: "max"
        case .min: "min"
        case .data: "data"
        case .identity: "identity"
        case .matmul: "matmul"
        case .sum: "sum"
        case .mean: "mean"
        case .transpose: "transpose"
        case .reshape: "reshape"
        case .softmax: "softmax"
        case .logSoftmax: "log_softmax"
        case .logsumexp: "logsumexp"
        case .crossEntropy: "cross_entropy"
        case .greater: "gt"
        case .less: "lt"
        case .greaterEqual: "ge"
        case .lessEqual: "le"
        case .equal: "eq"
        case .external: "external"
        }
    }

    /// What the store keeps for each of the node's input slots, and what backward forms.
    public enum Kind: Sendable {
        /// An input, a constant or data: no input slots.
        case leaf
        /// Works element by element (with NumPy broadcasting). Its local derivatives are known
        /// in the forward pass, one per element of the output, and are what is stored per edge;
        /// backward multiplies them by the adjoint and sums over the broadcast axes.
        case elementwise
        /// The Jacobian is never formed: backward forms each input's vector-Jacobian product
        /// (its contribution to that input's adjoint), and that is what is stored per edge.
        case contribution
    }

    public var kind: Kind {
        switch self {
        case .input, .const, .data, .external: .leaf
        case .matmul, .sum, .mean, .transpose, .reshape, .softmax, .logSoftmax, .logsumexp, .crossEntropy: .contribution
        default: .elementwise
        }
    }

    /// Number of inputs: 0 for leaves, 1 for unary ops, 2 for binary ops.
    public var arity: Int {
        switch self {
        case .input, .const, .data, .external: 0
        case .neg, .exp, .log, .sqrt, .sin, .cos, .tan, .tanh, .sigmoid, .relu, .abs, .identity: 1
        case .sum, .mean, .transpose, .reshape, .softmax, .logSoftmax, .logsumexp: 1
        case .add, .sub, .mul, .div, .pow, .powc, .max, .min, .matmul, .crossEntropy: 2
        case .greater, .less, .greaterEqual, .lessEqual, .equal: 2
        }
    }

    /// Local derivatives that do not depend on the operands. The store keeps these in the
    /// `op` table instead of once per node.
    public var fixedLocalDerivatives: (Double, Double)? {
        switch self {
        case .add: (1, 1)
        case .sub: (1, -1)
        case .neg: (-1, .nan)
        case .identity: (1, .nan)
        case .greater, .less, .greaterEqual, .lessEqual, .equal: (0, 0)
        default: nil
        }
    }

    public init?(name: String) {
        guard let op = Op.allCases.first(where: { $0.name == name }) else { return nil }
        self = op
    }

    /// The forward value and the local derivatives of an elementwise op (`kind == .elementwise`)
    /// at one element, side by side.
    /// `b` is ignored by unary ops; unused derivative slots are NaN.
    ///
    /// IEEE semantics throughout (1/0 is inf, log(-1) is NaN). At kinks, NaN, signed zeros and
    /// infinities every op follows PyTorch float64 (relu'(0) = 0, relu'(NaN) = 1, abs'(0) =
    /// abs'(NaN) = 0, relu(-0.0) = -0.0, max/min ties split the adjoint evenly); the table in
    /// TorchConventionTests, printed by scripts/torch_conventions.py, checks each op.
    @inline(__always)
    public func evaluate(_ a: Double, _ b: Double) -> (value: Double, d0: Double, d1: Double) {
        switch self {
        case .input, .const, .data, .external:
            return (a, .nan, .nan)
        case .identity:
            return (a, 1, .nan)
        case .greater:
            return Rule.greater(a, b)
        case .less:
            return Rule.less(a, b)
        case .greaterEqual:
            return (a >= b ? 1 : 0, 0, 0)
        case .lessEqual:
            return (a <= b ? 1 : 0, 0, 0)
        case .equal:
            return (a == b ? 1 : 0, 0, 0)
        case .matmul, .sum, .mean, .transpose, .reshape, .softmax, .logSoftmax, .logsumexp, .crossEntropy:
            preconditionFailure("\(name) is not an elementwise op")
        case .add:
            return Rule.add(a, b)
        case .sub:
            return Rule.sub(a, b)
        case .mul:
            return Rule.mul(a, b)
        case .div:
            return Rule.div(a, b)
        case .neg:
            return Rule.neg(a, b)
        case .pow:
            let v = Libm.pow(a, b)
            // PyTorch masks the exponent's derivative where the base is 0 and the exponent >= 0.
            let dExponent = (a == 0 && b >= 0) ? 0 : v * Libm.log(a)
            return (v, Self.powBaseDerivative(a, b), dExponent)
        case .powc:
            return Rule.powc(a, b)
        case .exp:
            return Rule.exp(a, b)
        case .log:
            return Rule.log(a, b)
        case .sqrt:
            let v = a.squareRoot()
            return (v, 1 / (2 * v), .nan)
        case .sin:
            return (Libm.sin(a), Libm.cos(a), .nan)
        case .cos:
            return (Libm.cos(a), -Libm.sin(a), .nan)
        case .tan:
            let v = Libm.tan(a)
            return (v, 1 + v * v, .nan)
        case .tanh:
            return Rule.tanh(a, b)
        case .sigmoid:
            return Rule.sigmoid(a, b)
        case .relu:
            return Rule.relu(a, b)
        case .abs:
            // sgn(a), which is 0 at ±0 and at NaN in PyTorch.
            return (Swift.abs(a), a > 0 ? 1 : (a < 0 ? -1 : 0), .nan)
        case .max:
            if a.isNaN || b.isNaN { return (a.isNaN ? a : b, 1, 1) }
            if a == b { return (a, 0.5, 0.5) }
            return a > b ? (a, 1, 0) : (b, 0, 1)
        case .min:
            if a.isNaN || b.isNaN { return (a.isNaN ? a : b, 1, 1) }
            if a == b { return (a, 0.5, 0.5) }
            return a < b ? (a, 1, 0) : (b, 0, 1)
        }
    }

    /// d/da a^b = b * a^(b-1), written so that b = 0 gives 0 rather than 0 * inf.
    static func powBaseDerivative(_ a: Double, _ b: Double) -> Double {
        b == 0 ? 0 : b * Libm.pow(a, b - 1)
    }
}

/// The rules of the elementwise ops that networks run most, one function each, so that the
/// elementwise loops (`Elementwise.forward`) can take one op's rule and inline it; `evaluate`
/// dispatches to them. Value and local derivatives side by side, as for every op.
extension Op {
    enum Rule {
        @inline(__always)
        static func greater(_ a: Double, _ b: Double) -> (value: Double, d0: Double, d1: Double) {
            return (a > b ? 1 : 0, 0, 0)
        }

        @inline(__always)
        static func less(_ a: Double, _ b: Double) -> (value: Double, d0: Double, d1: Double) {
            return (a < b ? 1 : 0, 0, 0)
        }

        @inline(__always)
        static func add(_ a: Double, _ b: Double) -> (value: Double, d0: Double, d1: Double) {
            return (a + b, 1, 1)
        }

        @inline(__always)
        static func sub(_ a: Double, _ b: Double) -> (value: Double, d0: Double, d1: Double) {
            return (a - b, 1, -1)
        }

        @inline(__always)
        static func mul(_ a: Double, _ b: Double) -> (value: Double, d0: Double, d1: Double) {
            return (a * b, b, a)
        }

        @inline(__always)
        static func div(_ a: Double, _ b: Double) -> (value: Double, d0: Double, d1: Double) {
            let v = a / b
            return (v, 1 / b, -v / b)
        }

        @inline(__always)
        static func neg(_ a: Double, _ b: Double) -> (value: Double, d0: Double, d1: Double) {
            return (-a, -1, .nan)
        }

        @inline(__always)
        static func powc(_ a: Double, _ b: Double) -> (value: Double, d0: Double, d1: Double) {
            // PyTorch's pow with a scalar exponent computes some exponents another way, and the
            // special values show it: x^0.5 is sqrt (sqrt(-0) = -0, sqrt(-inf) = NaN), x^-0.5 is
            // 1/sqrt. Its backward, c * x^(c-1), takes the same path.
            func scalarPow(_ x: Double, _ c: Double) -> Double {
                switch c {
                case 0.5: x.squareRoot()
                case -0.5: 1 / x.squareRoot()
                default: Libm.pow(x, c)
                }
            }
            return (scalarPow(a, b), b == 0 ? 0 : b * scalarPow(a, b - 1), 0)
        }

        @inline(__always)
        static func exp(_ a: Double, _ b: Double) -> (value: Double, d0: Double, d1: Double) {
            let v = Libm.exp(a)
            return (v, v, .nan)
        }

        @inline(__always)
        static func log(_ a: Double, _ b: Double) -> (value: Double, d0: Double, d1: Double) {
            return (Libm.log(a), 1 / a, .nan)
        }

        @inline(__always)
        static func tanh(_ a: Double, _ b: Double) -> (value: Double, d0: Double, d1: Double) {
            let v = Libm.tanh(a)
            return (v, 1 - v * v, .nan)
        }

        @inline(__always)
        static func sigmoid(_ a: Double, _ b: Double) -> (value: Double, d0: Double, d1: Double) {
            let v = 1 / (1 + Libm.exp(-a))
            return (v, v * (1 - v), .nan)
        }

        @inline(__always)
        static func relu(_ a: Double, _ b: Double) -> (value: Double, d0: Double, d1: Double) {
            // As PyTorch: clamp_min(a, 0) keeps -0.0 and NaN; the backward passes the adjoint
            // unless the result is <= 0, so relu'(NaN) = 1.
            let v = a < 0 ? 0 : a
            return (v, v <= 0 ? 0 : 1, .nan)
        }
    }
}
