import Glibc
import GradlogStore

/// Renders a `GraphPicture` as Graphviz DOT, left to right from the inputs to the output:
/// one box per node (name or #id, op, value, adjoint; for a tensor its shape and the norms of
/// its value and adjoint), an arrow from each input labelled with the local derivative (for a
/// tensor edge, the stored tensor's shape and norm). Compared with another run, boxes are
/// filled by how the node compares and the first divergences get a thick red or orange border.
struct DOTWriter {
    var picture: GraphPicture
    var title: String
    /// Significant digits of the numbers shown; 0 for every digit (shortest round-trip form).
    var digits: Int

    static let fill: [NodeStatus: String] = [
        .identical: "#e3f2e1", .withinTolerance: "#fff1b8", .different: "#f7c5c0",
        .onlyInA: "#dddddd", .onlyInB: "#cfe2ff",
    ]
    static let legend: [NodeStatus: String] = [
        .identical: "equal", .withinTolerance: "within tolerance", .different: "different",
        .onlyInA: "only in A", .onlyInB: "only in B",
    ]
    static let firstValueColor = "#c0392b", firstGradColor = "#e67e22"

    var text: String {
        let compared = picture.nodes.contains { $0.comparison != nil }
        var lines = [
            "digraph gradlog {",
            "  graph [rankdir=LR, labelloc=t, fontname=\"Helvetica\", label=\(Self.quote(title))];",
            "  node [shape=box, style=\"rounded\", fontname=\"Helvetica\", fontsize=10];",
            "  edge [fontname=\"Helvetica\", fontsize=9];",
        ]
        for (index, node) in picture.nodes.enumerated() {
            lines.append("  n\(index) [\(attributes(node, index: index).joined(separator: ", "))];")
        }
        for edge in picture.edges {
            var attributes = ["label=\(Self.quote(edge.stored.map(stored) ?? edge.localGrad.map(number) ?? ""))"]
            switch edge.presence {
            case .onlyInA: attributes += ["style=dashed", "color=\"#888888\"", "fontcolor=\"#888888\""]
            case .onlyInB: attributes += ["style=dashed", "color=\"#1f5fbf\"", "fontcolor=\"#1f5fbf\""]
            default: break
            }
            lines.append("  n\(edge.from) -> n\(edge.to) [\(attributes.joined(separator: ", "))];")
        }
        if compared { lines += legend }
        lines.append("}")
        return lines.joined(separator: "\n")
    }

    private func attributes(_ node: GraphPicture.Node, index: Int) -> [String] {
        let id = node.idA.map { "#\($0)" } ?? node.idB.map { "B#\($0)" } ?? "#?"
        var label = [node.name.map { "\($0)  (\(node.op.name))" } ?? "\(id)  (\(node.op.name))"]
        var style = ["rounded"]
        var attributes: [String] = []
        if let tensor = node.tensor {
            label += tensorLines(tensor, node.tensorB)
        }
        if let comparison = node.comparison {
            if node.tensor == nil {
                label.append("value " + pair(comparison.value))
                label.append("grad " + pair(comparison.grad))
            }
            label.append(Self.legend[comparison.status] ?? "")
            style.append("filled")
            attributes.append("fillcolor=\"\(Self.fill[comparison.status] ?? "#ffffff")\"")
        } else if node.tensor == nil {
            label.append("value " + (node.value.map(number) ?? "null"))
            label.append("grad " + (node.grad.map(number) ?? "null"))
        } else if node.tensorB != nil {
            label.append("not compared: a run kept statistics only")
        }
        if index == picture.firstValueDivergence {
            label.insert("first value divergence", at: 0)
            attributes += ["penwidth=3", "color=\"\(Self.firstValueColor)\""]
        } else if index == picture.firstGradDivergence {
            label.insert("first grad divergence", at: 0)
            attributes += ["penwidth=3", "color=\"\(Self.firstGradColor)\""]
        }
        if node.isCut { style.append("dashed") }
        return ["label=\(Self.quote(label.joined(separator: "\n")))", "style=\"\(style.joined(separator: ","))\""] + attributes
    }

    /// A tensor node's shape, and the norms of its value and adjoint (A's → B's when they
    /// differ), with the NaN and infinite elements counted when there are any.
    private func tensorLines(_ a: GraphPicture.Tensor, _ b: GraphPicture.Tensor?) -> [String] {
        func norms(_ x: TensorStatistics?, _ y: TensorStatistics?) -> String {
            let first = x.map { $0.norm.map(number) ?? "null" } ?? "null"
            guard b != nil else { return first }
            let second = y.map { $0.norm.map(number) ?? "null" } ?? "null"
            return first == second ? first : "\(first) → \(second)"
        }
        var lines = [b.map { $0.shape != a.shape ? "\(a.shape) → \($0.shape)" : "\(a.shape)" } ?? "\(a.shape)"]
        lines.append("value norm " + norms(a.value, b?.value) + Self.nonfinite(a.value))
        if a.grad != nil || b?.grad != nil { lines.append("grad norm " + norms(a.grad, b?.grad) + Self.nonfinite(a.grad)) }
        return lines
    }

    /// A tensor stored on an edge: its shape and norm, marked when it is a contribution.
    private func stored(_ stored: GraphPicture.Stored) -> String {
        let norm = stored.statistics.norm.map(number) ?? "null"
        return (stored.isContribution ? "contribution " : "") + "\(stored.shape) norm \(norm)" + Self.nonfinite(stored.statistics)
    }

    /// " (2 NaN, 1 inf)" when a tensor has non-finite elements, else "".
    private static func nonfinite(_ statistics: TensorStatistics?) -> String {
        guard let statistics else { return "" }
        let infinite = statistics.positiveInfinity + statistics.negativeInfinity
        guard statistics.nan + infinite > 0 else { return "" }
        return " (\(statistics.nan) NaN, \(infinite) inf)"
    }

    /// "a" when both runs agree bit for bit or only one has the node, else "a → b", with
    /// every digit when the shortened numbers would read the same.
    private func pair(_ numbers: NumberComparison) -> String {
        guard let a = numbers.a, let b = numbers.b, numbers.verdict != .identical else {
            return (numbers.a ?? numbers.b).map(number) ?? "null"
        }
        let short = (number(a), number(b))
        return short.0 != short.1 ? "\(short.0) → \(short.1)" : "\(FloatEncoding.format(a)) → \(FloatEncoding.format(b))"
    }

    private func number(_ value: Double) -> String {
        guard digits > 0, value.isFinite else { return FloatEncoding.format(value) }
        return String(format: "%.\(digits)g", value)
    }

    private var legend: [String] {
        var lines = ["  subgraph cluster_legend {", "    label=\"legend\"; fontsize=10; style=dashed;"]
        let statuses: [NodeStatus] = [.identical, .withinTolerance, .different, .onlyInA, .onlyInB]
        for (index, status) in statuses.enumerated() {
            lines.append("    legend\(index) [label=\(Self.quote(Self.legend[status]!)), style=\"rounded,filled\", fillcolor=\"\(Self.fill[status]!)\"];")
        }
        lines.append("    legend5 [label=\"first value divergence\", penwidth=3, color=\"\(Self.firstValueColor)\"];")
        lines.append("    legend6 [label=\"first grad divergence\", penwidth=3, color=\"\(Self.firstGradColor)\"];")
        lines.append("  }")
        return lines
    }

    /// A DOT string literal; `\n` in `text` becomes a centred line break.
    static func quote(_ text: String) -> String {
        var out = "\""
        for character in text {
            switch character {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out + "\""
    }
}
