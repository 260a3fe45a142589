import Foundation

/// A dashed grey guide line with a label, drawn across the whole frame.
///
/// A `.slope` line is straight in the axes' own coordinates: on a log–log plot it is the power law
/// y = y₀ (x / x₀)^s through the anchor (x₀, y₀), the usual way to show an order of convergence.
public enum ReferenceLine: Sendable {
    /// T_y(y) = T_y(y₀) + s · (T_x(x) − T_x(x₀)), with T = log₁₀ on a log axis and the identity on a
    /// linear one.
    case slope(Double, anchor: (x: Double, y: Double), label: String)
    /// y = value.
    case horizontal(Double, label: String)
    /// x = value.
    case vertical(Double, label: String)
}
