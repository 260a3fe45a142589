/// A uniform 1-D grid of `count` nodes (cell centres) from `lower` to `upper` inclusive
/// (docs/THEORY.md §7.2):
///
///     x_j = x_0 + j Δx,   j = 0, …, n−1,   x_0 = lower,   x_{n−1} = upper,   Δx = (upper − lower)/(n − 1)
///
/// Node `j` is the centre of cell `[x_j − Δx/2, x_j + Δx/2]`; a density on the grid is stored as the
/// cell masses `p_j` (``Density1D``). Nodes are computed as `((n−1−j)·lower + j·upper)/(n−1)`, so both
/// ends are exact and a grid symmetric about 0 is symmetric to the last bit (`x = 0` and `x = 1` on
/// `[−3, 3]` with 121 nodes are exactly 0 and 1).
public struct Grid1D: Sendable, Equatable, CustomStringConvertible {
    public let lower: Double
    public let upper: Double
    /// Number of nodes `n ≥ 3`.
    public let count: Int
    /// `Δx = (upper − lower)/(n − 1)`.
    public let spacing: Double

    /// `count` nodes from `lower` to `upper` inclusive.
    ///
    /// Throws ``ConfigurationError`` unless `lower < upper` are finite and `count ≥ 3`.
    public init(lower: Double, upper: Double, count: Int) throws {
        guard lower.isFinite, upper.isFinite, lower < upper else {
            throw ConfigurationError(field: "grid", "needs finite lower < upper, got [\(lower), \(upper)]")
        }
        guard count >= 3 else {
            throw ConfigurationError(field: "grid.count", "must be at least 3 nodes, got \(count)")
        }
        self.lower = lower
        self.upper = upper
        self.count = count
        self.spacing = (upper - lower) / Double(count - 1)
        guard spacing > 0, spacing.isFinite else {
            throw ConfigurationError(field: "grid.count", "\(count) nodes on [\(lower), \(upper)] give no usable spacing")
        }
    }

    /// `count` nodes `lower, lower + Δx, …, lower + (count−1)Δx`.
    ///
    /// Throws ``ConfigurationError`` unless `spacing > 0` and `lower` are finite and `count ≥ 3`.
    public init(lower: Double, spacing: Double, count: Int) throws {
        guard spacing.isFinite, spacing > 0 else {
            throw ConfigurationError(field: "grid.spacing", "must be a positive finite number, got \(spacing)")
        }
        guard count >= 3 else {
            throw ConfigurationError(field: "grid.count", "must be at least 3 nodes, got \(count)")
        }
        try self.init(lower: lower, upper: lower + Double(count - 1) * spacing, count: count)
    }

    /// Node `x_j`.
    @inlinable
    public subscript(j: Int) -> Double {
        let n1 = Double(count - 1)
        return (Double(count - 1 - j) * lower + Double(j) * upper) / n1
    }

    /// All nodes `x_0, …, x_{n−1}`.
    public var nodes: [Double] { (0..<count).map { self[$0] } }

    /// The face `x_{j+½} = (x_j + x_{j+1})/2` between cells `j` and `j+1`, `j = 0, …, n−2`.
    @inlinable
    public func face(_ j: Int) -> Double { 0.5 * (self[j] + self[j + 1]) }

    /// The node nearest to `x` (clamped to the grid).
    public func nearestIndex(_ x: Double) -> Int {
        let r = ((x - lower) / spacing).rounded()
        if !(r > 0) { return 0 }
        return r >= Double(count - 1) ? count - 1 : Int(r)
    }

    /// Cloud-in-cell (linear) location of `y`: `y = (1 − w) x_i + w x_{i+1}` with `0 ≤ i ≤ n−2`,
    /// `w ∈ [0, 1]` (docs/THEORY.md §8.3). A point outside `[lower, upper]` is clamped to the nearer end
    /// (`w = 0` at `i = 0`, or `w = 1` at `i = n−2`) and `clamped` is true; points within `10⁻⁹Δx` of an
    /// end count as inside (round-off in `T(x)`). NaN is clamped to the lower end.
    @inlinable
    public func cloudInCell(_ y: Double) -> (index: Int, weight: Double, clamped: Bool) {
        let s = (y - lower) / spacing
        let last = Double(count - 1)
        if !(s >= 0) { return (0, 0, !(s >= -1e-9)) }
        if s >= last { return (count - 2, 1, s > last + 1e-9) }
        var i = Int(s)
        if i > count - 2 { i = count - 2 }
        return (i, s - Double(i), false)
    }

    public var description: String { "[\(lower), \(upper)] with \(count) nodes, Δx = \(spacing)" }
}
