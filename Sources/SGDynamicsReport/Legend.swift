import Foundation

/// A legend box: one row per entry, a swatch (line sample, marker or filled square) then the label.
struct Legend {
    enum Swatch {
        case line(Color, StrokeDash, width: Double, marker: Marker)
        case bar(Color, opacity: Double)
        case marker(Marker, Color, size: Double)
    }

    struct Entry {
        var label: String
        var swatch: Swatch
    }

    var entries: [Entry]

    static let fontSize = 12.0
    static let rowHeight = 18.0
    static let swatchWidth = 26.0
    static let padding = 7.0

    var isEmpty: Bool { entries.isEmpty }

    var width: Double {
        let text = entries.map { TextMetrics.width(of: $0.label, fontSize: Legend.fontSize) }.max() ?? 0
        return 2 * Legend.padding + Legend.swatchWidth + 6 + text
    }

    var height: Double { 2 * Legend.padding + Double(entries.count) * Legend.rowHeight - 4 }

    /// The legend's rectangle in a corner of `frame`, inset by 8 px.
    func rect(at corner: LegendPosition, in frame: PixelRect) -> PixelRect {
        let inset = 8.0
        let left: Double, top: Double
        switch corner {
        case .topLeft: (left, top) = (frame.left + inset, frame.top + inset)
        case .bottomLeft: (left, top) = (frame.left + inset, frame.bottom - inset - height)
        case .bottomRight: (left, top) = (frame.right - inset - width, frame.bottom - inset - height)
        default: (left, top) = (frame.right - inset - width, frame.top + inset)
        }
        return PixelRect(left: left, top: top, width: width, height: height)
    }

    /// How much of the drawn data a legend at `rect` would hide: the number of polyline segments that
    /// cross it plus the number of points inside it.
    static func coverage(of rect: PixelRect, polylines: [[PixelPoint?]]) -> Int {
        let grown = rect.expanded(by: 3)
        var count = 0
        for line in polylines {
            for (i, p) in line.enumerated() {
                if let p, grown.contains(p) { count += 1 }
                if i > 0, let a = line[i - 1], let b = p, Geometry.clip(a, b, to: grown) != nil { count += 1 }
            }
        }
        return count
    }

    /// Picks the legend rectangle for `position`: for `.automatic`, the least covered corner, or `nil`
    /// when every corner covers data (the caller then places the legend outside).
    func insideRect(for position: LegendPosition, in frame: PixelRect, polylines: [[PixelPoint?]]) -> PixelRect? {
        switch position {
        case .topLeft, .topRight, .bottomLeft, .bottomRight:
            return rect(at: position, in: frame)
        case .automatic:
            guard width < frame.width * 0.6, height < frame.height * 0.7 else { return nil }
            for corner in [LegendPosition.topRight, .topLeft, .bottomRight, .bottomLeft] {
                let r = rect(at: corner, in: frame)
                if Legend.coverage(of: r, polylines: polylines) == 0 { return r }
            }
            return nil
        case .outsideRight, .hidden:
            return nil
        }
    }

    func markup(in rect: PixelRect) -> String {
        func n(_ v: Double) -> String { SVGDocument.number(v) }
        var out: [String] = []
        out.append(SVGDocument.element("rect", [("x", n(rect.left)), ("y", n(rect.top)), ("width", n(rect.width)),
                                                ("height", n(rect.height)), ("rx", "3"), ("fill", "#ffffff"),
                                                ("fill-opacity", "0.9"), ("stroke", "#bfbfbf"),
                                                ("stroke-width", "0.8")]))
        for (i, entry) in entries.enumerated() {
            let cy = rect.top + Legend.padding + Double(i) * Legend.rowHeight + 5
            let x0 = rect.left + Legend.padding, x1 = x0 + Legend.swatchWidth
            switch entry.swatch {
            case let .line(color, dash, width, marker):
                if width > 0 {
                    // A light line would vanish on the white box: outline it like on the chart.
                    if color.luminance > 0.75 {
                        out.append(SVGDocument.element("line", [("x1", n(x0)), ("y1", n(cy)), ("x2", n(x1)), ("y2", n(cy)),
                                                                ("stroke", "#000000"), ("stroke-opacity", "0.45"),
                                                                ("stroke-width", n(width + 2))]))
                    }
                    out.append(SVGDocument.element("line", [("x1", n(x0)), ("y1", n(cy)), ("x2", n(x1)), ("y2", n(cy)),
                                                            ("stroke", color.hex), ("stroke-width", n(width)),
                                                            ("stroke-dasharray", dash.dashArray(lineWidth: width))]))
                }
                if marker != .none {
                    let light = color.luminance > 0.75
                    out.append(marker.markup(at: PixelPoint((x0 + x1) / 2, cy), size: 7, fill: color,
                                             stroke: light ? .black : .white))
                }
            case let .bar(color, opacity):
                out.append(SVGDocument.element("rect", [("x", n(x0 + 4)), ("y", n(cy - 5)), ("width", n(18)),
                                                        ("height", "10"), ("fill", color.hex),
                                                        ("fill-opacity", n(max(opacity, 0.35)))]))
            case let .marker(marker, color, size):
                out.append(marker.markup(at: PixelPoint((x0 + x1) / 2, cy), size: size, fill: color,
                                         stroke: .black, strokeWidth: 1.2))
            }
            out.append(SVGDocument.element("text", [("x", n(x1 + 6)), ("y", n(cy + Legend.fontSize * 0.36)),
                                                    ("class", "legend")], text: entry.label))
        }
        return SVGDocument.group([("class", "legend-box")], out)
    }
}
