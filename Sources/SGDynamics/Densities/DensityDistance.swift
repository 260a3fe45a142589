import Foundation

/// Distances between two laws on the same grid.
///
/// All three treat the masses as atoms at the nodes and normalise each law to mass 1 first.
public enum DensityDistance {
    /// Total variation `TV(p, q) = ½ Σ_k |p_k − q_k| ∈ [0, 1]`.
    public static func totalVariation<D: GridDensity>(_ p: D, _ q: D) -> Double {
        precondition(p.masses.count == q.masses.count, "totalVariation: the laws live on different grids")
        let sp = p.totalMass, sq = q.totalMass
        var s = 0.0
        for k in 0..<p.masses.count { s += abs(p.masses[k] / sp - q.masses[k] / sq) }
        return 0.5 * s
    }

    /// Kullback–Leibler divergence with a stated regularisation: `ε` mass is added to every cell of
    /// both laws before renormalising,
    ///
    ///     p̃_k = (p_k + ε)/(1 + N ε),   q̃_k = (q_k + ε)/(1 + N ε),   KL(p ‖ q) = Σ_k p̃_k log(p̃_k / q̃_k)
    ///
    /// (`N` cells). It is finite when `q` vanishes where `p` does not (then about `p_k log(p_k/ε)`) and
    /// differs from the unregularised value by `O(N ε log ε)` when both are positive. Default `ε = 10⁻¹²`.
    public static func kullbackLeibler<D: GridDensity>(_ p: D, _ q: D, regularization eps: Double = 1e-12) -> Double {
        precondition(p.masses.count == q.masses.count, "kullbackLeibler: the laws live on different grids")
        precondition(eps >= 0, "kullbackLeibler: the regularization must be non-negative")
        let n = Double(p.masses.count)
        let sp = p.totalMass + n * eps, sq = q.totalMass + n * eps
        var s = 0.0
        for k in 0..<p.masses.count {
            let a = (p.masses[k] + eps) / sp, b = (q.masses[k] + eps) / sq
            if a > 0 { s += a * log(a / b) }
        }
        return Swift.max(s, 0)
    }

    /// Wasserstein-1 distance in 1-D, exact for the atomic laws on the nodes:
    ///
    ///     W₁(p, q) = ∫ |F_p(x) − F_q(x)| dx = Σ_{j=0}^{n−2} |F_p(x_j) − F_q(x_j)| Δx,   F(x_j) = Σ_{i≤j} p_i
    public static func wasserstein1(_ p: Density1D, _ q: Density1D) -> Double {
        precondition(p.grid == q.grid, "wasserstein1: the laws live on different grids")
        let sp = p.totalMass, sq = q.totalMass
        var fp = 0.0, fq = 0.0, s = 0.0
        for j in 0..<(p.grid.count - 1) {
            fp += p.masses[j] / sp
            fq += q.masses[j] / sq
            s += abs(fp - fq)
        }
        return s * p.grid.spacing
    }
}
