/// Eigendecomposition `A = V diag(λ) Vᵀ` of a real symmetric matrix.
///
/// Householder reduction to tridiagonal form, then implicit symmetric QR steps with Wilkinson shifts
/// (Golub & Van Loan, *Matrix Computations*, 4th ed., §8.3). Eigenvalues are sorted ascending; column
/// `i` of ``vectors`` belongs to `values[i]`. Cost `O(n³)`; fine for `n` up to about 1000.
public struct SymmetricEigen: Sendable {
    public let values: [Double]
    /// Orthonormal eigenvectors as columns.
    public let vectors: Matrix

    public init(_ a: Matrix) {
        precondition(a.isSquare, "SymmetricEigen needs a square matrix")
        let n = a.rows
        if n == 0 { values = []; vectors = Matrix(rows: 0, columns: 0); return }
        var t = a.symmetrized
        var q = Matrix.identity(n)
        // Householder tridiagonalization: T = Qᵀ A Q.
        var v = [Double](repeating: 0, count: n)
        var p = [Double](repeating: 0, count: n)
        if n > 2 {
            for k in 0..<(n - 2) {
                var alpha = 0.0
                for i in (k + 1)..<n { alpha += t[i, k] * t[i, k] }
                alpha = alpha.squareRoot()
                if alpha == 0 { continue }
                if t[k + 1, k] > 0 { alpha = -alpha }
                for i in 0..<n { v[i] = 0 }
                v[k + 1] = t[k + 1, k] - alpha
                for i in (k + 2)..<n { v[i] = t[i, k] }
                var vn = 0.0
                for i in (k + 1)..<n { vn += v[i] * v[i] }
                vn = vn.squareRoot()
                if vn == 0 { continue }
                for i in (k + 1)..<n { v[i] /= vn }
                // p = T v, K = vᵀ p, w = 2p − 2K v; T ← T − v wᵀ − w vᵀ.
                var kk = 0.0
                for i in 0..<n {
                    var s = 0.0
                    for j in (k + 1)..<n { s += t[i, j] * v[j] }
                    p[i] = s
                }
                for i in (k + 1)..<n { kk += v[i] * p[i] }
                for i in 0..<n { p[i] = 2 * p[i] - 2 * kk * v[i] }
                for i in 0..<n {
                    for j in 0..<n {
                        let d = v[i] * p[j] + p[i] * v[j]
                        if d != 0 { t[i, j] -= d }
                    }
                }
                // Q ← Q (I − 2 v vᵀ)
                for i in 0..<n {
                    var s = 0.0
                    for j in (k + 1)..<n { s += q[i, j] * v[j] }
                    if s == 0 { continue }
                    for j in (k + 1)..<n { q[i, j] -= 2 * s * v[j] }
                }
            }
        }
        var d = (0..<n).map { t[$0, $0] }
        var e = (0..<Swift.max(n - 1, 0)).map { 0.5 * (t[$0 + 1, $0] + t[$0, $0 + 1]) }
        var vec = q
        SymmetricEigen.tridiagonalQR(&d, &e, &vec)
        // sort ascending
        let order = (0..<n).sorted { d[$0] < d[$1] }
        values = order.map { d[$0] }
        var sorted = Matrix(rows: n, columns: n)
        for (newJ, oldJ) in order.enumerated() { for i in 0..<n { sorted[i, newJ] = vec[i, oldJ] } }
        vectors = sorted
    }

    /// Implicit symmetric tridiagonal QR with Wilkinson shift; rotations are accumulated into `v`.
    static func tridiagonalQR(_ a: inout [Double], _ e: inout [Double], _ v: inout Matrix) {
        let n = a.count
        guard n > 1 else { return }
        var m = n - 1
        var iterations = 0
        while m > 0 {
            // deflate
            if abs(e[m - 1]) <= 1e-15 * (abs(a[m - 1]) + abs(a[m])) || abs(e[m - 1]) < Double.leastNormalMagnitude {
                e[m - 1] = 0; m -= 1; iterations = 0; continue
            }
            var l = m - 1
            while l > 0 && !(abs(e[l - 1]) <= 1e-15 * (abs(a[l - 1]) + abs(a[l]))) { l -= 1 }
            if l > 0 { e[l - 1] = 0 }
            iterations += 1
            if iterations > 100 { e[m - 1] = 0; m -= 1; iterations = 0; continue }
            // Wilkinson shift from the trailing 2×2 block.
            let dd = (a[m - 1] - a[m]) / 2
            let em = e[m - 1]
            let r0 = (dd * dd + em * em).squareRoot()
            let mu = a[m] - em * em / (dd + (dd >= 0 ? r0 : -r0))
            var x = a[l] - mu
            var z = e[l]
            for k in l..<m {
                let r = (x * x + z * z).squareRoot()
                let c = r == 0 ? 1.0 : x / r
                let s = r == 0 ? 0.0 : z / r
                if k > l { e[k - 1] = r }
                let ak = a[k], ak1 = a[k + 1], ek = e[k]
                a[k] = c * c * ak + 2 * c * s * ek + s * s * ak1
                a[k + 1] = s * s * ak - 2 * c * s * ek + c * c * ak1
                e[k] = c * s * (ak1 - ak) + (c * c - s * s) * ek
                if k + 1 < m {
                    z = s * e[k + 1]
                    e[k + 1] = c * e[k + 1]
                    x = e[k]
                }
                for i in 0..<v.rows {
                    let vk = v[i, k], vk1 = v[i, k + 1]
                    v[i, k] = c * vk + s * vk1
                    v[i, k + 1] = -s * vk + c * vk1
                }
            }
        }
    }

    /// `V diag(g(λ)) Vᵀ`: a spectral function of the matrix.
    public func reconstruct(_ g: (Double) -> Double) -> Matrix {
        let n = values.count
        var out = Matrix(rows: n, columns: n)
        let gv = values.map(g)
        for i in 0..<n { for j in i..<n {
            var s = 0.0
            for k in 0..<n { s += vectors[i, k] * gv[k] * vectors[j, k] }
            out[i, j] = s; out[j, i] = s
        } }
        return out
    }
}
