import Foundation
import SGDynamics

/// Progress bars on stderr, one per part of a study, from its context's reports.
final class ProgressBars: @unchecked Sendable {
    private let lock = NSLock()
    private var bars: [String: ProgressBar] = [:]
    /// Shown before every bar's label (a sweep's point `i/n`).
    let context: String?
    init(context: String?) { self.context = context }

    func handle(_ p: StudyProgress) {
        lock.lock()
        defer { lock.unlock() }
        if p.finished {
            bars.removeValue(forKey: p.label)?.finish()
            return
        }
        let bar = bars[p.label] ?? {
            let b = ProgressBar(p.label, total: p.total, workPerUnit: Double(p.stepsPerUnit), workName: "path-steps", context: context)
            bars[p.label] = b
            return b
        }()
        bar.update(p.done)
    }

    func finishAll() {
        lock.lock()
        defer { lock.unlock() }
        for bar in bars.values { bar.finish() }
        bars = [:]
    }
}
