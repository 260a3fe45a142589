import Foundation

/// The rectangle where data is drawn, its two axes, and the markup around it (grid, frame, ticks,
/// tick labels, axis titles, chart title). Shared by every chart of this module.
///
/// Invariant: `rect` has positive width and height, and `px`/`py` map the axes' domains onto it (y up).
struct PlotFrame {
    var rect: PixelRect
    var xAxis: Axis
    var yAxis: Axis
    /// Id of the clip path equal to `rect`, unique to this geometry.
    var clipID: String
    /// The y axis runs downwards (matrix convention: first row at the top).
    var yReversed = false

    static let tickFont = 11.5
    static let tickLength = 5.0

    /// Lays out a frame in a `width` × `height` figure, leaving `rightReserve` pixels on the right (for
    /// a colour bar or an outside legend). Tick counts follow the pixel size (about one label per 80 px
    /// horizontally and 45 px vertically), and the left margin follows the widest y tick label.
    ///
    /// With `equalAspect`, one unit is the same length in x and y (linear axes only); the frame shrinks
    /// along one direction and stays centred in the space it had.
    static func layout(width: Double, height: Double, title: String, rightReserve: Double = 0,
                       equalAspect: Bool = false, yReversed: Bool = false,
                       makeX: (Int) -> Axis, makeY: (Int) -> Axis) -> PlotFrame {
        let top = title.isEmpty ? 16.0 : 42.0
        var rect = PixelRect(left: 60, top: top, width: 1, height: 1)
        var xAxis = makeX(2), yAxis = makeY(2)
        func place(in available: PixelRect) {
            rect = available
            yAxis = makeY(targetCount(rect.height, spacing: 45))
            xAxis = makeX(targetCount(rect.width, spacing: 85))
        }
        var available = rect
        for _ in 0..<2 {
            let bottom = 6 + 16 + (xAxis.title.isEmpty ? 0 : 22) + 10.0
            let yLabelWidth = yAxis.ticks.filter { !$0.label.isEmpty }
                .map { TextMetrics.width(of: $0.label, fontSize: tickFont) }.max() ?? 0
            let left = 10 + (yAxis.title.isEmpty ? 0 : 22) + yLabelWidth + tickLength + 4
            let right = rightReserve + 20
            available = PixelRect(left: left, top: top, width: max(40, width - left - right),
                                  height: max(40, height - top - bottom))
            place(in: available)
        }
        if equalAspect, xAxis.scale == .linear, yAxis.scale == .linear {
            let xs = xAxis.upper - xAxis.lower, ys = yAxis.upper - yAxis.lower
            let unit = min(available.width / xs, available.height / ys)
            if unit.isFinite, unit > 0 {
                let w = unit * xs, h = unit * ys
                let shrunk = PixelRect(left: available.left + (available.width - w) / 2, top: available.top,
                                       width: w, height: h)
                place(in: shrunk)
            }
        }
        let key = "\(rect.left),\(rect.top),\(rect.width),\(rect.height),\(width),\(height)"
        return PlotFrame(rect: rect, xAxis: xAxis, yAxis: yAxis, clipID: "clip-" + PlotFrame.hash(key),
                         yReversed: yReversed)
    }

    private static func targetCount(_ length: Double, spacing: Double) -> Int {
        max(2, min(10, Int(length / spacing)))
    }

    /// FNV-1a, for short deterministic ids.
    static func hash(_ text: String) -> String {
        var h: UInt64 = 0xcbf29ce484222325
        for byte in text.utf8 {
            h ^= UInt64(byte)
            h = h &* 0x100000001b3
        }
        return String(h, radix: 36)
    }

    // MARK: - Mapping

    func px(_ x: Double) -> Double? {
        xAxis.fraction(of: x).map { rect.left + $0 * rect.width }
    }

    func py(_ y: Double) -> Double? {
        yAxis.fraction(of: y).map { yReversed ? rect.top + $0 * rect.height : rect.bottom - $0 * rect.height }
    }

    /// The pixel position of a data point, or `nil` when either coordinate cannot be shown.
    func point(_ x: Double, _ y: Double) -> PixelPoint? {
        guard let a = px(x), let b = py(y) else { return nil }
        let p = PixelPoint(a, b)
        return p.isFinite ? p : nil
    }

    /// The rectangle that drawn geometry is clipped to before it is written: the frame plus a margin,
    /// so that strokes crossing the border end cleanly under the clip path.
    var drawingBounds: PixelRect { rect.expanded(by: 4) }

    /// `clip-path` attribute value for groups drawn inside the frame.
    var clipReference: String { "url(#\(clipID))" }

    func clipDefinition() -> String {
        "<clipPath id=\"\(clipID)\">"
            + SVGDocument.element("rect", [("x", n(rect.left)), ("y", n(rect.top)),
                                           ("width", n(rect.width)), ("height", n(rect.height))])
            + "</clipPath>"
    }

    // MARK: - Markup

    /// Grid lines at every tick: major ones light grey, minor ones fainter.
    func gridMarkup() -> String {
        var major = "", minor = ""
        for tick in xAxis.ticks {
            guard let x = px(tick.value), x >= rect.left - 0.01, x <= rect.right + 0.01 else { continue }
            let d = "M\(n(x)),\(n(rect.top)) V\(n(rect.bottom)) "
            if tick.isMajor || !tick.label.isEmpty { major += d } else { minor += d }
        }
        for tick in yAxis.ticks {
            guard let y = py(tick.value), y >= rect.top - 0.01, y <= rect.bottom + 0.01 else { continue }
            let d = "M\(n(rect.left)),\(n(y)) H\(n(rect.right)) "
            if tick.isMajor || !tick.label.isEmpty { major += d } else { minor += d }
        }
        var out: [String] = []
        if !minor.isEmpty {
            out.append(SVGDocument.element("path", [("d", minor), ("stroke", "#f0f0f0"), ("stroke-width", "1"),
                                                    ("fill", "none")]))
        }
        if !major.isEmpty {
            out.append(SVGDocument.element("path", [("d", major), ("stroke", "#e3e3e3"), ("stroke-width", "1"),
                                                    ("fill", "none")]))
        }
        return out.joined(separator: "\n")
    }

    /// Frame, tick marks, tick labels and axis titles.
    func axesMarkup() -> String {
        var out: [String] = []
        out.append(SVGDocument.element("rect", [("x", n(rect.left)), ("y", n(rect.top)), ("width", n(rect.width)),
                                                ("height", n(rect.height)), ("fill", "none"),
                                                ("stroke", "#4d4d4d"), ("stroke-width", "1")]))
        var marks = ""
        for tick in xAxis.ticks {
            guard let x = px(tick.value), x >= rect.left - 0.01, x <= rect.right + 0.01 else { continue }
            let len = tick.isMajor || !tick.label.isEmpty ? PlotFrame.tickLength : 3
            marks += "M\(n(x)),\(n(rect.bottom)) v\(n(len)) "
        }
        for tick in yAxis.ticks {
            guard let y = py(tick.value), y >= rect.top - 0.01, y <= rect.bottom + 0.01 else { continue }
            let len = tick.isMajor || !tick.label.isEmpty ? PlotFrame.tickLength : 3
            marks += "M\(n(rect.left)),\(n(y)) h\(n(-len)) "
        }
        out.append(SVGDocument.element("path", [("d", marks), ("stroke", "#4d4d4d"), ("stroke-width", "1"),
                                                ("fill", "none")]))

        let font = PlotFrame.tickFont
        let xLabels = PlotFrame.visibleLabels(xAxis, position: px) { TextMetrics.width(of: $0, fontSize: font) }
        let labelY = rect.bottom + PlotFrame.tickLength + 3 + font
        for (tick, x) in xLabels {
            out.append(SVGDocument.element("text", [("x", n(x)), ("y", n(labelY)), ("text-anchor", "middle"),
                                                    ("class", "tick")], text: tick.label))
        }
        let yLabels = PlotFrame.visibleLabels(yAxis, position: py) { _ in font + 1 }
        for (tick, y) in yLabels {
            out.append(SVGDocument.element("text", [("x", n(rect.left - PlotFrame.tickLength - 3)),
                                                    ("y", n(y + font * 0.36)), ("text-anchor", "end"),
                                                    ("class", "tick")], text: tick.label))
        }
        if !xAxis.title.isEmpty {
            out.append(SVGDocument.element("text", [("x", n(rect.centerX)), ("y", n(labelY + 22)),
                                                    ("text-anchor", "middle"), ("class", "axis-title")],
                                           text: xAxis.title))
        }
        if !yAxis.title.isEmpty {
            let widest = yLabels.map { TextMetrics.width(of: $0.0.label, fontSize: font) }.max() ?? 0
            let x = rect.left - PlotFrame.tickLength - 3 - widest - 10
            let y = rect.centerY
            out.append(SVGDocument.element("text", [("x", n(x)), ("y", n(y)), ("text-anchor", "middle"),
                                                    ("transform", "rotate(-90 \(n(x)) \(n(y)))"),
                                                    ("class", "axis-title")], text: yAxis.title))
        }
        return out.joined(separator: "\n")
    }

    /// The chart title, centred over the frame.
    func titleMarkup(_ title: String, figureWidth: Double) -> String {
        guard !title.isEmpty else { return "" }
        let w = TextMetrics.width(of: title, fontSize: 15)
        // Centre over the frame unless that pushes the title off the figure.
        let x = min(max(rect.centerX, w / 2 + 6), figureWidth - w / 2 - 6)
        return SVGDocument.element("text", [("x", n(x)), ("y", "26"), ("text-anchor", "middle"),
                                            ("class", "title")], text: title)
    }

    /// The labeled ticks to draw, thinned so that labels do not overlap: all labels if they fit, else
    /// only the major ones, else every k-th major one (keeping zero when it is a tick).
    static func visibleLabels(_ axis: Axis, position: (Double) -> Double?,
                              extent: (String) -> Double) -> [(Tick, Double)] {
        let candidates: [(Tick, Double)] = axis.ticks.compactMap { tick in
            guard !tick.label.isEmpty, let p = position(tick.value), p.isFinite else { return nil }
            return (tick, p)
        }
        func fits(_ list: [(Tick, Double)]) -> Bool {
            let sorted = list.sorted { $0.1 < $1.1 }
            for i in sorted.indices.dropFirst() {
                let gap = sorted[i].1 - sorted[i - 1].1
                if gap < (extent(sorted[i].0.label) + extent(sorted[i - 1].0.label)) / 2 + 6 { return false }
            }
            return true
        }
        if fits(candidates) { return candidates }
        let majors = candidates.filter { $0.0.isMajor }
        if fits(majors) { return majors }
        let anchor = majors.firstIndex { $0.0.value == 0 } ?? 0
        for k in 2...max(2, majors.count) {
            let subset = majors.indices.filter { (($0 - anchor) % k + k) % k == 0 }.map { majors[$0] }
            if fits(subset) { return subset }
        }
        return Array(majors.prefix(1))
    }

    private func n(_ x: Double) -> String { SVGDocument.number(x) }
}
