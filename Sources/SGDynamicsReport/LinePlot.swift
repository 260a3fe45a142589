import Foundation

/// A figure of lines, error bars, shaded bands, histogram bars and reference lines on linear or log
/// axes, with a legend and a title.
///
///     var plot = LinePlot(title: "Weak error vs η", xLabel: "η", yLabel: "error", xScale: .log, yScale: .log)
///     plot.add(Series(label: "SME-1", x: etas, y: errors, errors: standardErrors, marker: .circle))
///     plot.addReferenceSlope(1, through: (x: 0.1, y: 0.03), label: "slope 1")
///     let svg = plot.render(width: 720, height: 480)
///
/// Axes fit all data (points, error-bar ends, bands, bars) unless `xDomain`/`yDomain` fix them.
/// Reference lines never change the axes. Drawing order: grid, bars, bands, reference lines, lines,
/// error bars, markers, axes, legend, title.
public struct LinePlot: Chart, Sendable {
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var xScale: Scale
    public var yScale: Scale
    public var series: [Series] = []
    public var bars: [BarSeries] = []
    public var referenceLines: [ReferenceLine] = []
    public var legendPosition: LegendPosition = .automatic
    /// Colours for series and bars without their own colour: series first, then bars, in order.
    public var palette: Palette = .okabeIto
    /// Fixed x domain; `nil` fits the data with nice bounds.
    public var xDomain: ClosedRange<Double>?
    /// Fixed y domain; `nil` fits the data with nice bounds.
    public var yDomain: ClosedRange<Double>?

    public init(title: String = "", xLabel: String = "", yLabel: String = "",
                xScale: Scale = .linear, yScale: Scale = .linear) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.xScale = xScale
        self.yScale = yScale
    }

    public mutating func add(_ series: Series) {
        self.series.append(series)
    }

    public mutating func add(_ bars: BarSeries) {
        self.bars.append(bars)
    }

    /// A guide line of the given slope through `anchor`: on a log–log plot the power law
    /// y = y₀ (x / x₀)^slope. The label defaults to "slope s".
    public mutating func addReferenceSlope(_ slope: Double, through anchor: (x: Double, y: Double), label: String? = nil) {
        referenceLines.append(.slope(slope, anchor: anchor, label: label ?? "slope \(TickLabel.compact(slope))"))
    }

    /// A horizontal guide line at `y`.
    public mutating func addHorizontalLine(y: Double, label: String = "") {
        referenceLines.append(.horizontal(y, label: label))
    }

    /// A vertical guide line at `x`.
    public mutating func addVerticalLine(x: Double, label: String = "") {
        referenceLines.append(.vertical(x, label: label))
    }

    // MARK: - Rendering

    public func render(width: Int = 720, height: Int = 480) -> String {
        let w = Double(max(width, 120)), h = Double(max(height, 100))
        let legend = makeLegend()
        var frame = layout(width: w, height: h, rightReserve: 0)
        var legendRect: PixelRect? = nil
        if !legend.isEmpty && legendPosition != .hidden {
            legendRect = legend.insideRect(for: legendPosition, in: frame.rect, polylines: obstacles(in: frame))
            if legendRect == nil {
                frame = layout(width: w, height: h, rightReserve: legend.width + 12)
                legendRect = PixelRect(left: frame.rect.right + 12, top: frame.rect.top,
                                       width: legend.width, height: legend.height)
            }
        }

        var doc = SVGDocument(width: w, height: h)
        doc.define(frame.clipDefinition())
        doc.append(frame.gridMarkup())
        var clipped: [String] = []
        clipped += barsMarkup(frame)
        clipped += bandsMarkup(frame)
        clipped += referenceLinesMarkup(frame, legendRect: legendRect)
        clipped += linesMarkup(frame)
        clipped += errorBarsMarkup(frame)
        clipped += markersMarkup(frame)
        doc.append(SVGDocument.group([("clip-path", frame.clipReference)], clipped))
        doc.append(frame.axesMarkup())
        if let legendRect { doc.append(legend.markup(in: legendRect)) }
        doc.append(frame.titleMarkup(title, figureWidth: w))
        return doc.render()
    }

    private func color(ofSeries i: Int) -> Color { series[i].color ?? palette[i] }
    private func color(ofBars j: Int) -> Color { bars[j].color ?? palette[series.count + j] }

    private func layout(width: Double, height: Double, rightReserve: Double) -> PlotFrame {
        var xs: [Double] = [], ys: [Double] = []
        for s in series {
            xs += s.x
            ys += s.y
            if let e = s.errors {
                for (y, e) in zip(s.y, e) where e.isFinite { ys.append(y + abs(e)); ys.append(y - abs(e)) }
            }
            if let band = s.band { ys += band.lower; ys += band.upper }
        }
        for b in bars {
            xs += b.edges
            ys += b.heights
            if yScale == .linear { ys.append(0) }
        }
        let (xTitle, yTitle, xScale, yScale, xDomain, yDomain) = (xLabel, yLabel, self.xScale, self.yScale,
                                                                  self.xDomain, self.yDomain)
        return PlotFrame.layout(
            width: width, height: height, title: title, rightReserve: rightReserve,
            makeX: { count in
                xDomain.map { Axis(scale: xScale, title: xTitle, domain: $0, targetTickCount: count) }
                    ?? Axis(scale: xScale, title: xTitle, fitting: xs, targetTickCount: count)
            },
            makeY: { count in
                yDomain.map { Axis(scale: yScale, title: yTitle, domain: $0, targetTickCount: count) }
                    ?? Axis(scale: yScale, title: yTitle, fitting: ys, targetTickCount: count)
            })
    }

    private func makeLegend() -> Legend {
        var entries: [Legend.Entry] = []
        for (j, b) in bars.enumerated() where !b.label.isEmpty {
            entries.append(.init(label: b.label, swatch: .bar(color(ofBars: j), opacity: b.opacity)))
        }
        for (i, s) in series.enumerated() where !s.label.isEmpty {
            entries.append(.init(label: s.label, swatch: .line(color(ofSeries: i), s.dash, width: s.lineWidth,
                                                               marker: s.marker)))
        }
        return Legend(entries: entries)
    }

    private func pixels(_ s: Series, _ frame: PlotFrame) -> [PixelPoint?] {
        zip(s.x, s.y).map { frame.point($0, $1) }
    }

    /// Everything the legend should avoid: lines, bar tops, band edges.
    private func obstacles(in frame: PlotFrame) -> [[PixelPoint?]] {
        var out = series.map { pixels($0, frame) }
        for s in series {
            if let band = s.band {
                out.append(zip(s.x, band.lower).map { frame.point($0, $1) })
                out.append(zip(s.x, band.upper).map { frame.point($0, $1) })
            }
            if let e = s.errors {
                for i in s.x.indices {
                    out.append([frame.point(s.x[i], s.y[i] + abs(e[i])), frame.point(s.x[i], s.y[i] - abs(e[i]))])
                }
            }
        }
        for b in bars {
            for i in b.heights.indices {
                out.append([frame.point(b.edges[i], b.heights[i]), frame.point(b.edges[i + 1], b.heights[i])])
            }
        }
        return out
    }

    private func barsMarkup(_ frame: PlotFrame) -> [String] {
        var out: [String] = []
        let bounds = frame.drawingBounds
        for (j, b) in bars.enumerated() {
            let color = color(ofBars: j)
            var parts: [String] = []
            for i in b.heights.indices {
                guard let x0 = frame.px(b.edges[i]), let x1 = frame.px(b.edges[i + 1]),
                      let top = frame.py(b.heights[i]) else { continue }
                let base = yScale == .log ? frame.rect.bottom : (frame.py(0) ?? frame.rect.bottom)
                let left = max(min(x0, x1), bounds.left), right = min(max(x0, x1), bounds.right)
                let upper = max(min(top, base), bounds.top), lower = min(max(top, base), bounds.bottom)
                guard right > left, lower > upper else { continue }
                parts.append(SVGDocument.element("rect", [("x", n(left)), ("y", n(upper)), ("width", n(right - left)),
                                                          ("height", n(lower - upper))]))
            }
            out.append(SVGDocument.group([("fill", color.hex), ("fill-opacity", n(b.opacity)),
                                          ("stroke", "#ffffff"), ("stroke-width", "0.6")], parts))
        }
        return out
    }

    private func bandsMarkup(_ frame: PlotFrame) -> [String] {
        var out: [String] = []
        for (i, s) in series.enumerated() {
            guard let band = s.band else { continue }
            var runs: [[(PixelPoint, PixelPoint)]] = [[]]
            for k in s.x.indices {
                if let lo = frame.point(s.x[k], band.lower[k]), let hi = frame.point(s.x[k], band.upper[k]) {
                    runs[runs.count - 1].append((lo, hi))
                } else if !(runs.last?.isEmpty ?? true) {
                    runs.append([])
                }
            }
            var d = ""
            for run in runs where run.count >= 2 {
                let polygon = run.map(\.1) + run.reversed().map(\.0)
                let clipped = Geometry.clipPolygon(polygon, to: frame.drawingBounds)
                if clipped.count >= 3 { d += SVGDocument.pathData(clipped, closed: true) + " " }
            }
            if !d.isEmpty {
                out.append(SVGDocument.element("path", [("d", d), ("fill", color(ofSeries: i).hex),
                                                        ("fill-opacity", "0.18"), ("stroke", "none")]))
            }
        }
        return out
    }

    private func linesMarkup(_ frame: PlotFrame) -> [String] {
        var out: [String] = []
        for (i, s) in series.enumerated() where s.lineWidth > 0 {
            let runs = Geometry.clipPolyline(pixels(s, frame), to: frame.drawingBounds).filter { $0.count >= 2 }
            guard !runs.isEmpty else { continue }
            let d = runs.map { SVGDocument.pathData(Geometry.simplify($0, tolerance: 0.2)) }.joined(separator: " ")
            out.append(SVGDocument.element("path", [("d", d), ("fill", "none"), ("stroke", color(ofSeries: i).hex),
                                                    ("stroke-width", n(s.lineWidth)),
                                                    ("stroke-dasharray", s.dash.dashArray(lineWidth: s.lineWidth)),
                                                    ("stroke-linejoin", "round"), ("stroke-linecap", "round")]))
        }
        return out
    }

    private func errorBarsMarkup(_ frame: PlotFrame) -> [String] {
        var out: [String] = []
        let bounds = frame.drawingBounds
        for (i, s) in series.enumerated() {
            guard let errors = s.errors else { continue }
            var d = ""
            for k in s.x.indices {
                let e = abs(errors[k])
                guard e.isFinite, let x = frame.px(s.x[k]), x.isFinite, frame.py(s.y[k]) != nil,
                      let top = frame.py(s.y[k] + e) else { continue }
                // On a log axis y − e may be ≤ 0: the bar then runs off the bottom of the frame.
                let bottom = frame.py(s.y[k] - e) ?? (frame.rect.bottom + 10)
                guard let (a, b) = Geometry.clip(PixelPoint(x, top), PixelPoint(x, bottom), to: bounds) else { continue }
                d += "M\(n(a.x)),\(n(a.y)) V\(n(b.y)) "
                for end in [top, bottom] where end >= frame.rect.top && end <= frame.rect.bottom {
                    d += "M\(n(x - 3)),\(n(end)) h6 "
                }
            }
            if !d.isEmpty {
                out.append(SVGDocument.element("path", [("d", d), ("fill", "none"), ("stroke", color(ofSeries: i).hex),
                                                        ("stroke-width", "1.2")]))
            }
        }
        return out
    }

    private func markersMarkup(_ frame: PlotFrame) -> [String] {
        var out: [String] = []
        let visible = frame.rect.expanded(by: 1)
        for (i, s) in series.enumerated() where s.marker != .none {
            let color = color(ofSeries: i)
            let parts = pixels(s, frame).compactMap { p -> String? in
                guard let p, visible.contains(p) else { return nil }
                return s.marker.markup(at: p, size: 7, fill: color)
            }
            if !parts.isEmpty { out.append(SVGDocument.group([], parts)) }
        }
        return out
    }

    private func referenceLinesMarkup(_ frame: PlotFrame, legendRect: PixelRect?) -> [String] {
        var out: [String] = []
        var placedLabels: [PixelRect] = []
        let grey = Color.grey.hex
        let bounds = frame.rect
        for line in referenceLines {
            var segment: (PixelPoint, PixelPoint)?
            var label = ""
            switch line {
            case let .slope(slope, anchor, text):
                label = text
                guard let tx0 = xScale.transform(anchor.x), let ty0 = yScale.transform(anchor.y),
                      let a = xScale.transform(frame.xAxis.lower), let b = xScale.transform(frame.xAxis.upper),
                      slope.isFinite else { continue }
                let ends = [a, b].compactMap { tx -> PixelPoint? in
                    guard let fx = frame.xAxis.fraction(ofTransformed: tx),
                          let fy = frame.yAxis.fraction(ofTransformed: ty0 + slope * (tx - tx0)) else { return nil }
                    let p = PixelPoint(bounds.left + fx * bounds.width, bounds.bottom - fy * bounds.height)
                    return p.isFinite ? p : nil
                }
                if ends.count == 2 { segment = Geometry.clip(ends[0], ends[1], to: bounds) }
            case let .horizontal(y, text):
                label = text
                if let py = frame.py(y) {
                    segment = Geometry.clip(PixelPoint(bounds.left, py), PixelPoint(bounds.right, py), to: bounds)
                }
            case let .vertical(x, text):
                label = text
                if let px = frame.px(x) {
                    segment = Geometry.clip(PixelPoint(px, bounds.bottom), PixelPoint(px, bounds.top), to: bounds)
                }
            }
            guard let (p, q) = segment else { continue }
            out.append(SVGDocument.element("line", [("x1", n(p.x)), ("y1", n(p.y)), ("x2", n(q.x)), ("y2", n(q.y)),
                                                    ("stroke", grey), ("stroke-width", "1.2"),
                                                    ("stroke-dasharray", "6 4")]))
            guard !label.isEmpty,
                  let placed = Self.placeLabel(label, along: (p, q), inside: bounds,
                                               avoiding: [legendRect].compactMap { $0 } + placedLabels) else { continue }
            placedLabels.append(placed.box)
            out.append(SVGDocument.element("text", [("x", n(placed.at.x)), ("y", n(placed.at.y)),
                                                    ("text-anchor", "middle"),
                                                    ("transform", "rotate(\(n(placed.angle)) \(n(placed.at.x)) \(n(placed.at.y)))"),
                                                    ("class", "note")], text: label))
        }
        return out
    }

    /// Where to write a guide line's label: along the line, just above it, as far towards the end of
    /// the visible part as possible while the label stays inside the frame and off the rectangles to
    /// avoid (legend, other labels). Returns the text anchor, its rotation in degrees and its bounding box.
    static func placeLabel(_ label: String, along segment: (PixelPoint, PixelPoint), inside frame: PixelRect,
                           avoiding obstacles: [PixelRect]) -> (at: PixelPoint, angle: Double, box: PixelRect)? {
        var (p, q) = segment
        if q.x < p.x || (q.x == p.x && q.y > p.y) { swap(&p, &q) } // read left to right, or bottom to top
        let length = hypot(q.x - p.x, q.y - p.y)
        let fontSize = 11.0
        let textWidth = TextMetrics.width(of: label, fontSize: fontSize)
        guard length > textWidth * 0.5 else { return nil }
        let u = PixelPoint((q.x - p.x) / length, (q.y - p.y) / length)
        let up = PixelPoint(u.y, -u.x) // the normal on the upper side (screen y points down)
        let angle = atan2(u.y, u.x) * 180 / .pi
        let inner = frame.expanded(by: -2)
        var t = 0.92
        while t >= 0.08 {
            let base = Geometry.lerp(p, q, t)
            let anchor = PixelPoint(base.x + 4 * up.x, base.y + 4 * up.y)
            let center = PixelPoint(anchor.x + 0.35 * fontSize * up.x, anchor.y + 0.35 * fontSize * up.y)
            let corners = [(-1.0, -1.0), (-1, 1), (1, -1), (1, 1)].map { a, b in
                PixelPoint(center.x + a * u.x * textWidth / 2 + b * up.x * fontSize * 0.55,
                           center.y + a * u.y * textWidth / 2 + b * up.y * fontSize * 0.55)
            }
            let xs = corners.map(\.x), ys = corners.map(\.y)
            let box = PixelRect(left: xs.min()!, top: ys.min()!, width: xs.max()! - xs.min()!,
                                height: ys.max()! - ys.min()!)
            if corners.allSatisfy(inner.contains), !obstacles.contains(where: { $0.intersects(box) }) {
                return (anchor, angle, box)
            }
            t -= 0.04
        }
        return nil
    }

    private func n(_ x: Double) -> String { SVGDocument.number(x) }
}
