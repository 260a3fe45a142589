import Foundation

/// One slot per task, filled by the threads of `DispatchQueue.concurrentPerform` (each task writes
/// its own slot, under a lock), read once every thread has finished. Results are placed by task
/// index, so they do not depend on the thread count.
///
///     let out = ParallelSlots<Double>.map(count: 8, threads: 2) { i in Double(i * i) }
final class ParallelSlots<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [T?]

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ i: Int, _ value: T) {
        lock.lock()
        slots[i] = value
        lock.unlock()
    }

    func get(_ i: Int) -> T? {
        lock.lock()
        defer { lock.unlock() }
        return slots[i]
    }

    /// `body(i)` for `i` in `0..<count` on up to `threads` threads; task `i` runs on thread
    /// `i mod threads`. The first error (by task index) is rethrown after every thread ends.
    static func map(count: Int, threads: Int, _ body: @Sendable (Int) throws -> T) throws -> [T] {
        let values = ParallelSlots<T>(count: count)
        let errors = ParallelSlots<any Error>(count: count)
        let workers = Swift.max(1, Swift.min(threads, count))
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            for i in stride(from: w, to: count, by: workers) {
                do { values.set(i, try body(i)) } catch { errors.set(i, error) }
            }
        }
        for i in 0..<count { if let e = errors.get(i) { throw e } }
        return (0..<count).map { values.get($0)! }
    }
}
