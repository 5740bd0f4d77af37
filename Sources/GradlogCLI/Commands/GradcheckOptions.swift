import ArgumentParser
import GradlogStore

/// The finite-difference step and tolerances, shared by `gradcheck` and `record --gradcheck`.
struct GradcheckOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Gradcheck: the finite-difference step; f is evaluated at x - eps and x + eps.", valueName: "e"))
    var eps = 1e-6

    @Option(help: ArgumentHelp("Gradcheck: an input passes when |numeric - analytic| <= atol + rtol*|numeric|.", valueName: "a"))
    var atol = 1e-5

    @Option(help: ArgumentHelp("Gradcheck: the relative tolerance (see --atol).", valueName: "r"))
    var rtol = 1e-3

    func validate() throws {
        guard eps > 0 && eps.isFinite else { throw ValidationError("--eps must be a finite number > 0") }
        for (option, value) in [("--atol", atol), ("--rtol", rtol)] where !(value >= 0 && value.isFinite) {
            throw ValidationError("\(option) must be a finite number >= 0")
        }
    }

    var check: GradientCheck { GradientCheck(eps: eps, atol: atol, rtol: rtol) }
}
