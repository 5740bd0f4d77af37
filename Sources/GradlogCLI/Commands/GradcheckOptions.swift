import ArgumentParser
import GradlogAutodiff

/// The finite-difference check's settings: shared by `gradcheck` and `record --gradcheck`.
struct GradcheckOptions: ParsableArguments {
    static let defaults = GradientCheck()

    @Option(help: ArgumentHelp("Gradcheck: the finite-difference step; f is evaluated at x - eps and x + eps (default \(GradcheckOptions.defaults.eps)).", valueName: "e"))
    var eps: Double?

    @Option(help: ArgumentHelp("Gradcheck: an input passes when |numeric - analytic| <= atol + rtol*|numeric| (default \(GradcheckOptions.defaults.atol)).", valueName: "a"))
    var atol: Double?

    @Option(help: ArgumentHelp("Gradcheck: the relative tolerance (see --atol; default \(GradcheckOptions.defaults.rtol)).", valueName: "r"))
    var rtol: Double?

    @Option(help: ArgumentHelp("Gradcheck: how many elements of a tensor input to check; more are sampled with a fixed seed (default \(GradcheckOptions.defaults.samples)).", valueName: "n"))
    var samples: Int?

    /// True when any setting was given on the command line.
    var isGiven: Bool { eps != nil || atol != nil || rtol != nil || samples != nil }

    func validate() throws {
        if let samples, samples < 1 { throw ValidationError("--samples must be at least 1") }
        if let eps, !(eps > 0 && eps.isFinite) { throw ValidationError("--eps must be a finite number > 0") }
        for (option, value) in [("--atol", atol), ("--rtol", rtol)] {
            if let value, !(value >= 0 && value.isFinite) { throw ValidationError("\(option) must be a finite number >= 0") }
        }
    }

    var check: GradientCheck {
        GradientCheck(
            eps: eps ?? Self.defaults.eps, atol: atol ?? Self.defaults.atol, rtol: rtol ?? Self.defaults.rtol,
            samples: samples ?? Self.defaults.samples)
    }
}
