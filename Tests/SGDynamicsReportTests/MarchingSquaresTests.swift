import Foundation
import Testing
@testable import SGDynamicsReport

@Suite("Marching squares")
struct MarchingSquaresTests {
    static func grid(_ n: Int, _ range: ClosedRange<Double>) -> [Double] {
        (0..<n).map { range.lowerBound + (range.upperBound - range.lowerBound) * Double($0) / Double(n - 1) }
    }

    /// The contour of f = x² + y² at level r² is one closed curve whose points lie within one grid
    /// spacing h of the circle of radius r, and which goes all the way round.
    @Test(arguments: [0.5, 1.0, 1.7])
    func circleContour(r: Double) {
        let xs = Self.grid(81, -2...2), ys = Self.grid(81, -2...2)
        let h = 4.0 / 80
        let values = ys.map { y in xs.map { x in x * x + y * y } }
        let lines = MarchingSquares.contourLines(values: values, xs: xs, ys: ys, level: r * r)
        #expect(lines.count == 1)
        guard let line = lines.first else { return }
        #expect(line.first! == line.last!, "the circle is closed")
        #expect(line.count > Int(2 * Double.pi * r / h), "a point on every cell the circle crosses")
        for p in line {
            #expect(abs(hypot(p.x, p.y) - r) <= h, "point \(p) is off the circle r = \(r)")
        }
        let angles = line.map { atan2($0.y, $0.x) }.sorted()
        let gaps = zip(angles, angles.dropFirst()).map { $1 - $0 } + [angles.first! + 2 * .pi - angles.last!]
        #expect(gaps.max()! < 4 * h / r, "no arc of the circle is missing")
    }

    /// Linear interpolation along edges is exact for a linear function: the level set of x + 2y = c.
    @Test func linearFunctionIsExact() {
        let xs = Self.grid(11, 0...1), ys = Self.grid(13, 0...1)
        let values = ys.map { y in xs.map { x in x + 2 * y } }
        let lines = MarchingSquares.contourLines(values: values, xs: xs, ys: ys, level: 1.3)
        #expect(lines.count == 1)
        for p in lines.flatMap({ $0 }) {
            #expect(abs(p.x + 2 * p.y - 1.3) < 1e-12)
        }
    }

    /// Cells with a NaN corner are skipped; no NaN comes out, and open curves end at the hole.
    @Test func nonFiniteCellsAreSkipped() {
        let xs = Self.grid(41, -1...1), ys = Self.grid(41, -1...1)
        let values = ys.map { y in xs.map { x in x > 0.3 && y > 0.3 ? Double.nan : x * x + y * y } }
        let lines = MarchingSquares.contourLines(values: values, xs: xs, ys: ys, level: 0.64)
        #expect(!lines.isEmpty)
        for p in lines.flatMap({ $0 }) { #expect(p.x.isFinite && p.y.isFinite) }
        #expect(lines.allSatisfy { $0.first! != $0.last! }, "the circle is cut open by the hole")
    }

    /// A saddle f = x·y has the two branches of a hyperbola at a positive level, none crossing.
    @Test func saddle() {
        let xs = Self.grid(40, -1...1), ys = Self.grid(40, -1...1)
        let values = ys.map { y in xs.map { x in x * y } }
        let lines = MarchingSquares.contourLines(values: values, xs: xs, ys: ys, level: 0.1)
        #expect(lines.count == 2)
        for line in lines {
            let signs = Set(line.map { $0.x > 0 })
            #expect(signs.count == 1, "each branch stays in one quadrant")
        }
    }
}
