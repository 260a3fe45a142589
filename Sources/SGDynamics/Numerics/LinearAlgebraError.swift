/// Failures of the dense factorizations, reported to the caller instead of trapping.
public enum LinearAlgebraError: Error, Equatable, CustomStringConvertible {
    /// Cholesky met a non-positive pivot: the matrix is not (numerically) positive definite.
    case notPositiveDefinite(pivot: Int, value: Double)
    /// LU met a zero pivot: the matrix is singular to working precision.
    case singular(pivot: Int)
    /// A matrix argument was not square or had the wrong shape.
    case shape(String)
    /// An iteration did not converge in its budget.
    case noConvergence(String)

    public var description: String {
        switch self {
        case let .notPositiveDefinite(pivot, value):
            return "matrix is not positive definite (pivot \(pivot) is \(value))"
        case let .singular(pivot): return "matrix is singular (zero pivot at \(pivot))"
        case let .shape(s): return "matrix shape: \(s)"
        case let .noConvergence(s): return "no convergence: \(s)"
        }
    }
}
