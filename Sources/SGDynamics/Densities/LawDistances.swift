import Foundation

/// Total variation, Kullback–Leibler (`ε` added to every cell of both laws, then renormalised) and
/// Wasserstein-1 between two laws on one 1-D grid (docs/THEORY.md §7.4, §8.4).
public struct LawDistances: Sendable, Equatable {
    /// `½ Σ |p_j − q_j|`.
    public var tv: Double
    /// `Σ p_j log(p_j/q_j)` after regularisation.
    public var kl: Double
    /// `Σ |F_p − F_q| Δx`.
    public var w1: Double

    public init(_ p: Density1D, _ q: Density1D, regularization: Double = 1e-12) {
        tv = DensityDistance.totalVariation(p, q)
        kl = DensityDistance.kullbackLeibler(p, q, regularization: regularization)
        w1 = DensityDistance.wasserstein1(p, q)
    }
}
