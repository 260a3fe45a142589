import Foundation
import Testing
@testable import SGDynamicsReport

@Suite("Charts render well-formed SVG")
struct ChartRenderingTests {
    static let nasty = "<&> \"quoted\" 'single' \u{1} η²"

    /// NaN, ±∞, ±10³⁰⁰, negative values on log axes and markup in every text: still valid XML with
    /// finite, bounded, two-decimal coordinates, and the texts come back unchanged.
    @Test(arguments: [Scale.linear, .log])
    func linePlotWithBadData(scale: Scale) throws {
        var plot = LinePlot(title: Self.nasty, xLabel: "x <", yLabel: "y &", xScale: scale, yScale: scale)
        let x: [Double] = [-1, 0, 1e-3, 0.1, .nan, 1, 10, .infinity, 1e300, 100]
        let y: [Double] = [1, -5, 0.02, .nan, 0.5, 1e300, -.infinity, 3, 4, 1e-300]
        plot.add(Series(label: Self.nasty, x: x, y: y, errors: x.map { _ in 0.7 },
                        band: (lower: y.map { $0 - 0.1 }, upper: y.map { $0 * 2 }), marker: .circle))
        plot.add(Series(label: "empty", x: [], y: []))
        plot.add(Series(label: "all NaN", x: [.nan, .nan], y: [.nan, 1], dash: .dashed, marker: .square))
        plot.add(BarSeries(label: "bars", edges: [0, 1, 2, .nan], heights: [3, .infinity, -1]))
        plot.addReferenceSlope(1, through: (x: 0.1, y: 0.03))
        plot.addReferenceSlope(.nan, through: (x: -1, y: 0), label: "bad <slope>")
        plot.addHorizontalLine(y: 1, label: "one")
        plot.addVerticalLine(x: .nan)
        let svg = plot.render(width: 720, height: 480)
        let doc = try #require(expectWellFormedSVG(svg))
        // The control character U+0001 is not allowed in XML and is dropped; the rest survives escaping.
        #expect(doc.texts.filter { $0 == "<&> \"quoted\" 'single'  η²" }.count == 2, "title and legend entry")
        #expect(doc.texts.contains("x <") && doc.texts.contains("y &"))
    }

    @Test func emptyLinePlot() {
        expectWellFormedSVG(LinePlot().render(width: 300, height: 200))
        expectWellFormedSVG(LinePlot(xScale: .log, yScale: .log).render(width: 10, height: 10))
    }

    /// A slope-2 reference line on a log–log plot lies on the power law y = y₀ (x / x₀)²: it is collinear,
    /// in pixels, with a series drawn from that law.
    @Test func referenceSlopeIsAPowerLaw() throws {
        var plot = LinePlot(xScale: .log, yScale: .log)
        let xs = [0.01, 0.02, 0.05, 0.1, 0.2]
        plot.add(Series(label: "data", x: xs, y: xs.map { 3 * $0 * $0 }, color: Color(hex: "#123456")))
        plot.add(Series(label: "wide", x: [0.001, 1], y: [1e-7, 10]))
        plot.addReferenceSlope(2, through: (x: 0.1, y: 0.03), label: "slope 2")
        let doc = try #require(expectWellFormedSVG(plot.render(width: 600, height: 400)))
        let line = try #require(doc.elements(named: "line").first { $0.attributes["stroke-dasharray"] == "6 4" })
        let p = ["x1", "y1", "x2", "y2"].map { Double(line.attributes[$0]!)! }
        let path = try #require(doc.elements(named: "path").first { $0.attributes["stroke"] == "#123456" })
        let numbers = path.attributes["d"]!.split(whereSeparator: { "ML, ".contains($0) }).compactMap { Double($0) }
        let (ax, ay, bx, by) = (numbers[0], numbers[1], numbers[numbers.count - 2], numbers[numbers.count - 1])
        for (x, y) in [(p[0], p[1]), (p[2], p[3])] {
            let cross = (bx - ax) * (y - ay) - (by - ay) * (x - ax)
            let distance = abs(cross) / hypot(bx - ax, by - ay)
            #expect(distance < 0.5, "reference line end (\(x), \(y)) is \(distance) px off the power law")
        }
        #expect(doc.texts.contains("slope 2"))
    }

    /// The automatic legend goes to a corner free of data, or outside the frame.
    @Test func legendAvoidsData() throws {
        var plot = LinePlot()
        let x = (0...50).map { Double($0) / 50 }
        plot.add(Series(label: "rising", x: x, y: x.map { $0 * $0 }, marker: .circle))
        plot.add(Series(label: "flat top", x: x, y: x.map { _ in 1.0 }))
        let doc = try #require(expectWellFormedSVG(plot.render(width: 600, height: 400)))
        let box = try #require(doc.elements.firstIndex { $0.name == "g" && $0.attributes["class"] == "legend-box" })
        let r = doc.elements[box + 1].attributes
        let (lx, ly) = (Double(r["x"]!)!, Double(r["y"]!)!)
        let (lw, lh) = (Double(r["width"]!)!, Double(r["height"]!)!)
        let markers = doc.elements(named: "circle").filter { !$0.ancestorClasses.contains("legend-box") }
        #expect(markers.count == 51)
        for c in markers {
            let (cx, cy) = (Double(c.attributes["cx"]!)!, Double(c.attributes["cy"]!)!)
            let inside = cx > lx && cx < lx + lw && cy > ly && cy < ly + lh
            #expect(!inside, "marker at (\(cx), \(cy)) under the legend")
        }
        let line = try #require(doc.elements(named: "path").first { $0.attributes["stroke"] == Palette.okabeIto[1].hex })
        let ys = line.attributes["d"]!.split(whereSeparator: { "ML, ".contains($0) }).compactMap { Double($0) }
        #expect(ys.count >= 4)
        #expect(ly > ys[1] || ly + lh < ys[1], "legend does not sit on the flat line y = \(ys[1])")
    }

    /// Contour plot with NaN regions, a diverging trajectory and markup in labels.
    @Test func contourPlotWithBadData() throws {
        var c = ContourPlot(title: Self.nasty, xRange: -2...2, yRange: -1...3) { x, y in
            if x > 1.5 && y > 2 { return .nan }
            return pow(1 - x, 2) + 100 * pow(y - x * x, 2)
        }
        c.colorScaling = .logarithmic()
        c.vectorField = { x, y in (x > 1.9 ? .infinity : -x, -y) }
        c.addTrajectory(label: "diverging <GD>", points: [(-1, 1), (0.5, 0.5), (40, -30), (1e200, -1e200),
                                                          (.infinity, 0), (0, 0), (.nan, 1), (1, 1)])
        c.addTrajectory(label: "empty", points: [])
        c.equalAspect = true
        let svg = c.render(width: 720, height: 560)
        let doc = try #require(expectWellFormedSVG(svg))
        #expect(doc.texts.contains("diverging <GD>"))
        #expect(doc.elements(named: "image").count == 1)
        #expect(doc.elements(named: "clipPath").count == 1)
    }

    /// A constant and an everywhere-NaN function do not trap.
    @Test func degenerateContourPlots() {
        let constant = ContourPlot(xRange: 0...1, yRange: 0...1) { _, _ in 2 }
        expectWellFormedSVG(constant.render(width: 400, height: 300))
        var nan = ContourPlot(xRange: 0...1, yRange: 0...1) { _, _ in .nan }
        nan.colorScaling = .logarithmic(epsilon: 1e-3)
        nan.levels = .quantiles(count: 5)
        nan.vectorField = { _, _ in (0, 0) }
        expectWellFormedSVG(nan.render(width: 400, height: 300))
    }

    /// Quiver arrows never exceed 85 % of their spacing, so they do not overlap.
    @Test func quiverArrowsFitTheirCells() throws {
        var c = ContourPlot(xRange: -1...1, yRange: -1...1) { x, y in x * x + y * y }
        c.vectorField = { x, y in (-1000 * x, -y) }
        c.arrowCount = 10
        c.quiverScaling = .linear
        let doc = try #require(expectWellFormedSVG(c.render(width: 500, height: 500)))
        let group = try #require(doc.elements.firstIndex { $0.attributes["class"] == "quiver" })
        func numbers(_ e: SVGInspector.Element) -> [Double] {
            e.attributes["d"]!.split(whereSeparator: { "MLZ, ".contains($0) }).compactMap { Double($0) }
        }
        let shafts = numbers(doc.elements[group + 1]), heads = numbers(doc.elements[group + 2])
        #expect(shafts.count >= 4 * 10 && heads.count == shafts.count / 4 * 6)
        let clip = try #require(doc.elements.firstIndex { $0.name == "clipPath" })
        let width = Double(doc.elements[clip + 1].attributes["width"]!)!
        let height = Double(doc.elements[clip + 1].attributes["height"]!)!
        let spacing = max(width, height) / 10
        let cell = min(width / (width / spacing).rounded(), height / (height / spacing).rounded())
        for k in 0..<(shafts.count / 4) {
            let length = hypot(heads[6 * k] - shafts[4 * k], heads[6 * k + 1] - shafts[4 * k + 1])
            #expect(length <= 0.85 * cell + 0.05, "arrow of \(length) px in a cell of \(cell) px")
        }
    }

    @Test(arguments: [5, 60])
    func heatmap(size: Int) throws {
        var values = (0..<size).map { r in (0..<size).map { c in Double(r - c) } }
        values[0][0] = .nan
        values[size - 1][0] = .infinity
        var map = Heatmap(title: "matrix <A>", values: values, xLabel: "column", yLabel: "row", valueLabel: "a_ij")
        map.rowsTopToBottom = true
        map.colorMap = .blueRed
        map.valueRange = -10...10
        let doc = try #require(expectWellFormedSVG(map.render(width: 500, height: 420)))
        #expect(doc.texts.contains("matrix <A>"))
        if size * size > 1024 {
            #expect(doc.elements(named: "image").count == 1)
        } else {
            #expect(doc.elements(named: "rect").count >= size * size)
        }
        expectWellFormedSVG(Heatmap(values: []).render(width: 300, height: 200))
        var logMap = Heatmap(values: [[1, 10], [100, -5]])
        logMap.colorScaling = .logarithmic()
        expectWellFormedSVG(logMap.render(width: 300, height: 200))
    }
}
