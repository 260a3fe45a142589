import Foundation

/// A path of iterates (x_k, y_k) drawn over a `ContourPlot`: a polyline with a marker at each iterate
/// and a start marker at the first one.
public struct Trajectory: Sendable {
    public var label: String
    public var x: [Double]
    public var y: [Double]
    /// `nil` picks the next colour of the plot's trajectory palette.
    public var color: Color?
    public var marker: Marker
    public var lineWidth: Double

    /// - Precondition: `x.count == y.count`.
    public init(label: String, x: [Double], y: [Double], color: Color? = nil, marker: Marker = .circle,
                lineWidth: Double = 1.6) {
        precondition(x.count == y.count, "Trajectory \(label): x has \(x.count) values, y has \(y.count)")
        self.label = label
        self.x = x
        self.y = y
        self.color = color
        self.marker = marker
        self.lineWidth = lineWidth
    }

    public init(label: String, points: [(x: Double, y: Double)], color: Color? = nil, marker: Marker = .circle,
                lineWidth: Double = 1.6) {
        self.init(label: label, x: points.map(\.x), y: points.map(\.y), color: color, marker: marker,
                  lineWidth: lineWidth)
    }
}
