import ArgumentParser
import GradlogStore

extension Gradlog {
    struct Gradcheck: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "gradcheck",
            abstract: "Check a run's recorded gradients against finite differences.",
            discussion: """
                Re-evaluates the run's program (its text is stored with the run) at the run's \
                input values, one input at a time at x - eps and x + eps, and compares the \
                central difference with the adjoint the run recorded, by PyTorch's gradcheck \
                rule: an input passes when |numeric - analytic| <= atol + rtol*|numeric|. \
                The results are stored with the run (view gradchecks); checking again with the \
                same settings replaces them.

                  gradlog gradcheck latest
                  gradlog gradcheck 3 --eps 1e-7 --rtol 1e-4 --format json

                Exit status: 0 every input passes, 1 an input fails, 2 an error (missing run, \
                a run built through the Swift API, which has no program to re-evaluate).
                """
        )

        @Argument(help: ArgumentHelp("The run: an id, a unique name, latest or latest~N.", valueName: "run"))
        var reference: String

        @OptionGroup var check: GradcheckOptions

        @OptionGroup var options: GlobalOptions

        func validate() throws {
            try options.rejectJSONLines()
        }

        func run() throws {
            let log = try options.open(.readWrite)
            let result = try log.gradcheck(run: try log.resolve(reference), check: check.check)
            GradcheckReport(result: result).print(format: options.format)
            if !result.passed { throw ExitStatus(code: 1) }
        }
    }
}
