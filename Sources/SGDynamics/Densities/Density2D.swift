import Foundation

/// A probability law on a ``Grid2D``, stored as cell masses `p_k`, `k = i + n_x j`, `Σ_k p_k = 1`
/// (density value `p_k/(Δx Δy)`). Moments are those of the normalised masses as atoms at the nodes:
///
///     mean m = Σ_k (x_i, y_j) p_k,   covariance S = Σ_k ((x_i, y_j) − m)((x_i, y_j) − m)ᵀ p_k
public struct Density2D: GridDensity, Equatable {
    public let grid: Grid2D
    public var masses: [Double]

    /// Masses as given (no normalisation). `masses.count` must equal `grid.count` (a precondition).
    public init(grid: Grid2D, masses: [Double]) {
        precondition(masses.count == grid.count, "Density2D: \(masses.count) masses for a grid of \(grid.count) cells")
        self.grid = grid
        self.masses = masses
    }

    /// Non-negative weights normalised to mass 1. Throws ``ConfigurationError`` (field `weights`) if a
    /// weight is negative or not finite, or all are zero.
    public init(grid: Grid2D, weights: [Double]) throws {
        precondition(weights.count == grid.count, "Density2D: \(weights.count) weights for a grid of \(grid.count) cells")
        var s = 0.0
        for (k, w) in weights.enumerated() {
            guard w.isFinite, w >= 0 else {
                throw ConfigurationError(field: "weights", "must be finite and non-negative; weight \(k) is \(w)")
            }
            s += w
        }
        guard s > 0 else { throw ConfigurationError(field: "weights", "must not all be zero") }
        self.init(grid: grid, masses: weights.map { $0 / s })
    }

    /// The normalised Gibbs weights `g_k = e^{−L(x_i, y_j)/D} / Σ e^{−L/D}` (docs/THEORY.md §6.1), computed
    /// relative to `min L`. Throws ``ConfigurationError`` for `D ≤ 0` or a non-finite `L` on the grid.
    public static func gibbs(grid: Grid2D, temperature D: Double,
                             potential: (Double, Double) -> Double) throws -> Density2D {
        guard D.isFinite, D > 0 else {
            throw ConfigurationError(field: "temperature", "must be a positive finite number, got \(D)")
        }
        var l = [Double](repeating: 0, count: grid.count)
        for j in 0..<grid.y.count {
            for i in 0..<grid.x.count {
                let v = potential(grid.x[i], grid.y[j])
                guard v.isFinite else {
                    throw ConfigurationError(field: "potential", "must be finite on the grid; L(\(grid.x[i]), \(grid.y[j])) = \(v)")
                }
                l[grid.index(i, j)] = v
            }
        }
        let lmin = l.min()!
        return try Density2D(grid: grid, weights: l.map { exp(-($0 - lmin) / D) })
    }

    /// `N(mean, covariance)` sampled at the nodes and normalised. Throws ``ConfigurationError`` unless the
    /// covariance is 2 × 2 symmetric positive definite.
    public static func gaussian(grid: Grid2D, mean: [Double], covariance s: Matrix) throws -> Density2D {
        precondition(mean.count == 2, "Density2D.gaussian: mean must have 2 entries")
        let det = s.rows == 2 && s.columns == 2 ? s[0, 0] * s[1, 1] - s[0, 1] * s[1, 0] : -1
        guard det > 0, s[0, 0] > 0, abs(s[0, 1] - s[1, 0]) <= 1e-12 * max(abs(s[0, 1]), 1) else {
            throw ConfigurationError(field: "covariance", "must be a symmetric positive definite 2 × 2 matrix, got \(s)")
        }
        let p00 = s[1, 1] / det, p11 = s[0, 0] / det, p01 = -s[0, 1] / det
        var w = [Double](repeating: 0, count: grid.count)
        for j in 0..<grid.y.count {
            for i in 0..<grid.x.count {
                let dx = grid.x[i] - mean[0], dy = grid.y[j] - mean[1]
                w[grid.index(i, j)] = exp(-0.5 * (p00 * dx * dx + 2 * p01 * dx * dy + p11 * dy * dy))
            }
        }
        return try Density2D(grid: grid, weights: w)
    }

    /// A unit mass at `(x, y)`, split bilinearly between the four nearest nodes (clamped to the grid).
    public static func pointMass(at x: Double, _ y: Double, grid: Grid2D) -> Density2D {
        var m = [Double](repeating: 0, count: grid.count)
        let (i, wx, _) = grid.x.cloudInCell(x)
        let (j, wy, _) = grid.y.cloudInCell(y)
        m[grid.index(i, j)] += (1 - wx) * (1 - wy)
        m[grid.index(i + 1, j)] += wx * (1 - wy)
        m[grid.index(i, j + 1)] += (1 - wx) * wy
        m[grid.index(i + 1, j + 1)] += wx * wy
        return Density2D(grid: grid, masses: m)
    }

    /// Density values `p_k / (Δx Δy)`.
    public var densities: [Double] { masses.map { $0 / grid.cellArea } }

    /// Mass in the cells on the rim of the rectangle.
    public var boundaryMass: Double {
        var s = 0.0
        for k in 0..<grid.count where grid.isBoundary(k) { s += masses[k] }
        return s
    }

    /// The marginal law of `x`: `Σ_j p_{i j}`.
    public var marginalX: Density1D {
        var m = [Double](repeating: 0, count: grid.x.count)
        for j in 0..<grid.y.count { for i in 0..<grid.x.count { m[i] += masses[grid.index(i, j)] } }
        return Density1D(grid: grid.x, masses: m)
    }

    /// The marginal law of `y`: `Σ_i p_{i j}`.
    public var marginalY: Density1D {
        var m = [Double](repeating: 0, count: grid.y.count)
        for j in 0..<grid.y.count { for i in 0..<grid.x.count { m[j] += masses[grid.index(i, j)] } }
        return Density1D(grid: grid.y, masses: m)
    }

    /// `(E x, E y)` of the normalised masses.
    public var mean: [Double] {
        var sx = 0.0, sy = 0.0, total = 0.0
        for j in 0..<grid.y.count {
            for i in 0..<grid.x.count {
                let p = masses[grid.index(i, j)]
                sx += grid.x[i] * p; sy += grid.y[j] * p; total += p
            }
        }
        return [sx / total, sy / total]
    }

    /// The 2 × 2 covariance of the normalised masses.
    public var covariance: Matrix {
        let m = mean
        var sxx = 0.0, sxy = 0.0, syy = 0.0, total = 0.0
        for j in 0..<grid.y.count {
            let dy = grid.y[j] - m[1]
            for i in 0..<grid.x.count {
                let p = masses[grid.index(i, j)]
                let dx = grid.x[i] - m[0]
                sxx += dx * dx * p; sxy += dx * dy * p; syy += dy * dy * p; total += p
            }
        }
        return Matrix([[sxx / total, sxy / total], [sxy / total, syy / total]])
    }

    /// Throws ``ConfigurationError`` (field `grid`) if more than `tolerance` mass lies in the rim cells.
    public func checkSupport(tolerance: Double = 1e-6) throws {
        let b = boundaryMass
        if b > tolerance {
            throw ConfigurationError(field: "grid", "the domain x ∈ [\(grid.x.lower), \(grid.x.upper)], y ∈ [\(grid.y.lower), \(grid.y.upper)] is too small for the support: mass \(b) (> \(tolerance)) lies in the rim cells; widen it")
        }
    }
}
