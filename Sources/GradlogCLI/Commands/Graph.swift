import ArgumentParser
import GradlogStore

extension Gradlog {
    struct Graph: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "graph",
            abstract: "Draw a run's computation graph as Graphviz DOT.",
            discussion: """
                One box per node with its name (or #id and op), value and adjoint; an arrow \
                from each input, labelled with the local derivative. With --diff OTHER the \
                boxes are coloured by how each node compares with run OTHER (equal, within \
                tolerance, different, only in one run; tolerances as for `gradlog diff`) and \
                the first value and grad divergences are outlined.

                A tensor node shows its shape and the norms of its value and adjoint (with \
                the count of NaN and infinite elements when there are any); a tensor edge, \
                the shape and norm of what is stored on it: the local derivative, or the \
                contribution for matmul, reductions, reshape and softmax. Compared, a tensor \
                node takes the verdict of its worst element under the same tolerances (a \
                changed shape is different); with a run recorded with --capture stats it is \
                left uncoloured. The outlined first divergences are those of `gradlog diff`.

                A picture holds at most --max-nodes nodes; draw part of a larger graph with \
                --around NAME (the last node of that name, or #ID), which keeps the nodes at \
                most --depth edges away. Dashed boxes have neighbours left out.

                  gradlog graph latest | dot -Tsvg > graph.svg
                  gradlog graph 1 --diff 2 --rtol 1e-9 | dot -Tsvg > diff.svg
                  gradlog graph latest --around den --depth 1
                """
        )

        @Argument(help: ArgumentHelp("The run: an id, a unique name, latest or latest~N.", valueName: "run"))
        var reference: String

        @Option(name: .customLong("diff"), help: ArgumentHelp("Compare with this run and colour the nodes by the comparison.", valueName: "other"))
        var other: String?

        @Option(name: .customLong("db-b"), help: ArgumentHelp("Read the --diff run from this database file (read-only).", valueName: "path"))
        var databaseB: String?

        @OptionGroup var comparison: ComparisonOptions

        @Option(help: ArgumentHelp("Draw only the nodes around this one: a name, or #ID.", valueName: "name"))
        var around: String?

        @Option(help: ArgumentHelp("With --around: how many edges away a node may be.", valueName: "k"))
        var depth = 2

        @Option(help: ArgumentHelp("Refuse to draw more nodes than this.", valueName: "n"))
        var maxNodes = 500

        @Option(help: ArgumentHelp("Significant digits of the numbers shown; 0 for all (shortest round-trip form).", valueName: "n"))
        var digits = 6

        @OptionGroup var options: GlobalOptions

        func validate() throws {
            if options.format != .table { throw ValidationError("graph prints Graphviz DOT; --format does not apply") }
            if depth < 0 { throw ValidationError("--depth must be >= 0") }
            if maxNodes < 1 { throw ValidationError("--max-nodes must be >= 1") }
            if !(0...17).contains(digits) { throw ValidationError("--digits must be between 0 and 17") }
            if databaseB != nil && other == nil { throw ValidationError("--db-b names the database of the --diff run; give --diff too") }
        }

        func run() throws {
            let log = try options.open(.readOnly)
            let run = try log.resolve(reference)
            var compared: (run: Int64, log: GradLog, rule: ComparisonRule)?
            var title = "run \(run)"
            if let other {
                let logB = try GlobalOptions.openOther(databaseB, or: log)
                let runB = try logB.resolve(other)
                compared = (runB, logB, comparison.rule)
                title = "run \(run) (A) compared with run \(runB) (B)" + (databaseB.map { " of \($0)" } ?? "")
            }
            let scope = GraphPictureScope(around: around, depth: depth, maxNodes: maxNodes)
            let picture = try log.graphPicture(run: run, scope: scope, comparedWith: compared)
            if let around {
                title += ", around \(around) (depth \(depth)): \(picture.nodes.count) of \(picture.totalNodes) nodes"
            }
            StandardOutput.shared.line(DOTWriter(picture: picture, title: title, digits: digits).text)
        }
    }
}
