import Foundation

/// Contour lines of a function sampled on a rectangular grid, by marching squares.
///
/// Each grid cell is classified by which of its four corners lie above the level; the level crosses
/// the cell's edges where the sign changes, at points found by linear interpolation along the edge.
/// Saddle cells (two opposite corners above) are resolved by the mean of the four corners. Segments are
/// joined into polylines through the edges they share, so a closed contour comes back as one closed
/// polyline (first point == last point). Cells with a non-finite corner are skipped.
///
/// Accuracy: for a smooth f, points lie within O(h²) of the true level set, h the grid spacing; they
/// lie exactly on the grid edges.
///
/// - Reference: Lorensen & Cline (1987), "Marching cubes", in its two-dimensional form.
public enum MarchingSquares {
    /// Contour polylines of the level `level`.
    ///
    /// - Parameters:
    ///   - values: `values[j][i] = f(xs[i], ys[j])` (rows follow y).
    ///   - xs: grid abscissae, increasing.
    ///   - ys: grid ordinates, increasing.
    ///   - level: the value c of the level set f = c.
    /// - Precondition: `values` has `ys.count` rows of `xs.count` values.
    public static func contourLines(values: [[Double]], xs: [Double], ys: [Double],
                                    level: Double) -> [[(x: Double, y: Double)]] {
        let nx = xs.count, ny = ys.count
        precondition(values.count == ny && values.allSatisfy { $0.count == nx },
                     "MarchingSquares: values must be \(ny) rows of \(nx)")
        guard nx >= 2, ny >= 2, level.isFinite else { return [] }

        // Edge ids: horizontal edge (i, j)–(i+1, j) and vertical edge (i, j)–(i, j+1).
        let horizontalCount = ny * (nx - 1)
        func horizontal(_ i: Int, _ j: Int) -> Int { j * (nx - 1) + i }
        func vertical(_ i: Int, _ j: Int) -> Int { horizontalCount + j * nx + i }

        var segments: [(Int, Int)] = []
        for j in 0..<(ny - 1) {
            for i in 0..<(nx - 1) {
                let a = values[j][i], b = values[j][i + 1], c = values[j + 1][i + 1], d = values[j + 1][i]
                guard a.isFinite, b.isFinite, c.isFinite, d.isFinite else { continue }
                let index = (a > level ? 1 : 0) | (b > level ? 2 : 0) | (c > level ? 4 : 0) | (d > level ? 8 : 0)
                let bottom = horizontal(i, j), top = horizontal(i, j + 1)
                let left = vertical(i, j), right = vertical(i + 1, j)
                let centerAbove = (a + b + c + d) / 4 > level
                switch index {
                case 0, 15: break
                case 1, 14: segments.append((left, bottom))
                case 2, 13: segments.append((bottom, right))
                case 3, 12: segments.append((left, right))
                case 4, 11: segments.append((right, top))
                case 6, 9: segments.append((bottom, top))
                case 7, 8: segments.append((left, top))
                case 5: // a and c above
                    if centerAbove { segments.append((bottom, right)); segments.append((left, top)) }
                    else { segments.append((left, bottom)); segments.append((right, top)) }
                case 10: // b and d above
                    if centerAbove { segments.append((left, bottom)); segments.append((right, top)) }
                    else { segments.append((bottom, right)); segments.append((left, top)) }
                default: break
                }
            }
        }

        func point(onEdge e: Int) -> (x: Double, y: Double) {
            if e < horizontalCount {
                let j = e / (nx - 1), i = e % (nx - 1)
                let t = (level - values[j][i]) / (values[j][i + 1] - values[j][i])
                return (xs[i] + t * (xs[i + 1] - xs[i]), ys[j])
            } else {
                let k = e - horizontalCount
                let j = k / nx, i = k % nx
                let t = (level - values[j][i]) / (values[j + 1][i] - values[j][i])
                return (xs[i], ys[j] + t * (ys[j + 1] - ys[j]))
            }
        }

        // Each edge belongs to at most two cells, so to at most two segments.
        var segmentsAtEdge: [Int: [Int]] = [:]
        for (s, (e1, e2)) in segments.enumerated() {
            segmentsAtEdge[e1, default: []].append(s)
            segmentsAtEdge[e2, default: []].append(s)
        }
        var used = [Bool](repeating: false, count: segments.count)
        func nextEdge(from edge: Int) -> Int? {
            guard let candidates = segmentsAtEdge[edge] else { return nil }
            for s in candidates where !used[s] {
                used[s] = true
                return segments[s].0 == edge ? segments[s].1 : segments[s].0
            }
            return nil
        }

        var lines: [[(x: Double, y: Double)]] = []
        for s in segments.indices where !used[s] {
            used[s] = true
            var chain = [segments[s].0, segments[s].1]
            while let e = nextEdge(from: chain[chain.count - 1]) { chain.append(e) }
            var head: [Int] = []
            while let e = nextEdge(from: head.last ?? chain[0]) { head.append(e) }
            chain = head.reversed() + chain
            lines.append(chain.map(point(onEdge:)))
        }
        return lines
    }
}
