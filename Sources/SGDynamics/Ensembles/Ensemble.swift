#if canImport(_Differentiation)
import _Differentiation  // SIMD vector arithmetic on Lanes resolves through its AdditiveArithmetic conformance
#endif
import Dispatch
import Foundation

/// A closed-form observable that ensembles evaluate inline (no closure call per record).
public enum ObservableForm: Sendable, Equatable {
    /// `½ (x − c)ᵀ H (x − c)` (the objective of a quadratic).
    case quadratic(hessian: Matrix, center: [Double])
    /// `x_i`.
    case coordinate(Int)
    /// `‖x‖²`.
    case squaredNorm
    /// `x_i⁴`.
    case fourthPower(Int)

    /// The value at `x[0 ..< d]`.
    @inlinable
    public func evaluate(_ x: UnsafePointer<Double>, dimension d: Int) -> Double {
        switch self {
        case let .quadratic(h, c):
            let d = c.count
            var s = 0.0
            for i in 0..<d {
                var r = 0.0
                for j in 0..<d { r += h.storage[i * d + j] * (x[j] - c[j]) }
                s += (x[i] - c[i]) * r
            }
            return 0.5 * s
        case let .coordinate(i): return x[i]
        case .squaredNorm:
            var s = 0.0
            for i in 0..<d { s += x[i] * x[i] }
            return s
        case let .fourthPower(i): let v = x[i] * x[i]; return v * v
        }
    }
}

/// A named function of the position observed along an ensemble (a weak-error test function).
public struct Observable: Sendable {
    public let name: String
    /// `g` applied to the whole position, or, for a ``difference(_:dimension:against:_:)`` observable,
    /// to each of the two vectors compared.
    public let evaluate: @Sendable ([Double]) -> Double
    /// For a difference observable on a paired position `(x, X₁, …)` of `d`-vectors: `d`, and the
    /// offset of the `X` it compares with; the value is `g(x) − g(X_m)`.
    public let pairedDimension: Int?
    public let pairedOffset: Int
    /// When set, ensembles evaluate this closed form inline instead of calling ``evaluate``.
    public let form: ObservableForm?
    public init(_ name: String, _ evaluate: @escaping @Sendable ([Double]) -> Double) {
        self.init(name: name, evaluate: evaluate, pairedDimension: nil, pairedOffset: 0, form: nil)
    }
    /// A closed-form observable.
    public init(_ name: String, form: ObservableForm) {
        self.init(name: name, evaluate: Self.closure(form), pairedDimension: nil, pairedOffset: 0, form: form)
    }
    /// `g(x) − g(X_m)` on a paired position `(x, X₁, …, X_M)` (``PairedKernel``) of `d`-vectors, `m`
    /// counted from 0; the halves are copied into buffers the ensemble owns, so evaluating it
    /// allocates nothing.
    public static func difference(_ name: String, dimension d: Int, against m: Int = 0,
                                  _ g: @escaping @Sendable ([Double]) -> Double) -> Observable {
        Observable(name: name, evaluate: g, pairedDimension: d, pairedOffset: (m + 1) * d, form: nil)
    }
    /// The same for a closed form, evaluated inline.
    public static func difference(_ name: String, dimension d: Int, against m: Int = 0, form: ObservableForm) -> Observable {
        Observable(name: name, evaluate: closure(form), pairedDimension: d, pairedOffset: (m + 1) * d, form: form)
    }
    init(name: String, evaluate: @escaping @Sendable ([Double]) -> Double, pairedDimension: Int?, pairedOffset: Int,
         form: ObservableForm?) {
        self.name = name
        self.evaluate = evaluate
        self.pairedDimension = pairedDimension
        self.pairedOffset = pairedOffset
        self.form = form
    }
    static func closure(_ form: ObservableForm) -> @Sendable ([Double]) -> Double {
        { x in x.withUnsafeBufferPointer { form.evaluate($0.baseAddress!, dimension: x.count) } }
    }
}

/// Which part of the paths this process runs: shard `index` of `count` takes a contiguous range of
/// blocks. Merging all shards' results gives bitwise the unsharded result.
public struct Shard: Sendable, Codable, Equatable, CustomStringConvertible {
    public let index: Int
    public let count: Int
    public init(index: Int, count: Int) throws {
        guard count >= 1, index >= 0, index < count else {
            throw ConfigurationError(field: "shard", "must be i/N with 0 ≤ i < N, got \(index)/\(count)")
        }
        self.index = index
        self.count = count
    }
    public static let whole = try! Shard(index: 0, count: 1)
    /// Parse `"i/N"`.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]) else {
            throw ConfigurationError(field: "shard", "must look like i/N (for example 0/4), got '\(text)'")
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

    /// Check that a result read from a file is one the ensemble runner could have written: every
    /// block in range, every statistic of the dimension the result declares, counts that add up.
    /// A tampered or damaged shard file is refused here instead of trapping later.
    public func checkConsistency() throws {
        func bad(_ why: String) -> ConfigurationError { ConfigurationError(field: "merge", "a shard result is damaged: \(why)") }
        guard paths >= 1, blockSize >= 1, positionDimension >= 0, positionDimension <= 1 << 20 else { throw bad("paths, block size or dimension out of range") }
        guard shard.count >= 1, shard.index >= 0, shard.index < shard.count else { throw bad("shard \(shard.index)/\(shard.count) is not i/N with 0 ≤ i < N") }
        let blockCount = (paths + blockSize - 1) / blockSize
        let values = positionDimension + observableNames.count
        guard saveTimes.allSatisfy(\.isFinite) else { throw bad("save times are not finite") }
        for b in blocks {
            guard b.block >= 0, b.block < blockCount else { throw bad("block \(b.block) outside 0..<\(blockCount)") }
            guard b.moments.count == saveTimes.count else { throw bad("block \(b.block) has \(b.moments.count) save points, not \(saveTimes.count)") }
            let pathsInBlock = min(blockSize, paths - b.block * blockSize)
            for m in b.moments {
                guard m.mean.count == values, m.m2.count == values, m.count >= 0, m.count <= pathsInBlock,
                      m.coDimension >= 0, m.coDimension <= values, m.comoment.count == m.coDimension * m.coDimension else {
                    throw bad("block \(b.block) has statistics of the wrong size or count")
                }
            }
            guard b.histograms.allSatisfy({ !$0.counts.isEmpty && $0.counts.allSatisfy { $0 >= 0 } && $0.lower < $0.upper }) else {
                throw bad("block \(b.block) has a malformed histogram")
            }
            guard b.divergences.allSatisfy({ $0.path >= 0 && $0.path < paths && $0.step >= 0 }) else { throw bad("block \(b.block) has a divergence outside its paths") }
        }
    }

    /// Merge shard results of the same ensemble into the result of the whole.
    public static func merge(_ parts: [EnsembleResult]) throws -> EnsembleResult {
        for p in parts { try p.checkConsistency() }
        guard var out = parts.first else { throw ConfigurationError(field: "merge", "no shard results given") }
        for p in parts.dropFirst() {
            guard p.paths == out.paths, p.blockSize == out.blockSize, p.saveTimes == out.saveTimes,
                  p.observableNames == out.observableNames, p.seedDescription == out.seedDescription,
                  p.positionDimension == out.positionDimension else {
                throw ConfigurationError(field: "merge", "shard results come from different ensembles (paths, seed, save times or observables differ)")
            }
            out.blocks += p.blocks
        }
        if let f = out.blocks.first {
            let sameShape = out.blocks.allSatisfy { b in
                b.histograms.count == f.histograms.count
                    && zip(b.histograms, f.histograms).allSatisfy { $0.counts.count == $1.counts.count && $0.lower == $1.lower && $0.upper == $1.upper }
                    && zip(b.moments, f.moments).allSatisfy { $0.coDimension == $1.coDimension }
            }
            guard sameShape else { throw ConfigurationError(field: "merge", "shard results have statistics of different shapes") }
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
    /// Called after each block of paths finishes, with the paths finished so far and the paths this
    /// shard runs (the last call has `done == total`). Calls come from the worker threads, one at a
    /// time, with `done` increasing. It is outside the per-step loops and changes no number of the
    /// result; nil (the default) costs nothing.
    public var progress: (@Sendable (_ done: Int, _ total: Int) -> Void)?

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
        let co = pd <= covarianceLimit ? pd : 0
        let saves = kernel.saveCount
        let specs = histogramSpecs
        let results = UnsafeMutableBufferPointer<BlockStatistics?>.allocate(capacity: blocks.count)
        results.initialize(repeating: nil)
        defer { _ = results.deinitialize(); results.deallocate() }
        let box = UncheckedBox(results)
        let threadCount = Swift.max(1, Swift.min(threads, blocks.count))
        let shardPaths = Swift.max(0, Swift.min(paths, blocks.upperBound * blockSize) - blocks.lowerBound * blockSize)
        let counter = progress.map { ProgressCounter(total: shardPaths, report: $0) }
        let queue = BlockQueue(blocks)
        DispatchQueue.concurrentPerform(iterations: threadCount) { _ in
            var workspace = kernel.makeWorkspace()
            var acc = BlockAccumulator(saves: saves, positionDimension: pd, observables: observables, coDimension: co,
                                       histograms: specs)
            while let bi = queue.next() {
                acc.reset()
                var divs: [Divergence] = []
                let first = bi * blockSize, last = Swift.min(paths, first + blockSize)
                let width = Swift.max(1, kernel.groupWidth)
                // lane kernels may take several groups of four at once (a fused kernel); a block's groups
                // start at multiples of four from its first path either way, so the slots are the same
                let batch = width == Lanes.width ? Swift.max(width, kernel.laneBatch) : width
                var p = first
                while p < last {
                    let c = Swift.min(batch, last - p), p0 = p
                    if width == Lanes.width {
                        kernel.simulateLanes(firstPath: p0, count: c, workspace: &workspace, tape: nil,
                                             record: { j, x, mask in acc.addLanes(j, x, mask) },
                                             diverged: { q, k in divs.append(Divergence(path: p0 + q, step: k)) })
                    } else {
                        kernel.simulateGroup(firstPath: p0, count: c, workspace: &workspace,
                                             record: { q, j, x in acc.add(j, x, slot: p0 - first + q) },
                                             diverged: { q, k in divs.append(Divergence(path: p0 + q, step: k)) })
                    }
                    p += c
                }
                divs.sort { $0.path < $1.path }
                box.pointer[bi - blocks.lowerBound] = BlockStatistics(block: bi, moments: acc.moments(),
                                                                      histograms: acc.histograms, divergences: divs)
                counter?.advance(by: last - first)
            }
            acc.deallocate()
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
/// (which keeps the sums well conditioned). Converted to ``MomentStatistic`` once per block.
///
/// Each sum is kept in four slots, one per lane: the path at offset `p` from the block's start adds to
/// slot `p mod 4`, and the slots are added in a fixed order, `((s₀ + s₁) + s₂) + s₃`, at the end. Four
/// paths advanced in SIMD lanes are thus recorded with vector operations, and path-by-path runs of the
/// same kernel give bitwise the same numbers.
///
/// The sums live in manually managed buffers owned by the worker thread (``deallocate()`` at the end),
/// so recording an observation touches no reference counts.
@usableFromInline
struct BlockAccumulator {
    @usableFromInline let saves: Int
    @usableFromInline let pd: Int
    @usableFromInline let values: Int
    @usableFromInline let co: Int
    @usableFromInline let evaluators: [@Sendable ([Double]) -> Double]
    /// Per observable: 0 closure, 1 quadratic, 2 coordinate, 3 squared norm, 4 fourth power; an index
    /// (coordinate) or the offset of `H` then `c` in `parameters` (quadratic); the vector length.
    @usableFromInline let formCodes: [Int]
    @usableFromInline let formIndex: [Int]
    @usableFromInline let formDimension: [Int]
    @usableFromInline let parameters: UnsafeMutablePointer<Double>
    /// Per observable: the half dimension of a difference observable (or 0) and the offset of its partner.
    @usableFromInline let pairedDimensions: [Int]
    @usableFromInline let pairedOffsets: [Int]
    @usableFromInline let count: UnsafeMutablePointer<Int>
    @usableFromInline let shift: UnsafeMutablePointer<Double>
    @usableFromInline let s1: UnsafeMutablePointer<Lanes>
    @usableFromInline let s2: UnsafeMutablePointer<Lanes>
    @usableFromInline let cross: UnsafeMutablePointer<Lanes>
    @usableFromInline let row: UnsafeMutablePointer<Double>
    /// The values of four paths as lane vectors (lane recording).
    @usableFromInline let laneRow: UnsafeMutablePointer<Lanes>
    /// One path's position broadcast to every lane (closed forms of path-by-path records).
    @usableFromInline let laneX: UnsafeMutablePointer<Lanes>
    /// The two halves of a paired position, for difference observables.
    @usableFromInline var halfA: [Double]
    @usableFromInline var halfB: [Double]
    @usableFromInline var histograms: [Histogram]
    @usableFromInline let histogramSpecs: [(observable: Int, lower: Double, upper: Double, bins: Int)]

    @usableFromInline
    init(saves: Int, positionDimension: Int, observables: [Observable], coDimension: Int,
         histograms specs: [(observable: Int, lower: Double, upper: Double, bins: Int)]) {
        self.saves = saves
        pd = positionDimension
        values = positionDimension + observables.count
        co = coDimension
        evaluators = observables.map(\.evaluate)
        pairedDimensions = observables.map { $0.pairedDimension ?? 0 }
        pairedOffsets = observables.map(\.pairedOffset)
        var codes: [Int] = [], index: [Int] = [], dims: [Int] = [], params: [Double] = []
        for o in observables {
            let d = o.pairedDimension ?? positionDimension
            dims.append(d)
            switch o.form {
            case nil: codes.append(0); index.append(0)
            case let .quadratic(h, c)?:
                precondition(c.count == d && h.rows == d, "quadratic observable has the wrong dimension")
                codes.append(1); index.append(params.count); params += h.storage + c
            case let .coordinate(i)?: precondition(i >= 0 && i < d, "coordinate \(i) out of 0..<\(d)"); codes.append(2); index.append(i)
            case .squaredNorm?: codes.append(3); index.append(0)
            case let .fourthPower(i)?: precondition(i >= 0 && i < d, "coordinate \(i) out of 0..<\(d)"); codes.append(4); index.append(i)
            }
            if let pdim = o.pairedDimension {
                precondition(pdim > 0 && o.pairedOffset + pdim <= positionDimension,
                             "difference observable \(o.name) compares x[\(o.pairedOffset)..<\(o.pairedOffset + pdim)] but the position has \(positionDimension) coordinates")
            }
        }
        for spec in specs {
            precondition(spec.observable >= 0 && spec.observable < observables.count, "histogram of observable \(spec.observable) of \(observables.count)")
        }
        formCodes = codes; formIndex = index; formDimension = dims
        parameters = .allocate(capacity: Swift.max(1, params.count))
        parameters.initialize(from: params, count: params.count)
        count = .allocate(capacity: saves)
        shift = .allocate(capacity: saves * values)
        s1 = .allocate(capacity: saves * values)
        s2 = .allocate(capacity: saves * values)
        cross = .allocate(capacity: Swift.max(1, saves * coDimension * coDimension))
        row = .allocate(capacity: Swift.max(1, values))
        laneRow = .allocate(capacity: Swift.max(1, values))
        laneX = .allocate(capacity: Swift.max(1, positionDimension))
        let half = pairedDimensions.max() ?? 0
        halfA = [Double](repeating: 0, count: half)
        halfB = halfA
        histogramSpecs = specs
        histograms = specs.map { Histogram(lower: $0.lower, upper: $0.upper, bins: $0.bins) }
        reset()
    }

    @usableFromInline
    func deallocate() {
        count.deallocate(); shift.deallocate(); s1.deallocate(); s2.deallocate(); cross.deallocate(); row.deallocate()
        laneRow.deallocate(); laneX.deallocate()
        parameters.deallocate()
    }

    @usableFromInline
    mutating func reset() {
        let zero = Lanes(repeating: 0)
        count.initialize(repeating: 0, count: saves)
        shift.initialize(repeating: 0, count: saves * values)
        s1.initialize(repeating: zero, count: saves * values)
        s2.initialize(repeating: zero, count: saves * values)
        cross.initialize(repeating: zero, count: Swift.max(1, saves * co * co))
        histograms = histogramSpecs.map { Histogram(lower: $0.lower, upper: $0.upper, bins: $0.bins) }
    }

    /// One path at save point `j`; `slot` is its offset from the block's first path, modulo 4.
    @inlinable @inline(__always)
    mutating func add(_ j: Int, _ x: [Double], slot: Int) {
        precondition(j >= 0 && j < saves && x.count == pd, "record at save \(j) of \(saves) with \(x.count) of \(pd) coordinates")
        let r = row
        for i in 0..<pd { r[i] = x[i] }
        for o in 0..<evaluators.count {
            if formCodes[o] != 0 {
                let d = formDimension[o], second = pairedDimensions[o] > 0 ? pairedOffsets[o] : -1
                let lx = laneX
                for i in 0..<pd { lx[i] = Lanes(repeating: x[i]) }
                let v = evaluateFormLanes(o, lx, d)
                r[pd + o] = (second < 0 ? v : v - evaluateFormLanes(o, lx + second, d))[0]
            } else {
                r[pd + o] = closureValue(o, x)
            }
        }
        let base = j * values
        let n = values, c = co, k = shift, a = s1, b = s2, q = slot & 3
        if count[j] == 0 { for i in 0..<n { k[base + i] = r[i] } }
        count[j] += 1
        for i in 0..<n {
            let d = r[i] - k[base + i]
            a[base + i][q] += d
            b[base + i][q] += d * d
        }
        if c > 0 {
            let cb = j * c * c
            for u in 0..<c {
                let du = r[u] - k[base + u]
                for v in 0..<c { cross[cb + u * c + v][q] += du * (r[v] - k[base + v]) }
            }
        }
        if j == saves - 1 && !histogramSpecs.isEmpty {
            for (h, spec) in histogramSpecs.enumerated() { histograms[h].add(r[pd + spec.observable]) }
        }
    }

    /// Four paths at save point `j` (lane `q` of `x[i]` is coordinate `i` of the path in slot `q`), those
    /// in `mask`: the same numbers as four calls of ``add(_:_:slot:)``, with vector operations.
    @inlinable @inline(__always)
    mutating func addLanes(_ j: Int, _ x: UnsafePointer<Lanes>, _ mask: UInt8) {
        precondition(j >= 0 && j < saves && mask != 0, "record at save \(j) of \(saves)")
        let lr = laneRow
        for i in 0..<pd { lr[i] = x[i] }
        for o in 0..<evaluators.count {
            if formCodes[o] != 0 {
                let d = formDimension[o], second = pairedDimensions[o] > 0 ? pairedOffsets[o] : -1
                let v = evaluateFormLanes(o, x, d)
                lr[pd + o] = second < 0 ? v : v - evaluateFormLanes(o, x + second, d)
            } else {
                var xq = [Double](repeating: 0, count: pd)
                for q in 0..<Lanes.width where mask & (1 << q) != 0 {
                    for i in 0..<pd { xq[i] = x[i][q] }
                    lr[pd + o][q] = closureValue(o, xq)
                }
            }
        }
        let base = j * values
        let n = values, c = co, k = shift, a = s1, b = s2
        if count[j] == 0 {
            let first = mask.trailingZeroBitCount
            for i in 0..<n { k[base + i] = lr[i][first] }
        }
        count[j] += mask.nonzeroBitCount
        if mask == 0b1111 {
            for i in 0..<n {
                let d = lr[i] - k[base + i]
                a[base + i] += d
                b[base + i] += d * d
            }
            if c > 0 {
                let cb = j * c * c
                for u in 0..<c {
                    let du = lr[u] - k[base + u]
                    for v in 0..<c { cross[cb + u * c + v] += du * (lr[v] - k[base + v]) }
                }
            }
        } else {
            let m = (SIMD4<Int64>(repeating: Int64(mask)) & SIMD4<Int64>(1, 2, 4, 8)) .!= 0
            for i in 0..<n {
                let d = lr[i] - k[base + i]
                a[base + i].replace(with: a[base + i] + d, where: m)
                b[base + i].replace(with: b[base + i] + d * d, where: m)
            }
            if c > 0 {
                let cb = j * c * c
                for u in 0..<c {
                    let du = lr[u] - k[base + u]
                    for v in 0..<c {
                        let t = cross[cb + u * c + v]
                        cross[cb + u * c + v].replace(with: t + du * (lr[v] - k[base + v]), where: m)
                    }
                }
            }
        }
        if j == saves - 1 && !histogramSpecs.isEmpty {
            for q in 0..<Lanes.width where mask & (1 << q) != 0 {
                for (h, spec) in histogramSpecs.enumerated() { histograms[h].add(lr[pd + spec.observable][q]) }
            }
        }
    }

    /// A closure observable at `x` (a difference observable evaluates both halves).
    @inlinable
    mutating func closureValue(_ o: Int, _ x: [Double]) -> Double {
        let d = pairedDimensions[o]
        guard d > 0 else { return evaluators[o](x) }
        let o2 = pairedOffsets[o]
        for i in 0..<d { halfA[i] = x[i]; halfB[i] = x[o2 + i] }
        return evaluators[o](halfA) - evaluators[o](halfB)
    }

    /// A closed-form observable at `x[0..<d]` for four paths at once (lane by lane the same operations,
    /// so a path gives the same bits whichever lane it is in).
    @inlinable @inline(__always)
    func evaluateFormLanes(_ o: Int, _ x: UnsafePointer<Lanes>, _ d: Int) -> Lanes {
        switch formCodes[o] {
        case 1:
            let h = parameters + formIndex[o], c = h + d * d
            var s = Lanes(repeating: 0)
            for i in 0..<d {
                var r = Lanes(repeating: 0)
                for j in 0..<d { r += h[i * d + j] * (x[j] - c[j]) }
                s += (x[i] - c[i]) * r
            }
            return 0.5 * s
        case 2: return x[formIndex[o]]
        case 3:
            var s = Lanes(repeating: 0)
            for i in 0..<d { s += x[i] * x[i] }
            return s
        default:
            let v = x[formIndex[o]] * x[formIndex[o]]
            return v * v
        }
    }

    /// The four slots of a sum, added in a fixed order.
    @inlinable @inline(__always)
    func total(_ v: Lanes) -> Double { ((v[0] + v[1]) + v[2]) + v[3] }

    @usableFromInline
    func moments() -> [MomentStatistic] {
        (0..<saves).map { j in
            var m = MomentStatistic(values: values, coDimension: co)
            let n = count[j]
            m.count = n
            guard n > 0 else { return m }
            let base = j * values
            var sums = [Double](repeating: 0, count: values)
            for i in 0..<values {
                sums[i] = total(s1[base + i])
                m.mean[i] = shift[base + i] + sums[i] / Double(n)
                m.m2[i] = Swift.max(0, total(s2[base + i]) - sums[i] * sums[i] / Double(n))
            }
            let cb = j * co * co
            for a in 0..<co { for b in 0..<co {
                m.comoment[a * co + b] = total(cross[cb + a * co + b]) - sums[a] * sums[b] / Double(n)
            } }
            return m
        }
    }
}
