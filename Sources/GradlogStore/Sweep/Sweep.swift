/// Inputs to vary over a grid: one axis per swept input, every combination a run. The first
/// axis varies slowest, as in nested loops written in the order the axes are given, so run ids
/// follow the grid.
///
/// ```swift
/// let sweep = try Sweep(axes: [try SweepAxis(parsing: "x=-2:2:9")])   // x = -2, -1.5, ..., 2
/// let recorded = try log.recordSweep(sweep, program: program)
/// ```
public struct Sweep: Sendable, Equatable {
    /// More runs than this is almost certainly a typo in a COUNT.
    public static let maxRuns = 1_000_000

    public let axes: [SweepAxis]
    /// The number of grid points: the product of the axes' counts.
    public let count: Int

    public init(axes: [SweepAxis]) throws(SweepError) {
        guard !axes.isEmpty else { throw SweepError.noAxes }
        var seen = Set<String>()
        for axis in axes where !seen.insert(axis.name).inserted { throw SweepError.sweptTwice(axis.name) }
        var count = 1
        for axis in axes {
            let (product, overflow) = count.multipliedReportingOverflow(by: axis.count)
            guard !overflow, product <= Self.maxRuns else { throw SweepError.tooManyRuns(axes.map(\.count)) }
            count = product
        }
        self.axes = axes
        self.count = count
    }

    /// The values of grid point `index` (0 ..< count), one per axis.
    public func point(_ index: Int) -> [Double] {
        precondition(index >= 0 && index < count, "grid point \(index) of \(count)")
        var rest = index
        var values = [Double](repeating: 0, count: axes.count)
        for (position, axis) in axes.enumerated().reversed() {
            values[position] = axis.value(at: rest % axis.count)
            rest /= axis.count
        }
        return values
    }

    /// Throws unless the sweep can run on `program`: every axis an input of it, none also in
    /// `fixed`, and no tag in `tags` that clashes with the sweep's own (`sweep`, `sweep.NAME`).
    public func validate(for program: Program, setting fixed: [String: Double] = [:], tags: [(key: String, value: String)] = []) throws {
        try GradLog.validateTags(tags)
        if let reserved = tags.first(where: { $0.key == "sweep" || $0.key.hasPrefix("sweep.") }) {
            throw SweepError.reservedTag(reserved.key)
        }
        if let both = axes.first(where: { fixed[$0.name] != nil }) { throw SweepError.sweptAndSet(both.name) }
        // Setting the swept inputs too checks every name at once: UnknownInputs names them all.
        _ = try program.computation(setting: fixed.merging(axes.map { ($0.name, $0.start) }, uniquingKeysWith: { set, _ in set }))
    }
}
