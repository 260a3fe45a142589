/// A finite sum `f = (1/n) Σᵢ fᵢ` whose per-sample Hessians `Hᵢ(x) = ∇²fᵢ(x)` are available exactly,
/// as products `v ↦ Hᵢ v` (docs/THEORY.md §10.2 needs them at a minimum: `H = (1/n)ΣHᵢ`,
/// `Σ_H = (1/n)ΣHᵢ² − H²`).
public protocol SampleHessianObjective: FiniteSumObjective {
    /// `hv ← hv + scale · ∇²fᵢ(x) v` (accumulating, like ``FiniteSumObjective/addSampleGradient(_:_:scale:into:)``).
    func addSampleHessianVectorProduct(_ i: Int, _ x: [Double], _ v: [Double], scale: Double, into hv: inout [Double])
}

extension SampleHessianObjective {
    /// `∇²fᵢ(x)` as a `d × d` matrix from `d` products, symmetrized.
    public func sampleHessian(_ i: Int, _ x: [Double]) -> Matrix {
        let d = dimension
        var h = Matrix(rows: d, columns: d)
        var e = [Double](repeating: 0, count: d), col = e
        for j in 0..<d {
            e[j] = 1
            for r in 0..<d { col[r] = 0 }
            addSampleHessianVectorProduct(i, x, e, scale: 1, into: &col)
            e[j] = 0
            for r in 0..<d { h[r, j] = col[r] }
        }
        return h.symmetrized
    }

    /// All `n` per-sample Hessians at `x`.
    public func sampleHessians(at x: [Double]) -> [Matrix] {
        (0..<sampleCount).map { sampleHessian($0, x) }
    }
}

extension FiniteSumObjective {
    /// Per-sample Hessians by central differences of per-sample gradients,
    /// `(∇fᵢ(x + εeⱼ) − ∇fᵢ(x − εeⱼ))/(2ε)`, `ε = 10⁻⁵ max(1, |xⱼ|)`, symmetrized. Truncation error
    /// `O(ε²)`; exact up to round-off for quadratic `fᵢ`. For objectives without exact per-sample
    /// Hessians (``SampleHessianObjective``).
    public func finiteDifferenceSampleHessians(at x: [Double]) -> [Matrix] {
        let n = sampleCount, d = dimension
        var hs = [Matrix](repeating: Matrix(rows: d, columns: d), count: n)
        var xp = x, gp = [Double](repeating: 0, count: d), gm = gp
        for j in 0..<d {
            let eps = 1e-5 * Swift.max(1, Swift.abs(x[j]))
            for i in 0..<n {
                for r in 0..<d { gp[r] = 0; gm[r] = 0 }
                xp[j] = x[j] + eps
                addSampleGradient(i, xp, scale: 1, into: &gp)
                xp[j] = x[j] - eps
                addSampleGradient(i, xp, scale: 1, into: &gm)
                xp[j] = x[j]
                for r in 0..<d { hs[i][r, j] = (gp[r] - gm[r]) / (2 * eps) }
            }
        }
        return hs.map(\.symmetrized)
    }
}
