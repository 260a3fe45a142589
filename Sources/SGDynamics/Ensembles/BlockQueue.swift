import Foundation

/// Hands out the blocks of an ensemble to its worker threads one at a time, in increasing order, to
/// whichever thread asks first (dynamic scheduling). A thread slowed by other work on its core then
/// takes fewer blocks instead of holding the others up; which thread runs a block changes no number,
/// since each block's statistics are kept by block index and merged in block order.
@usableFromInline
final class BlockQueue: @unchecked Sendable {
    private let lock = NSLock()
    private var nextBlock: Int
    private let end: Int

    @usableFromInline init(_ blocks: Range<Int>) {
        nextBlock = blocks.lowerBound
        end = blocks.upperBound
    }

    /// The next block to run, or nil when all are taken (one lock per block, never per step).
    @usableFromInline func next() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard nextBlock < end else { return nil }
        nextBlock += 1
        return nextBlock - 1
    }
}
