import Dispatch
import Foundation

/// An ensemble of 1-D paths whose iterates after a burn-in are pooled over time: each of `paths`
/// runs takes `burnIn + steps` steps from `start`, and every iterate after the burn-in is deposited
/// at its nearest grid node (a time-averaged histogram of the stationary law, docs/THEORY.md §8.3)
/// and added to the per-path averages of `y, y², y³, y⁴`, `y = θ − reference`.
///
/// Moments pool the per-path averages with equal weights; the standard error of the variance is
/// the spread of the per-path variances about the pooled mean over `√N`. A path that diverges
/// (non-finite or `|θ| > 10⁸`) is replayed to take its deposits back out and is excluded.
/// Randomness is counter-based (`CounterRNG(seed:)`, stream `path`) and every sum is formed in
/// path order, so the result is bitwise the same for any number of threads.
public struct TimeAveragedEnsemble: Sendable {
    public var paths: Int
    public var burnIn: Int
    public var steps: Int
    public var seed: UInt64
    public var threads: Int
    /// Called with (paths done, paths) as the paths finish; it changes no number.
    public var progress: (@Sendable (_ done: Int, _ total: Int) -> Void)?

    public init(paths: Int, burnIn: Int, steps: Int, seed: UInt64, threads: Int = ProcessInfo.processInfo.activeProcessorCount) {
        precondition(paths >= 1 && burnIn >= 0 && steps >= 1 && threads >= 1)
        self.paths = paths
        self.burnIn = burnIn
        self.steps = steps
        self.seed = seed
        self.threads = threads
    }

    /// The histogram and moments of `algorithm`'s iterates on `grid`, paths started at `reference`.
    public func run<A: Algorithm>(_ algorithm: A, grid g: Grid1D, reference: Double) -> TimeAveragedHistogram {
        let n = g.count, P = paths
        let threadCount = max(1, min(threads, P))
        let hist = UnsafeMutableBufferPointer<Int>.allocate(capacity: threadCount * (n + 1))
        hist.initialize(repeating: 0)
        let stats = UnsafeMutableBufferPointer<Double>.allocate(capacity: P * 4)
        stats.initialize(repeating: 0)
        let failed = UnsafeMutableBufferPointer<Int>.allocate(capacity: P)
        failed.initialize(repeating: -1)
        defer { hist.deallocate(); stats.deallocate(); failed.deallocate() }
        let histBox = UncheckedBox(hist), statsBox = UncheckedBox(stats), failedBox = UncheckedBox(failed)
        let rng = CounterRNG(seed: seed)
        let burn = burnIn, rec = steps
        let lower = g.lower, dx = g.spacing
        let counter = progress.map { ProgressCounter(total: P, report: $0) }
        DispatchQueue.concurrentPerform(iterations: threadCount) { t in
            let hist = histBox.pointer, stats = statsBox.pointer, failed = failedBox.pointer
            var state = algorithm.makeState(start: [reference])
            let base = t * (n + 1)
            func node(_ x: Double) -> Int {
                let r = ((x - lower) / dx).rounded()
                return r >= 0 && r <= Double(n - 1) ? Int(r) : n   // n: outside
            }
            var path = t
            var finished = 0   // paths not yet reported to the progress counter
            defer { if finished > 0 { counter?.advance(by: finished) } }
            while path < P {
                algorithm.reset(&state, start: [reference])
                var s1 = 0.0, s2 = 0.0, s3 = 0.0, s4 = 0.0
                var diverged = -1
                for k in 0..<(burn + rec) {
                    algorithm.step(&state, rng: rng, path: path)
                    let x = state.position[0]
                    if !(abs(x) <= 1e8) { diverged = k; break }
                    if k >= burn {
                        hist[base + node(x)] += 1
                        let y = x - reference, y2 = y * y
                        s1 += y; s2 += y2; s3 += y2 * y; s4 += y2 * y2
                    }
                }
                if diverged >= 0 {
                    // Replay the path and remove what it deposited.
                    algorithm.reset(&state, start: [reference])
                    for k in 0..<diverged {
                        algorithm.step(&state, rng: rng, path: path)
                        if k >= burn { hist[base + node(state.position[0])] -= 1 }
                    }
                    failed[path] = diverged + 1
                } else {
                    let inv = 1 / Double(rec)
                    stats[4 * path] = s1 * inv; stats[4 * path + 1] = s2 * inv
                    stats[4 * path + 2] = s3 * inv; stats[4 * path + 3] = s4 * inv
                }
                path += threadCount
                finished += 1
                if finished == 64 { counter?.advance(by: finished); finished = 0 }
            }
        }
        var counts = [Int](repeating: 0, count: n)
        var outside = 0
        for t in 0..<threadCount {
            for j in 0..<n { counts[j] += hist[t * (n + 1) + j] }
            outside += hist[t * (n + 1) + n]
        }
        let good = (0..<P).filter { failed[$0] < 0 }
        let firstDivergence = (0..<P).compactMap { failed[$0] >= 0 ? failed[$0] : nil }.min()
        var out = TimeAveragedHistogram(paths: P, diverged: P - good.count, firstDivergence: firstDivergence, counts: counts,
                                        outside: outside, mean: .nan, variance: .nan, varianceSE: .nan, excessKurtosis: .nan)
        guard good.count >= 1 else { return out }
        // Pooled raw moments of y = θ − θ* (equal weights per path), then central moments.
        var r = [0.0, 0.0, 0.0, 0.0]
        for q in good { for i in 0..<4 { r[i] += stats[4 * q + i] } }
        let cnt = Double(good.count)
        for i in 0..<4 { r[i] /= cnt }
        let m = r[0]
        let variance = r[1] - m * m
        let mu4 = r[3] - 4 * m * r[2] + 6 * m * m * r[1] - 3 * m * m * m * m
        // Per-path variance about the pooled mean: its spread gives the standard error.
        var sv = 0.0, sv2 = 0.0
        for q in good {
            let v = stats[4 * q + 1] - 2 * m * stats[4 * q] + m * m
            sv += v; sv2 += v * v
        }
        let meanV = sv / cnt
        out.mean = reference + m
        out.variance = variance
        out.varianceSE = (max(sv2 / cnt - meanV * meanV, 0) * cnt / (cnt - 1) / cnt).squareRoot()
        out.excessKurtosis = mu4 / (variance * variance) - 3
        return out
    }
}

/// What a ``TimeAveragedEnsemble`` measured: node counts of the iterates, how many fell outside
/// the grid, and the pooled moments of the surviving paths (NaN when none survived).
public struct TimeAveragedHistogram: Sendable, Equatable {
    public var paths: Int
    /// Paths that diverged (excluded), and the first step at which one did.
    public var diverged: Int
    public var firstDivergence: Int?
    /// Iterates deposited at each node.
    public var counts: [Int]
    /// Iterates outside the grid.
    public var outside: Int
    public var mean: Double
    public var variance: Double
    /// The standard error of `variance` from the spread of per-path variances.
    public var varianceSE: Double
    public var excessKurtosis: Double

    public init(paths: Int, diverged: Int, firstDivergence: Int?, counts: [Int], outside: Int, mean: Double,
                variance: Double, varianceSE: Double, excessKurtosis: Double) {
        self.paths = paths; self.diverged = diverged; self.firstDivergence = firstDivergence; self.counts = counts
        self.outside = outside; self.mean = mean; self.variance = variance; self.varianceSE = varianceSE
        self.excessKurtosis = excessKurtosis
    }

    /// Paths that did not diverge.
    public var survivors: Int { paths - diverged }
}
