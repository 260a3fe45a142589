import Foundation

/// A sequential or diverging colour map: colours at evenly spaced anchors on 0...1, interpolated
/// linearly in sRGB between them.
public struct ColorMap: Sendable {
    public var anchors: [Color]

    /// - Precondition: at least two anchors.
    public init(anchors: [Color]) {
        precondition(anchors.count >= 2, "ColorMap needs at least two anchors")
        self.anchors = anchors
    }

    /// The colour at `t` (clamped to 0...1; NaN maps to 0).
    public func color(at t: Double) -> Color {
        let u = t.isNaN ? 0 : min(max(t, 0), 1)
        let position = u * Double(anchors.count - 1)
        let i = min(Int(position), anchors.count - 2)
        return anchors[i].mixed(with: anchors[i + 1], fraction: position - Double(i))
    }

    /// Viridis, perceptually uniform from dark purple (0) to yellow (1), sampled at ten points.
    ///
    /// - Reference: van der Walt & Smith (2015), matplotlib's default colour map.
    public static let viridis = ColorMap(anchors: [
        "#440154", "#482878", "#3E4A89", "#31688E", "#26828E",
        "#1F9E89", "#35B779", "#6DCD59", "#B4DE2C", "#FDE725",
    ].map(Color.init(hex:)))

    /// White (0) to near-black (1).
    public static let greys = ColorMap(anchors: [Color(hex: "#FFFFFF"), Color(hex: "#1A1A1A")])

    /// Diverging blue (0) – white (0.5) – red (1), for signed data centred on zero.
    ///
    /// - Reference: ColorBrewer RdBu (Harrower & Brewer 2003), reversed.
    public static let blueRed = ColorMap(anchors: [
        "#2166AC", "#67A9CF", "#D1E5F0", "#F7F7F7", "#FDDBC7", "#EF8A62", "#B2182B",
    ].map(Color.init(hex:)))
}
