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

extension Matrix {
    /// A factor `F` with `F Fᵀ = A` for a symmetric positive **semi**definite `A`, by Cholesky with
    /// diagonal pivoting: `P A Pᵀ = L Lᵀ`, `F = Pᵀ L`. Pivots below `1e-14 · max diag` end the
    /// factorization (the rest of `F` is zero), so rank-deficient covariances are handled.
    /// `a` is overwritten (work space); `f` receives the factor; `perm` has length `n`. No allocation.
    /// - Reference: Higham, *Accuracy and Stability of Numerical Algorithms*, §10.3.
    @inlinable
    public static func semidefiniteFactor(_ a: inout Matrix, into f: inout Matrix, permutation perm: inout [Int]) {
        let n = a.rows
        var maxDiag = 0.0
        for i in 0..<n { perm[i] = i; maxDiag = Swift.max(maxDiag, a[i, i]) }
        let tol = 1e-14 * maxDiag
        for i in 0..<(n * n) { f.storage[i] = 0 }
        var rank = n
        for k in 0..<n {
            var p = k
            var best = a[k, k]
            var i = k + 1
            while i < n { if a[i, i] > best { best = a[i, i]; p = i }; i += 1 }
            if !(best > tol) { rank = k; break }
            if p != k {
                for j in 0..<n { let t = a[k, j]; a[k, j] = a[p, j]; a[p, j] = t }
                for j in 0..<n { let t = a[j, k]; a[j, k] = a[j, p]; a[j, p] = t }
                perm.swapAt(k, p)
            }
            let lkk = a[k, k].squareRoot()
            a[k, k] = lkk
            i = k + 1
            while i < n { a[i, k] /= lkk; i += 1 }
            i = k + 1
            while i < n {
                let aik = a[i, k]
                var j = k + 1
                while j <= i { a[i, j] -= aik * a[j, k]; j += 1 }
                a[j - 1, i] = a[i, j - 1]
                i += 1
            }
            // keep the trailing block symmetric for the pivot search and swaps
            i = k + 1
            while i < n { var j = k + 1; while j < i { a[j, i] = a[i, j]; j += 1 }; i += 1 }
        }
        for i in 0..<n { for j in 0..<Swift.min(i + 1, rank) { f[perm[i], j] = a[i, j] } }
    }
}
