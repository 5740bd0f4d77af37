import Dispatch
import Glibc

/// A count of work done on one line of standard error, for long runs at a terminal: nothing
/// until the work has taken a second, nothing at all when stderr is not a terminal (a pipe, a
/// file, a test), and the line is cleared when the work is done.
final class ProgressLine {
    private let label: String
    private let enabled = isatty(2) == 1
    private let start = DispatchTime.now().uptimeNanoseconds
    private var lastDrawn: UInt64 = 0
    private var shown = false

    init(_ label: String) {
        self.label = label
    }

    /// `detail` (a training's loss and rate, say) follows the count, then how many a second.
    func update(done: Int, total: Int, detail: @autoclosure () -> String? = nil) {
        guard enabled else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        guard now - start >= 1_000_000_000, now - lastDrawn >= 100_000_000 || done == total else { return }
        lastDrawn = now
        shown = true
        var line = "\r\u{1B}[K\(label): \(done)/\(total)"
        if let detail = detail() {
            let perSecond = Double(done) / (Double(now - start) / 1e9)
            line += ", \(detail), \(perSecond < 10 ? String(format: "%.1f", perSecond) : String(Int(perSecond.rounded())))/s"
        }
        write(line)
    }

    func finish() {
        if shown { write("\r\u{1B}[K") }
    }

    private func write(_ text: String) {
        Gradlog.writeError(text)
    }
}
