import Foundation

/// One axis of a density grid as a user gives it: `count` nodes from `lower` to `upper`
/// (`lower:upper:count` on the command line). `Codable`, so it is part of a study's configuration.
public struct GridAxis: Codable, Sendable, Equatable {
    public var lower: Double
    public var upper: Double
    public var count: Int

    public init(lower: Double, upper: Double, count: Int) {
        self.lower = lower
        self.upper = upper
        self.count = count
    }

    /// The node spacing `(upper − lower)/(count − 1)`.
    public var spacing: Double { (upper - lower) / Double(count - 1) }

    /// The library grid (throws `ConfigurationError` on `grid` for an invalid axis).
    public func grid() throws -> Grid1D {
        do { return try Grid1D(lower: lower, upper: upper, count: count) } catch let e as ConfigurationError { throw e.renamed("grid") }
    }

    /// `ConfigurationError(field:)` unless every axis has finite `lower < upper` and 3 to 2 000 001
    /// nodes, and there are at most `maximumAxes` axes.
    public static func validate(_ axes: [GridAxis], field: String = "grid", maximumAxes: Int) throws {
        guard !axes.isEmpty, axes.count <= maximumAxes else {
            throw ConfigurationError(field: field, "\(axes.count) axes given; this study supports \(maximumAxes == 1 ? "1-D grids (lower:upper:count)" : "1-D (lower:upper:count) and 2-D (lower:upper:count,lower:upper:count) grids")")
        }
        for a in axes {
            guard a.lower.isFinite, a.upper.isFinite, a.lower < a.upper else {
                throw ConfigurationError(field: field, "needs finite lower < upper on every axis, got \(NumberText.short(a.lower, 6)):\(NumberText.short(a.upper, 6))")
            }
            guard a.count >= 3 else { throw ConfigurationError(field: field, "needs at least 3 nodes per axis, got \(a.count)") }
            guard a.count <= 2_000_001 else { throw ConfigurationError(field: field, "at most 2000001 nodes per axis, got \(a.count)") }
        }
    }

    /// A grid covering every range of `cover` (their union) with `Δx ≤ resolution/20`, odd node
    /// count, 601 to 20001 nodes.
    public static func covering(_ cover: [ClosedRange<Double>], resolution: Double) -> GridAxis {
        let lo = cover.map(\.lowerBound).min()!, hi = cover.map(\.upperBound).max()!
        let needed = ((hi - lo) / (resolution / 20)).rounded(.up) + 1
        let n = needed.isFinite && needed < 1e9 ? Int(needed) : 20_001
        return GridAxis(lower: lo, upper: hi, count: min(max(601, n | 1), 20_001))
    }

    /// `ConfigurationError` on `field` unless `Δx ≤ sd/5` resolves a law of standard deviation `sd`.
    public func checkResolution(sd: Double, what: String, field: String = "grid") throws {
        let limit = sd / 5
        if spacing > limit {
            let nodes = ((upper - lower) / limit).rounded(.up) + 1
            throw ConfigurationError(field: field, "Δx = \(NumberText.short(spacing)) is too coarse for \(what) (standard deviation \(NumberText.short(sd))); use Δx ≤ \(NumberText.short(limit)), i.e. at least \(nodes < 1e15 ? "\(Int(nodes))" : NumberText.short(nodes)) nodes on [\(NumberText.short(lower)), \(NumberText.short(upper))]")
        }
    }
}

extension ClosedRange where Bound == Double {
    /// The range padded by `fraction` of its width on each side.
    public func padded(by fraction: Double = 0.25) -> ClosedRange<Double> {
        let pad = fraction * (upperBound - lowerBound)
        return (lowerBound - pad)...(upperBound + pad)
    }

    /// `m ± k·sd`.
    public static func around(_ m: Double, _ sd: Double, _ k: Double) -> ClosedRange<Double> { (m - k * sd)...(m + k * sd) }
}
