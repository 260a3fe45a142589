import Foundation

/// A symbol drawn at each data point.
public enum Marker: Sendable, Hashable {
    case none
    case circle
    case square
    case triangle
    case diamond
    case cross

    /// Markup for the marker centred at `p`, `size` pixels across, filled with `fill` and outlined with
    /// `stroke` (a cross is stroked with `fill`).
    func markup(at p: PixelPoint, size: Double, fill: Color, stroke: Color = .white, strokeWidth: Double = 0.8) -> String {
        let r = size / 2
        let x = p.x, y = p.y
        func n(_ v: Double) -> String { SVGDocument.number(v) }
        let paint: [(String, String?)] = [("fill", fill.hex), ("stroke", stroke.hex), ("stroke-width", n(strokeWidth))]
        switch self {
        case .none:
            return ""
        case .circle:
            return SVGDocument.element("circle", [("cx", n(x)), ("cy", n(y)), ("r", n(r))] + paint)
        case .square:
            let s = r * 0.9
            return SVGDocument.element("rect", [("x", n(x - s)), ("y", n(y - s)), ("width", n(2 * s)),
                                                ("height", n(2 * s))] + paint)
        case .triangle:
            let pts = [PixelPoint(x, y - r * 1.15), PixelPoint(x + r, y + r * 0.7), PixelPoint(x - r, y + r * 0.7)]
            return SVGDocument.element("polygon", [("points", SVGDocument.pointList(pts))] + paint)
        case .diamond:
            let s = r * 1.2
            let pts = [PixelPoint(x, y - s), PixelPoint(x + s, y), PixelPoint(x, y + s), PixelPoint(x - s, y)]
            return SVGDocument.element("polygon", [("points", SVGDocument.pointList(pts))] + paint)
        case .cross:
            let s = r * 0.85
            let d = "M\(n(x - s)),\(n(y - s)) L\(n(x + s)),\(n(y + s)) M\(n(x - s)),\(n(y + s)) L\(n(x + s)),\(n(y - s))"
            return SVGDocument.element("path", [("d", d), ("stroke", fill.hex), ("stroke-width", "1.6"),
                                                ("fill", "none")])
        }
    }
}
