import GradlogStore

/// `explain`'s text and Markdown: one block per explained node, the terms line by line (text)
/// or as a table (Markdown), indented by how far the node was unfolded.
struct ExplanationText {
    var markdown: Bool

    func write(_ e: AdjointExplanation, level: Int, to out: StandardOutput) {
        write(e, level: level) { out.line($0) }
    }

    /// The explanation as lines, e.g. for the `report` page.
    func lines(_ e: AdjointExplanation) -> [String] {
        var lines: [String] = []
        write(e, level: 0) { lines.append($0) }
        return lines
    }

    private func write(_ e: AdjointExplanation, level: Int, _ emit: (String) -> Void) {
        // Indented by depth, up to a point: a deep unfolding stays readable.
        let pad = markdown ? "" : String(repeating: "    ", count: min(level, 6))
        func line(_ text: String = "") { emit(text.isEmpty ? "" : pad + text) }
        let dOut = "d(\(e.outputLabel))/d(\(e.label))"
        let shape = e.shape.map { ", shape \($0)" } ?? ""
        let heading = (level > 0 ? "[depth \(level)] " : "") + "\(dOut) in run \(e.run): \(e.label) (node \(e.id), \(e.op.name), line \(e.line)\(shape))"
        line(markdown ? "\(String(repeating: "#", count: min(level + 2, 6))) \(heading)" : heading)
        if markdown { line() }
        guard e.requiresGradient else {
            return line("\(e.label) needs no gradient (data, or computed from data and constants only): no adjoint is stored.")
        }
        if e.isOutput {
            line("\(e.label) is the output: its adjoint \(dOut) is 1 by definition (stored: \(Self.numbers(e.adjoint)))")
            return
        }
        line("stored adjoint = \(Self.numbers(e.adjoint))")
        if e.terms.isEmpty {
            line("\(e.label) feeds no node: the output does not depend on it, and its adjoint stays 0.")
        } else {
            let n = Set(e.terms.map(\.consumer)).count
            line("\(e.label) feeds \(n) node\(n == 1 ? "" : "s"); by the chain rule \(dOut) = sum over its consumers C of d(\(e.outputLabel))/d(C) × d(C)/d(\(e.label)), "
                + "in the order the backward pass added them:")
            line()
            if markdown { table(e, line) } else { for t in e.terms { term(t, e, line) } }
        }
        line()
        let terms = e.terms.filter(\.passedOn)
        if let sum = e.sum {
            if e.shape == nil, terms.count > 1, terms.allSatisfy({ $0.contribution != nil }) {
                line("sum = " + terms.map { Self.numbers($0.contribution) }.joined(separator: " + ") + " = \(Self.numbers(sum))")
            } else {
                line("sum = \(Self.numbers(sum))")
            }
        } else {
            line("sum: not known (a factor was not kept: the run was recorded with --capture values or stats)")
        }
        switch (e.equals, e.difference) {
        case (true?, _) where e.shape != nil: line("the sum equals the stored adjoint, all \(e.adjoint?.count ?? 0) elements bit for bit")
        case (true?, _): line("the sum equals the stored adjoint \(Self.numbers(e.adjoint)), bit for bit")
        case (false?, let d?) where e.shape != nil:
            line("the sum differs from the stored adjoint in \(d.elements) of \(e.adjoint?.count ?? 0) elements (largest |difference| \(FloatEncoding.format(d.largest)))")
        case (false?, _):
            let s = e.sum?.first ?? .nan, a = e.adjoint?.first ?? .nan
            line("the sum differs from the stored adjoint \(FloatEncoding.format(a)) by \(FloatEncoding.format(s - a))")
        case (nil, _): line("whether the sum equals the stored adjoint is not known")
        }
        for u in e.unfolded {
            line()
            write(u, level: level + 1, emit)
        }
        for skipped in e.notUnfolded { line("(\(skipped.label), node \(skipped.id): not unfolded, \(skipped.reason))") }
    }

    private func term(_ t: ChainRuleTerm, _ e: AdjointExplanation, _ line: (String) -> Void) {
        let shape = t.consumerShape.map { ", shape \($0)" } ?? ""
        line("  \(t.consumerLabel) = \(t.expression)  (node \(t.consumer), \(t.op.name), input \(t.slot), line \(t.line)\(shape))")
        let dC = "d(\(e.outputLabel))/d(\(t.consumerLabel))"
        let local = "d(\(t.consumerLabel))/d(\(e.label))"
        let width = max(dC.count, local.count, "product".count)
        func key(_ s: String) -> String { s + String(repeating: " ", count: width - s.count) }
        guard t.passedOn else {
            line("    not passed on: \(t.consumerLabel) \(t.consumerAdjoint == nil ? "needs no gradient" : "is not on a path to the output"), so the backward pass added nothing from it")
            return
        }
        line("    \(key(dC)) = \(Self.numbers(t.consumerAdjoint))   (stored adjoint of \(t.consumerLabel))")
        if t.storesContribution {
            line("    \(key("formula")) : \(t.formula)")
            line("    \(key("product")) = \(Self.numbers(t.contribution))   (stored contribution)")
            return
        }
        if e.shape == nil, t.consumerShape == nil {
            let written = "d(\(t.expression))/d(\(e.label)) = \(t.formula)" + (t.substituted.map { " = \($0)" } ?? "")
            line("    \(key(local)) = \(written) = \(Self.numbers(t.stored))   (stored local derivative)")
            let product = "\(Self.numbers(t.consumerAdjoint)) × \(Self.numbers(t.stored)) = \(Self.numbers(t.contribution))"
            line("    \(key("product")) = \(product)")
        } else {
            line("    \(key(local)) = \(Self.numbers(t.stored))   (stored local derivative)")
            line("    \(key("formula")) : \(t.formula)")
            line("    \(key("product")) = \(Self.numbers(t.contribution))")
        }
    }

    private func table(_ e: AdjointExplanation, _ line: (String) -> Void) {
        line("| consumer | op | input | d(\(e.outputLabel))/d(C) | d(C)/d(\(e.label)) | formula | product |")
        line("|---|---|---|---|---|---|---|")
        for t in e.terms {
            let formula = t.storesContribution || t.substituted == nil ? t.formula : "\(t.formula) = \(t.substituted!)"
            let local = t.storesContribution ? "(contribution)" : Self.numbers(t.stored)
            let product = t.passedOn ? Self.numbers(t.contribution) : "not passed on"
            let cells = ["\(t.consumerLabel) = \(t.expression)", t.op.name, String(t.slot), Self.numbers(t.consumerAdjoint), local,
                         "`\(formula)`", product]
            line("| " + cells.map { $0.replacing("|", with: "\\|") }.joined(separator: " | ") + " |")
        }
        line("| **sum** | | | | | | \(Self.numbers(e.sum)) |")
    }

    /// A scalar as gradlog prints it; a tensor as its element count and norm, min and max.
    static func numbers(_ elements: [Double]?) -> String {
        guard let elements else { return "not kept" }
        if elements.count == 1 { return FloatEncoding.format(elements[0]) }
        let s = TensorStatistics(elements)
        func f(_ d: Double?) -> String { d.map(FloatEncoding.format) ?? "-" }
        return "\(elements.count) elements: norm \(f(s.norm)), min \(f(s.min)), max \(f(s.max))"
            + (s.nan + s.positiveInfinity + s.negativeInfinity > 0 ? ", \(s.nan) NaN, \(s.positiveInfinity + s.negativeInfinity) inf" : "")
    }
}
