import Dispatch
import Foundation

/// A named function of the position observed along an ensemble (a weak-error test function).
public struct Observable: Sendable {
    public let name: String
    public let evaluate: @Sendable ([Double]) -> Double
    public init(_ name: String, _ evaluate: @escaping @Sendable ([Double]) -> Double) {
        self.name = name
        self.evaluate = evaluate
    }
}

/// Which part of the paths this process runs: shard `index` of `count` takes a contiguous range of
/// blocks. Merging all shards' results gives bitwise the unsharded result.
public struct Shard: Sendable, Codable, Equatable, CustomStringConvertible {
    public let index: Int
    public let count: Int
    public init(index: Int, count: Int) throws {
        guard count >= 1, index >= 0, index < count else {
            throw ConfigurationError(field: "--shard", "must be i/N with 0 ≤ i < N, got \(index)/\(count)")
        }
        self.index = index
        self.count = count
    }
    public static let whole = try! Shard(index: 0, count: 1)
    /// Parse `"i/N"`.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]) else {
            throw ConfigurationError(field: "--shard", "must look like i/N (for example 0/4), got '\(text)'")
        }
        try self.init(index: i, count: n)
    }
    public var description: String { "\(index)/\(count)" }
    /// The blocks of `0..<blocks` this shard runs.
    public func blocks(of blocks: Int) -> Range<Int> { (blocks * index / count)..<(blocks * (index + 1) / count) }
}

/// Statistics of one block of paths, kept separately so that merges happen in block order.
public struct BlockStatistics: Sendable, Codable, Equatable {
    public var block: Int
    public var moments: [MomentStatistic]
    public var histograms: [Histogram]
    public var divergences: [Divergence]
    public init(block: Int, moments: [MomentStatistic], histograms: [Histogram], divergences: [Divergence]) {
        self.block = block; self.moments = moments; self.histograms = histograms; self.divergences = divergences
    }
}

/// A path that diverged (turned non-finite or left the bound) at `step`.
public struct Divergence: Sendable, Codable, Equatable {
    public var path: Int
    public var step: Int
    public init(path: Int, step: Int) { self.path = path; self.step = step }
}

/// The result of an ensemble (or of one shard of it): statistics at every save point, folded over
/// the blocks in block order, and the blocks themselves for later merging.
public struct EnsembleResult: Sendable, Codable, Equatable {
    public var paths: Int
    public var blockSize: Int
    public var seedDescription: String
    public var saveTimes: [Double]
    public var positionDimension: Int
    public var observableNames: [String]
    public var shard: Shard
    public var blocks: [BlockStatistics]
    /// Folded statistics per save point: values are the position coordinates, then the observables.
    public var moments: [MomentStatistic]
    public var histograms: [Histogram]
    public var divergences: [Divergence]

    public init(paths: Int, blockSize: Int, seedDescription: String, saveTimes: [Double], positionDimension: Int,
                observableNames: [String], shard: Shard, blocks: [BlockStatistics], moments: [MomentStatistic],
                histograms: [Histogram], divergences: [Divergence]) {
        self.paths = paths; self.blockSize = blockSize; self.seedDescription = seedDescription
        self.saveTimes = saveTimes; self.positionDimension = positionDimension; self.observableNames = observableNames
        self.shard = shard; self.blocks = blocks; self.moments = moments; self.histograms = histograms
        self.divergences = divergences
    }

    /// Fold `blocks` (sorted by index) into the per-save statistics.
    @usableFromInline
    mutating func fold() {
        blocks.sort { $0.block < $1.block }
        guard let first = blocks.first else { return }
        var m = first.moments.map { MomentStatistic(values: $0.mean.count, coDimension: $0.coDimension) }
        var h = first.histograms.map { Histogram(lower: $0.lower, upper: $0.upper, bins: $0.counts.count) }
        var d: [Divergence] = []
        for b in blocks {
            for j in 0..<m.count { m[j].merge(b.moments[j]) }
            for j in 0..<h.count { h[j].merge(b.histograms[j]) }
            d += b.divergences
        }
        moments = m
        histograms = h
        divergences = d
    }

    /// Merge shard results of the same ensemble into the result of the whole.
    public static func merge(_ parts: [EnsembleResult]) throws -> EnsembleResult {
        guard var out = parts.first else { throw ConfigurationError(field: "merge", "no shard results given") }
        for p in parts.dropFirst() {
            guard p.paths == out.paths, p.blockSize == out.blockSize, p.saveTimes == out.saveTimes,
                  p.observableNames == out.observableNames, p.seedDescription == out.seedDescription else {
                throw ConfigurationError(field: "merge", "shard results come from different ensembles (paths, seed, save times or observables differ)")
            }
            out.blocks += p.blocks
        }
        let indices = out.blocks.map(\.block)
        guard Set(indices).count == indices.count else {
            throw ConfigurationError(field: "merge", "a block appears in more than one shard result")
        }
        out.shard = .whole
        out.fold()
        return out
    }

    /// Number of paths whose statistics are complete (recorded at every save point).
    public var completePaths: Int { moments.last?.count ?? 0 }

    /// One-line warning about diverged paths, or nil.
    public var divergenceSummary: String? {
        guard !divergences.isEmpty else { return nil }
        let first = divergences.min { $0.step < $1.step }!
        return "\(divergences.count) of \(paths) paths diverged (earliest: path \(first.path) at step \(first.step)); they are excluded from the statistics from that point on"
    }
}

/// Runs `N` paths of a kernel on all cores, reducing to statistics at the save points as it goes.
///
/// Paths are grouped in blocks of `blockSize` (part of the ensemble's identity, like the seed); each
/// block is simulated in path order by one thread and its statistics are merged with the others in
/// block order. Randomness is counter-based, so the result is bitwise the same for any number of
/// threads and any shard split.
public struct Ensemble: Sendable {
    public var paths: Int
    public var blockSize: Int
    public var threads: Int
    public var shard: Shard
    /// Keep per-block statistics in the result (needed to merge shards; small).
    public var keepBlocks: Bool
    /// Histograms of observables at the last save point: (observable index, lower, upper, bins).
    public var histogramSpecs: [(observable: Int, lower: Double, upper: Double, bins: Int)]
    /// Record the position co-moment matrix (covariance) when the position has at most this many coordinates.
    public var covarianceLimit: Int

    public init(paths: Int, blockSize: Int = 1024, threads: Int = ProcessInfo.processInfo.activeProcessorCount,
                shard: Shard = .whole, keepBlocks: Bool = true, covarianceLimit: Int = 16) {
        precondition(paths >= 1 && blockSize >= 1 && threads >= 1)
        self.paths = paths
        self.blockSize = blockSize
        self.threads = threads
        self.shard = shard
        self.keepBlocks = keepBlocks
        self.histogramSpecs = []
        self.covarianceLimit = covarianceLimit
    }

    public var blockCount: Int { (paths + blockSize - 1) / blockSize }

    /// Run the kernel; `seedDescription` identifies the randomness (for merge checks).
    /// `@inlinable` so the hot loop is specialized for the caller's kernel.
    @inlinable
    public func run<K: PathKernel>(_ kernel: K, observables: [Observable] = [], seedDescription: String = "") -> EnsembleResult {
        let blocks = shard.blocks(of: blockCount)
        let pd = kernel.positionDimension
        let values = pd + observables.count
        let co = pd <= covarianceLimit ? pd : 0
        let saves = kernel.saveCount
        let specs = histogramSpecs
        let results = UnsafeMutableBufferPointer<BlockStatistics?>.allocate(capacity: blocks.count)
        results.initialize(repeating: nil)
        defer { _ = results.deinitialize(); results.deallocate() }
        let box = UncheckedBox(results)
        let threadCount = Swift.max(1, Swift.min(threads, blocks.count))
        DispatchQueue.concurrentPerform(iterations: threadCount) { t in
            var workspace = kernel.makeWorkspace()
            var acc = BlockAccumulator(saves: saves, positionDimension: pd, observables: observables, coDimension: co,
                                       histograms: specs)
            var bi = blocks.lowerBound + t
            while bi < blocks.upperBound {
                acc.reset()
                var divs: [Divergence] = []
                let first = bi * blockSize, last = Swift.min(paths, first + blockSize)
                let width = Swift.max(1, kernel.groupWidth)
                var p = first
                while p < last {
                    let c = Swift.min(width, last - p), p0 = p
                    kernel.simulateGroup(firstPath: p0, count: c, workspace: &workspace,
                                         record: { _, j, x in acc.add(j, x) },
                                         diverged: { q, k in divs.append(Divergence(path: p0 + q, step: k)) })
                    p += c
                }
                divs.sort { $0.path < $1.path }
                box.pointer[bi - blocks.lowerBound] = BlockStatistics(block: bi, moments: acc.moments(),
                                                                      histograms: acc.histograms, divergences: divs)
                bi += threadCount
            }
        }
        var result = EnsembleResult(paths: paths, blockSize: blockSize, seedDescription: seedDescription,
                                    saveTimes: kernel.saveTimes, positionDimension: pd,
                                    observableNames: observables.map(\.name), shard: shard,
                                    blocks: results.map { $0! }, moments: [], histograms: [], divergences: [])
        result.fold()
        if !keepBlocks { result.blocks = [] }
        return result
    }
}

/// Shares a buffer across the threads of `concurrentPerform`; each thread writes distinct indices.
@usableFromInline
struct UncheckedBox<T>: @unchecked Sendable {
    @usableFromInline let pointer: UnsafeMutableBufferPointer<T>
    @usableFromInline init(_ p: UnsafeMutableBufferPointer<T>) { pointer = p }
}

/// Raw, shifted sums for one block of paths: per save point `j` and value `i`, `Σ(v − K)`,
/// `Σ(v − K)²` and the position cross products, with the shift `K` the block's first observation
/// (which keeps the sums well conditioned). Two multiply-adds per value per save point; converted to
/// ``MomentStatistic`` once per block.
@usableFromInline
struct BlockAccumulator {
    @usableFromInline let saves: Int
    @usableFromInline let pd: Int
    @usableFromInline let values: Int
    @usableFromInline let co: Int
    @usableFromInline let observables: [Observable]
    @usableFromInline var count: [Int]
    @usableFromInline var shift: [Double]
    @usableFromInline var s1: [Double]
    @usableFromInline var s2: [Double]
    @usableFromInline var cross: [Double]
    @usableFromInline var row: [Double]
    @usableFromInline var histograms: [Histogram]
    @usableFromInline let histogramSpecs: [(observable: Int, lower: Double, upper: Double, bins: Int)]

    @usableFromInline
    init(saves: Int, positionDimension: Int, observables: [Observable], coDimension: Int,
         histograms specs: [(observable: Int, lower: Double, upper: Double, bins: Int)]) {
        self.saves = saves
        pd = positionDimension
        values = positionDimension + observables.count
        co = coDimension
        self.observables = observables
        count = [Int](repeating: 0, count: saves)
        shift = [Double](repeating: 0, count: saves * values)
        s1 = shift
        s2 = shift
        cross = [Double](repeating: 0, count: saves * coDimension * coDimension)
        row = [Double](repeating: 0, count: values)
        histogramSpecs = specs
        histograms = specs.map { Histogram(lower: $0.lower, upper: $0.upper, bins: $0.bins) }
    }

    @usableFromInline
    mutating func reset() {
        for i in 0..<count.count { count[i] = 0 }
        for i in 0..<s1.count { s1[i] = 0; s2[i] = 0 }
        for i in 0..<cross.count { cross[i] = 0 }
        histograms = histogramSpecs.map { Histogram(lower: $0.lower, upper: $0.upper, bins: $0.bins) }
    }

    @inlinable @inline(__always)
    mutating func add(_ j: Int, _ x: [Double]) {
        for i in 0..<pd { row[i] = x[i] }
        for o in 0..<observables.count { row[pd + o] = observables[o].evaluate(x) }
        let base = j * values
        let first = count[j] == 0
        count[j] += 1
        let n = values, c = co
        row.withUnsafeBufferPointer { r in
            shift.withUnsafeMutableBufferPointer { k in
                if first { for i in 0..<n { k[base + i] = r[i] } }
                s1.withUnsafeMutableBufferPointer { a in
                    s2.withUnsafeMutableBufferPointer { b in
                        for i in 0..<n {
                            let d = r[i] - k[base + i]
                            a[base + i] += d
                            b[base + i] += d * d
                        }
                    }
                }
                if c > 0 {
                    cross.withUnsafeMutableBufferPointer { q in
                        let cb = j * c * c
                        for u in 0..<c {
                            let du = r[u] - k[base + u]
                            for v in 0..<c { q[cb + u * c + v] += du * (r[v] - k[base + v]) }
                        }
                    }
                }
            }
        }
        if j == saves - 1 && !histogramSpecs.isEmpty {
            for (h, spec) in histogramSpecs.enumerated() { histograms[h].add(row[pd + spec.observable]) }
        }
    }

    @usableFromInline
    func moments() -> [MomentStatistic] {
        (0..<saves).map { j in
            var m = MomentStatistic(values: values, coDimension: co)
            let n = count[j]
            m.count = n
            guard n > 0 else { return m }
            let base = j * values
            for i in 0..<values {
                m.mean[i] = shift[base + i] + s1[base + i] / Double(n)
                m.m2[i] = Swift.max(0, s2[base + i] - s1[base + i] * s1[base + i] / Double(n))
            }
            let cb = j * co * co
            for a in 0..<co { for b in 0..<co {
                m.comoment[a * co + b] = cross[cb + a * co + b] - s1[base + a] * s1[base + b] / Double(n)
            } }
            return m
        }
    }
}
