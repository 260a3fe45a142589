/// A probability law on a grid, stored as cell masses `p_k ≥ 0` with `Σ_k p_k = 1`
/// (docs/THEORY.md §7.2); the density value in cell `k` is `p_k / (cell size)`.
public protocol GridDensity: Sendable {
    /// The cell masses `p_k`.
    var masses: [Double] { get }
    /// The mass in the cells on the edge of the domain (the two end cells in 1-D, the rim in 2-D). When
    /// it is not negligible the domain is too small for the support of the law.
    var boundaryMass: Double { get }
}

extension GridDensity {
    /// `Σ_k p_k` (1 up to round-off for a conservative scheme).
    public var totalMass: Double {
        var s = 0.0
        for p in masses { s += p }
        return s
    }

    /// `min_k p_k` (non-negative for a positivity-preserving scheme).
    public var minimumMass: Double { masses.min() ?? 0 }
}
