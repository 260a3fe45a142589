import Foundation

/// The `m`-point Gauss–Hermite rule for the standard normal law, by Golub–Welsch: the nodes are
/// the eigenvalues of the Jacobi matrix `J` with `J_{k,k+1} = J_{k+1,k} = √(k+1)` (probabilists'
/// Hermite recurrence), the weights the squared first components of its unit eigenvectors:
///
///     E g(Z) ≈ Σ_q w_q g(z_q),   Z ~ N(0, 1),   Σ_q w_q = 1,
///
/// exact when `g` is a polynomial of degree at most `2m − 1` (docs/THEORY.md §8.3, SGLD's noise
/// in the master equation).
///
///     let rule = GaussHermite(points: 3)   // nodes −√3, 0, √3; weights 1/6, 2/3, 1/6
public struct GaussHermite: Sendable, Equatable {
    /// The nodes `z_q`, ascending.
    public let nodes: [Double]
    /// The weights `w_q > 0`, summing to 1.
    public let weights: [Double]

    /// The rule with `points ≥ 1` nodes (one node: `z = 0`, `w = 1`).
    public init(points m: Int) {
        precondition(m >= 1, "a Gauss–Hermite rule needs at least one point")
        if m == 1 { nodes = [0]; weights = [1]; return }
        var j = Matrix(rows: m, columns: m)
        for k in 0..<(m - 1) {
            let v = Double(k + 1).squareRoot()
            j[k, k + 1] = v
            j[k + 1, k] = v
        }
        let e = SymmetricEigen(j)
        var w = (0..<m).map { e.vectors[0, $0] * e.vectors[0, $0] }
        let s = w.reduce(0, +)
        for q in 0..<m { w[q] /= s }
        nodes = e.values
        weights = w
    }

    /// `Σ_q w_q g(z_q)`.
    public func expectation(_ g: (Double) -> Double) -> Double {
        var s = 0.0
        for (z, w) in zip(nodes, weights) { s += w * g(z) }
        return s
    }
}
