import Foundation

/// A one-line progress display for training and evaluation loops: batch counter, bar,
/// running loss and accuracy, throughput and ETA. On a terminal it redraws in place
/// (at most ten times a second); when output goes to a file or pipe it prints plain
/// lines instead, so logs stay readable.
public final class ProgressBar {
    public let title: String
    public let total: Int
    /// What `items` counts, for the rate ("img/s", "MB/s").
    public let unit: String
    private let isTerminal: Bool
    private let startTime = Date()
    private var lastDraw = Date.distantPast
    private var linesPrinted = 0
    private let write: (String) -> Void

    public init(title: String, total: Int, unit: String = "img", isTerminal: Bool = isatty(STDOUT_FILENO) != 0,
                write: @escaping (String) -> Void = { FileHandle.standardOutput.write(Data($0.utf8)) }) {
        self.title = title
        self.total = max(total, 1)
        self.unit = unit
        self.isTerminal = isTerminal
        self.write = write
    }

    /// Reports that `completed` of `total` steps are done, with named figures
    /// (e.g. `["loss": 0.31, "acc": 0.92]`) and items processed so far for the rate.
    public func update(completed: Int, items: Int, figures: KeyValuePairs<String, Double>) {
        let now = Date()
        let finished = completed >= total
        let elapsed = now.timeIntervalSince(startTime)
        if isTerminal {
            guard finished || now.timeIntervalSince(lastDraw) >= 0.1 else { return }
            lastDraw = now
            write("\r" + line(completed: completed, items: items, elapsed: elapsed, figures: figures, bar: true)
                + (finished ? "\n" : ""))
        } else {
            // Plain mode: about ten lines per run, plus the last.
            let step = max(1, total / 10)
            guard finished || completed / step > linesPrinted else { return }
            linesPrinted = completed / step
            write(line(completed: completed, items: items, elapsed: elapsed, figures: figures, bar: false) + "\n")
        }
    }

    func line(completed: Int, items: Int, elapsed: TimeInterval, figures: KeyValuePairs<String, Double>,
              bar: Bool) -> String {
        let fraction = Double(min(completed, total)) / Double(total)
        var parts = ["\(title) \(completed)/\(total)"]
        if bar {
            let width = 24, filled = Int(fraction * Double(width))
            parts.append("[" + String(repeating: "=", count: filled) + String(repeating: " ", count: width - filled) + "]")
        }
        parts += figures.map { "\($0.key) \(String(format: "%.4f", $0.value))" }
        let rate = elapsed > 0 ? Double(items) / elapsed : 0
        parts.append(String(format: "%.0f \(unit)/s", rate))
        let remaining = fraction > 0 ? elapsed * (1 - fraction) / fraction : 0
        parts.append(completed >= total ? String(format: "%.1fs", elapsed) : "ETA " + Self.clock(remaining))
        return parts.joined(separator: "  ")
    }

    static func clock(_ seconds: TimeInterval) -> String {
        let whole = Int(seconds.rounded())
        return String(format: "%d:%02d", whole / 60, whole % 60)
    }
}
