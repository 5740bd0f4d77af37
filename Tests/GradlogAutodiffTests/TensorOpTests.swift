import Testing
@testable import GradlogAutodiff

/// Every tensor op's backward (its vector-Jacobian product) against central finite differences,
/// element by element: each case builds `loss = sum(op(inputs) * R)` with R a fixed random tensor
/// (so that the adjoint reaching the op differs from element to element), runs backward once,
/// and perturbs every element of every input.
@Suite struct TensorOpTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var op: Op
        var shapes: [[Int]]
        var axis: Int? = nil
        var target: [Int]? = nil
        /// Operands drawn from (0.5, 2) instead of (-2, 2): for log, sqrt, pow's base.
        var positive = false
        var testDescription: String {
            "\(op.name)(\(shapes.map { Shape($0).description }.joined(separator: ", "))\(axis.map { ", axis \($0)" } ?? "")\(target.map { ", to \(Shape($0))" } ?? ""))"
        }
    }

    /// Shape pairs that broadcast in every position: equal, a trailing vector, a leading one, a
    /// column against a row, a scalar on either side, and ranks that differ by two.
    static let broadcastPairs: [[[Int]]] = [
        [[2, 3], [2, 3]], [[2, 3], [3]], [[3], [2, 3]], [[2, 1], [1, 3]], [[2, 3], []], [[], [2, 3]],
        [[4, 1, 3], [2, 1]], [[1], [2, 2]],
    ]

    static let cases: [Case] = {
        var cases: [Case] = []
        for op in [Op.add, .sub, .mul, .div, .max, .min] {
            for pair in broadcastPairs { cases.append(Case(op: op, shapes: pair)) }
        }
        for pair in broadcastPairs { cases.append(Case(op: .pow, shapes: pair, positive: true)) }
        for op in [Op.neg, .exp, .sin, .cos, .tan, .tanh, .sigmoid, .relu, .abs, .identity] {
            cases.append(Case(op: op, shapes: [[2, 3]]))
        }
        for op in [Op.log, .sqrt] { cases.append(Case(op: op, shapes: [[3, 2]], positive: true)) }
        for pair in [[[2, 3], [3, 4]], [[3], [3, 4]], [[2, 3], [3]], [[3], [3]], [[1, 5], [5, 1]]] {
            cases.append(Case(op: .matmul, shapes: pair))
        }
        for op in [Op.sum, .mean] {
            for axis in [nil, 0, 1, 2, -1] { cases.append(Case(op: op, shapes: [[2, 3, 4]], axis: axis)) }
            cases.append(Case(op: op, shapes: [[5]], axis: 0))
        }
        cases.append(Case(op: .transpose, shapes: [[2, 3]]))
        cases.append(Case(op: .transpose, shapes: [[2, 3, 4]]))
        cases.append(Case(op: .transpose, shapes: [[4]]))
        for target in [[3, 2], [6], [-1, 2], [1, 6, 1]] { cases.append(Case(op: .reshape, shapes: [[2, 3]], target: target)) }
        for op in [Op.softmax, .logSoftmax, .logsumexp] {
            for axis in [0, 1, -1] { cases.append(Case(op: op, shapes: [[3, 4]], axis: axis)) }
            cases.append(Case(op: op, shapes: [[2, 3, 4]], axis: 1))
            cases.append(Case(op: op, shapes: [[5]], axis: 0))
        }
        return cases
    }()

    /// A fixed pseudo-random stream for test data (not the program's generator: this module
    /// stands alone).
    struct Stream {
        var state: UInt64
        mutating func next(_ low: Double, _ high: Double) -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return low + (high - low) * Double(state >> 11) * 0x1p-53
        }
    }

    @Test(arguments: cases)
    func backwardMatchesCentralDifferences(_ c: Case) throws {
        var stream = Stream(state: UInt64(c.testDescription.utf8.count) &* 7919)
        var tape = Tape()
        let leaves = c.shapes.map { dims -> NodeID in
            let shape = Shape(dims)
            let elements = (0..<shape.count).map { _ in c.positive ? stream.next(0.5, 2) : stream.next(-2, 2) }
            return dims.isEmpty ? tape.appendLeaf(.input, value: elements[0]) : tape.appendLeaf(.input, shape: shape, elements: elements)
        }
        let y = try tape.append(c.op, leaves[0], leaves.count > 1 ? leaves[1] : Tape.noInput, axis: c.axis, shape: c.target)
        let loss = try weightedSum(&tape, y, &stream)
        let gradients = tape.backward(from: loss)
        try expectGradients(tape, gradients, leaves: leaves, loss: loss)
        try expectChainRule(tape, gradients)
    }

    @Test func crossEntropyMatchesCentralDifferences() throws {
        var stream = Stream(state: 42)
        var tape = Tape()
        let logits = tape.appendLeaf(.input, shape: Shape([4, 3]), elements: (0..<12).map { _ in stream.next(-2, 2) })
        let labels = tape.appendLeaf(.data, shape: Shape([4]), elements: [2, 0, 1, 2])
        let loss = try tape.append(.crossEntropy, logits, labels)
        let gradients = tape.backward(from: loss)
        try expectGradients(tape, gradients, leaves: [logits], loss: loss)
        try expectChainRule(tape, gradients)
        // PyTorch's value by its definition: mean over rows of logsumexp(row) - row[label].
        let x = Array(tape.elements(logits))
        var expected = 0.0
        for (row, label) in [2, 0, 1, 2].enumerated() {
            let r = x[row * 3..<row * 3 + 3]
            expected += Libm.log(r.map { Libm.exp($0) }.reduce(0, +)) - r[row * 3 + label]
        }
        #expect(abs(tape.scalar(loss) - expected / 4) <= 1e-14)
    }

    /// `sum(y * R)` with R random data of y's shape.
    private func weightedSum(_ tape: inout Tape, _ y: NodeID, _ stream: inout Stream) throws -> NodeID {
        let shape = tape.shape(y)
        let weights = (0..<shape.count).map { _ in stream.next(-1, 1) }
        let r = shape.isScalar ? tape.appendLeaf(.data, value: weights[0]) : tape.appendLeaf(.data, shape: shape, elements: weights)
        return try tape.append(.sum, try tape.append(.mul, y, r))
    }

    private func expectGradients(_ tape: Tape, _ gradients: Gradients, leaves: [NodeID], loss: NodeID) throws {
        for leaf in leaves {
            let analytic = Array(gradients.adjoint(leaf, in: tape))
            for element in 0..<tape.elementCount(leaf) {
                let x = tape.values[tape.valueStart[Int(leaf)] + element]
                let h = 1e-6 * Swift.max(1, Swift.abs(x))
                var up = tape, down = tape
                up.setLeaf(leaf, element: element, value: x + h)
                up.forward()
                down.setLeaf(leaf, element: element, value: x - h)
                down.forward()
                let numeric = (up.scalar(loss) - down.scalar(loss)) / (2 * h)
                #expect(
                    Swift.abs(analytic[element] - numeric) <= 1e-6 * Swift.max(1, Swift.abs(numeric)),
                    "input \(leaf) element \(element): analytic \(analytic[element]), numeric \(numeric)")
            }
        }
    }

    /// What gradlog stores per edge adds up to each node's adjoint: for every node that needs a
    /// gradient, the sum over its consumers of (adjoint * local derivative, reduced over the
    /// broadcast axes) or of the stored contribution equals its adjoint.
    private func expectChainRule(_ tape: Tape, _ gradients: Gradients) throws {
        var sums = [Double](repeating: 0, count: tape.values.count)
        for node in 0..<tape.count where tape.ops[node].arity > 0 && tape.requiresGrad(NodeID(node)) {
            let id = NodeID(node)
            for slot in 0..<tape.ops[node].arity {
                let input = slot == 0 ? tape.input0[node] : tape.input1[node]
                guard tape.requiresGrad(input) else { continue }
                let target = tape.range(input)
                if let contribution = gradients.contribution(id, slot: slot, in: tape) {
                    for (k, v) in contribution.enumerated() { sums[target.lowerBound + k] += v }
                } else {
                    let derivative = slot == 0 ? tape.derivative0 : tape.derivative1
                    let map = broadcastOffsets(from: tape.shape(input), to: tape.shape(id))
                    // An op with fixed derivatives (add, sub, neg, comparisons) keeps none on a
                    // tensor; like the store's op table, its constant stands for every element.
                    let range = tape.derivativeRange(id), fixed = tape.ops[node].fixedLocalDerivatives
                    #expect(range.isEmpty == (fixed != nil && !tape.isScalar(id)), "\(tape.ops[node].name)")
                    let g = Array(gradients.adjoint(id, in: tape))
                    let d = range.isEmpty
                        ? [Double](repeating: slot == 0 ? fixed!.0 : fixed!.1, count: g.count) : Array(derivative[range])
                    for e in 0..<g.count { sums[target.lowerBound + (map?[e] ?? e)] += g[e] * d[e] }
                }
            }
        }
        for node in 0..<tape.count where tape.requiresGrad(NodeID(node)) && tape.ops[node] == .input {
            for k in tape.range(NodeID(node)) {
                #expect(sums[k] == gradients.adjoints[k], "node \(node): contributions \(sums[k]) vs adjoint \(gradients.adjoints[k])")
            }
        }
    }
}

/// Shapes that do not fit an op are refused when the node is built, naming the op and shapes.
@Suite struct TensorShapeErrorTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var op: Op
        var shapes: [[Int]]
        var axis: Int? = nil
        var target: [Int]? = nil
        var message: String
        var testDescription: String { message }
    }

    static let cases: [Case] = [
        Case(op: .add, shapes: [[2, 3], [4]], message: "add: shapes [2, 3] and [4] do not broadcast"),
        Case(op: .matmul, shapes: [[2, 3], [4, 5]], message: "matmul: inner dimensions differ in [2, 3] @ [4, 5] (3 vs 4)"),
        Case(op: .matmul, shapes: [[], [3]], message: "matmul takes 1-D and 2-D operands, got [] @ [3]"),
        Case(op: .sum, shapes: [[2, 3]], axis: 2, message: "sum: axis 2 is out of range for shape [2, 3] (valid axes are -2 to 1)"),
        Case(op: .softmax, shapes: [[]], axis: 0, message: "softmax: axis 0 is out of range for shape [] (a scalar has no axes)"),
        Case(op: .reshape, shapes: [[2, 3]], target: [4], message: "reshape: cannot reshape [2, 3] (6 elements) to [4] (4 elements)"),
        Case(op: .reshape, shapes: [[2, 3]], target: [-1, -1], message: "reshape: at most one dimension may be -1"),
        Case(op: .crossEntropy, shapes: [[4], [4]], message: "cross_entropy takes logits of shape [rows, classes], got [4]"),
        Case(op: .crossEntropy, shapes: [[4, 3], [3]], message: "cross_entropy: labels must have shape [4]"),
    ]

    @Test(arguments: cases)
    func refusedWithAMessage(_ c: Case) {
        var tape = Tape()
        let leaves = c.shapes.enumerated().map { index, dims -> NodeID in
            let op: Op = c.op == .crossEntropy && index == 1 ? .data : .input
            let shape = Shape(dims)
            return dims.isEmpty ? tape.appendLeaf(op, value: 1) : tape.appendLeaf(op, shape: shape, elements: Array(repeating: 1, count: shape.count))
        }
        #expect(throws: ShapeError.self) {
            _ = try tape.append(c.op, leaves[0], leaves.count > 1 ? leaves[1] : Tape.noInput, axis: c.axis, shape: c.target)
        }
        do {
            _ = try tape.append(c.op, leaves[0], leaves.count > 1 ? leaves[1] : Tape.noInput, axis: c.axis, shape: c.target)
        } catch {
            #expect(error.message.hasPrefix(c.message), "\(error.message)")
        }
    }

    @Test func labelsOutOfRangeAreRefused() {
        var tape = Tape()
        let logits = tape.appendLeaf(.input, shape: Shape([2, 3]), elements: Array(repeating: 0, count: 6))
        let labels = tape.appendLeaf(.data, shape: Shape([2]), elements: [1, 3])
        #expect(throws: ShapeError("cross_entropy: label 3.0 in row 1 is not a class index from 0 to 2")) {
            _ = try tape.append(.crossEntropy, logits, labels)
        }
    }
}
