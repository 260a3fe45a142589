import Foundation

/// How a `ContourPlot` or `Heatmap` maps values to colours.
public enum ColorScaling: Sendable, Hashable {
    /// Colour linear in the value.
    case linear
    /// Colour linear in log₁₀(f − f_min + ε), where f_min is the smallest sampled value. Shows the
    /// shape of objectives such as Rosenbrock's whose values span many decades; `nil` takes
    /// ε = 10⁻⁴ (f_max − f_min).
    case logarithmic(epsilon: Double? = nil)
}
