import ArgumentParser
import GradlogStore

/// When two runs' numbers count as the same: shared by `diff` and `graph --diff`.
struct ComparisonOptions: ParsableArguments {
    // The numeric options take their value unconditionally, so that `--rtol -1` reaches
    // validate() and is explained, instead of reading as an option "-1".
    @Option(parsing: .unconditional, help: ArgumentHelp("Relative tolerance: accept |b - a| <= atol + rtol*|a|.", valueName: "r"))
    var rtol: Double?

    @Option(parsing: .unconditional, help: ArgumentHelp("Absolute tolerance (see --rtol).", valueName: "a"))
    var atol: Double?

    @Option(parsing: .unconditional, help: ArgumentHelp("Accept values at most N representable doubles apart.", valueName: "n"))
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

    /// True when a tolerance was given on the command line.
    var isGiven: Bool { ulps != nil || rtol != nil || atol != nil }

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
