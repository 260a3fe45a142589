import Foundation

/// Tail index `α̂` of i.i.d. samples by the Mohammadi–Mohammadpour–Ogata estimator, as used by
/// Şimşekli, Sagun & Gürbüzbalaban (docs/THEORY.md §9), with a confidence interval.
///
/// From `K = K₁K₂` samples `Xᵢ` form block sums `Y_i = Σ_{j=1}^{K₁} X_{j+(i−1)K₁}`, `i = 1…K₂`; then
///
///     1/α̂ = (1/log K₁) · [ (1/K₂) Σᵢ log|Yᵢ| − (1/K) Σᵢ log|Xᵢ| ]
///
/// which works because `Y =_d K₁^{1/α} X` for a stable law. For `d`-vectors the block sums are vector
/// sums and `|·|` is the Euclidean norm (as in the public `alpha_estimator` code).
///
/// **Interval (independent groups).** The sample is cut into `G` consecutive groups of `m` whole
/// blocks each (`m = ⌊K/(G K₁)⌋`; samples beyond `G m K₁` are not used). Each group gives its own
/// `1/α̂_g`; because the groups have equal size, the whole-sample `1/α̂` is exactly their mean. The
/// groups are independent, so the standard error of `1/α̂` is `s_G/√G` (`s_G` the sample standard
/// deviation of the `1/α̂_g`), and a 95% interval for `1/α` is `1/α̂ ± t_{0.975, G−1} · s_G/√G`; it is
/// inverted (a monotone map) to give the interval for `α`, which is therefore asymmetric. The
/// reported ``standardError`` of `α̂` is the delta-method value `α̂² · SE(1/α̂)`.
///
/// - Reference: M. Mohammadi, A. Mohammadpour, H. Ogata, *On estimating the tail index and the
///   spectral measure of multivariate α-stable distributions*, Metrika 78 (2015) 549–561;
///   U. Şimşekli, L. Sagun, M. Gürbüzbalaban, ICML 2019.
public struct TailIndexEstimate: Sendable, Equatable, CustomStringConvertible {
    /// `α̂` (not clipped to `(0, 2]`; a finite-variance law gives values near or above 2).
    public let alpha: Double
    /// `1/α̂`.
    public let inverseAlpha: Double
    /// Delta-method standard error of `α̂`: `α̂² · SE(1/α̂)`.
    public let standardError: Double
    /// 95% interval for `α` (from the t interval for `1/α`; `upper` is `+∞` when that interval reaches 0).
    public let lower: Double
    public let upper: Double
    /// Block length `K₁`.
    public let blockSize: Int
    /// Blocks used, `K₂ = G m`.
    public let blockCount: Int
    /// Samples used, `K = K₁ K₂`.
    public let sampleCount: Int
    /// Number of independent groups `G` behind the interval.
    public let groups: Int
    /// `α̂_g` of each group.
    public let groupEstimates: [Double]

    /// The estimator from per-sample and per-block log-magnitudes, already computed:
    /// `logMagnitudes[i] = log|Xᵢ|` for `i < K₁ K₂'` and `blockLogMagnitudes[i] = log|Yᵢ|` for the
    /// `K₂'` consecutive blocks (streaming use, where the samples are never stored).
    ///
    /// Throws ``ConfigurationError`` when `K₁ < 2`, `G < 2`, there are fewer than `G` blocks, the
    /// two arrays disagree, or a magnitude is zero or non-finite (the logarithm is then undefined).
    public init(logMagnitudes: [Double], blockLogMagnitudes: [Double], blockSize k1: Int, groups g: Int = 10) throws {
        guard k1 >= 2 else {
            throw ConfigurationError(field: "blockSize", "the block length K₁ must be at least 2, got \(k1)")
        }
        guard g >= 2 else {
            throw ConfigurationError(field: "groups", "the interval needs at least 2 independent groups, got \(g)")
        }
        guard logMagnitudes.count >= blockLogMagnitudes.count * k1 else {
            throw ConfigurationError(field: "logMagnitudes",
                "\(blockLogMagnitudes.count) blocks of \(k1) need \(blockLogMagnitudes.count * k1) samples, got \(logMagnitudes.count)")
        }
        let m = blockLogMagnitudes.count / g
        guard m >= 1 else {
            throw ConfigurationError(field: "samples",
                "need at least G·K₁ = \(g * k1) samples (G = \(g) groups of whole blocks of K₁ = \(k1)), got \(blockLogMagnitudes.count * k1)")
        }
        let logK1 = Foundation.log(Double(k1))
        var inverse = [Double](repeating: 0, count: g)
        for grp in 0..<g {
            var sy = 0.0, sx = 0.0
            for blk in (grp * m)..<((grp + 1) * m) {
                sy += blockLogMagnitudes[blk]
                for j in (blk * k1)..<((blk + 1) * k1) { sx += logMagnitudes[j] }
            }
            inverse[grp] = (sy / Double(m) - sx / Double(m * k1)) / logK1
        }
        guard inverse.allSatisfy(\.isFinite) else {
            throw ConfigurationError(field: "samples",
                "a sample or block sum has zero or non-finite magnitude, so log|X| is undefined; the tail index needs a continuous law")
        }
        let mean = inverse.reduce(0, +) / Double(g)
        var ss = 0.0
        for v in inverse { ss += (v - mean) * (v - mean) }
        let se = (ss / Double(g - 1) / Double(g)).squareRoot()
        let t = OrderFit.studentT975(df: g - 1)
        let lo = mean - t * se, hi = mean + t * se
        self.inverseAlpha = mean
        self.alpha = 1 / mean
        self.standardError = se / (mean * mean)
        self.lower = 1 / hi
        self.upper = lo > 0 ? 1 / lo : .infinity
        self.blockSize = k1
        self.blockCount = g * m
        self.sampleCount = g * m * k1
        self.groups = g
        self.groupEstimates = inverse.map { 1 / $0 }
    }

    /// The estimator on scalar samples `x` (block sums of consecutive samples).
    public static func scalars(_ x: [Double], blockSize k1: Int = 100, groups g: Int = 10) throws -> TailIndexEstimate {
        guard k1 >= 2 else {
            throw ConfigurationError(field: "blockSize", "the block length K₁ must be at least 2, got \(k1)")
        }
        let blocks = x.count / k1
        var logX = [Double](repeating: 0, count: blocks * k1)
        var logY = [Double](repeating: 0, count: blocks)
        for b in 0..<blocks {
            var s = 0.0
            for j in (b * k1)..<((b + 1) * k1) {
                s += x[j]
                logX[j] = Foundation.log(Swift.abs(x[j]))
            }
            logY[b] = Foundation.log(Swift.abs(s))
        }
        return try TailIndexEstimate(logMagnitudes: logX, blockLogMagnitudes: logY, blockSize: k1, groups: g)
    }

    /// The estimator on `d`-vectors stored row by row in `flat` (`count · d` numbers): block sums are
    /// vector sums, magnitudes Euclidean norms.
    public static func vectors(flat: [Double], dimension d: Int, blockSize k1: Int = 100, groups g: Int = 10) throws
        -> TailIndexEstimate
    {
        precondition(d >= 1 && flat.count % d == 0, "TailIndexEstimate: \(flat.count) numbers are not whole \(d)-vectors")
        guard k1 >= 2 else {
            throw ConfigurationError(field: "blockSize", "the block length K₁ must be at least 2, got \(k1)")
        }
        let count = flat.count / d
        let blocks = count / k1
        var logX = [Double](repeating: 0, count: blocks * k1)
        var logY = [Double](repeating: 0, count: blocks)
        var sum = [Double](repeating: 0, count: d)
        for b in 0..<blocks {
            for c in 0..<d { sum[c] = 0 }
            for j in (b * k1)..<((b + 1) * k1) {
                var nn = 0.0
                for c in 0..<d {
                    let v = flat[j * d + c]
                    nn += v * v
                    sum[c] += v
                }
                logX[j] = 0.5 * Foundation.log(nn)
            }
            logY[b] = 0.5 * Foundation.log(Vec.dot(sum, sum))
        }
        return try TailIndexEstimate(logMagnitudes: logX, blockLogMagnitudes: logY, blockSize: k1, groups: g)
    }

    /// The estimator on a list of `d`-vectors.
    public static func vectors(_ x: [[Double]], blockSize k1: Int = 100, groups g: Int = 10) throws -> TailIndexEstimate {
        guard let d = x.first?.count, d >= 1 else {
            throw ConfigurationError(field: "samples", "need at least one non-empty vector")
        }
        precondition(x.allSatisfy { $0.count == d }, "TailIndexEstimate: vectors of different lengths")
        return try vectors(flat: x.flatMap { $0 }, dimension: d, blockSize: k1, groups: g)
    }

    public var description: String {
        String(format: "α̂ = %.4f (95%% CI %.4f … %.4f; K = %d, K₁ = %d, %d groups)",
               alpha, lower, upper, sampleCount, blockSize, groups)
    }
}
