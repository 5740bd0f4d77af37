/// One swept input: `count` values evenly spaced from `start` to `stop`, both included.
public struct SweepAxis: Sendable, Equatable {
    public let name: String
    public let start: Double
    public let stop: Double
    public let count: Int

    public init(name: String, start: Double, stop: Double, count: Int) throws(SweepError) {
        let spec = "\(name)=\(FloatEncoding.format(start)):\(FloatEncoding.format(stop)):\(count)"
        guard !name.isEmpty else { throw SweepError.badSpec(spec, "the input's name is missing") }
        guard start.isFinite && stop.isFinite else { throw SweepError.badSpec(spec, "START and STOP must be finite numbers") }
        guard count >= 1 else { throw SweepError.badSpec(spec, "COUNT must be at least 1") }
        guard count > 1 || start == stop else {
            throw SweepError.badSpec(spec, "COUNT 1 makes a single value, so START and STOP must be equal")
        }
        self.name = name
        self.start = start
        self.stop = stop
        self.count = count
    }

    /// Parses `NAME=START:STOP:COUNT`, e.g. `x=-2:2:9`.
    public init(parsing spec: String) throws(SweepError) {
        guard let eq = spec.firstIndex(of: "="), eq != spec.startIndex else {
            throw SweepError.badSpec(spec, "expected NAME=START:STOP:COUNT, e.g. x=-2:2:9")
        }
        let parts = spec[spec.index(after: eq)...].split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3 else { throw SweepError.badSpec(spec, "expected NAME=START:STOP:COUNT, e.g. x=-2:2:9") }
        guard let start = FloatEncoding.parse(parts[0]) else { throw SweepError.badSpec(spec, "START '\(parts[0])' is not a number") }
        guard let stop = FloatEncoding.parse(parts[1]) else { throw SweepError.badSpec(spec, "STOP '\(parts[1])' is not a number") }
        guard let count = Int(parts[2]) else { throw SweepError.badSpec(spec, "COUNT '\(parts[2])' is not a whole number") }
        do {
            try self.init(name: String(spec[..<eq]), start: start, stop: stop, count: count)
        } catch SweepError.badSpec(_, let reason) {
            throw SweepError.badSpec(spec, reason)
        }
    }

    /// The `index`-th value; the first is `start` and the last `stop` exactly. Interpolated as
    /// start·(1 − t) + stop·t, which never overflows for finite ends (`stop − start` would at
    /// -1e308:1e308) and puts the midpoint of a symmetric range at 0.
    public func value(at index: Int) -> Double {
        precondition(index >= 0 && index < count, "value \(index) of \(count)")
        if index == 0 { return start }
        if index == count - 1 { return stop }
        let t = Double(index) / Double(count - 1)
        return start * (1 - t) + stop * t
    }

    public var values: [Double] { (0..<count).map(value(at:)) }
}
