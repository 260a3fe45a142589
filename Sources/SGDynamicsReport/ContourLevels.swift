import Foundation

/// Which contour lines a `ContourPlot` draws.
public enum ContourLevels: Sendable {
    /// `count` levels evenly spaced in colour-scale space between the grid's minimum and maximum:
    /// evenly spaced values of f for `.linear` colours, log-spaced values of f − min for `.logarithmic`.
    case automatic(count: Int)
    /// Levels at the quantiles k / (count + 1) of the sampled values, so that the bands between lines
    /// cover about equal areas.
    case quantiles(count: Int)
    /// These values of f.
    case values([Double])
    /// No contour lines.
    case none
}
