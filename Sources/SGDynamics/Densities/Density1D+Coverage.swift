import Foundation

extension Density1D {
    /// `ConfigurationError` on `field` when this reference law has mass above `10⁻⁶` in the end
    /// cells: the domain cuts it off, and distances to it would be wrong.
    public func checkCovered(what: String, field: String = "grid") throws {
        if boundaryMass > 1e-6 {
            throw ConfigurationError(field: field, "the domain [\(NumberText.short(grid.lower)), \(NumberText.short(grid.upper))] cuts off \(what): mass \(NumberText.short(boundaryMass, 3)) in the end cells (> 1e-6); widen lower/upper")
        }
    }

    /// The range of `x` where any of `laws` has a cell mass above `fraction` of its peak, padded by
    /// 5% (within the grid); nil when there is none.
    public static func visibleRange(_ laws: [Density1D], fraction: Double = 1e-4) -> ClosedRange<Double>? {
        guard let g = laws.first?.grid else { return nil }
        var lo = g.upper, hi = g.lower
        for p in laws {
            let top = p.masses.max() ?? 0
            for j in 0..<g.count where p.masses[j] > fraction * top { lo = min(lo, g[j]); hi = max(hi, g[j]) }
        }
        guard lo < hi else { return nil }
        let pad = 0.05 * (hi - lo)
        return max(g.lower, lo - pad)...min(g.upper, hi + pad)
    }

    /// `E x² = Σ_j x_j² p_j` over the cell masses.
    public var secondMoment: Double { zip(grid.nodes, masses).reduce(0) { $0 + $1.0 * $1.0 * $1.1 } }
}
