/// The backward pass: one reverse loop over the tape (`Tape.backward`), and what it computes
/// (`Gradients`). Each op's vector-Jacobian product is `Tape.backpropagate`, beside its forward
/// in the op family's file.
extension Tape {
    /// The adjoint of every node, d(output)/d(node) element by element, and the contributions
    /// that ops without stored local derivatives sent to their inputs.
    ///
    /// One reverse loop from the output, which must hold one element (its adjoint is 1). Only
    /// nodes the output depends on pass their adjoint on (so an unrelated node's infinite local
    /// derivative cannot turn 0 into NaN); every other node keeps adjoint 0. A node used twice
    /// (`a * a`) accumulates both contributions. Nodes that do not require a gradient (data) get
    /// none and pass none on.
    public func backward(
        from output: NodeID, observing observe: Observer? = nil
    ) -> Gradients {
        var gradients = Gradients(tape: self)
        backward(from: output, into: &gradients, observing: observe)
        return gradients
    }

    /// `backward(from:)` into the arenas of an earlier pass over this tape (a training's
    /// previous step), without zeroing them first: every node the output reaches has its first
    /// contribution assigned, and every other node's adjoint is set to 0 here.
    ///
    /// `observe`, if given, sees each tensor node's adjoint once it is final: for a node the
    /// output reaches, when the reverse loop comes to it (its consumers are done), while it is
    /// still in cache; for the others once they are zeroed.
    public func backward(
        from output: NodeID, into gradients: inout Gradients,
        observing observe: Observer? = nil
    ) {
        precondition(output >= 0 && Int(output) < count, "output \(output) is not on the tape")
        precondition(elementCount(output) == 1, "the output must hold one element")
        precondition(gradients.adjoints.count == values.count, "gradients of another tape")
        gradients.contributionStart.removeAll(keepingCapacity: true)
        gradients.contributionEnd = 0
        var reaches = [Bool](repeating: false, count: Int(output) + 1)
        gradients.adjoints[valueStart[Int(output)]] = 1
        reaches[Int(output)] = true
        for i in stride(from: Int(output), through: 0, by: -1) where reaches[i] && gradient[i] != .none {
            if let observe, shapeIDs[i] != 0 {
                let range = range(NodeID(i))
                gradients.adjoints.withUnsafeBufferPointer { observe(NodeID(i), UnsafeBufferPointer(rebasing: $0[range])) }
            }
            let a = input0[i], b = input1[i]
            if a == Self.noInput { continue }  // a leaf: nothing to pass on
            // As PyTorch accumulates gradients, an input's first contribution is its adjoint and
            // later ones are added: a lone -0.0 contribution keeps its sign.
            let needA = gradient[Int(a)] != .none, needB = b != Self.noInput && gradient[Int(b)] != .none
            let firstA = needA && !reaches[Int(a)]
            if needA { reaches[Int(a)] = true }
            let firstB = needB && !reaches[Int(b)]
            if needB { reaches[Int(b)] = true }
            if shapeIDs[i] == 0 && ops[i].kind == .elementwise
                && isScalar(a) && (b == Self.noInput || isScalar(b)) {
                let g = gradients.adjoints[valueStart[i]]
                let d = derivativeStart[i]
                if needA {
                    let c = g * derivative0[d]
                    if firstA { gradients.adjoints[valueStart[Int(a)]] = c } else { gradients.adjoints[valueStart[Int(a)]] += c }
                }
                if needB {
                    let c = g * derivative1[d]
                    if firstB { gradients.adjoints[valueStart[Int(b)]] = c } else { gradients.adjoints[valueStart[Int(b)]] += c }
                }
            } else {
                backpropagate(i, first: (firstA, firstB), into: &gradients)
            }
        }
        // An earlier pass over a larger part of the tape may have left more room than this one used.
        gradients.contributions.removeLast(gradients.contributions.count - gradients.contributionEnd)
        // Nodes the output does not reach (and those after it) have adjoint 0.
        gradients.adjoints.withUnsafeMutableBufferPointer { adjoints in
            for i in 0..<count where gradient[i] != .none && (i >= reaches.count || !reaches[i]) {
                let range = range(NodeID(i))
                UnsafeMutableBufferPointer(rebasing: adjoints[range]).update(repeating: 0)
                if let observe, shapeIDs[i] != 0 { observe(NodeID(i), UnsafeBufferPointer(rebasing: adjoints[range])) }
            }
        }
    }
}

/// What backward computed: every node's adjoint, and the stored contributions of the ops
/// whose Jacobian is never formed (`Op.Kind.contribution`).
public struct Gradients: Sendable, Equatable {
    /// d(output)/d(node), element by element, laid out like `Tape.values`.
    public internal(set) var adjoints: [Double]
    /// Per contribution op: where its slots start in `contributions`. Slot 0 comes first, then
    /// slot 1, each in the shape of its input; a slot whose input requires no gradient has no
    /// elements.
    public internal(set) var contributionStart: [NodeID: Int] = [:]
    public internal(set) var contributions: [Double] = []
    /// How much of `contributions` this pass has handed out; a training's later steps reuse
    /// the room of the first (`reserveContributions`).
    var contributionEnd = 0
    let valueStart: PerNode

    /// Hands out the next `count` elements of `contributions`, growing it with NaN where an
    /// earlier pass left no room. Room reused from an earlier pass is not refilled in a release
    /// build (every contribution op writes its whole slot; it saved writing a training step's
    /// worth of NaN, 4.8 MB for the MLP benchmark, before every backward); a debug build, as
    /// the tests run, fills it with NaN as new room is, so an op that writes less shows.
    mutating func reserveContributions(_ count: Int) {
        let start = contributionEnd
        contributionEnd += count
        let reused = Swift.min(contributions.count, contributionEnd) - start
        #if DEBUG
        if reused > 0 { contributions.replaceSubrange(start..<start + reused, with: repeatElement(.nan, count: reused)) }
        #endif
        if reused < count { contributions.append(contentsOf: repeatElement(.nan, count: count - Swift.max(reused, 0))) }
    }

    init(tape: Tape) {
        adjoints = [Double](repeating: 0, count: tape.values.count)
        valueStart = tape.valueStart
    }

    /// Adjoints computed elsewhere (an imported trace), laid out like `tape.values`.
    public init(tape: Tape, adjoints: [Double]) {
        precondition(adjoints.count == tape.values.count, "one adjoint per element")
        self.adjoints = adjoints
        valueStart = tape.valueStart
    }

    /// A scalar node's adjoint (the first element of a tensor's).
    public func scalar(_ id: NodeID) -> Double { adjoints[valueStart[Int(id)]] }

    /// The adjoint of scalar node `node`, for the all-scalar tapes of `ComputationBuilder`.
    public subscript(_ node: Int) -> Double { adjoints[valueStart[node]] }

    /// A node's adjoint elements, given the tape it came from.
    public func adjoint(_ id: NodeID, in tape: Tape) -> ArraySlice<Double> { adjoints[tape.range(id)] }

    /// What node `id` sent to its input in `slot`, in that input's shape; nil for ops that store
    /// local derivatives instead, and for a slot whose input requires no gradient.
    public func contribution(_ id: NodeID, slot: Int, in tape: Tape) -> ArraySlice<Double>? {
        contributionRange(id, slot: slot, in: tape).map { contributions[$0] }
    }

    /// Where `contribution(id, slot:in:)` is in `contributions`.
    public func contributionRange(_ id: NodeID, slot: Int, in tape: Tape) -> Range<Int>? {
        guard let start = contributionStart[id] else { return nil }
        let input = slot == 0 ? tape.input0[Int(id)] : tape.input1[Int(id)]
        guard input != Tape.noInput, tape.requiresGrad(input) else { return nil }
        let first = tape.input0[Int(id)]
        let offset = slot == 0 || !tape.requiresGrad(first) ? start : start + tape.elementCount(first)
        return offset..<offset + tape.elementCount(input)
    }
}
