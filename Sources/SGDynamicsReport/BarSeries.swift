import Foundation

/// Bars of a histogram in a `LinePlot`: bar i spans [edges[i], edges[i+1]] and has height heights[i].
///
/// Bars rise from 0 on a linear y axis and from the bottom of the frame on a log y axis. Bars with a
/// non-finite height or edge are skipped.
public struct BarSeries: Sendable {
    public var label: String
    /// Bin edges, one more than `heights`.
    public var edges: [Double]
    public var heights: [Double]
    /// `nil` picks the next colour of the plot's palette.
    public var color: Color?
    /// Fill opacity, so that lines and densities drawn over the bars stay visible.
    public var opacity: Double

    /// - Precondition: `edges.count == heights.count + 1`.
    public init(label: String, edges: [Double], heights: [Double], color: Color? = nil, opacity: Double = 0.45) {
        precondition(edges.count == heights.count + 1,
                     "BarSeries \(label): \(edges.count) edges for \(heights.count) bars (need one more)")
        self.label = label
        self.edges = edges
        self.heights = heights
        self.color = color
        self.opacity = opacity
    }

    /// Bars of equal `width` centred at `centers`.
    public init(label: String, centers: [Double], width: Double, heights: [Double], color: Color? = nil,
                opacity: Double = 0.45) {
        precondition(centers.count == heights.count, "BarSeries \(label): centers and heights differ in length")
        // Edges are shared between neighbours only when centres are evenly spaced; the usual case.
        var edges = centers.map { $0 - width / 2 }
        edges.append((centers.last ?? 0) + width / 2)
        self.init(label: label, edges: edges, heights: heights, color: color, opacity: opacity)
    }
}
