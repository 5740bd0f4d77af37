import Foundation
import Testing

/// `record --timings`: a `timing PHASE SECONDS` line per phase on standard error, after what
/// the run prints, the output itself unchanged.
@Suite struct RecordTimingsTests {
    static let phases = ["parse", "forward", "open", "backward", "statistics", "write", "commit", "total"]

    @Test(arguments: ["full", "stats"])
    func everyPhaseIsTimedOnceAndThePhasesFitInTheTotal(_ capture: String) throws {
        let log = try RecordedLog()
        let digits = TensorRunTests.examples.appendingPathComponent("digits.grad").path
        let result = try log.run("record", [digits, "--capture", capture, "--timings", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        // Standard output is the run, as without --timings.
        let json = try #require(try parseJSON(result.stdout) as? [String: Any])
        #expect(json["run_id"] as? Int == 1)
        let lines = result.stderr.split(separator: "\n").map { $0.split(separator: " ") }
        #expect(lines.map { $0.count == 3 && $0[0] == "timing" ? String($0[1]) : "?" } == Self.phases, "\(result.stderr)")
        let seconds = lines.compactMap { $0.count == 3 ? Double($0[2]) : nil }
        try #require(seconds.count == Self.phases.count, "\(result.stderr)")
        #expect(seconds.allSatisfy { $0 >= 0 })
        let time = Dictionary(uniqueKeysWithValues: zip(Self.phases, seconds))
        // Two matrix products forward and four backward over 1797 rows take measurable time,
        // and so do the statistics of every tensor (stats capture computes them too).
        #expect(time["forward"]! > 0 && time["backward"]! > 0 && time["statistics"]! > 0)
        // The phases are disjoint spans of one clock inside the total (printed to 6 places).
        let parts = Self.phases.dropLast().reduce(0.0) { $0 + time[$1]! }
        #expect(parts <= time["total"]! + 8e-6, "\(result.stderr)")
    }

    @Test func aSweepIsRefused() throws {
        let log = try RecordedLog()
        let result = try log.run("record", [RecordedLog.seed, "--sweep", "x=1:2:3", "--timings"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("--timings times one run; leave out --sweep"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: log.db))
    }
}
