import Foundation

/// A probability law on a ``Grid1D``, stored as cell masses `p_j` (docs/THEORY.md §7.2):
///
///     Σ_j p_j = 1,   density value at x_j:  p_j / Δx
///
/// Moments treat the masses as atoms at the nodes and are taken of the **normalised** masses
/// `p_j / Σ_i p_i` (so they are meaningful even while mass is being checked):
///
///     mean m = Σ_j x_j p_j,   central moments μ_k = Σ_j (x_j − m)^k p_j,   excess kurtosis μ_4/μ_2² − 3
public struct Density1D: GridDensity, Equatable {
    public let grid: Grid1D
    public var masses: [Double]

    /// Masses as given (no normalisation). `masses.count` must equal `grid.count` (a precondition).
    public init(grid: Grid1D, masses: [Double]) {
        precondition(masses.count == grid.count, "Density1D: \(masses.count) masses for a grid of \(grid.count) nodes")
        self.grid = grid
        self.masses = masses
    }

    /// Non-negative weights normalised to mass 1.
    ///
    /// Throws ``ConfigurationError`` (field `weights`) if a weight is negative or not finite, or all are zero.
    public init(grid: Grid1D, weights: [Double]) throws {
        precondition(weights.count == grid.count, "Density1D: \(weights.count) weights for a grid of \(grid.count) nodes")
        var s = 0.0
        for (j, w) in weights.enumerated() {
            guard w.isFinite, w >= 0 else {
                throw ConfigurationError(field: "weights", "must be finite and non-negative; weight \(j) is \(w)")
            }
            s += w
        }
        guard s > 0 else { throw ConfigurationError(field: "weights", "must not all be zero") }
        self.init(grid: grid, masses: weights.map { $0 / s })
    }

    /// The normalised Gibbs weights on the nodes (docs/THEORY.md §6.1, §7.2):
    ///
    ///     g_j = e^{−L(x_j)/D} / Σ_i e^{−L(x_i)/D}
    ///
    /// computed as `e^{−(L_j − min L)/D}` so that nothing overflows. Throws ``ConfigurationError`` for
    /// `D ≤ 0` (field `temperature`) or a non-finite `L(x_j)` (field `potential`).
    public static func gibbs(grid: Grid1D, temperature D: Double, potential: (Double) -> Double) throws -> Density1D {
        guard D.isFinite, D > 0 else {
            throw ConfigurationError(field: "temperature", "must be a positive finite number, got \(D)")
        }
        var l = [Double](repeating: 0, count: grid.count)
        for j in 0..<grid.count {
            l[j] = potential(grid[j])
            guard l[j].isFinite else {
                throw ConfigurationError(field: "potential", "must be finite on the grid; L(\(grid[j])) = \(l[j])")
            }
        }
        let lmin = l.min()!
        return try Density1D(grid: grid, weights: l.map { exp(-($0 - lmin) / D) })
    }

    /// The normal law `N(mean, variance)` sampled at the nodes and normalised, `p_j ∝ e^{−(x_j−m)²/(2v)}`.
    /// Throws ``ConfigurationError`` for `variance ≤ 0` or when no node carries weight.
    public static func gaussian(grid: Grid1D, mean: Double, variance: Double) throws -> Density1D {
        guard variance.isFinite, variance > 0 else {
            throw ConfigurationError(field: "variance", "must be a positive finite number, got \(variance)")
        }
        return try Density1D(grid: grid, weights: grid.nodes.map { exp(-($0 - mean) * ($0 - mean) / (2 * variance)) })
    }

    /// A unit mass at `x`, split linearly between the two nearest nodes (cloud in cell, so the mean is
    /// exactly `x`); clamped to the grid ends.
    public static func pointMass(at x: Double, grid: Grid1D) -> Density1D {
        var m = [Double](repeating: 0, count: grid.count)
        let (i, w, _) = grid.cloudInCell(x)
        m[i] += 1 - w
        m[i + 1] += w
        return Density1D(grid: grid, masses: m)
    }

    /// Density values `p_j / Δx`.
    public var densities: [Double] { masses.map { $0 / grid.spacing } }

    /// `p_0 + p_{n−1}`.
    public var boundaryMass: Double { masses[0] + masses[grid.count - 1] }

    /// `Σ_j x_j p_j / Σ_j p_j`.
    public var mean: Double {
        var s = 0.0, m = 0.0
        for j in 0..<grid.count { s += grid[j] * masses[j]; m += masses[j] }
        return s / m
    }

    /// The central moment `μ_k = Σ_j (x_j − m)^k p_j / Σ_j p_j`.
    public func centralMoment(_ k: Int) -> Double {
        let m = mean
        var s = 0.0, total = 0.0
        for j in 0..<grid.count {
            s += pow(grid[j] - m, Double(k)) * masses[j]
            total += masses[j]
        }
        return s / total
    }

    /// `μ_2`.
    public var variance: Double { centralMoment(2) }

    /// `μ_4/μ_2² − 3` (0 for a normal law, −1.2 for a uniform one).
    public var excessKurtosis: Double {
        let v = variance
        return centralMoment(4) / (v * v) - 3
    }

    /// Cumulative masses `F_j = Σ_{i ≤ j} p_i`.
    public var cumulative: [Double] {
        var c = masses
        for j in 1..<c.count { c[j] += c[j - 1] }
        return c
    }

    /// `Σ p_j` over the nodes with `x_j ∈ range`.
    public func mass(in range: ClosedRange<Double>) -> Double {
        var s = 0.0
        for j in 0..<grid.count where range.contains(grid[j]) { s += masses[j] }
        return s
    }

    /// Throws ``ConfigurationError`` (field `grid`) if more than `tolerance` mass lies in the two end cells:
    /// the domain is then too small for the support, and a zero-flux or clamped boundary changes the law.
    public func checkSupport(tolerance: Double = 1e-6) throws {
        let b = boundaryMass
        if b > tolerance {
            throw ConfigurationError(field: "grid", "the domain [\(grid.lower), \(grid.upper)] is too small for the support: mass \(b) (> \(tolerance)) lies in the end cells; widen lower/upper")
        }
    }
}
