/// An `n × n` tridiagonal matrix: `lower[j] = A[j, j−1]` (`lower[0]` unused, 0), `diagonal[j] = A[j, j]`,
/// `upper[j] = A[j, j+1]` (`upper[n−1]` unused, 0).
public struct TridiagonalMatrix: Sendable, Equatable {
    public var lower: [Double]
    public var diagonal: [Double]
    public var upper: [Double]

    public init(lower: [Double], diagonal: [Double], upper: [Double]) {
        precondition(lower.count == diagonal.count && upper.count == diagonal.count,
                     "TridiagonalMatrix: the three bands must have the same length")
        self.lower = lower
        self.diagonal = diagonal
        self.upper = upper
    }

    /// `n`.
    public var count: Int { diagonal.count }

    /// `y ← A x` (no allocation).
    public func multiply(_ x: [Double], into y: inout [Double]) {
        let n = count
        precondition(x.count == n && y.count == n, "TridiagonalMatrix.multiply: wrong vector length")
        for j in 0..<n {
            var s = diagonal[j] * x[j]
            if j > 0 { s += lower[j] * x[j - 1] }
            if j < n - 1 { s += upper[j] * x[j + 1] }
            y[j] = s
        }
    }

    /// `A x` as a new array.
    public func multiply(_ x: [Double]) -> [Double] {
        var y = [Double](repeating: 0, count: count)
        multiply(x, into: &y)
        return y
    }

    /// Column sums `Σ_i A[i, j]` (zero for a mass-conserving generator).
    public var columnSums: [Double] {
        let n = count
        return (0..<n).map { j in
            var s = diagonal[j]
            if j > 0 { s += upper[j - 1] }
            if j < n - 1 { s += lower[j + 1] }
            return s
        }
    }

    /// `I − s A`.
    public func identityMinus(_ s: Double) -> TridiagonalMatrix {
        TridiagonalMatrix(lower: lower.map { -s * $0 }, diagonal: diagonal.map { 1 - s * $0 },
                          upper: upper.map { -s * $0 })
    }

    /// The LU factors of the Thomas algorithm (no pivoting; see ``TridiagonalLU``).
    public func factorized() throws -> TridiagonalLU { try TridiagonalLU(self) }
}
