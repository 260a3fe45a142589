import Foundation

/// Heavy ball `v' = μv − η∇f_B(θ)`, `θ' = θ + v'` on per-sample quadratics: the affine chain
/// `z' = M_B z + c_B` in `z = (θ, v)` with `M_B = [[a_B, μ], [a_B − 1, μ]]` and `c_B = (b_B, b_B)`
/// (`a_B`, `b_B` of the SGD chain). Its stationary mean is `(E b/(1 − E a), 0)` and its covariance
/// solves the Lyapunov equation `S = E[M S Mᵀ] + E[d dᵀ]`, `d_B = M_B m + c_B − m`
/// (docs/THEORY.md §6.4, §8.2).
public struct HeavyBallChain: Sendable, Equatable {
    public let chain: AffineChain
    public let momentum: Double

    public init(chain: AffineChain, momentum: Double) {
        self.chain = chain
        self.momentum = momentum
    }

    func matrix(_ k: Int) -> (Double, Double, Double, Double) {
        let a = chain.a[k]
        return (a, momentum, a - 1, momentum)
    }

    /// `L(S) = E[M S Mᵀ]` on a symmetric `S = (xx, xv, vv)`.
    public func apply(_ s: (Double, Double, Double)) -> (Double, Double, Double) {
        var r = (0.0, 0.0, 0.0)
        for k in 0..<chain.p.count {
            let (m00, m01, m10, m11) = matrix(k)
            let a00 = m00 * s.0 + m01 * s.1, a01 = m00 * s.1 + m01 * s.2
            let a10 = m10 * s.0 + m11 * s.1, a11 = m10 * s.1 + m11 * s.2
            let p = chain.p[k]
            r.0 += p * (a00 * m00 + a01 * m01)
            r.1 += p * (a00 * m10 + a01 * m11)
            r.2 += p * (a10 * m10 + a11 * m11)
        }
        return r
    }

    /// The spectral radius of `L` by power iteration on the cone of positive semidefinite matrices
    /// (the geometric mean of the growth over the second half of 4000 iterations); below 1 iff the
    /// second moments converge.
    public var spectralRadius: Double {
        var s = (1.0, 0.0, 1.0)
        var logGrowth = 0.0
        let n = 4000
        for i in 0..<n {
            s = apply(s)
            let norm = max(abs(s.0), abs(s.1), abs(s.2))
            guard norm > 0, norm.isFinite else { return norm == 0 ? 0 : .infinity }
            s = (s.0 / norm, s.1 / norm, s.2 / norm)
            if i >= n / 2 { logGrowth += log(norm) }
        }
        return exp(logGrowth / Double(n - n / 2))
    }

    /// The stationary θ-mean and the variances of θ and v; nil when `(I − L) S = Q` has no
    /// positive solution.
    public func stationary() -> (meanX: Double, varX: Double, varV: Double)? {
        let ea = chain.aMoment(1)
        let mx = chain.expectation { _, b in b } / (1 - ea)
        var q = (0.0, 0.0, 0.0)
        for k in 0..<chain.p.count {
            let (m00, _, m10, _) = matrix(k)
            let d0 = m00 * mx + chain.b[k] - mx, d1 = m10 * mx + chain.b[k]
            q.0 += chain.p[k] * d0 * d0; q.1 += chain.p[k] * d0 * d1; q.2 += chain.p[k] * d1 * d1
        }
        let cols = [apply((1, 0, 0)), apply((0, 1, 0)), apply((0, 0, 1))]
        var a = Matrix(rows: 3, columns: 3)
        for j in 0..<3 {
            let c = [cols[j].0, cols[j].1, cols[j].2]
            for i in 0..<3 { a[i, j] = (i == j ? 1 : 0) - c[i] }
        }
        guard let sol = try? a.solve([q.0, q.1, q.2]), sol[0] > 0, sol[2] > 0 else { return nil }
        return (mx, sol[0], sol[2])
    }
}
