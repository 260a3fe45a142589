/// A tensor grid `x_i × y_j` of two ``Grid1D``s (docs/THEORY.md §7.3). Cell `(i, j)` has linear index
/// `k = i + n_x·j` (x fastest), so a 5-point stencil couples `k ± 1` and `k ± n_x`, and a matrix on the
/// grid has bandwidth `n_x` (`n_x + 1` with diagonal neighbours).
public struct Grid2D: Sendable, Equatable, CustomStringConvertible {
    public let x: Grid1D
    public let y: Grid1D

    public init(x: Grid1D, y: Grid1D) {
        self.x = x
        self.y = y
    }

    /// Number of cells `n_x n_y`.
    @inlinable public var count: Int { x.count * y.count }
    /// `Δx Δy`.
    @inlinable public var cellArea: Double { x.spacing * y.spacing }

    /// Linear index `i + n_x j` of cell `(i, j)`.
    @inlinable
    public func index(_ i: Int, _ j: Int) -> Int { i + x.count * j }

    /// `(i, j)` of linear index `k`.
    @inlinable
    public func cell(_ k: Int) -> (i: Int, j: Int) { (k % x.count, k / x.count) }

    /// Whether cell `k` lies on the edge of the rectangle.
    @inlinable
    public func isBoundary(_ k: Int) -> Bool {
        let (i, j) = cell(k)
        return i == 0 || j == 0 || i == x.count - 1 || j == y.count - 1
    }

    public var description: String { "x: \(x) × y: \(y)" }
}
