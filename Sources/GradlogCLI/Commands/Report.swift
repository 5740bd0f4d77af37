import ArgumentParser
import GradlogStore

extension Gradlog {
    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "report",
            abstract: "Write a run as one self-contained HTML page that walks the backward pass.",
            discussion: """
                The page needs no network and no Graphviz: the graph is SVG drawn by the page's \
                own script. Click a node (or search by name or #id) to see its op, inputs, value, \
                local derivatives, adjoint, program line and its chain rule (as `explain` \
                prints it). Step the backward pass with the buttons or the arrow keys: each step \
                highlights the node whose adjoint is passed on, in reverse order, and the edges it \
                feeds. With --diff OTHER the nodes are coloured by the comparison (tolerances as \
                for `gradlog diff`) and the first divergences are marked. A graph of more than \
                300 nodes is drawn around the selected node.

                  gradlog report latest -o report.html
                  gradlog report 1 --diff 2 -o diff.html
                """
        )

        @Argument(help: ArgumentHelp("The run: an id, a unique name, latest or latest~N.", valueName: "run"))
        var reference: String

        @Option(name: .customLong("diff"), help: ArgumentHelp("Compare with this run and colour the nodes by the comparison.", valueName: "other"))
        var other: String?

        @Option(name: .customLong("db-b"), help: ArgumentHelp("Read the --diff run from this database file (read-only).", valueName: "path"))
        var databaseB: String?

        @OptionGroup var comparison: ComparisonOptions

        @Option(name: [.customShort("o"), .long], help: ArgumentHelp("Write the HTML to this file (in place, following a link; - is standard output).", valueName: "path"))
        var output: String?

        @Option(name: .long, help: ArgumentHelp("The database file (default: $GRADLOG_DB, else ./gradlog.db).", valueName: "path"))
        var db: String?

        func validate() throws {
            if databaseB != nil && other == nil { throw ValidationError("--db-b names the database of the --diff run; give --diff too") }
        }

        func run() throws {
            let log = try GlobalOptions.open(db: db, .readOnly)
            let run = try log.resolve(reference)
            var compared: (run: Int64, log: GradLog, rule: ComparisonRule)?
            var title = "run \(run)"
            if let other {
                let logB = try GlobalOptions.openOther(databaseB, or: log)
                let runB = try logB.resolve(other)
                compared = (runB, logB, comparison.rule)
                title += " compared with run \(runB)" + (databaseB.map { " of \($0)" } ?? "")
            }
            let picture = try log.graphPicture(run: run, scope: GraphPictureScope(maxNodes: .max), comparedWith: compared)
            let program = try log.programText(run: run) ?? ""
            // Each node's `explain` text, for graphs small enough to explain every node (one
            // pass over the wiring per node); larger pages derive the chain rule in the page.
            var explanations: [Int64: String] = [:]
            if picture.nodes.count <= ReportHTML.explainedLimit {
                let ids = picture.nodes.compactMap(\.idA)
                for e in try log.explainAdjoints(run: run, nodes: ids) {
                    explanations[e.id] = ExplanationText(markdown: false).lines(e).joined(separator: "\n")
                }
            }
            var tensors: [Int64: RecordedTensor] = [:]
            try log.forEachNode(run: run) { node in tensors[node.id] = node.tensor }
            let html = ReportHTML(
                picture: picture, title: title, program: program, output: try log.run(id: run).outputID,
                explanations: explanations, tensors: tensors).text
            try OutputFile.write(html, to: output, database: log.path)
            if output != nil && output != "-" {
                Gradlog.printError("wrote \(output!): \(picture.nodes.count) nodes, \(html.utf8.count) bytes")
            }
        }
    }
}
