import Foundation

/// One line of a `LinePlot`: points (x, y), optionally with symmetric error bars y ± e and a shaded
/// band between `lower` and `upper` (for example a confidence interval).
///
/// Points with a non-finite coordinate (or a non-positive one on a log axis) are skipped and break the
/// line; so do non-finite error or band values, which only drop that point's bar or band.
public struct Series: Sendable {
    public var label: String
    public var x: [Double]
    public var y: [Double]
    /// Half-widths of error bars, one per point (`nil`: no bars).
    public var errors: [Double]?
    /// Lower and upper edges of a shaded band, one pair per point (`nil`: no band).
    public var band: (lower: [Double], upper: [Double])?
    /// `nil` picks the next colour of the plot's palette.
    public var color: Color?
    public var dash: StrokeDash
    public var marker: Marker
    /// Width of the line in pixels; 0 draws markers only.
    public var lineWidth: Double

    /// - Precondition: `x`, `y`, `errors` and the band arrays have equal lengths.
    public init(label: String, x: [Double], y: [Double], errors: [Double]? = nil,
                band: (lower: [Double], upper: [Double])? = nil, color: Color? = nil,
                dash: StrokeDash = .solid, marker: Marker = .none, lineWidth: Double = 1.75) {
        precondition(x.count == y.count, "Series \(label): x has \(x.count) values, y has \(y.count)")
        if let errors {
            precondition(errors.count == x.count, "Series \(label): \(errors.count) errors for \(x.count) points")
        }
        if let band {
            precondition(band.lower.count == x.count && band.upper.count == x.count,
                         "Series \(label): band arrays must have \(x.count) values")
        }
        self.label = label
        self.x = x
        self.y = y
        self.errors = errors
        self.band = band
        self.color = color
        self.dash = dash
        self.marker = marker
        self.lineWidth = lineWidth
    }
}
