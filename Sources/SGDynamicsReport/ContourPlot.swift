import Foundation

/// A figure of a function f(x, y) on a rectangle: a heat map, contour lines, an optional quiver field
/// of a vector field v(x, y), and optional trajectories of iterates drawn over them.
///
///     var c = ContourPlot(title: "GD on a quadratic", xRange: -1.2...1.2, yRange: -1.2...1.2) { x, y in
///         0.5 * (x * x + 10 * y * y)
///     }
///     c.vectorField = { x, y in (-x, -10 * y) }
///     c.addTrajectory(label: "GD η = 0.19", points: iterates)
///     let svg = c.render(width: 720, height: 560)
///
/// - The heat map samples f at the centres of `heatmapResolution` cells along the longer side and is
///   embedded as a PNG image (smoothly interpolated by the viewer); colours follow `colorScaling`
///   (use `.logarithmic()` for objectives such as Rosenbrock's that span many decades).
/// - Contour lines come from `MarchingSquares` on a `gridResolution` × `gridResolution` grid of nodes,
///   at `levels` chosen in the same colour-scale space.
/// - Quiver arrows are drawn at `arrowCount` points along the longer side; lengths follow
///   `quiverScaling` and never exceed 85 % of the spacing.
/// - Trajectories are clipped to the frame (a diverging path leaves the frame cleanly), with a marker at
///   each iterate (skipping those within 2.5 px of the previous marker) and a start marker at the first point.
public struct ContourPlot: Chart {
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var xRange: ClosedRange<Double>
    public var yRange: ClosedRange<Double>
    /// The function drawn. Non-finite values leave a grey hole in the heat map and no contour there.
    public var function: (Double, Double) -> Double
    /// A vector field drawn as arrows, for example −∇f.
    public var vectorField: ((Double, Double) -> (Double, Double))?
    public var levels: ContourLevels = .automatic(count: 12)
    public var colorScaling: ColorScaling = .linear
    public var colorMap: ColorMap = .viridis
    public var showsHeatmap = true
    public var showsColorBar = true
    /// Name of f on the colour bar.
    public var valueLabel = "f"
    /// Number of grid nodes along each axis for the contour lines.
    public var gridResolution = 121
    /// Number of heat-map cells along the longer side of the frame.
    public var heatmapResolution = 100
    /// Number of arrows along the longer side of the frame.
    public var arrowCount = 17
    public var quiverScaling: QuiverScaling = .squareRoot
    public var arrowColor = Color.white
    /// One unit has the same length on both axes.
    public var equalAspect = false
    public var trajectories: [Trajectory] = []
    /// Colours of trajectories without their own; `nil` picks colours that stand out on the heat map.
    public var trajectoryPalette: Palette?
    public var legendPosition: LegendPosition = .automatic

    /// - Precondition: both ranges have positive, finite width.
    public init(title: String = "", xLabel: String = "x", yLabel: String = "y",
                xRange: ClosedRange<Double>, yRange: ClosedRange<Double>,
                function: @escaping (Double, Double) -> Double) {
        precondition(xRange.upperBound > xRange.lowerBound && (xRange.upperBound - xRange.lowerBound).isFinite,
                     "ContourPlot: xRange must have positive finite width")
        precondition(yRange.upperBound > yRange.lowerBound && (yRange.upperBound - yRange.lowerBound).isFinite,
                     "ContourPlot: yRange must have positive finite width")
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.xRange = xRange
        self.yRange = yRange
        self.function = function
    }

    public mutating func add(_ trajectory: Trajectory) {
        trajectories.append(trajectory)
    }

    public mutating func addTrajectory(label: String, points: [(x: Double, y: Double)], color: Color? = nil,
                                       marker: Marker = .circle) {
        trajectories.append(Trajectory(label: label, points: points, color: color, marker: marker))
    }

    // MARK: - Rendering

    public func render(width: Int = 720, height: Int = 560) -> String {
        let w = Double(max(width, 120)), h = Double(max(height, 100))

        // Sample the contour grid first: its range fixes the colour scale.
        let n = max(2, gridResolution)
        let xs = (0..<n).map { xRange.lowerBound + (xRange.upperBound - xRange.lowerBound) * Double($0) / Double(n - 1) }
        let ys = (0..<n).map { yRange.lowerBound + (yRange.upperBound - yRange.lowerBound) * Double($0) / Double(n - 1) }
        let samples = ys.map { y in xs.map { x in function(x, y) } }
        let normalizer = ValueNormalizer(values: samples.flatMap { $0 }, scaling: colorScaling)

        let colorBarTitle: String
        if case .logarithmic = colorScaling { colorBarTitle = "\(valueLabel) − min \(valueLabel)" }
        else { colorBarTitle = valueLabel }
        let colorBar = showsColorBar
            ? ColorBar(axis: normalizer.colorBarAxis(title: colorBarTitle, targetCount: max(2, Int((h - 100) / 45))),
                       colorMap: colorMap)
            : nil
        let baseReserve = colorBar?.reservedWidth ?? 0

        let legend = makeLegend()
        var frame = layout(width: w, height: h, rightReserve: baseReserve)
        var legendRect: PixelRect? = nil
        if !legend.isEmpty && legendPosition != .hidden {
            legendRect = legend.insideRect(for: legendPosition, in: frame.rect,
                                           polylines: trajectories.map { pixels($0, frame) })
            if legendRect == nil {
                frame = layout(width: w, height: h, rightReserve: baseReserve + legend.width + 10)
                legendRect = PixelRect(left: frame.rect.right + baseReserve + 8, top: frame.rect.top,
                                       width: legend.width, height: legend.height)
            }
        }

        var doc = SVGDocument(width: w, height: h)
        doc.define(frame.clipDefinition())
        if !showsHeatmap { doc.append(frame.gridMarkup()) }
        var clipped: [String] = []
        if showsHeatmap { clipped.append(heatmapMarkup(frame, normalizer)) }
        clipped += contourMarkup(frame, samples: samples, xs: xs, ys: ys, normalizer: normalizer)
        clipped += quiverMarkup(frame)
        clipped += trajectoriesMarkup(frame)
        doc.append(SVGDocument.group([("clip-path", frame.clipReference)], clipped))
        doc.append(frame.axesMarkup())
        if let colorBar {
            doc.append(colorBar.markup(beside: frame.rect, id: frame.clipID + "-bar", document: &doc))
        }
        if let legendRect { doc.append(legend.markup(in: legendRect)) }
        doc.append(frame.titleMarkup(title, figureWidth: w))
        return doc.render()
    }

    private func layout(width: Double, height: Double, rightReserve: Double) -> PlotFrame {
        let (xr, yr, xt, yt) = (xRange, yRange, xLabel, yLabel)
        return PlotFrame.layout(width: width, height: height, title: title, rightReserve: rightReserve,
                                equalAspect: equalAspect,
                                makeX: { Axis(scale: .linear, title: xt, domain: xr, targetTickCount: $0) },
                                makeY: { Axis(scale: .linear, title: yt, domain: yr, targetTickCount: $0) })
    }

    private var palette: Palette { trajectoryPalette ?? (showsHeatmap ? .onViridis : .okabeIto) }

    private func color(ofTrajectory i: Int) -> Color { trajectories[i].color ?? palette[i] }

    private func makeLegend() -> Legend {
        var entries: [Legend.Entry] = []
        for (i, t) in trajectories.enumerated() where !t.label.isEmpty {
            entries.append(.init(label: t.label, swatch: .line(color(ofTrajectory: i), .solid, width: t.lineWidth,
                                                               marker: t.marker)))
        }
        if !trajectories.isEmpty {
            entries.append(.init(label: "start", swatch: .marker(.circle, .white, size: 9)))
        }
        return Legend(entries: entries)
    }

    private func pixels(_ t: Trajectory, _ frame: PlotFrame) -> [PixelPoint?] {
        zip(t.x, t.y).map { frame.point($0, $1) }
    }

    /// The heat map as one embedded PNG covering the frame; cells sample f at their centres.
    private func heatmapMarkup(_ frame: PlotFrame, _ normalizer: ValueNormalizer) -> String {
        let rect = frame.rect
        let long = max(2, heatmapResolution)
        let (cols, rows): (Int, Int) = rect.width >= rect.height
            ? (long, max(2, Int((Double(long) * rect.height / rect.width).rounded())))
            : (max(2, Int((Double(long) * rect.width / rect.height).rounded())), long)
        var rgb = [UInt8](repeating: 0, count: cols * rows * 3)
        let missing = Color(hex: "#d9d9d9").bytes
        for r in 0..<rows {
            // PNG rows run top to bottom, so the first row is the largest y.
            let y = yRange.upperBound - (yRange.upperBound - yRange.lowerBound) * (Double(r) + 0.5) / Double(rows)
            for c in 0..<cols {
                let x = xRange.lowerBound + (xRange.upperBound - xRange.lowerBound) * (Double(c) + 0.5) / Double(cols)
                let bytes = normalizer.fraction(of: function(x, y)).map { colorMap.color(at: $0).bytes } ?? missing
                let k = 3 * (r * cols + c)
                (rgb[k], rgb[k + 1], rgb[k + 2]) = bytes
            }
        }
        let png = PNGEncoder.encode(width: cols, height: rows, rgb: rgb)
        return SVGDocument.element("image", [
            ("x", num(rect.left)), ("y", num(rect.top)), ("width", num(rect.width)), ("height", num(rect.height)),
            ("preserveAspectRatio", "none"),
            ("xlink:href", "data:image/png;base64," + png.base64EncodedString()),
        ])
    }

    /// Contour levels in colour-scale (transformed) space.
    private func transformedLevels(_ samples: [[Double]], _ normalizer: ValueNormalizer) -> [Double] {
        let lo = normalizer.transformedLower, hi = normalizer.transformedUpper
        guard hi > lo else { return [] }
        switch levels {
        case .none:
            return []
        case .automatic(let count):
            let k = max(0, min(count, 200))
            return (0..<k).map { lo + (hi - lo) * Double($0 + 1) / Double(k + 1) }
        case .quantiles(let count):
            let sorted = samples.flatMap { $0 }.compactMap(normalizer.transformed).sorted()
            guard !sorted.isEmpty else { return [] }
            let k = max(0, min(count, 200))
            let values = (0..<k).map { sorted[Int(Double($0 + 1) / Double(k + 1) * Double(sorted.count - 1))] }
            return Array(Set(values)).sorted().filter { $0 > lo && $0 < hi }
        case .values(let fs):
            return fs.compactMap(normalizer.transformed).filter { $0 > lo && $0 < hi }
        }
    }

    private func contourMarkup(_ frame: PlotFrame, samples: [[Double]], xs: [Double], ys: [Double],
                               normalizer: ValueNormalizer) -> [String] {
        let levels = transformedLevels(samples, normalizer)
        guard !levels.isEmpty else { return [] }
        let grid = samples.map { row in row.map { normalizer.transformed($0) ?? .nan } }
        var out: [String] = []
        for level in levels {
            let lines = MarchingSquares.contourLines(values: grid, xs: xs, ys: ys, level: level)
            var d = ""
            for line in lines {
                let points = line.map { frame.point($0.x, $0.y) }
                for run in Geometry.clipPolyline(points, to: frame.drawingBounds) {
                    d += SVGDocument.pathData(Geometry.simplify(run, tolerance: 0.2)) + " "
                }
            }
            guard !d.isEmpty else { continue }
            if showsHeatmap {
                out.append(SVGDocument.element("path", [("d", d), ("fill", "none"), ("stroke", "#ffffff"),
                                                        ("stroke-opacity", "0.55"), ("stroke-width", "0.8")]))
            } else {
                let color = colorMap.color(at: normalizer.fraction(ofTransformed: level))
                out.append(SVGDocument.element("path", [("d", d), ("fill", "none"), ("stroke", color.hex),
                                                        ("stroke-width", "1.2")]))
            }
        }
        return [SVGDocument.group([("class", "contours")], out)]
    }

    private func quiverMarkup(_ frame: PlotFrame) -> [String] {
        guard let field = vectorField else { return [] }
        let rect = frame.rect
        let count = max(2, arrowCount)
        let spacing = max(rect.width, rect.height) / Double(count)
        let cols = max(1, Int((rect.width / spacing).rounded())), rows = max(1, Int((rect.height / spacing).rounded()))
        let dx = rect.width / Double(cols), dy = rect.height / Double(rows)
        let xSpan = xRange.upperBound - xRange.lowerBound, ySpan = yRange.upperBound - yRange.lowerBound
        // Pixels per data unit along each axis.
        let sx = rect.width / xSpan, sy = rect.height / ySpan

        var arrows: [(center: PixelPoint, direction: PixelPoint, norm: Double)] = []
        for r in 0..<rows {
            for c in 0..<cols {
                let center = PixelPoint(rect.left + (Double(c) + 0.5) * dx, rect.top + (Double(r) + 0.5) * dy)
                let x = xRange.lowerBound + (center.x - rect.left) / sx
                let y = yRange.upperBound - (center.y - rect.top) / sy
                let (vx, vy) = field(x, y)
                let px = vx * sx, py = -vy * sy
                let norm = hypot(px, py)
                guard norm.isFinite, norm > 0 else { continue }
                arrows.append((center, PixelPoint(px / norm, py / norm), norm))
            }
        }
        guard !arrows.isEmpty else { return [] }
        let norms = arrows.map(\.norm).sorted()
        let reference = norms[Int(0.9 * Double(norms.count - 1))]
        let maxLength = 0.85 * min(dx, dy)

        var shafts = "", heads = ""
        for arrow in arrows {
            let ratio = min(arrow.norm / reference, 1)
            let scale: Double
            switch quiverScaling {
            case .uniform: scale = 1
            case .linear: scale = ratio
            case .squareRoot: scale = ratio.squareRoot()
            }
            let length = maxLength * scale
            guard length >= 1.5 else { continue }
            let u = arrow.direction
            let tail = PixelPoint(arrow.center.x - u.x * length / 2, arrow.center.y - u.y * length / 2)
            let tip = PixelPoint(arrow.center.x + u.x * length / 2, arrow.center.y + u.y * length / 2)
            let headLength = min(max(0.35 * length, 2.5), 6)
            let halfWidth = 0.5 * headLength
            let base = PixelPoint(tip.x - u.x * headLength, tip.y - u.y * headLength)
            shafts += "M\(num(tail.x)),\(num(tail.y)) L\(num(base.x)),\(num(base.y)) "
            heads += "M\(num(tip.x)),\(num(tip.y)) L\(num(base.x - u.y * halfWidth)),\(num(base.y + u.x * halfWidth)) "
                + "L\(num(base.x + u.y * halfWidth)),\(num(base.y - u.x * halfWidth)) Z "
        }
        guard !shafts.isEmpty else { return [] }
        let color = arrowColor.hex
        return [SVGDocument.group([("class", "quiver"), ("opacity", "0.8")], [
            SVGDocument.element("path", [("d", shafts), ("fill", "none"), ("stroke", color), ("stroke-width", "1.1"),
                                         ("stroke-linecap", "round")]),
            SVGDocument.element("path", [("d", heads), ("fill", color), ("stroke", "none")]),
        ])]
    }

    private func trajectoriesMarkup(_ frame: PlotFrame) -> [String] {
        var out: [String] = []
        var starts: [PixelPoint] = []
        let visible = frame.rect.expanded(by: 1)
        for (i, t) in trajectories.enumerated() {
            let color = color(ofTrajectory: i)
            let points = pixels(t, frame)
            // A light line gets a dark halo and a dark line a light one, so both read on any background.
            let halo = color.luminance > 0.6 ? "#000000" : "#ffffff"
            let runs = Geometry.clipPolyline(points, to: frame.drawingBounds).filter { $0.count >= 2 }
            let d = runs.map { SVGDocument.pathData($0) }.joined(separator: " ")
            var parts: [String] = []
            if !d.isEmpty {
                parts.append(SVGDocument.element("path", [("d", d), ("fill", "none"), ("stroke", halo),
                                                          ("stroke-opacity", "0.45"),
                                                          ("stroke-width", num(t.lineWidth + 2)),
                                                          ("stroke-linejoin", "round")]))
                parts.append(SVGDocument.element("path", [("d", d), ("fill", "none"), ("stroke", color.hex),
                                                          ("stroke-width", num(t.lineWidth)),
                                                          ("stroke-linejoin", "round")]))
            }
            if t.marker != .none {
                // One marker per iterate, except where iterates crowd closer than 2.5 px: a slow crawl
                // would otherwise become a solid smear of outlines.
                var last: PixelPoint? = nil
                for p in points {
                    guard let p, visible.contains(p) else { continue }
                    if let last, hypot(p.x - last.x, p.y - last.y) < 2.5 { continue }
                    parts.append(t.marker.markup(at: p, size: 5.5, fill: color,
                                                 stroke: Color(hex: halo), strokeWidth: 0.7))
                    last = p
                }
            }
            if let first = points.first ?? nil, visible.contains(first), !starts.contains(first) { starts.append(first) }
            out.append(SVGDocument.group([("class", "trajectory")], parts))
        }
        for p in starts {
            out.append(Marker.circle.markup(at: p, size: 10, fill: .white, stroke: .black, strokeWidth: 1.5))
        }
        return out
    }

    private func num(_ x: Double) -> String { SVGDocument.number(x) }
}
