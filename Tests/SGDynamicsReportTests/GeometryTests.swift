import Foundation
import Testing
@testable import SGDynamicsReport

@Suite("Clipping and PNG encoding")
struct GeometryTests {
    let rect = PixelRect(left: 0, top: 0, width: 100, height: 50)

    /// A segment to a point at 10³⁰⁰ px is cut at the frame, keeping its direction.
    @Test func segmentToHugePointKeepsDirection() throws {
        let a = PixelPoint(50, 25), b = PixelPoint(1e300, 1e300)
        let (s, e) = try #require(Geometry.clip(a, b, to: rect))
        #expect(s == a)
        #expect(abs(e.x - 75) < 1e-9 && abs(e.y - 50) < 1e-9)
        #expect(Geometry.clip(PixelPoint(-10, -10), PixelPoint(-5, 200), to: rect) == nil)
        #expect(Geometry.clip(a, PixelPoint(.infinity, 0), to: rect) == nil)
    }

    @Test func polylineSplitsAtGapsAndExits() {
        let points: [PixelPoint?] = [PixelPoint(10, 10), PixelPoint(20, 10), nil, PixelPoint(30, 10),
                                     PixelPoint(200, 10), PixelPoint(40, 20), PixelPoint(50, 20)]
        let runs = Geometry.clipPolyline(points, to: rect)
        #expect(runs.count == 3)
        #expect(runs.flatMap { $0 }.allSatisfy { rect.contains($0) })
    }

    @Test func polygonClipping() {
        let square = [PixelPoint(-50, -50), PixelPoint(50, -50), PixelPoint(50, 1e300), PixelPoint(-50, 1e300)]
        let clipped = Geometry.clipPolygon(square, to: rect)
        #expect(!clipped.isEmpty)
        #expect(clipped.allSatisfy { $0.x >= 0 && $0.x <= 50 && $0.y >= 0 && $0.y <= 50 })
    }

    /// Checksums against published values, and the PNG header.
    @Test func pngChecksums() {
        #expect(PNGEncoder.crc32(Array("IEND".utf8)) == 0xAE42_6082)
        #expect(PNGEncoder.adler32(Array("Wikipedia".utf8)) == 0x11E6_0398)
        let png = PNGEncoder.encode(width: 2, height: 1, rgb: [255, 0, 0, 0, 0, 255])
        #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        #expect(Array(png.suffix(12)) == [0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82])
    }

    @Test func colorMapEnds() {
        #expect(ColorMap.viridis.color(at: 0).hex == "#440154")
        #expect(ColorMap.viridis.color(at: 1).hex == "#fde725")
        #expect(ColorMap.viridis.color(at: .nan).hex == "#440154")
        #expect(ColorMap.viridis.color(at: 7).hex == "#fde725")
    }
}

@Suite("Polyline simplification")
struct SimplifyTests {
    /// Simplification keeps the endpoints and every dropped point within the tolerance of the result.
    @Test func simplifiedLineStaysWithinTolerance() {
        let points = (0...400).map { k -> PixelPoint in
            let t = Double(k) / 400 * 2 * .pi
            return PixelPoint(100 + 80 * cos(t), 100 + 50 * sin(3 * t))
        }
        let simple = Geometry.simplify(points, tolerance: 0.2)
        #expect(simple.first == points.first && simple.last == points.last)
        #expect(simple.count < points.count / 2)
        for p in points {
            let distance = zip(simple, simple.dropFirst()).map { a, b -> Double in
                let dx = b.x - a.x, dy = b.y - a.y, len2 = dx * dx + dy * dy
                let t = len2 > 0 ? max(0, min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2)) : 0
                return hypot(p.x - a.x - t * dx, p.y - a.y - t * dy)
            }.min()!
            #expect(distance <= 0.2 + 1e-9)
        }
    }
}
