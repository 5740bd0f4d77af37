import ArgumentParser
import GradlogStore

extension Gradlog {
    struct Explain: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "explain",
            abstract: "Show how a node's adjoint was computed: the chain rule with the recorded numbers.",
            discussion: """
                For each consumer C of NODE (a node that takes NODE as an input), the term \
                d(out)/d(C) × d(C)/d(NODE): C's stored adjoint, the stored local derivative \
                beside the op's derivative written out with the recorded values, and their \
                product; then the sum, in the order the backward pass added the terms, and \
                whether it equals the stored adjoint bit for bit. A tensor node shows shapes, \
                the statistics (norm, min, max) of what each consumer sent, and the backward \
                formula (d(A) = d(C) @ transpose(B)). --depth K explains the consumers' adjoints \
                in turn, back to the output (each node once, at most 64 nodes).

                NODE is a name (the last node bearing it) or an id (21 or #21).

                  gradlog explain latest den
                  gradlog explain latest den --depth 2
                  gradlog explain 1 '#20' --format json
                """
        )

        enum Format: String, ExpressibleByArgument, CaseIterable {
            case text, json, markdown
        }

        @Argument(help: ArgumentHelp("The run: an id, a unique name, latest or latest~N.", valueName: "run"))
        var reference: String

        @Argument(help: ArgumentHelp("The node: a name or an id (#21).", valueName: "node"))
        var node: String

        @Option(help: ArgumentHelp("How many levels of consumers' adjoints to explain in turn.", valueName: "k"))
        var depth = 0

        @Option(name: .long, help: ArgumentHelp("The database file (default: $GRADLOG_DB, else ./gradlog.db).", valueName: "path"))
        var db: String?

        @Option(help: "Output format: text, json or markdown.")
        var format: Format = .text

        func validate() throws {
            if depth < 0 { throw ValidationError("--depth must be >= 0") }
        }

        func run() throws {
            let log = try GlobalOptions.open(db: db, .readOnly)
            let run = try log.resolve(reference)
            let explanation = try log.explainAdjoint(run: run, node: node, depth: depth)
            let out = StandardOutput.shared
            switch format {
            case .text: ExplanationText(markdown: false).write(explanation, level: 0, to: out)
            case .markdown: ExplanationText(markdown: true).write(explanation, level: 0, to: out)
            case .json: out.line(ExplanationJSON.value(explanation).json)
            }
        }
    }
}
