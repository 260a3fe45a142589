import Foundation

/// An axis-aligned rectangle in SVG user units.
struct PixelRect: Sendable, Hashable {
    var left: Double
    var top: Double
    var width: Double
    var height: Double

    var right: Double { left + width }
    var bottom: Double { top + height }
    var centerX: Double { left + width / 2 }
    var centerY: Double { top + height / 2 }

    func contains(_ p: PixelPoint) -> Bool {
        p.x >= left && p.x <= right && p.y >= top && p.y <= bottom
    }

    /// The rectangle grown by `margin` on every side.
    func expanded(by margin: Double) -> PixelRect {
        PixelRect(left: left - margin, top: top - margin, width: width + 2 * margin, height: height + 2 * margin)
    }

    func intersects(_ other: PixelRect) -> Bool {
        left < other.right && other.left < right && top < other.bottom && other.top < bottom
    }
}
