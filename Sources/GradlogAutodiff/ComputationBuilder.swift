/// Builds a `Computation` from ordinary Swift expressions over `Variable`s.
///
/// ```swift
/// let b = ComputationBuilder()
/// let x = b.input("x", 3), y = b.input("y", -4)
/// let f = ((x + sigmoid(y)) / (sigmoid(x) + pow(x + y, 2))).named("f")
/// let computation = b.finish(output: f)
/// ```
public final class ComputationBuilder {
    var tape = Tape()
    var names = NodeNames()
    var inputs: [Computation.Input] = []

    public init() {}

    /// Declares a named input with its value.
    public func input(_ name: String, _ value: Double) -> Variable {
        precondition(!inputs.contains { $0.name == name }, "input \(name) is declared twice")
        let v = leaf(.input, value)
        names.setName(Int(v.id), name)
        inputs.append(.init(name: name, node: v.id))
        return v
    }

    /// A constant operand.
    public func constant(_ value: Double) -> Variable { leaf(.const, value) }

    public func finish(output: Variable) -> Computation {
        precondition(output.builder === self, "the output belongs to another builder")
        return Computation(
            tape: tape, names: names, lines: [Int32](repeating: 0, count: tape.count),
            inputs: inputs, output: output.id)
    }

    func leaf(_ op: Op, _ value: Double) -> Variable {
        let id = tape.appendLeaf(op, value: value)
        names.appendUnnamed()
        return Variable(id: id, builder: self)
    }

    func apply(_ op: Op, _ a: Variable, _ b: Variable? = nil) -> Variable {
        precondition(a.builder === self && (b?.builder ?? self) === self, "mixing builders")
        // Every node a builder makes is a scalar, and scalar ops always fit.
        let id = try! tape.append(op, a.id, b?.id ?? Tape.noInput)
        names.appendUnnamed()
        return Variable(id: id, builder: self)
    }
}

/// A node under construction; arithmetic on it appends to its builder's tape.
public struct Variable {
    public let id: NodeID
    let builder: ComputationBuilder

    public var value: Double { builder.tape.scalar(id) }

    /// Gives this node a name, as a `.grad` statement `name = ...` would.
    @discardableResult
    public func named(_ name: String) -> Variable {
        builder.names.setName(Int(id), name)
        return self
    }

    public static func + (a: Variable, b: Variable) -> Variable { a.builder.apply(.add, a, b) }
    public static func - (a: Variable, b: Variable) -> Variable { a.builder.apply(.sub, a, b) }
    public static func * (a: Variable, b: Variable) -> Variable { a.builder.apply(.mul, a, b) }
    public static func / (a: Variable, b: Variable) -> Variable { a.builder.apply(.div, a, b) }
    public static prefix func - (a: Variable) -> Variable { a.builder.apply(.neg, a) }

    public static func + (a: Variable, b: Double) -> Variable { a + a.builder.constant(b) }
    public static func - (a: Variable, b: Double) -> Variable { a - a.builder.constant(b) }
    public static func * (a: Variable, b: Double) -> Variable { a * a.builder.constant(b) }
    public static func / (a: Variable, b: Double) -> Variable { a / a.builder.constant(b) }
    public static func + (a: Double, b: Variable) -> Variable { b.builder.constant(a) + b }
    public static func - (a: Double, b: Variable) -> Variable { b.builder.constant(a) - b }
    public static func * (a: Double, b: Variable) -> Variable { b.builder.constant(a) * b }
    public static func / (a: Double, b: Variable) -> Variable { b.builder.constant(a) / b }
}

public func exp(_ a: Variable) -> Variable { a.builder.apply(.exp, a) }
public func log(_ a: Variable) -> Variable { a.builder.apply(.log, a) }
public func sqrt(_ a: Variable) -> Variable { a.builder.apply(.sqrt, a) }
public func sin(_ a: Variable) -> Variable { a.builder.apply(.sin, a) }
public func cos(_ a: Variable) -> Variable { a.builder.apply(.cos, a) }
public func tan(_ a: Variable) -> Variable { a.builder.apply(.tan, a) }
public func tanh(_ a: Variable) -> Variable { a.builder.apply(.tanh, a) }
public func sigmoid(_ a: Variable) -> Variable { a.builder.apply(.sigmoid, a) }
public func relu(_ a: Variable) -> Variable { a.builder.apply(.relu, a) }
public func abs(_ a: Variable) -> Variable { a.builder.apply(.abs, a) }
public func pow(_ a: Variable, _ b: Variable) -> Variable { a.builder.apply(.pow, a, b) }
/// `a` raised to a fixed exponent: the exponent is not differentiated (op `powc`).
public func pow(_ a: Variable, _ b: Double) -> Variable { a.builder.apply(.powc, a, a.builder.constant(b)) }
public func max(_ a: Variable, _ b: Variable) -> Variable { a.builder.apply(.max, a, b) }
public func min(_ a: Variable, _ b: Variable) -> Variable { a.builder.apply(.min, a, b) }
