import Foundation

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

    func update(done: Int, total: Int) {
        guard enabled else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        guard now - start >= 1_000_000_000, now - lastDrawn >= 100_000_000 || done == total else { return }
        lastDrawn = now
        shown = true
        write("\r\(label): \(done)/\(total)")
    }

    func finish() {
        if shown { write("\r\u{1B}[K") }
    }

    private func write(_ text: String) {
        Gradlog.writeError(text)
    }
}
