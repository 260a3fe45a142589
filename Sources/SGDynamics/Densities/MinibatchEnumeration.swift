import Foundation

/// The minibatches `B` of size `b` from `n` samples with their probabilities `P(B)` (docs/THEORY.md §2.2,
/// §8.2), enumerated exactly when there are at most `maximumBatches` of them, else sampled.
///
/// - Without replacement: the `C(n, b)` subsets, each with `P = 1/C(n, b)`.
/// - With replacement: the `C(n+b−1, b)` multisets, a multiset with multiplicities `m_i` having the
///   multinomial probability `P = b!/(Π_i m_i!) · n^{−b}`.
/// - When the count exceeds `maximumBatches`, `maximumBatches` batches are drawn i.i.d. (by the
///   sampling rule, from a ``CounterRNG`` with the given seed), each with `P = 1/maximumBatches`: the
///   operator is then that of the empirical batch law, and ``kind`` says so.
/// - Random reshuffling is not a Markov chain in the parameter alone (batches within an epoch are
///   dependent) and is rejected.
public struct MinibatchEnumeration: Sendable, Equatable {
    /// Whether the batches are all of them or a sample.
    public enum Kind: Sendable, Equatable, CustomStringConvertible {
        /// Every batch, with its exact probability.
        case exact(count: Int)
        /// `count` batches drawn i.i.d. out of `population` possible ones.
        case sampled(count: Int, population: Double, seed: UInt64)

        public var description: String {
            switch self {
            case let .exact(count): return "all \(count) batches (exact)"
            case let .sampled(count, population, seed):
                return "\(count) batches sampled (seed \(seed)) out of \(population)"
            }
        }
    }

    public let sampleCount: Int
    public let batchSize: Int
    public let sampling: Sampling
    /// Batch `k` is `indices[k·b ..< (k+1)·b]`.
    public let indices: [Int]
    /// `P(B_k)`, summing to 1.
    public let probabilities: [Double]
    public let kind: Kind

    /// Throws ``ConfigurationError`` for `n < 1`, `b < 1`, `b > n` without replacement, reshuffling, or
    /// `maximumBatches < 1`.
    public init(sampleCount n: Int, batchSize b: Int, sampling: Sampling = .withoutReplacement,
                maximumBatches: Int = 100_000, seed: UInt64 = 0) throws {
        guard n >= 1 else { throw ConfigurationError(field: "sampleCount", "must be at least 1, got \(n)") }
        guard b >= 1 else { throw ConfigurationError(field: "batchSize", "must be at least 1, got \(b)") }
        guard maximumBatches >= 1 else {
            throw ConfigurationError(field: "maximumBatches", "must be at least 1, got \(maximumBatches)")
        }
        switch sampling {
        case .reshuffling:
            throw ConfigurationError(field: "sampling", "reshuffling is not a Markov chain in the parameter alone (batches within an epoch are dependent); use with-replacement or without-replacement")
        case .withoutReplacement where b > n:
            throw ConfigurationError(field: "batchSize", "must not exceed the sample count \(n) without replacement, got \(b)")
        default: break
        }
        self.sampleCount = n
        self.batchSize = b
        self.sampling = sampling
        let population = sampling == .withoutReplacement
            ? MinibatchEnumeration.binomial(n, b) : MinibatchEnumeration.binomial(n + b - 1, b)
        var idx = [Int](), prob = [Double]()
        if population <= Double(maximumBatches) {
            let count = Int(population)
            idx.reserveCapacity(count * b)
            prob.reserveCapacity(count)
            // Non-decreasing (with replacement) or increasing (without) index tuples in lexicographic order.
            let strict = sampling == .withoutReplacement
            var c = strict ? Array(0..<b) : [Int](repeating: 0, count: b)
            let logNorm = lgamma(Double(b + 1)) - Double(b) * log(Double(n))
            while true {
                idx.append(contentsOf: c)
                if strict {
                    prob.append(1)
                } else {
                    var lp = logNorm, run = 1
                    for t in 1...b {
                        if t < b && c[t] == c[t - 1] { run += 1 } else { lp -= lgamma(Double(run + 1)); run = 1 }
                    }
                    prob.append(exp(lp))
                }
                // Advance: rightmost position that can still grow.
                var t = b - 1
                while t >= 0 && c[t] == (strict ? n - b + t : n - 1) { t -= 1 }
                if t < 0 { break }
                c[t] += 1
                for u in (t + 1)..<Swift.max(t + 1, b) { c[u] = strict ? c[u - 1] + 1 : c[t] }
            }
            let s = prob.reduce(0, +)
            for k in 0..<prob.count { prob[k] /= s }
            precondition(prob.count == count, "MinibatchEnumeration: enumerated \(prob.count) of \(count) batches")
            kind = .exact(count: count)
        } else {
            let m = maximumBatches
            let rng = CounterRNG(seed: seed, stream: RandomStream.batches)
            idx = [Int](repeating: 0, count: m * b)
            var pool = Array(0..<n)
            for k in 0..<m {
                if sampling == .withReplacement {
                    for t in 0..<b { idx[k * b + t] = rng.index(n, path: 0, step: k, component: t) }
                } else {
                    // Partial Fisher–Yates, undone afterwards so the pool is the identity again.
                    var swaps = [Int](repeating: 0, count: b)
                    for t in 0..<b {
                        let r = t + rng.index(n - t, path: 0, step: k, component: t)
                        swaps[t] = r
                        pool.swapAt(t, r)
                        idx[k * b + t] = pool[t]
                    }
                    for t in stride(from: b - 1, through: 0, by: -1) { pool.swapAt(t, swaps[t]) }
                }
            }
            prob = [Double](repeating: 1 / Double(m), count: m)
            kind = .sampled(count: m, population: population, seed: seed)
        }
        indices = idx
        probabilities = prob
    }

    /// Number of batches listed.
    public var count: Int { probabilities.count }

    /// The sample indices of batch `k`.
    public func batch(_ k: Int) -> ArraySlice<Int> { indices[(k * batchSize)..<((k + 1) * batchSize)] }

    /// `C(n, k)` in floating point (exact below 2⁵³).
    static func binomial(_ n: Int, _ k: Int) -> Double {
        if k < 0 || k > n { return 0 }
        let k = Swift.min(k, n - k)
        var c = 1.0
        if k == 0 { return 1 }
        for i in 1...k { c = c * Double(n - k + i) / Double(i) }
        return c.rounded()
    }
}
