import ArgumentParser
import GradlogStore

/// When two runs' numbers count as the same: shared by `diff` and `graph --diff`.
struct ComparisonOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Relative tolerance: accept |b - a| <= atol + rtol*|a|.", valueName: "r"))
    var rtol: Double?

    @Option(help: ArgumentHelp("Absolute tolerance (see --rtol).", valueName: "a"))
    var atol: Double?

    @Option(help: ArgumentHelp("Accept values at most N representable doubles apart.", valueName: "n"))
    var ulps: UInt64?

    @Flag(help: "Count 0.0 and -0.0 as different.")
    var strictZero = false

    func validate() throws {
        if ulps != nil && (rtol != nil || atol != nil) {
            throw ValidationError("--ulps is an alternative to --atol/--rtol; give one or the other")
        }
        for (option, value) in [("--rtol", rtol), ("--atol", atol)] {
            if let value, !(value >= 0 && value.isFinite) {
                throw ValidationError("\(option) must be a finite number >= 0")
            }
        }
    }

    var rule: ComparisonRule {
        let tolerance: ComparisonRule.Tolerance
        if let ulps {
            tolerance = .ulps(ulps)
        } else if rtol != nil || atol != nil {
            tolerance = .close(absolute: atol ?? 0, relative: rtol ?? 0)
        } else {
            tolerance = .exact
        }
        return ComparisonRule(tolerance: tolerance, strictZero: strictZero)
    }
}
