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
        a.storage.withUnsafeMutableBufferPointer { m in
            f.storage.withUnsafeMutableBufferPointer { out in
                perm.withUnsafeMutableBufferPointer { pv in
                    semidefiniteFactor(n: n, m.baseAddress!, into: out.baseAddress!, permutation: pv.baseAddress!)
                }
            }
        }
    }

    /// ``semidefiniteFactor(_:into:permutation:)`` on raw row-major `n × n` storage.
    @inlinable
    public static func semidefiniteFactor(n: Int, _ m: UnsafeMutablePointer<Double>, into out: UnsafeMutablePointer<Double>,
                                          permutation pv: UnsafeMutablePointer<Int>) {
        var maxDiag = 0.0
        for i in 0..<n { pv[i] = i; maxDiag = Swift.max(maxDiag, m[i * n + i]) }
        let tol = 1e-14 * maxDiag
        for i in 0..<(n * n) { out[i] = 0 }
        var rank = n
        // Only the lower triangle of m is read and written: m[i][j] for j ≤ i.
        @inline(__always) func at(_ i: Int, _ j: Int) -> Int { i >= j ? i * n + j : j * n + i }
        for k in 0..<n {
            var p = k
            var best = m[k * n + k]
            var i = k + 1
            while i < n { if m[i * n + i] > best { best = m[i * n + i]; p = i }; i += 1 }
            if !(best > tol) { rank = k; break }
            if p != k {
                // symmetric swap of rows/columns k and p in the lower triangle
                for j in 0..<n where j != k && j != p {
                    let a1 = at(k, j), a2 = at(p, j)
                    let t = m[a1]; m[a1] = m[a2]; m[a2] = t
                }
                let t = m[k * n + k]; m[k * n + k] = m[p * n + p]; m[p * n + p] = t
                let q = pv[k]; pv[k] = pv[p]; pv[p] = q
            }
            let lkk = m[k * n + k].squareRoot()
            m[k * n + k] = lkk
            i = k + 1
            while i < n { m[i * n + k] /= lkk; i += 1 }
            i = k + 1
            while i < n {
                let aik = m[i * n + k]
                var j = k + 1
                while j <= i { m[i * n + j] -= aik * m[j * n + k]; j += 1 }
                i += 1
            }
        }
        for i in 0..<n { for j in 0..<Swift.min(i + 1, rank) { out[pv[i] * n + j] = m[i * n + j] } }
    }
}
