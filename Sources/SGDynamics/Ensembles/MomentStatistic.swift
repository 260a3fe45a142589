/// Mergeable running moments of a vector of values: count, mean and sum of squared deviations per
/// value (Welford), plus the co-moment matrix of the first `coDimension` values (the position).
///
/// `merge` uses Chan et al.'s pairwise update; it is exact in real arithmetic and, because ensembles
/// always merge blocks in the same order, bitwise reproducible.
/// - Reference: Chan, Golub & LeVeque, *Algorithms for computing the sample variance*, 1983.
public struct MomentStatistic: Sendable, Codable, Equatable {
    public var count: Int
    public var mean: [Double]
    /// Σ (v − mean)² per value.
    public var m2: [Double]
    /// Row-major `c × c` co-moments Σ (vᵢ − meanᵢ)(vⱼ − meanⱼ) of the first `c` values.
    public var comoment: [Double]
    public let coDimension: Int

    public init(values n: Int, coDimension c: Int) {
        precondition(c <= n)
        count = 0
        mean = [Double](repeating: 0, count: n)
        m2 = [Double](repeating: 0, count: n)
        comoment = [Double](repeating: 0, count: c * c)
        coDimension = c
    }

    /// Add one observation (Welford). `v.count` must equal the number of values.
    @inlinable
    public mutating func add(_ v: [Double]) {
        count += 1
        let w = 1 / Double(count)
        let c = coDimension
        if c > 0 {
            // co-moment update uses the deviation from the old mean and the new mean
            for i in 0..<c {
                let di = v[i] - mean[i]
                for j in 0..<c {
                    let djNew = v[j] - (mean[j] + (v[j] - mean[j]) * w)
                    comoment[i * c + j] += di * djNew
                }
            }
        }
        for i in 0..<v.count {
            let d = v[i] - mean[i]
            mean[i] += d * w
            m2[i] += d * (v[i] - mean[i])
        }
    }

    /// Combine with the statistics of a disjoint set of observations.
    public mutating func merge(_ o: MomentStatistic) {
        if o.count == 0 { return }
        if count == 0 { self = o; return }
        let n1 = Double(count), n2 = Double(o.count), n = n1 + n2
        let c = coDimension
        for i in 0..<c {
            for j in 0..<c {
                comoment[i * c + j] += o.comoment[i * c + j] + (o.mean[i] - mean[i]) * (o.mean[j] - mean[j]) * n1 * n2 / n
            }
        }
        for i in 0..<mean.count {
            let d = o.mean[i] - mean[i]
            m2[i] += o.m2[i] + d * d * n1 * n2 / n
            mean[i] += d * n2 / n
        }
        count += o.count
    }

    /// Unbiased sample variance of value `i` (divides by `count − 1`).
    public func variance(_ i: Int) -> Double { count > 1 ? m2[i] / Double(count - 1) : .nan }

    /// Standard error of the mean of value `i`.
    public func standardError(_ i: Int) -> Double { (variance(i) / Double(count)).squareRoot() }

    /// Sample covariance matrix of the first `coDimension` values.
    public var covariance: Matrix {
        let c = coDimension
        var m = Matrix(rows: c, columns: c)
        guard count > 1 else { return m }
        for i in 0..<(c * c) { m.storage[i] = comoment[i] / Double(count - 1) }
        return m
    }
}

/// A fixed-bin histogram of one value; counts merge exactly.
public struct Histogram: Sendable, Codable, Equatable {
    public let lower: Double
    public let upper: Double
    public var counts: [Int]
    /// Observations below `lower` / above `upper`.
    public var underflow = 0
    public var overflow = 0

    public init(lower: Double, upper: Double, bins: Int) {
        precondition(upper > lower && bins > 0)
        self.lower = lower
        self.upper = upper
        counts = [Int](repeating: 0, count: bins)
    }

    @inlinable
    public mutating func add(_ v: Double) {
        if v < lower { underflow += 1; return }
        if v >= upper { overflow += 1; return }
        let k = Int((v - lower) / (upper - lower) * Double(counts.count))
        counts[Swift.min(k, counts.count - 1)] += 1
    }

    public mutating func merge(_ o: Histogram) {
        for i in 0..<counts.count { counts[i] += o.counts[i] }
        underflow += o.underflow
        overflow += o.overflow
    }

    public var total: Int { counts.reduce(0, +) + underflow + overflow }
    public var binWidth: Double { (upper - lower) / Double(counts.count) }
    /// Density estimate per bin (count / (total · width)).
    public var density: [Double] { counts.map { Double($0) / (Double(Swift.max(total, 1)) * binWidth) } }
}
