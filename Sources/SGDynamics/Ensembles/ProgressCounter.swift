import Foundation

/// Counts work finished by several threads and reports each new count, one report at a time.
///
/// ``Ensemble`` uses it to report paths as blocks finish; a caller's own parallel loop (a custom
/// ensemble) can use it the same way. ``advance(by:)`` takes a lock, so call it once per block of
/// work, never per step: the count is kept out of the hot loops and changes no number they compute.
///
/// - Invariant: reports are serialized and their `done` values increase; after `advance` has been
///   called for all the work, the last report has `done == total`.
public final class ProgressCounter: @unchecked Sendable {
    /// The amount of work in all.
    public let total: Int
    private let report: @Sendable (_ done: Int, _ total: Int) -> Void
    private let lock = NSLock()
    private var done = 0

    /// A counter of `total` units of work that calls `report(done, total)` after every ``advance(by:)``.
    public init(total: Int, report: @escaping @Sendable (_ done: Int, _ total: Int) -> Void) {
        self.total = total
        self.report = report
    }

    /// Record `units` more finished units and report the new count (from the calling thread, under the lock).
    public func advance(by units: Int) {
        lock.lock()
        defer { lock.unlock() }
        done += units
        report(done, total)
    }
}
