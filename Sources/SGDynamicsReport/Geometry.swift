import Foundation

/// Clipping of segments, polylines and polygons to a rectangle in pixel space.
///
/// Charts map data to pixels in `Double`; a diverging path can land at 10³⁰⁰ px. Clipping here keeps
/// every coordinate written to the SVG inside (a margin around) the plot, while preserving the visible
/// geometry exactly, which clamping each coordinate would not.
enum Geometry {
    /// The part of segment a–b inside `rect` (Liang–Barsky), or `nil` when it misses the rectangle.
    static func clip(_ a: PixelPoint, _ b: PixelPoint, to rect: PixelRect) -> (PixelPoint, PixelPoint)? {
        guard a.isFinite, b.isFinite else { return nil }
        let dx = b.x - a.x, dy = b.y - a.y
        guard dx.isFinite, dy.isFinite else { return nil }
        var t0 = 0.0, t1 = 1.0
        let checks: [(Double, Double)] = [
            (-dx, a.x - rect.left), (dx, rect.right - a.x),
            (-dy, a.y - rect.top), (dy, rect.bottom - a.y),
        ]
        for (p, q) in checks {
            if p == 0 {
                if q < 0 { return nil }
            } else {
                let r = q / p
                if p < 0 {
                    if r > t1 { return nil }
                    if r > t0 { t0 = r }
                } else {
                    if r < t0 { return nil }
                    if r < t1 { t1 = r }
                }
            }
        }
        let start = t0 == 0 ? a : PixelPoint(a.x + t0 * dx, a.y + t0 * dy)
        let end = t1 == 1 ? b : PixelPoint(a.x + t1 * dx, a.y + t1 * dy)
        return (start, end)
    }

    /// Splits a polyline at missing points (`nil`) and clips it to `rect`; consecutive visible
    /// segments are joined into one run.
    static func clipPolyline(_ points: [PixelPoint?], to rect: PixelRect) -> [[PixelPoint]] {
        var runs: [[PixelPoint]] = []
        var current: [PixelPoint] = []
        func flush() {
            if current.count >= 2 { runs.append(current) }
            current = []
        }
        if points.count == 1, let p = points[0], rect.contains(p) {
            return [[p]]
        }
        for i in points.indices.dropFirst() {
            guard let a = points[i - 1], let b = points[i], let (s, e) = clip(a, b, to: rect) else {
                flush()
                continue
            }
            if let last = current.last, last == s {
                current.append(e)
            } else {
                flush()
                current = [s, e]
            }
            if e != b { flush() }
        }
        flush()
        return runs
    }

    /// Sutherland–Hodgman clipping of a polygon to `rect` (the result may be empty).
    static func clipPolygon(_ polygon: [PixelPoint], to rect: PixelRect) -> [PixelPoint] {
        guard polygon.allSatisfy(\.isFinite) else { return [] }
        var output = polygon
        let edges: [(PixelPoint) -> Bool] = [
            { $0.x >= rect.left }, { $0.x <= rect.right }, { $0.y >= rect.top }, { $0.y <= rect.bottom },
        ]
        let intersections: [(PixelPoint, PixelPoint) -> PixelPoint] = [
            { a, b in lerp(a, b, (rect.left - a.x) / (b.x - a.x)) },
            { a, b in lerp(a, b, (rect.right - a.x) / (b.x - a.x)) },
            { a, b in lerp(a, b, (rect.top - a.y) / (b.y - a.y)) },
            { a, b in lerp(a, b, (rect.bottom - a.y) / (b.y - a.y)) },
        ]
        for (inside, intersect) in zip(edges, intersections) {
            let input = output
            output = []
            guard let last = input.last else { return [] }
            var previous = last
            for current in input {
                if inside(current) {
                    if !inside(previous) { output.append(intersect(previous, current)) }
                    output.append(current)
                } else if inside(previous) {
                    output.append(intersect(previous, current))
                }
                previous = current
            }
        }
        return output.filter(\.isFinite)
    }

    static func lerp(_ a: PixelPoint, _ b: PixelPoint, _ t: Double) -> PixelPoint {
        PixelPoint(a.x + t * (b.x - a.x), a.y + t * (b.y - a.y))
    }

    /// Ramer–Douglas–Peucker simplification: drops points closer than `tolerance` pixels to the chord
    /// of the points kept around them, so the drawn line moves by at most `tolerance`. Endpoints are kept.
    ///
    /// - Reference: Douglas & Peucker (1973), Cartographica 10(2).
    static func simplify(_ points: [PixelPoint], tolerance: Double) -> [PixelPoint] {
        guard points.count > 2 else { return points }
        var keep = [Bool](repeating: false, count: points.count)
        keep[0] = true
        keep[points.count - 1] = true
        var stack = [(0, points.count - 1)]
        while let (first, last) = stack.popLast() {
            guard last > first + 1 else { continue }
            let a = points[first], b = points[last]
            let dx = b.x - a.x, dy = b.y - a.y
            let chord = hypot(dx, dy)
            var worst = 0.0, index = first
            for i in (first + 1)..<last {
                let p = points[i]
                let distance = chord > 0 ? abs(dx * (p.y - a.y) - dy * (p.x - a.x)) / chord : hypot(p.x - a.x, p.y - a.y)
                if distance > worst { (worst, index) = (distance, i) }
            }
            if worst > tolerance {
                keep[index] = true
                stack.append((first, index))
                stack.append((index, last))
            }
        }
        return points.indices.filter { keep[$0] }.map { points[$0] }
    }
}
