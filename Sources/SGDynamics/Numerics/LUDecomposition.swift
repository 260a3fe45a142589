/// LU factorization with partial pivoting, `P A = L U`, for linear solves.
///
/// - Reference: Golub & Van Loan, *Matrix Computations*, §3.4.
public struct LUDecomposition: Sendable {
    /// Packed factors: strictly lower part is `L` (unit diagonal), upper part is `U`.
    public let lu: Matrix
    public let pivots: [Int]
    public let sign: Double

    public init(_ a: Matrix) throws {
        guard a.isSquare else { throw LinearAlgebraError.shape("LU needs a square matrix, got \(a.rows)×\(a.columns)") }
        let n = a.rows
        var m = a
        var piv = Array(0..<n)
        var sgn = 1.0
        let scale = Swift.max(a.maxAbs, Double.leastNormalMagnitude)
        for k in 0..<n {
            var p = k
            var best = abs(m[k, k])
            for i in (k + 1)..<Swift.max(n, k + 1) where abs(m[i, k]) > best { best = abs(m[i, k]); p = i }
            if best <= 1e-300 * scale || best == 0 { throw LinearAlgebraError.singular(pivot: k) }
            if p != k {
                for j in 0..<n { let t = m[k, j]; m[k, j] = m[p, j]; m[p, j] = t }
                piv.swapAt(k, p); sgn = -sgn
            }
            let pivot = m[k, k]
            for i in (k + 1)..<Swift.max(n, k + 1) {
                let f = m[i, k] / pivot
                m[i, k] = f
                if f == 0 { continue }
                for j in (k + 1)..<n { m[i, j] -= f * m[k, j] }
            }
        }
        lu = m; pivots = piv; sign = sgn
    }

    /// Solve `A x = b`.
    public func solve(_ b: [Double]) -> [Double] {
        let n = lu.rows
        precondition(b.count == n, "LU solve: dimension mismatch")
        var x = pivots.map { b[$0] }
        for i in 0..<n { var s = x[i]; for j in 0..<i { s -= lu[i, j] * x[j] }; x[i] = s }
        for i in stride(from: n - 1, through: 0, by: -1) {
            var s = x[i]; for j in (i + 1)..<n { s -= lu[i, j] * x[j] }; x[i] = s / lu[i, i]
        }
        return x
    }

    /// Solve `A X = B` column by column.
    public func solve(_ b: Matrix) -> Matrix {
        precondition(b.rows == lu.rows)
        var out = Matrix(rows: b.rows, columns: b.columns)
        for j in 0..<b.columns {
            let col = solve((0..<b.rows).map { b[$0, j] })
            for i in 0..<b.rows { out[i, j] = col[i] }
        }
        return out
    }

    public var determinant: Double { (0..<lu.rows).reduce(sign) { $0 * lu[$1, $1] } }
}

extension Matrix {
    /// Solve `self · x = b` by LU with partial pivoting.
    public func solve(_ b: [Double]) throws -> [Double] { try LUDecomposition(self).solve(b) }

    /// The inverse, by LU with partial pivoting.
    public func inverse() throws -> Matrix { try LUDecomposition(self).solve(Matrix.identity(rows)) }
}

extension LUDecomposition {
    /// Factor `m` in place (`P m = L U`, packed as in ``lu``), writing the row permutation into
    /// `pivots` (length `n`). Returns false if a pivot is zero. No allocation: for time steps that
    /// solve a linear system with preallocated buffers.
    @inlinable
    public static func factorInPlace(_ m: inout Matrix, pivots: inout [Int]) -> Bool {
        let n = m.rows
        precondition(m.isSquare && pivots.count == n, "factorInPlace: shape mismatch")
        var scale = 0.0
        for v in m.storage { scale = Swift.max(scale, Swift.abs(v)) }
        for i in 0..<n { pivots[i] = i }
        for k in 0..<n {
            var p = k
            var best = Swift.abs(m[k, k])
            var i = k + 1
            while i < n { if Swift.abs(m[i, k]) > best { best = Swift.abs(m[i, k]); p = i }; i += 1 }
            if best == 0 || best <= 1e-300 * scale { return false }
            if p != k {
                for j in 0..<n { let t = m[k, j]; m[k, j] = m[p, j]; m[p, j] = t }
                pivots.swapAt(k, p)
            }
            let pivot = m[k, k]
            i = k + 1
            while i < n {
                let f = m[i, k] / pivot
                m[i, k] = f
                if f != 0 { var j = k + 1; while j < n { m[i, j] -= f * m[k, j]; j += 1 } }
                i += 1
            }
        }
        return true
    }

    /// Solve `A x = b` in place with factors from ``factorInPlace(_:pivots:)``; `work` has length `n`.
    @inlinable
    public static func solveInPlace(_ lu: Matrix, pivots: [Int], _ b: inout [Double], work: inout [Double]) {
        let n = lu.rows
        for i in 0..<n { work[i] = b[pivots[i]] }
        for i in 0..<n { var s = work[i]; for j in 0..<i { s -= lu[i, j] * work[j] }; work[i] = s }
        var i = n - 1
        while i >= 0 {
            var s = work[i]
            var j = i + 1
            while j < n { s -= lu[i, j] * work[j]; j += 1 }
            work[i] = s / lu[i, i]
            i -= 1
        }
        for i in 0..<n { b[i] = work[i] }
    }
}
