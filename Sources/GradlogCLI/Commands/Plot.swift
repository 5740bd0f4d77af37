import ArgumentParser
import GradlogStore

extension Gradlog {
    struct Plot: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "plot",
            abstract: "Draw a sweep as an SVG line chart: a value and its gradient against the swept input.",
            discussion: """
                SWEEP is latest (the latest sweep), or any run of a sweep: its id, name or \
                latest~N, meaning the sweep that run is part of (the sweep's id, printed by \
                `record --sweep`, is its first run's). The chart has two panels over the swept \
                input: the value of --node (the output by default) and the gradient of the \
                output with respect to the swept input, as the runs recorded it. In a grid, --x \
                picks the input on the x axis (the first swept one by default) and each \
                combination of the other swept inputs is a line of its own.

                -o FILE writes the SVG in place, as `>` would: a link is followed to its file; \
                a directory, FIFO, device, read-only file or the database itself is refused; \
                -o - is standard output.

                  gradlog record examples/cs231n.grad --sweep x=-2:2:41
                  gradlog plot latest -o sweep.svg
                  gradlog plot 5 --x y --node den > den.svg

                With --metric (repeatable), SWEEP is a training id and the chart shows those \
                metrics against the step, one panel each (log scale where the values span \
                more than three decades):

                  gradlog plot 1 --metric loss --metric accuracy -o moons.svg
                """
        )

        @Argument(help: ArgumentHelp("The sweep: latest, or any run of it (id, name, latest~N).", valueName: "sweep"))
        var reference = "latest"

        @Option(name: .customLong("x"), help: ArgumentHelp("The swept input on the x axis (default: the first swept input).", valueName: "name"))
        var input: String?

        @Option(help: ArgumentHelp("The node whose value is plotted: a name, or #ID (default: the output).", valueName: "name"))
        var node: String?

        @Option(name: .customLong("metric"), help: ArgumentHelp("Plot this metric of a training against the step (repeatable); SWEEP is then a training id.", valueName: "name"))
        var metrics: [String] = []

        @Option(name: [.customShort("o"), .long], help: ArgumentHelp("Write the SVG to this file (in place, following a link; - is standard output).", valueName: "path"))
        var output: String?

        @OptionGroup var options: GlobalOptions

        func validate() throws {
            if options.format != .table { throw ValidationError("plot writes SVG; --format does not apply") }
        }

        func run() throws {
            let log = try options.open(.readOnly)
            if !metrics.isEmpty {
                guard let training = Int64(reference) else {
                    throw CLIError("--metric plots a training: give its id (gradlog trainings lists them), not '\(reference)'")
                }
                let chart = SVGMetricsChart(training: training, metrics: try metrics.map { name in
                    let points = try log.metricSeries(training: training, name: name)
                    guard !points.isEmpty else { throw CLIError("training \(training) has no metric '\(name)' (gradlog metrics \(training) lists them)") }
                    return (name, points)
                })
                return try OutputFile.write(chart.text + "\n", to: output, database: log.path)
            }
            let series = try log.sweepSeries(sweep: try log.resolveSweep(reference), input: input, node: node)
            try OutputFile.write(SVGLineChart(series: series).text + "\n", to: output, database: log.path)
        }
    }
}
