extension Matrix {
    /// Cholesky factor `L` (lower triangular) with `L Lᵀ = self`.
    ///
    /// - Domain: symmetric positive definite. Throws `notPositiveDefinite` otherwise; for a
    ///   semidefinite matrix use ``symmetricSquareRoot()``.
    public func cholesky() throws -> Matrix {
        guard isSquare else { throw LinearAlgebraError.shape("Cholesky needs a square matrix, got \(rows)×\(columns)") }
        let n = rows
        var l = Matrix(rows: n, columns: n)
        for j in 0..<n {
            var d = self[j, j]
            for k in 0..<j { d -= l[j, k] * l[j, k] }
            guard d > 0, d.isFinite else { throw LinearAlgebraError.notPositiveDefinite(pivot: j, value: d) }
            let ljj = d.squareRoot()
            l[j, j] = ljj
            for i in (j + 1)..<Swift.max(n, j + 1) {
                var s = self[i, j]
                for k in 0..<j { s -= l[i, k] * l[j, k] }
                l[i, j] = s / ljj
            }
        }
        return l
    }

    /// The symmetric positive semidefinite square root `S = V diag(√max(λ,0)) Vᵀ`, so `S S = self`
    /// for a PSD input. Negative eigenvalues of size round-off are clipped to zero.
    public func symmetricSquareRoot() -> Matrix {
        let e = SymmetricEigen(self)
        return e.reconstruct { $0 > 0 ? $0.squareRoot() : 0 }
    }
}
