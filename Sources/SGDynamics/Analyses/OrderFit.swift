import Foundation

/// A least-squares fit `log err = a + p log h` over a step-size grid: the observed order `p` with a
/// 95% confidence interval from the regression's standard error and Student's t quantile.
public struct OrderFit: Sendable, CustomStringConvertible {
    public let order: Double
    public let intercept: Double
    /// Half-width of the 95% interval of `order` (NaN with only two points: no residual degrees of freedom).
    public let halfWidth: Double
    public let points: Int
    /// log₂ ratios of successive errors (local orders when `h` halves).
    public let localOrders: [Double]

    /// Fit over positive, finite `(h, err)` pairs. Needs at least two usable points.
    public init?(steps h: [Double], errors: [Double]) {
        let pairs = zip(h, errors).filter { $0.0 > 0 && $0.1 > 0 && $0.0.isFinite && $0.1.isFinite }
        guard pairs.count >= 2 else { return nil }
        let xs = pairs.map { Foundation.log($0.0) }, ys = pairs.map { Foundation.log($0.1) }
        let n = Double(xs.count)
        let mx = xs.reduce(0, +) / n, my = ys.reduce(0, +) / n
        var sxx = 0.0, sxy = 0.0
        for i in 0..<xs.count { sxx += (xs[i] - mx) * (xs[i] - mx); sxy += (xs[i] - mx) * (ys[i] - my) }
        guard sxx > 0 else { return nil }
        let p = sxy / sxx
        let a = my - p * mx
        var rss = 0.0
        for i in 0..<xs.count { let r = ys[i] - a - p * xs[i]; rss += r * r }
        if xs.count > 2 {
            let se = (rss / (n - 2) / sxx).squareRoot()
            halfWidth = OrderFit.studentT975(df: xs.count - 2) * se
        } else {
            halfWidth = .nan
        }
        order = p
        intercept = a
        points = xs.count
        var local: [Double] = []
        for i in 1..<pairs.count {
            local.append(Foundation.log(pairs[i - 1].1 / pairs[i].1) / Foundation.log(pairs[i - 1].0 / pairs[i].0))
        }
        localOrders = local
    }

    /// 97.5% quantile of Student's t with `df` degrees of freedom.
    public static func studentT975(df: Int) -> Double {
        let table: [Double] = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
                               2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
                               2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042]
        if df >= 1 && df <= table.count { return table[df - 1] }
        return df > 30 ? 1.96 + 2.4 / Double(df) : .nan
    }

    public var description: String {
        halfWidth.isNaN ? String(format: "%.3f", order) : String(format: "%.3f ± %.3f", order, halfWidth)
    }
}
