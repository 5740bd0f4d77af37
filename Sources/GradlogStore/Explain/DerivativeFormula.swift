import GradlogAutodiff

/// Each op written as an expression of its operands, and its local derivatives written
/// symbolically: what `explain` prints beside the stored numbers. Operands are given as text
/// (names, or recorded values), so the same formula prints both ways.
enum DerivativeFormula {
    /// The node as an expression: `a + b`, `1/den`, `exp(a)`, `a^2`.
    static func expression(_ op: Op, _ a: String, _ b: String, axis: Int?) -> String {
        let along = axis.map { ", \($0)" } ?? ""
        switch op {
        case .add: return "\(a) + \(b)"
        case .sub: return "\(a) - \(b)"
        case .mul: return "\(a)*\(b)"
        case .div: return "\(a)/\(b)"
        case .neg: return "-\(a)"
        case .pow: return "pow(\(a), \(b))"
        case .powc: return "\(a)^\(b)"
        case .identity: return a
        case .matmul: return "\(a) @ \(b)"
        case .greater: return "\(a) > \(b)"
        case .less: return "\(a) < \(b)"
        case .greaterEqual: return "\(a) >= \(b)"
        case .lessEqual: return "\(a) <= \(b)"
        case .equal: return "\(a) == \(b)"
        case .max, .min, .crossEntropy: return "\(op.name)(\(a), \(b))"
        case .sum, .mean, .softmax, .logSoftmax, .logsumexp: return "\(op.name)(\(a)\(along))"
        case .input, .const, .data: return a
        default: return "\(op.name)(\(a))"
        }
    }

    /// d(node)/d(operand `slot`) of an elementwise op, in terms of the operands `a` and `b`.
    static func derivative(_ op: Op, slot: Int, _ a: String, _ b: String) -> String {
        switch (op, slot) {
        case (.add, _), (.identity, _): return "1"
        case (.sub, 0): return "1"
        case (.sub, _): return "-1"
        case (.mul, 0): return b
        case (.mul, _): return a
        case (.div, 0): return "1/\(b)"
        case (.div, _): return "-\(a)/\(b)^2"
        case (.neg, _): return "-1"
        case (.pow, 0), (.powc, 0): return "\(b)*\(a)^(\(b) - 1)"
        case (.pow, _): return "pow(\(a), \(b))*log(\(a))"
        case (.powc, _): return "0 (a fixed exponent)"
        case (.exp, _): return "exp(\(a))"
        case (.log, _): return "1/\(a)"
        case (.sqrt, _): return "1/(2*sqrt(\(a)))"
        case (.sin, _): return "cos(\(a))"
        case (.cos, _): return "-sin(\(a))"
        case (.tan, _): return "1 + tan(\(a))^2"
        case (.tanh, _): return "1 - tanh(\(a))^2"
        case (.sigmoid, _): return "sigmoid(\(a))*(1 - sigmoid(\(a)))"
        case (.relu, _): return "(1 if \(a) > 0 else 0)"
        case (.abs, _): return "sign(\(a))"
        case (.max, 0): return "(1 if \(a) > \(b), 0.5 if \(a) = \(b), else 0)"
        case (.max, _): return "(1 if \(b) > \(a), 0.5 if \(a) = \(b), else 0)"
        case (.min, 0): return "(1 if \(a) < \(b), 0.5 if \(a) = \(b), else 0)"
        case (.min, _): return "(1 if \(b) < \(a), 0.5 if \(a) = \(b), else 0)"
        case (.greater, _), (.less, _), (.greaterEqual, _), (.lessEqual, _), (.equal, _): return "0"
        default: return "?"
        }
    }

    /// The backward formula of an op that stores contributions, `d(a) = d(c) @ transpose(b)`:
    /// the table in docs/schema.md, "Tensors", with the operands' names.
    static func contribution(_ op: Op, slot: Int, _ a: String, _ b: String, node c: String, axis: Int?) -> String {
        let along = axis.map { " along axis \($0)" } ?? ""
        switch (op, slot) {
        case (.matmul, 0): return "d(\(a)) = d(\(c)) @ transpose(\(b))"
        case (.matmul, _): return "d(\(b)) = transpose(\(a)) @ d(\(c))"
        case (.sum, _): return "d(\(a)) = d(\(c)) broadcast back\(along.isEmpty ? " to every element" : along)"
        case (.mean, _): return "d(\(a)) = d(\(c)) broadcast back\(along.isEmpty ? " to every element" : along), divided by the count averaged"
        case (.transpose, _): return "d(\(a)) = transpose(d(\(c)))"
        case (.reshape, _): return "d(\(a)) = reshape(d(\(c)), shape of \(a))"
        case (.softmax, _): return "d(\(a)) = \(c) * (d(\(c)) - sum(d(\(c)) * \(c)))\(along)"
        case (.logSoftmax, _): return "d(\(a)) = d(\(c)) - exp(\(c)) * sum(d(\(c)))\(along)"
        case (.logsumexp, _): return "d(\(a)) = d(\(c)) * exp(\(a) - \(c))"
        case (.crossEntropy, 0): return "d(\(a)) = d(\(c)) / N * (softmax(\(a)) - onehot(\(b)))"
        default: return "d(\(b)): none (labels are not differentiated)"
        }
    }

    /// An operand's value as it reads inside a formula: negative numbers in parentheses.
    static func operand(_ value: Double) -> String {
        let text = FloatEncoding.format(value)
        return text.hasPrefix("-") ? "(\(text))" : text
    }
}
