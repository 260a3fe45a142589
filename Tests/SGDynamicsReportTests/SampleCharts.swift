import Foundation
import Testing
@testable import SGDynamicsReport

/// Sample figures for looking at by eye. Set SGDYN_CHART_DIR to a folder to write them there
/// (for example `SGDYN_CHART_DIR=/tmp/charts swift test --filter SampleCharts`); without it they are
/// only rendered and checked for well-formedness.
@Suite("Sample charts")
struct SampleCharts {
    static func save(_ svg: String, _ name: String) throws {
        expectWellFormedSVG(svg)
        guard let dir = ProcessInfo.processInfo.environment["SGDYN_CHART_DIR"] else { return }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try svg.write(toFile: dir + "/" + name + ".svg", atomically: true, encoding: .utf8)
    }

    /// Gradient descent on f = ½(x² + 10y²) from (x₀, y₀).
    static func gd(eta: Double, from start: (Double, Double), steps: Int) -> [(x: Double, y: Double)] {
        var (x, y) = start
        var out = [(x: x, y: y)]
        for _ in 0..<steps {
            (x, y) = (x - eta * x, y - eta * 10 * y)
            out.append((x, y))
        }
        return out
    }

    @Test func quadraticContour() throws {
        var c = ContourPlot(title: "Gradient descent on f = ½(x² + 10y²)", xRange: -1.2...1.2, yRange: -1.2...1.2) {
            x, y in 0.5 * (x * x + 10 * y * y)
        }
        c.vectorField = { x, y in (-x, -10 * y) }
        c.equalAspect = true
        c.addTrajectory(label: "GD η = 0.19", points: Self.gd(eta: 0.19, from: (-1.1, 0.9), steps: 25))
        c.addTrajectory(label: "GD η = 0.15", points: Self.gd(eta: 0.15, from: (-1.1, 0.9), steps: 25))
        try Self.save(c.render(width: 720, height: 560), "contour-quadratic")
    }

    @Test func rosenbrockContour() throws {
        var c = ContourPlot(title: "Rosenbrock, log colour scale", xRange: -2...2, yRange: -1...3) { x, y in
            pow(1 - x, 2) + 100 * pow(y - x * x, 2)
        }
        c.colorScaling = .logarithmic()
        c.levels = .automatic(count: 14)
        c.vectorField = { x, y in (2 * (1 - x) + 400 * x * (y - x * x), -200 * (y - x * x)) }
        var points = [(x: -1.5, y: 2.5)]
        var (x, y) = (-1.5, 2.5)
        for _ in 0..<400 {
            let gx = -2 * (1 - x) - 400 * x * (y - x * x), gy = 200 * (y - x * x)
            (x, y) = (x - 0.0012 * gx, y - 0.0012 * gy)
            points.append((x, y))
        }
        c.addTrajectory(label: "GD η = 0.0012", points: points)
        var blowup = [(x: -1.5, y: 2.5)]
        (x, y) = (-1.5, 2.5)
        for _ in 0..<12 {
            let gx = -2 * (1 - x) - 400 * x * (y - x * x), gy = 200 * (y - x * x)
            (x, y) = (x - 0.004 * gx, y - 0.004 * gy)
            blowup.append((x, y))
        }
        c.addTrajectory(label: "GD η = 0.004 (diverges)", points: blowup)
        try Self.save(c.render(width: 720, height: 560), "contour-rosenbrock")
    }

    @Test func weakErrorLogLog() throws {
        var plot = LinePlot(title: "Weak error vs η", xLabel: "learning rate η", yLabel: "weak error",
                            xScale: .log, yScale: .log)
        let etas = [0.005, 0.01, 0.02, 0.05, 0.1, 0.2]
        let sme1 = etas.map { 0.4 * $0 * $0 + 0.002 * $0 }
        let gf = etas.map { 0.35 * $0 }
        plot.add(Series(label: "gradient flow", x: etas, y: gf, errors: gf.map { $0 * 0.12 }, marker: .square))
        plot.add(Series(label: "SME-1", x: etas, y: sme1, errors: sme1.map { $0 * 0.25 },
                        band: (lower: sme1.map { $0 * 0.7 }, upper: sme1.map { $0 * 1.3 }), marker: .circle))
        plot.add(Series(label: "SME-2", x: etas, y: etas.map { 0.05 * pow($0, 3) + 1e-6 }, dash: .dashed,
                        marker: .triangle))
        plot.addReferenceSlope(1, through: (x: 0.01, y: 0.01))
        plot.addReferenceSlope(2, through: (x: 0.01, y: 1e-5))
        try Self.save(plot.render(width: 720, height: 480), "loglog-weak-error")
    }

    @Test func histogramWithDensity() throws {
        var plot = LinePlot(title: "Stationary law of SGD", xLabel: "x", yLabel: "density")
        var rng = LCG(state: 3)
        var counts = [Double](repeating: 0, count: 30)
        let n = 5000
        for _ in 0..<n {
            let g = (0..<12).map { _ in rng.next() }.reduce(0, +) - 6
            let bin = Int(((g + 3) / 6 * 30).rounded(.down))
            if bin >= 0 && bin < 30 { counts[bin] += 1 }
        }
        let edges = (0...30).map { -3 + 6 * Double($0) / 30 }
        plot.add(BarSeries(label: "SGD samples", edges: edges, heights: counts.map { $0 / (Double(n) * 0.2) }))
        let xs = (0...120).map { -3 + 6 * Double($0) / 120 }
        plot.add(Series(label: "Gibbs density", x: xs, y: xs.map { exp(-$0 * $0 / 2) / sqrt(2 * .pi) }))
        plot.addVerticalLine(x: 0, label: "minimum")
        try Self.save(plot.render(width: 640, height: 420), "histogram")
    }

    @Test func matrixHeatmap() throws {
        let n = 24
        func entry(_ i: Int, _ j: Int) -> Double {
            let d = Double(i - j)
            let sign: Double = i < j ? -1 : 1
            return sign * exp(-d * d / 8)
        }
        let values: [[Double]] = (0..<n).map { i in (0..<n).map { j in entry(i, j) } }
        var map = Heatmap(title: "Transfer operator", values: values, xLabel: "from state", yLabel: "to state",
                          valueLabel: "P(i → j)")
        map.rowsTopToBottom = true
        map.colorMap = .blueRed
        map.valueRange = -1...1
        map.equalAspect = true
        try Self.save(map.render(width: 560, height: 480), "heatmap")
    }
}
