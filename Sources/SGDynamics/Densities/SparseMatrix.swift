/// A sparse `rows × columns` matrix in compressed-column (CSC) form: the entries of column `j` are
/// `values[k]` at rows `rowIndices[k]`, `k ∈ columnStart[j] ..< columnStart[j+1]`, rows increasing.
///
/// Columns are the natural unit for the operators of this folder: column `j` of a transfer matrix is
/// where the mass of cell `j` goes, and column `j` of a Fokker–Planck generator sums to zero.
public struct SparseMatrix: Sendable, Equatable {
    public let rows: Int
    public let columns: Int
    public let columnStart: [Int]
    public let rowIndices: [Int]
    public let values: [Double]

    /// From compressed-column arrays (checked by preconditions: sizes, and rows increasing within a column).
    public init(rows: Int, columns: Int, columnStart: [Int], rowIndices: [Int], values: [Double]) {
        precondition(columnStart.count == columns + 1 && columnStart[0] == 0, "SparseMatrix: bad columnStart")
        precondition(rowIndices.count == values.count && columnStart[columns] == values.count, "SparseMatrix: bad sizes")
        for j in 0..<columns {
            var last = -1
            for k in columnStart[j]..<columnStart[j + 1] {
                precondition(rowIndices[k] > last && rowIndices[k] < rows, "SparseMatrix: rows must increase within a column")
                last = rowIndices[k]
            }
        }
        self.rows = rows
        self.columns = columns
        self.columnStart = columnStart
        self.rowIndices = rowIndices
        self.values = values
    }

    /// From `(row, column, value)` triplets; duplicates are summed and explicit zeros kept.
    public init(rows: Int, columns: Int, triplets: [(row: Int, column: Int, value: Double)]) {
        let sorted = triplets.sorted { $0.column != $1.column ? $0.column < $1.column : $0.row < $1.row }
        var start = [Int](repeating: 0, count: columns + 1)
        var r = [Int](), v = [Double]()
        r.reserveCapacity(sorted.count)
        v.reserveCapacity(sorted.count)
        var lastRow = -1, lastColumn = -1
        for t in sorted {
            precondition(t.row >= 0 && t.row < rows && t.column >= 0 && t.column < columns, "SparseMatrix: index out of range")
            if t.row == lastRow && t.column == lastColumn {
                v[v.count - 1] += t.value
            } else {
                r.append(t.row)
                v.append(t.value)
                start[t.column + 1] += 1
                lastRow = t.row
                lastColumn = t.column
            }
        }
        for j in 0..<columns { start[j + 1] += start[j] }
        self.init(rows: rows, columns: columns, columnStart: start, rowIndices: r, values: v)
    }

    /// Number of stored entries.
    public var nonzeroCount: Int { values.count }

    /// Entry `(i, j)` (binary search in column `j`; 0 if not stored).
    public subscript(i: Int, j: Int) -> Double {
        var lo = columnStart[j], hi = columnStart[j + 1]
        while lo < hi {
            let mid = (lo + hi) / 2
            if rowIndices[mid] < i { lo = mid + 1 } else { hi = mid }
        }
        return lo < columnStart[j + 1] && rowIndices[lo] == i ? values[lo] : 0
    }

    /// `y ← A x`, no allocation.
    @inlinable
    public func multiply(_ x: [Double], into y: inout [Double]) {
        precondition(x.count == columns && y.count == rows, "SparseMatrix.multiply: wrong vector length")
        columnStart.withUnsafeBufferPointer { cs in
            rowIndices.withUnsafeBufferPointer { ri in
                values.withUnsafeBufferPointer { v in
                    x.withUnsafeBufferPointer { xs in
                        y.withUnsafeMutableBufferPointer { ys in
                            for i in 0..<ys.count { ys[i] = 0 }
                            for j in 0..<cs.count - 1 {
                                let xj = xs[j]
                                if xj == 0 { continue }
                                for k in cs[j]..<cs[j + 1] { ys[ri[k]] += v[k] * xj }
                            }
                        }
                    }
                }
            }
        }
    }

    /// `A x` as a new array.
    public func multiply(_ x: [Double]) -> [Double] {
        var y = [Double](repeating: 0, count: rows)
        multiply(x, into: &y)
        return y
    }

    /// Column sums `Σ_i A[i, j]`.
    public var columnSums: [Double] {
        (0..<columns).map { j in
            var s = 0.0
            for k in columnStart[j]..<columnStart[j + 1] { s += values[k] }
            return s
        }
    }

    /// Largest `|i − j|` over stored entries below (`lower`) and above (`upper`) the diagonal.
    public var bandwidths: (lower: Int, upper: Int) {
        var kl = 0, ku = 0
        for j in 0..<columns {
            for k in columnStart[j]..<columnStart[j + 1] {
                let i = rowIndices[k]
                if i > j { kl = Swift.max(kl, i - j) } else { ku = Swift.max(ku, j - i) }
            }
        }
        return (kl, ku)
    }

    /// The dense matrix (for diagnostics and small tests).
    public var dense: Matrix {
        var m = Matrix(rows: rows, columns: columns)
        for j in 0..<columns { for k in columnStart[j]..<columnStart[j + 1] { m[rowIndices[k], j] += values[k] } }
        return m
    }
}
