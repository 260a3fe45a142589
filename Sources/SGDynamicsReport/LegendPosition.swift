import Foundation

/// Where a chart puts its legend.
public enum LegendPosition: Sendable, Hashable {
    /// The inside corner that covers the fewest data points; outside on the right when every corner
    /// would cover data.
    case automatic
    case topLeft
    case topRight
    case bottomLeft
    case bottomRight
    /// To the right of the frame (the frame narrows to make room).
    case outsideRight
    /// No legend.
    case hidden
}
