/// A dense real matrix stored contiguously in row-major order.
///
/// `Matrix` is a value type for the small dense problems of this package (dimension up to about 1000).
/// Element `(i, j)` lives at `storage[i * columns + j]`.
public struct Matrix: Equatable, Sendable, CustomStringConvertible {
    public let rows: Int
    public let columns: Int
    public var storage: [Double]

    /// A `rows × columns` matrix filled with `value`.
    public init(rows: Int, columns: Int, repeating value: Double = 0) {
        precondition(rows >= 0 && columns >= 0, "Matrix dimensions must be non-negative")
        self.rows = rows
        self.columns = columns
        self.storage = Array(repeating: value, count: rows * columns)
    }

    /// A matrix from nested rows; every row must have the same length.
    public init(_ rowsOfElements: [[Double]]) {
        let r = rowsOfElements.count
        let c = rowsOfElements.first?.count ?? 0
        precondition(rowsOfElements.allSatisfy { $0.count == c }, "Matrix rows must have equal length")
        self.rows = r
        self.columns = c
        self.storage = rowsOfElements.flatMap { $0 }
    }

    /// A matrix from row-major storage.
    public init(rows: Int, columns: Int, storage: [Double]) {
        precondition(storage.count == rows * columns, "Matrix storage has the wrong size")
        self.rows = rows
        self.columns = columns
        self.storage = storage
    }

    /// The `n × n` identity.
    public static func identity(_ n: Int) -> Matrix {
        var m = Matrix(rows: n, columns: n)
        for i in 0..<n { m.storage[i * n + i] = 1 }
        return m
    }

    /// A square diagonal matrix.
    public static func diagonal(_ d: [Double]) -> Matrix {
        var m = Matrix(rows: d.count, columns: d.count)
        for i in 0..<d.count { m.storage[i * d.count + i] = d[i] }
        return m
    }

    @inlinable
    public subscript(i: Int, j: Int) -> Double {
        get { storage[i * columns + j] }
        set { storage[i * columns + j] = newValue }
    }

    public var isSquare: Bool { rows == columns }

    public var diagonalElements: [Double] { (0..<min(rows, columns)).map { self[$0, $0] } }

    public var trace: Double { diagonalElements.reduce(0, +) }

    public var transposed: Matrix {
        var t = Matrix(rows: columns, columns: rows)
        for i in 0..<rows { for j in 0..<columns { t.storage[j * rows + i] = storage[i * columns + j] } }
        return t
    }

    /// Largest absolute entry.
    public var maxAbs: Double { storage.reduce(0) { max($0, abs($1)) } }

    /// Frobenius norm.
    public var frobeniusNorm: Double { storage.reduce(0) { $0 + $1 * $1 }.squareRoot() }

    /// Whether `self` equals its transpose to within `tolerance` (absolute).
    public func isSymmetric(tolerance: Double = 1e-12) -> Bool {
        guard isSquare else { return false }
        for i in 0..<rows { for j in 0..<i where abs(self[i, j] - self[j, i]) > tolerance { return false } }
        return true
    }

    /// `(self + selfᵀ)/2`.
    public var symmetrized: Matrix {
        precondition(isSquare)
        var s = self
        for i in 0..<rows { for j in 0..<i {
            let a = 0.5 * (self[i, j] + self[j, i]); s[i, j] = a; s[j, i] = a
        } }
        return s
    }

    public var description: String {
        (0..<rows).map { i in (0..<columns).map { j in "\(self[i, j])" }.joined(separator: "  ") }
            .joined(separator: "\n")
    }

    // MARK: arithmetic

    public static func + (a: Matrix, b: Matrix) -> Matrix {
        precondition(a.rows == b.rows && a.columns == b.columns)
        var c = a
        for i in 0..<c.storage.count { c.storage[i] += b.storage[i] }
        return c
    }

    public static func - (a: Matrix, b: Matrix) -> Matrix {
        precondition(a.rows == b.rows && a.columns == b.columns)
        var c = a
        for i in 0..<c.storage.count { c.storage[i] -= b.storage[i] }
        return c
    }

    public static func * (s: Double, a: Matrix) -> Matrix {
        var c = a
        for i in 0..<c.storage.count { c.storage[i] *= s }
        return c
    }

    /// Matrix product.
    public static func * (a: Matrix, b: Matrix) -> Matrix {
        precondition(a.columns == b.rows, "Matrix product: inner dimensions differ")
        var c = Matrix(rows: a.rows, columns: b.columns)
        let n = a.rows, m = a.columns, p = b.columns
        a.storage.withUnsafeBufferPointer { A in
            b.storage.withUnsafeBufferPointer { B in
                c.storage.withUnsafeMutableBufferPointer { C in
                    for i in 0..<n {
                        for k in 0..<m {
                            let aik = A[i * m + k]
                            if aik == 0 { continue }
                            for j in 0..<p { C[i * p + j] += aik * B[k * p + j] }
                        }
                    }
                }
            }
        }
        return c
    }

    /// Matrix–vector product.
    public static func * (a: Matrix, x: [Double]) -> [Double] {
        var y = [Double](repeating: 0, count: a.rows)
        a.multiply(x, into: &y)
        return y
    }

    /// `y = self · x`, writing into a caller's buffer (no allocation).
    @inlinable
    public func multiply(_ x: [Double], into y: inout [Double]) {
        precondition(x.count == columns && y.count == rows, "Matrix–vector product: dimension mismatch")
        let m = columns
        storage.withUnsafeBufferPointer { A in
            x.withUnsafeBufferPointer { X in
                y.withUnsafeMutableBufferPointer { Y in
                    for i in 0..<rows {
                        var s = 0.0
                        let row = i * m
                        for j in 0..<m { s += A[row + j] * X[j] }
                        Y[i] = s
                    }
                }
            }
        }
    }

    /// Outer product `u vᵀ`.
    public static func outer(_ u: [Double], _ v: [Double]) -> Matrix {
        var m = Matrix(rows: u.count, columns: v.count)
        for i in 0..<u.count { for j in 0..<v.count { m.storage[i * v.count + j] = u[i] * v[j] } }
        return m
    }

    /// Kronecker product `a ⊗ b`.
    public static func kronecker(_ a: Matrix, _ b: Matrix) -> Matrix {
        var k = Matrix(rows: a.rows * b.rows, columns: a.columns * b.columns)
        for i in 0..<a.rows { for j in 0..<a.columns {
            let aij = a[i, j]
            for p in 0..<b.rows { for q in 0..<b.columns {
                k[i * b.rows + p, j * b.columns + q] = aij * b[p, q]
            } }
        } }
        return k
    }
}
