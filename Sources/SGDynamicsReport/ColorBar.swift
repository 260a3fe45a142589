import Foundation

/// A vertical colour bar to the right of a frame: a gradient of the colour map from bottom (t = 0) to
/// top (t = 1), with the ticks of its axis on the right and the axis title rotated beside them.
struct ColorBar {
    var axis: Axis
    var colorMap: ColorMap

    static let gap = 14.0
    static let barWidth = 14.0

    /// Horizontal space the bar, its labels and its title need.
    var reservedWidth: Double {
        let labels = axis.ticks.filter { !$0.label.isEmpty }
            .map { TextMetrics.width(of: $0.label, fontSize: PlotFrame.tickFont) }.max() ?? 20
        return ColorBar.gap + ColorBar.barWidth + 4 + 4 + labels + (axis.title.isEmpty ? 4 : 24)
    }

    func markup(beside frame: PixelRect, id: String, document: inout SVGDocument) -> String {
        func n(_ v: Double) -> String { SVGDocument.number(v) }
        let rect = PixelRect(left: frame.right + ColorBar.gap, top: frame.top, width: ColorBar.barWidth,
                             height: frame.height)
        let stops = (0...16).map { k -> String in
            let t = Double(k) / 16
            return SVGDocument.element("stop", [("offset", n(t)), ("stop-color", colorMap.color(at: t).hex)])
        }
        document.define("<linearGradient id=\"\(id)\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">"
                        + stops.joined() + "</linearGradient>")
        var out: [String] = []
        out.append(SVGDocument.element("rect", [("x", n(rect.left)), ("y", n(rect.top)), ("width", n(rect.width)),
                                                ("height", n(rect.height)), ("fill", "url(#\(id))"),
                                                ("stroke", "#4d4d4d"), ("stroke-width", "0.8")]))
        let position = { (v: Double) -> Double? in
            self.axis.fraction(of: v).flatMap { $0 >= -1e-9 && $0 <= 1 + 1e-9 ? rect.bottom - $0 * rect.height : nil }
        }
        var marks = ""
        for tick in axis.ticks {
            guard let y = position(tick.value) else { continue }
            marks += "M\(n(rect.right)),\(n(y)) h\(tick.isMajor || !tick.label.isEmpty ? 4 : 2) "
        }
        out.append(SVGDocument.element("path", [("d", marks), ("stroke", "#4d4d4d"), ("stroke-width", "1")]))
        let font = PlotFrame.tickFont
        let labels = PlotFrame.visibleLabels(axis, position: position) { _ in font + 1 }
        for (tick, y) in labels {
            out.append(SVGDocument.element("text", [("x", n(rect.right + 7)), ("y", n(y + font * 0.36)),
                                                    ("class", "tick")], text: tick.label))
        }
        if !axis.title.isEmpty {
            let widest = labels.map { TextMetrics.width(of: $0.0.label, fontSize: font) }.max() ?? 0
            let x = rect.right + 7 + widest + 12, y = rect.centerY
            out.append(SVGDocument.element("text", [("x", n(x)), ("y", n(y)), ("text-anchor", "middle"),
                                                    ("transform", "rotate(90 \(n(x)) \(n(y)))"),
                                                    ("class", "axis-title")], text: axis.title))
        }
        return SVGDocument.group([("class", "color-bar")], out)
    }
}
