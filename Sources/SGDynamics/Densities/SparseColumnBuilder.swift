/// Builds a ``SparseMatrix`` column by column from scattered additions, merging repeated rows with a
/// dense accumulator (`O(rows)` memory, `O(entries)` work per column plus a sort of the touched rows).
struct SparseColumnBuilder {
    let rows: Int
    private var accumulator: [Double]
    private var marked: [Bool]
    private var touched: [Int] = []
    private(set) var columnStart: [Int] = [0]
    private(set) var rowIndices: [Int] = []
    private(set) var values: [Double] = []

    init(rows: Int) {
        self.rows = rows
        accumulator = [Double](repeating: 0, count: rows)
        marked = [Bool](repeating: false, count: rows)
    }

    /// `A[i, current column] += v`.
    mutating func add(_ i: Int, _ v: Double) {
        if v == 0 { return }
        if !marked[i] { marked[i] = true; touched.append(i) }
        accumulator[i] += v
    }

    /// Close the current column, scaling it so that its entries sum to `targetSum` (if given; this
    /// removes the round-off of `Σ_B P(B) ((1−w) + w)` so the column sums to 1 up to one rounding).
    mutating func finishColumn(normalizingTo targetSum: Double? = nil) {
        touched.sort()
        var s = 0.0
        for i in touched { s += accumulator[i] }
        let scale = targetSum.map { s > 0 ? $0 / s : 1 } ?? 1
        for i in touched {
            rowIndices.append(i)
            values.append(accumulator[i] * scale)
            accumulator[i] = 0
            marked[i] = false
        }
        touched.removeAll(keepingCapacity: true)
        columnStart.append(rowIndices.count)
    }

    func matrix(columns: Int) -> SparseMatrix {
        SparseMatrix(rows: rows, columns: columns, columnStart: columnStart, rowIndices: rowIndices, values: values)
    }
}
