/// LU factorisation with partial pivoting of a banded `n × n` matrix (lower bandwidth `k_l`, upper
/// `k_u`), in the band storage of LAPACK's `dgbtrf`:
///
///     P A = L U,   L unit lower with k_l sub-diagonals,   U upper with k_l + k_u super-diagonals
///
/// Element `(i, j)` of the working array is at `ab[j·(2k_l+k_u+1) + k_l + k_u + i − j]`.
///
/// - Cost: `O(n k_l (k_l + k_u))` to factor, `O(n (2k_l + k_u))` per solve (in place, no allocation);
///   memory `8 n (2k_l + k_u + 1)` bytes. For a 5-point stencil on an `n_x × n_y` grid (`k_l = k_u = n_x`)
///   at 200 × 200 that is about 3·10⁹ flops and 190 MB; up to about 150 × 150 is comfortable.
/// - Pivoting: for a matrix diagonally dominant by columns (an M-matrix such as `I − Δt A` for a
///   Fokker–Planck generator without cross terms) the diagonal is always the pivot, so no rows are
///   exchanged, and then `L` and `U` keep the sign pattern of an M-matrix exactly in floating point:
///   a non-negative right side gives a non-negative solution.
/// - Reference: Golub & Van Loan, *Matrix Computations* (4th ed.), §4.3.5; LAPACK `dgbtf2`/`dgbtrs`.
public struct BandedLU: Sendable {
    public let count: Int
    public let lowerBandwidth: Int
    public let upperBandwidth: Int
    @usableFromInline let ab: [Double]
    @usableFromInline let pivots: [Int]
    /// Whether any row exchange happened.
    public let pivoted: Bool

    /// Factor the square sparse matrix `a`, whose entries must lie within its bandwidths (computed).
    /// Throws ``LinearAlgebraError/singular(pivot:)`` at a zero or non-finite pivot.
    public init(_ a: SparseMatrix) throws {
        precondition(a.rows == a.columns, "BandedLU: the matrix must be square")
        let n = a.rows
        let (kl, ku) = a.bandwidths
        let ld = 2 * kl + ku + 1, kv = kl + ku
        var ab = [Double](repeating: 0, count: n * ld)
        for j in 0..<n {
            for k in a.columnStart[j]..<a.columnStart[j + 1] {
                let i = a.rowIndices[k]
                ab[j * ld + kv + i - j] += a.values[k]
            }
        }
        var piv = [Int](repeating: 0, count: n)
        var pivoted = false
        try ab.withUnsafeMutableBufferPointer { m in
            for j in 0..<n {
                let km = Swift.min(kl, n - 1 - j)
                let cj = j * ld + kv - j          // m[cj + i] is element (i, j)
                var p = j
                var best = abs(m[cj + j])
                if km > 0 {
                    for i in (j + 1)...(j + km) where abs(m[cj + i]) > best { best = abs(m[cj + i]); p = i }
                }
                piv[j] = p
                guard best != 0, best.isFinite else { throw LinearAlgebraError.singular(pivot: j) }
                let ju = Swift.min(j + kv, n - 1)
                if p != j {
                    pivoted = true
                    for c in j...ju {
                        let cc = c * ld + kv - c
                        let t = m[cc + j]; m[cc + j] = m[cc + p]; m[cc + p] = t
                    }
                }
                if km == 0 { continue }
                let inv = 1 / m[cj + j]
                for i in (j + 1)...(j + km) { m[cj + i] *= inv }
                if ju > j {
                    for c in (j + 1)...ju {
                        let cc = c * ld + kv - c
                        let u = m[cc + j]
                        if u == 0 { continue }
                        for i in (j + 1)...(j + km) { m[cc + i] -= m[cj + i] * u }
                    }
                }
            }
        }
        self.count = n
        self.lowerBandwidth = kl
        self.upperBandwidth = ku
        self.ab = ab
        self.pivots = piv
        self.pivoted = pivoted
    }

    /// `x ← A⁻¹ x`, in place, no allocation.
    @inlinable
    public func solve(_ x: inout [Double]) {
        let n = count, kl = lowerBandwidth, kv = lowerBandwidth + upperBandwidth
        let ld = 2 * kl + upperBandwidth + 1
        precondition(x.count == n, "BandedLU.solve: wrong vector length")
        ab.withUnsafeBufferPointer { m in
            pivots.withUnsafeBufferPointer { piv in
                x.withUnsafeMutableBufferPointer { b in
                    for j in 0..<n {
                        let p = piv[j]
                        if p != j { let t = b[j]; b[j] = b[p]; b[p] = t }
                        let bj = b[j]
                        if bj == 0 { continue }
                        let km = Swift.min(kl, n - 1 - j)
                        if km == 0 { continue }
                        let cj = j * ld + kv - j
                        for i in (j + 1)...(j + km) { b[i] -= m[cj + i] * bj }
                    }
                    var j = n - 1
                    while j >= 0 {
                        let cj = j * ld + kv - j
                        b[j] /= m[cj + j]
                        let bj = b[j]
                        if bj != 0 {
                            let i0 = Swift.max(0, j - kv)
                            for i in i0..<j { b[i] -= m[cj + i] * bj }
                        }
                        j -= 1
                    }
                }
            }
        }
    }
}
