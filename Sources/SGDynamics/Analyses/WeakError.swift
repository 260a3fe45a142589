import Foundation

/// Weak error between a discrete algorithm and a continuous model (docs/THEORY.md §5.1, §5.4):
///
///     err(η) = max_{0 ≤ k ≤ ⌊T/η⌋} | E g(x_k) − E g(X_{kη}) |
///
/// measured from two ensembles observed at the same times (Monte Carlo), or given exactly. With
/// `Δ_k` the difference of means and `s_k` its standard error (independent ensembles:
/// `s_k² = s_alg² + s_model²`; paired ensembles: from the per-path differences), the interval of the
/// max is `[max_k(|Δ_k| − z s_k), max_k(|Δ_k| + z s_k)]` with the Bonferroni quantile
/// `z = Φ⁻¹(1 − 0.025/K)` over the `K` times compared: simultaneous 95% intervals for all `Δ_k`
/// contain the true values together, so the interval of their max has coverage ≥ 95%.
public enum WeakError {
    /// The weak error at one learning rate, with its 95% interval (simultaneous over the save points).
    public struct Point: Sendable, Codable {
        public var learningRate: Double
        public var error: Double
        /// 95% interval (lower, upper); equal to `error` in exact mode.
        public var lower: Double
        public var upper: Double
        /// Time at which the max was attained.
        public var time: Double
        /// Largest standard error over k (0 in exact mode).
        public var standardError: Double
        public var paths: Int
        public var seconds: Double
    }

    /// `Φ⁻¹(1 − 0.025/K)`, the two-sided Bonferroni 95% quantile for `K` simultaneous intervals.
    public static func bonferroniQuantile(_ k: Int) -> Double {
        let tail = 0.025 / Double(Swift.max(k, 1))
        var lo = 0.0, hi = 40.0
        for _ in 0..<200 {
            let mid = 0.5 * (lo + hi)
            if 0.5 * Foundation.erfc(mid / 2.0.squareRoot()) > tail { lo = mid } else { hi = mid }
        }
        return 0.5 * (lo + hi)
    }

    /// Compare observable `observable` (index among the observables) of two ensembles with the same save times.
    public static func compare(_ a: EnsembleResult, _ b: EnsembleResult, observable: Int,
                               learningRate: Double, seconds: Double = 0) -> Point {
        precondition(a.saveTimes.count == b.saveTimes.count, "ensembles must share save times")
        let ia = a.positionDimension + observable, ib = b.positionDimension + observable
        var best = -1.0, lo = 0.0, hi = 0.0, at = 0.0, worstSE = 0.0
        let z = bonferroniQuantile(a.saveTimes.count)
        for k in 0..<a.saveTimes.count {
            let ma = a.moments[k], mb = b.moments[k]
            guard ma.count > 1, mb.count > 1 else { continue }
            let delta = Swift.abs(ma.mean[ia] - mb.mean[ib])
            let se = (ma.variance(ia) / Double(ma.count) + mb.variance(ib) / Double(mb.count)).squareRoot()
            worstSE = Swift.max(worstSE, se)
            lo = Swift.max(lo, delta - z * se)
            hi = Swift.max(hi, delta + z * se)
            if delta > best { best = delta; at = a.saveTimes[k] }
        }
        if a.moments.last?.count ?? 0 < 2 || b.moments.last?.count ?? 0 < 2 {
            // Too few paths survived to the horizon: no error can be stated.
            return Point(learningRate: learningRate, error: .nan, lower: .nan, upper: .nan, time: .nan,
                         standardError: .nan, paths: Swift.min(a.completePaths, b.completePaths), seconds: seconds)
        }
        return Point(learningRate: learningRate, error: Swift.max(best, 0), lower: Swift.max(lo, 0), upper: hi,
                     time: at, standardError: worstSE, paths: Swift.min(a.completePaths, b.completePaths), seconds: seconds)
    }

    /// The error from a paired ensemble (``PairedKernel``, common random numbers) whose observable
    /// `observable` is the per-path difference `g(x_k) − g(X_{kη})`; its standard error comes from the
    /// paired differences.
    public static func paired(_ r: EnsembleResult, observable: Int, learningRate: Double, seconds: Double = 0) -> Point {
        let i = r.positionDimension + observable
        var best = -1.0, lo = 0.0, hi = 0.0, at = 0.0, worstSE = 0.0
        let z = bonferroniQuantile(r.saveTimes.count)
        for k in 0..<r.saveTimes.count {
            let m = r.moments[k]
            guard m.count > 1 else { continue }
            let delta = Swift.abs(m.mean[i])
            let se = m.standardError(i)
            worstSE = Swift.max(worstSE, se)
            lo = Swift.max(lo, delta - z * se)
            hi = Swift.max(hi, delta + z * se)
            if delta > best { best = delta; at = r.saveTimes[k] }
        }
        if r.completePaths < 2 {
            return Point(learningRate: learningRate, error: .nan, lower: .nan, upper: .nan, time: .nan,
                         standardError: .nan, paths: r.completePaths, seconds: seconds)
        }
        return Point(learningRate: learningRate, error: Swift.max(best, 0), lower: Swift.max(lo, 0), upper: hi,
                     time: at, standardError: worstSE, paths: r.completePaths, seconds: seconds)
    }

    /// The error from exact expectations `E g(x_k)` and `E g(X_{kη})`, `k = 0…N`.
    public static func exact(_ algorithm: [Double], _ model: [Double], learningRate: Double, seconds: Double = 0) -> Point {
        var best = 0.0, at = 0.0
        for k in 0..<Swift.min(algorithm.count, model.count) {
            let e = Swift.abs(algorithm[k] - model[k])
            if e > best { best = e; at = Double(k) * learningRate }
        }
        return Point(learningRate: learningRate, error: best, lower: best, upper: best, time: at, standardError: 0,
                     paths: 0, seconds: seconds)
    }

    /// Paths needed so that 5 standard errors stay below `fraction` of the error expected at the
    /// smallest η (docs/THEORY.md §5.4: `C η^α ≫ 5 sd/√M`), from a pilot estimate of `sd` and of the error.
    public static func requiredPaths(standardDeviation sd: Double, expectedError: Double, fraction: Double = 1) -> Int {
        guard expectedError > 0, sd.isFinite else { return Int.max }
        let m = (5 * sd / (fraction * expectedError))
        return Int((m * m).rounded(.up))
    }
}
