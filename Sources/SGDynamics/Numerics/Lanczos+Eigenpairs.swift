extension Lanczos {
    /// The `count` algebraically largest Ritz pairs of a symmetric operator known through `v ↦ A v`.
    ///
    /// `m = min(steps, d)` Lanczos steps with full reorthogonalization build an orthonormal basis `Q`
    /// (`d × m`) and the tridiagonal `T = QᵀAQ`; with `T = Y Θ Yᵀ`, the Ritz pairs are `(θⱼ, Q yⱼ)`.
    /// The residual `‖A uⱼ − θⱼ uⱼ‖` is returned for each pair, computed explicitly (one more product
    /// per pair). With `m = d` the result is exact up to round-off. Fewer than `count` pairs come back
    /// when the Krylov space becomes invariant first (for example an operator of lower rank).
    /// Values are in descending order.
    /// - Reference: Golub & Van Loan, *Matrix Computations*, 4th ed., §10.1.
    public static func largestEigenpairs(
        dimension d: Int, count k: Int, steps: Int = 100, seed: UInt64 = 1,
        apply: (_ v: [Double], _ out: inout [Double]) -> Void
    ) -> (values: [Double], vectors: [[Double]], residuals: [Double]) {
        precondition(d > 0 && k >= 1, "Lanczos.largestEigenpairs: need d ≥ 1 and count ≥ 1")
        let m = Swift.min(Swift.max(steps, k), d)
        let (basis, t) = tridiagonalize(dimension: d, steps: m, seed: seed, breakdownRelativeToLargest: true, apply: apply)
        let r = t.rows
        var w = [Double](repeating: 0, count: d)
        let eig = SymmetricEigen(t)
        let take = Swift.min(k, r)
        var values: [Double] = [], vectors: [[Double]] = [], residuals: [Double] = []
        for c in 0..<take {
            let col = r - 1 - c
            values.append(eig.values[col])
            var u = [Double](repeating: 0, count: d)
            for i in 0..<r { Vec.axpy(eig.vectors[i, col], basis[i], &u) }
            let un = Vec.norm(u)
            if un > 0 { for i in 0..<d { u[i] /= un } }
            vectors.append(u)
            // Explicit residual (the recurrence's β_m|Y_{m,j}| underestimates it once round-off dominates).
            apply(u, &w)
            Vec.axpy(-eig.values[col], u, &w)
            residuals.append(Vec.norm(w))
        }
        return (values, vectors, residuals)
    }
}
