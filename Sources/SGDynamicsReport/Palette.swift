import Foundation

/// A qualitative palette: distinct colours for series, used in order and repeated when exhausted.
public struct Palette: Sendable {
    public var colors: [Color]

    /// - Precondition: `colors` is not empty.
    public init(colors: [Color]) {
        precondition(!colors.isEmpty, "Palette needs at least one colour")
        self.colors = colors
    }

    /// The colour for the `index`-th series (cycling).
    public subscript(index: Int) -> Color {
        colors[((index % colors.count) + colors.count) % colors.count]
    }

    /// Okabe & Ito's colour-blind-safe palette, reordered for white backgrounds (yellow last).
    ///
    /// - Reference: Okabe & Ito (2008), "Color Universal Design".
    public static let okabeIto = Palette(colors: [
        "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442",
    ].map(Color.init(hex:)))

    /// Warm and light colours that stand out on the viridis heat maps of `ContourPlot`.
    public static let onViridis = Palette(colors: [
        "#FF3B30", "#FF9F1C", "#FF5CD6", "#000000", "#FFFFFF", "#8C1C13",
    ].map(Color.init(hex:)))
}
