/// A sweep that cannot be made as given.
public enum SweepError: Error, Equatable, Sendable, CustomStringConvertible {
    case badSpec(String, String)
    case noAxes
    case sweptTwice(String)
    case tooManyRuns([Int])
    case sweptAndSet(String)
    case reservedTag(String)
    case noSuchSweep(reference: String, path: String)
    case notSwept(input: String, swept: [String])
    case notInSweep(reference: String, run: Int64)

    public var description: String {
        switch self {
        case .badSpec(let spec, let reason):
            return "--sweep \(spec): \(reason)"
        case .noAxes:
            return "a sweep needs at least one axis (--sweep NAME=START:STOP:COUNT)"
        case .sweptTwice(let name):
            return "--sweep \(name) is given twice"
        case .tooManyRuns(let counts):
            return "the sweep would make \(counts.map(String.init).joined(separator: " x ")) runs, more than \(Sweep.maxRuns)"
        case .sweptAndSet(let name):
            return "\(name) is both swept and set with --set; give one or the other"
        case .reservedTag(let key):
            return "tag '\(key)' is reserved for the sweep's own tags (sweep, sweep.NAME)"
        case .noSuchSweep(let reference, let path):
            return "no sweep '\(reference)' in \(path) (sweeps are recorded with `gradlog record PROGRAM --sweep NAME=START:STOP:COUNT`; their runs carry the tag sweep=ID)"
        case .notInSweep(let reference, let run):
            let named = reference == String(run) ? "run \(run)" : "run '\(reference)' (run \(run))"
            return "\(named) is not part of a sweep; plot draws a sweep (record one with `gradlog record PROGRAM --sweep NAME=START:STOP:COUNT`)"
        case .notSwept(let input, let swept):
            return "'\(input)' is not swept in this sweep; its swept inputs are \(swept.joined(separator: ", "))"
        }
    }
}
