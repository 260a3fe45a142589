/// The Thomas algorithm (LU without pivoting) for a tridiagonal matrix with lower band `a`, diagonal
/// `b`, upper band `c`:
///
///     c'_0 = c_0/b_0,   c'_j = c_j/(b_j − a_j c'_{j−1})                 (factor, once)
///     d'_0 = d_0/b_0,   d'_j = (d_j − a_j d'_{j−1})/(b_j − a_j c'_{j−1})   (forward)
///     x_{n−1} = d'_{n−1},   x_j = d'_j − c'_j x_{j+1}                    (backward)
///
/// - Stability: exact for a matrix diagonally dominant by rows or columns (no pivoting needed). For an
///   M-matrix (positive diagonal, `a, c ≤ 0`), such as `I − Δt A` for a Fokker–Planck generator `A`,
///   every `c'_j ≤ 0` and every pivot is positive, so a non-negative right side gives a non-negative
///   solution **exactly in floating point** (every step adds non-negative numbers).
/// - Cost: `3n` multiply-adds per solve, in place, no allocation.
public struct TridiagonalLU: Sendable {
    @usableFromInline let lower: [Double]
    @usableFromInline let inversePivot: [Double]
    @usableFromInline let upperScaled: [Double]

    /// Throws ``LinearAlgebraError/singular(pivot:)`` at a zero (or non-finite) pivot.
    public init(_ m: TridiagonalMatrix) throws {
        let n = m.count
        var inv = [Double](repeating: 0, count: n)
        var cp = [Double](repeating: 0, count: n)
        var prev = 0.0
        for j in 0..<n {
            let pivot = m.diagonal[j] - (j > 0 ? m.lower[j] * prev : 0)
            guard pivot != 0, pivot.isFinite else { throw LinearAlgebraError.singular(pivot: j) }
            inv[j] = 1 / pivot
            prev = j < n - 1 ? m.upper[j] * inv[j] : 0
            cp[j] = prev
        }
        lower = m.lower
        inversePivot = inv
        upperScaled = cp
    }

    public var count: Int { inversePivot.count }

    /// `x ← M⁻¹ x`, in place, no allocation.
    @inlinable
    public func solve(_ x: inout [Double]) {
        let n = inversePivot.count
        precondition(x.count == n, "TridiagonalLU.solve: wrong vector length")
        lower.withUnsafeBufferPointer { a in
            inversePivot.withUnsafeBufferPointer { inv in
                upperScaled.withUnsafeBufferPointer { cp in
                    x.withUnsafeMutableBufferPointer { d in
                        d[0] *= inv[0]
                        for j in 1..<n { d[j] = (d[j] - a[j] * d[j - 1]) * inv[j] }
                        var j = n - 2
                        while j >= 0 { d[j] -= cp[j] * d[j + 1]; j -= 1 }
                    }
                }
            }
        }
    }
}
