import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A one-line progress bar for long work, drawn on stderr:
///
///     [2/6] weak-error η = 0.05 [##########--------------]  45%  1.2e7 path-steps/s  ETA 3.0s
///
/// - Drawn only when stderr is a terminal (`isatty(2)`) and `SGDYN_NO_PROGRESS` is not set; otherwise
///   every method returns at once, so captured or piped stderr (CI, the tests) sees no byte from it.
/// - The line is redrawn in place with a carriage return, at most ten times a second, and not before
///   the work has run for a quarter of a second (quick stages leave nothing on the terminal).
///   ``finish()`` draws the final state with the elapsed time and ends the line with a newline, so a
///   finished stage keeps one line.
/// - Thread-safe: ensemble workers call ``update(_:)`` from several threads.
///
/// While `sgdyn run` works through a sweep, a bar's ``context`` is the point `i/n`, shown before its label.
final class ProgressBar: @unchecked Sendable {
    /// True when bars are drawn: stderr is a terminal and `SGDYN_NO_PROGRESS` is unset.
    static let isEnabled: Bool = isatty(2) == 1 && ProcessInfo.processInfo.environment["SGDYN_NO_PROGRESS"] == nil


    /// Characters of the bar between the brackets: 24, or down to 10 when the line would not fit.
    static let barWidth = 24
    static let minimumBarWidth = 10
    /// Longest line drawn: one less than the terminal's width (from `TIOCGWINSZ`, else `$COLUMNS`, else
    /// 80), so that a redraw never wraps; a label that does not fit is shortened.
    static let maximumWidth: Int = {
        var size = winsize()
        if ioctl(2, UInt(TIOCGWINSZ), &size) == 0, size.ws_col >= 40 { return Int(size.ws_col) - 1 }
        if let text = ProcessInfo.processInfo.environment["COLUMNS"], let n = Int(text), n >= 40 { return n - 1 }
        return 79
    }()

    let label: String
    /// Text shown before the label (a sweep's point counter), or nil.
    let context: String?
    /// Units of work in all (paths, steps, iterations).
    let total: Int
    /// Work counted by the rate per unit (for example steps per path), and its name (`path-steps`).
    let workPerUnit: Double
    let workName: String
    /// Whether this bar draws (``isEnabled`` unless a test says otherwise), and where its text goes.
    let enabled: Bool
    private let sink: @Sendable (String) -> Void

    private let lock = NSLock()
    private let start = DispatchTime.now().uptimeNanoseconds
    private var lastDraw: UInt64 = 0
    private var done = 0
    private var drawn = false
    private var finished = false

    /// A bar for `total` units of work, each worth `workPerUnit` of `workName` in the rate. `enabled` and
    /// `sink` (stderr) are for tests.
    init(_ label: String, total: Int, workPerUnit: Double = 1, workName: String = "steps", context: String? = nil,
         enabled: Bool = ProgressBar.isEnabled,
         sink: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }) {
        self.label = label
        self.context = context
        self.total = max(0, total)
        self.workPerUnit = workPerUnit
        self.workName = workName
        self.enabled = enabled
        self.sink = sink
    }

    /// A bar for the paths of `ensembles` ensembles of `paths` paths of `steps` steps each (rate in path-steps/s).
    convenience init(_ label: String, paths: Int, steps: Int, ensembles: Int = 1) {
        self.init(label, total: paths * ensembles, workPerUnit: Double(steps), workName: "path-steps")
    }

    /// A callback for ``Ensemble/progress`` (or a density solver's `progress`) that reports
    /// `offset + done` to this bar; nil when bars are off, so the work runs without one.
    func callback(offset: Int = 0) -> (@Sendable (_ done: Int, _ total: Int) -> Void)? {
        guard enabled else { return nil }
        return { [self] done, _ in update(offset + done) }
    }

    /// `done` units are finished; redraws if the last redraw is at least 0.1 s old.
    func update(_ done: Int) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        guard !finished else { return }
        self.done = max(self.done, min(done, total))
        let now = DispatchTime.now().uptimeNanoseconds
        guard now - start >= 250_000_000, now - lastDraw >= 100_000_000 else { return }
        lastDraw = now
        drawn = true
        write("\r" + line(elapsed: Double(now - start) / 1e9, final: false) + "\u{1B}[K")
    }

    /// Draw the final state and end the line, if the bar was ever drawn. Later updates are ignored.
    func finish() {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        guard !finished else { return }
        finished = true
        guard drawn else { return }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        write("\r" + line(elapsed: elapsed, final: true) + "\u{1B}[K\n")
    }

    /// `label [####------]  45%  1.2e7 path-steps/s  ETA 3s`; when final, `done in 4.1s` instead of the ETA.
    func line(elapsed: Double, final: Bool, maximumWidth: Int = ProgressBar.maximumWidth) -> String {
        let fraction = total > 0 ? Double(done) / Double(total) : 1
        let percent = String(format: "%3d%%", Int(fraction * 100))
        var tail = " \(percent)"
        if elapsed > 0, done > 0 { tail += "  \(Self.compact(Double(done) * workPerUnit / elapsed)) \(workName)/s" }
        if final {
            tail += "  done in \(Self.duration(elapsed))"
        } else if done > 0 {
            tail += "  ETA \(Self.duration(elapsed * Double(total - done) / Double(done)))"
        }
        var head = (context.map { "[\($0)] " } ?? "") + label
        // Room for a long tail (`done in …`), so the bar keeps its width from redraw to redraw.
        let reserved = max(tail.count, " 100%  9.9e9 \(workName)/s  done in 59m59s".count)
        let width = min(Self.barWidth, max(Self.minimumBarWidth, maximumWidth - head.count - reserved - 3))
        let room = maximumWidth - reserved - width - 3
        if head.count > room { head = String(head.prefix(max(0, room - 1))) + "…" }
        let filled = min(width, Int(fraction * Double(width)))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        return "\(head) [\(bar)]\(tail)"
    }

    private func write(_ text: String) { sink(text) }

    /// A rate in two significant figures: `350`, `4.5e4`, `1.2e7`.
    static func compact(_ value: Double) -> String {
        guard value.isFinite, value > 0 else { return "0" }
        if value < 1000 { return value < 10 ? String(format: "%.1f", value) : String(format: "%.0f", value) }
        var exponent = Int(log10(value).rounded(.down))
        var mantissa = value / pow(10, Double(exponent))
        if (mantissa * 10).rounded() >= 100 { mantissa /= 10; exponent += 1 }
        return String(format: "%.1fe%d", mantissa, exponent)
    }

    /// A duration as `3s`, `1m05s` or `2h03m`.
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "?" }
        if seconds < 10 { return String(format: "%.1fs", seconds) }
        let s = Int(seconds.rounded())
        if s < 60 { return "\(s)s" }
        if s < 3600 { return String(format: "%dm%02ds", s / 60, s % 60) }
        return String(format: "%dh%02dm", s / 3600, (s % 3600) / 60)
    }
}
