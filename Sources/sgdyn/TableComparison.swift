import Foundation
import SGDynamicsReport

/// Two CSV tables of the same name from two runs, rows matched and cells compared.
///
/// Rows are matched on a key: the shortest run of leading columns (at most three, same names in
/// both) whose values are unique within each table; with no such key, row i meets row i. Cells are
/// equal when their texts are, or when both are numbers with the same value.
struct TableComparison {
    let a: CSVTable
    let b: CSVTable
    /// Number of leading columns used as the key (0: rows matched by position).
    let keyWidth: Int
    /// Matched rows: indices into `a.rows` and `b.rows` (nil: only in the other table).
    let pairs: [(Int?, Int?)]

    init(_ a: CSVTable, _ b: CSVTable) {
        self.a = a
        self.b = b
        var width = 0
        for w in 1...3 where w <= min(a.header.count, b.header.count) && width == 0 {
            guard Array(a.header.prefix(w)) == Array(b.header.prefix(w)) else { break }
            let ka = a.rows.map { Self.key($0, w) }, kb = b.rows.map { Self.key($0, w) }
            if Set(ka).count == ka.count && Set(kb).count == kb.count && !ka.isEmpty { width = w }
        }
        keyWidth = width
        if width == 0 {
            pairs = (0..<max(a.rows.count, b.rows.count)).map { ($0 < a.rows.count ? $0 : nil, $0 < b.rows.count ? $0 : nil) }
        } else {
            var index: [String: Int] = [:]
            for (j, r) in b.rows.enumerated() { index[Self.key(r, width)] = j }
            var out: [(Int?, Int?)] = []
            var used = Set<Int>()
            for (i, r) in a.rows.enumerated() {
                let j = index[Self.key(r, width)]
                if let j { used.insert(j) }
                out.append((i, j))
            }
            for j in b.rows.indices where !used.contains(j) { out.append((nil, j)) }
            pairs = out
        }
    }

    static func key(_ row: [String], _ width: Int) -> String {
        (0..<width).map { $0 < row.count ? Self.canonical(row[$0]) : "" }.joined(separator: "\u{1f}")
    }

    /// Numbers by value (so `0.10` and `0.1` meet), other text as it is.
    static func canonical(_ s: String) -> String {
        let t = s.trimmingCharacters(in: .whitespaces)
        if let v = Double(t) { return "\(v)" }
        return t
    }

    static func same(_ x: String, _ y: String) -> Bool { canonical(x) == canonical(y) }

    /// The report: a summary line, per-column largest differences, and the first `maximumRows` matched rows.
    func render(name: String, maximumRows: Int) -> String {
        let columns = a.header.filter { b.header.contains($0) }
        let onlyA = a.header.filter { !b.header.contains($0) }, onlyB = b.header.filter { !a.header.contains($0) }
        let keyColumns = Array(a.header.prefix(keyWidth))
        let valueColumns = columns.filter { !keyColumns.contains($0) }
        func cell(_ t: CSVTable, _ row: Int?, _ column: String) -> String? {
            guard let row, let c = t.header.firstIndex(of: column), c < t.rows[row].count else { return nil }
            return t.rows[row][c]
        }

        var differingRows = 0
        var largest: [String: (abs: Double, rel: Double, cells: Int)] = [:]
        for (i, j) in pairs {
            var rowDiffers = i == nil || j == nil
            for col in valueColumns {
                guard let x = cell(a, i, col), let y = cell(b, j, col), !Self.same(x, y) else { continue }
                rowDiffers = true
                var entry = largest[col] ?? (0, 0, 0)
                entry.cells += 1
                if let u = Double(x), let v = Double(y), u.isFinite, v.isFinite {
                    let d = abs(u - v)
                    entry.abs = max(entry.abs, d)
                    let scale = max(abs(u), abs(v))
                    if scale > 0 { entry.rel = max(entry.rel, d / scale) }
                }
                largest[col] = entry
            }
            if rowDiffers { differingRows += 1 }
        }

        var lines: [String] = []
        let matching = keyWidth == 0 ? "rows matched by position" : "rows matched on \(keyColumns.joined(separator: ", "))"
        lines.append("\(name): \(a.rows.count) rows in A, \(b.rows.count) in B, \(matching); \(differingRows) row\(differingRows == 1 ? "" : "s") differ")
        if !onlyA.isEmpty { lines.append("  columns only in A: \(onlyA.joined(separator: ", "))") }
        if !onlyB.isEmpty { lines.append("  columns only in B: \(onlyB.joined(separator: ", "))") }
        let changed = valueColumns.filter { largest[$0] != nil }
        if !changed.isEmpty {
            var t = TextTable(["column", "cells that differ", "max |A − B|", "max relative"])
            for c in changed {
                let e = largest[c]!
                t.add([c, "\(e.cells)", fmt(e.abs), fmt(e.rel, 3)])
            }
            lines.append(t.render().split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
        }

        var header = keyColumns
        for c in valueColumns { header += ["\(c) A", "\(c) B"] }
        var table = TextTable(header)
        for (i, j) in pairs.prefix(maximumRows) {
            var row = keyColumns.map { cell(a, i, $0) ?? cell(b, j, $0) ?? "" }
            for c in valueColumns {
                let x = cell(a, i, c), y = cell(b, j, c)
                let marked = (x != nil && y != nil && !Self.same(x!, y!)) || (x == nil) != (y == nil)
                row += [x ?? "—", (y ?? "—") + (marked ? " *" : "")]
            }
            table.add(row)
        }
        lines.append(table.render())
        if pairs.count > maximumRows { lines.append("(\(pairs.count - maximumRows) more rows; --rows N shows more)") }
        return lines.joined(separator: "\n")
    }
}
