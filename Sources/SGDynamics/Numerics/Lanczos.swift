/// Extreme eigenvalues of a symmetric operator known only through products `v ↦ A v`
/// (for example a Hessian through Hessian-vector products).
///
/// Lanczos iteration with full reorthogonalization; the Ritz values of the `m × m` tridiagonal
/// approximate the extreme eigenvalues of `A`. With `m = d` (dimension) the result is exact up to
/// round-off.
/// - Reference: Golub & Van Loan, *Matrix Computations*, §10.1.
public enum Lanczos {
    /// The algebraically largest and smallest Ritz values after `steps` iterations.
    public static func extremeEigenvalues(
        dimension d: Int, steps: Int = 60, seed: UInt64 = 1,
        apply: (_ v: [Double], _ out: inout [Double]) -> Void
    ) -> (largest: Double, smallest: Double) {
        precondition(d > 0)
        let ev = SymmetricEigen(tridiagonalize(dimension: d, steps: Swift.min(steps, d), seed: seed,
                                               breakdownRelativeToLargest: false, apply: apply).t).values
        return (ev.last!, ev.first!)
    }

    /// `m` Lanczos steps with full reorthogonalization (twice) from a deterministic random start:
    /// the orthonormal basis `Q` (rows of `basis`) and the tridiagonal `T = QᵀAQ`. The iteration stops
    /// early when the Krylov space becomes invariant, `β < 1e-12·max(1, s)`, with `s` the current
    /// `|α|` or, when `breakdownRelativeToLargest`, the largest `|α|` so far.
    static func tridiagonalize(
        dimension d: Int, steps m: Int, seed: UInt64, breakdownRelativeToLargest: Bool,
        apply: (_ v: [Double], _ out: inout [Double]) -> Void
    ) -> (basis: [[Double]], t: Matrix) {
        var basis: [[Double]] = []
        var alpha: [Double] = []
        var beta: [Double] = []
        var rng = SplitMix64(seed: seed)
        var q = (0..<d).map { _ in rng.nextDouble() - 0.5 }
        let qn = Vec.norm(q)
        q = q.map { $0 / qn }
        var w = [Double](repeating: 0, count: d)
        var largest = 0.0
        for j in 0..<m {
            basis.append(q)
            apply(q, &w)
            let a = Vec.dot(w, q)
            alpha.append(a)
            largest = Swift.max(largest, Swift.abs(a))
            for _ in 0..<2 {
                for b in basis { Vec.axpy(-Vec.dot(w, b), b, &w) }
            }
            let bn = Vec.norm(w)
            let scale = breakdownRelativeToLargest ? Swift.max(1, largest) : Swift.max(1, Swift.abs(a))
            if j == m - 1 || bn < 1e-12 * scale { break }
            beta.append(bn)
            q = w.map { $0 / bn }
        }
        let k = alpha.count
        var t = Matrix(rows: k, columns: k)
        for i in 0..<k { t[i, i] = alpha[i] }
        for i in 0..<(k - 1) { t[i, i + 1] = beta[i]; t[i + 1, i] = beta[i] }
        return (basis, t)
    }
}
