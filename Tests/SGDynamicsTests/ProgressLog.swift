import Foundation

/// Records the `(done, total)` calls of a progress callback, from any thread.
final class ProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [(done: Int, total: Int)] = []

    func record(_ done: Int, _ total: Int) {
        lock.lock()
        entries.append((done, total))
        lock.unlock()
    }

    var calls: [(done: Int, total: Int)] {
        lock.lock()
        defer { lock.unlock() }
        return entries
    }
}
