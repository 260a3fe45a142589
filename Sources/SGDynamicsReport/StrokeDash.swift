import Foundation

/// The dash pattern of a line.
public enum StrokeDash: Sendable, Hashable {
    case solid
    case dashed
    case dotted
    case dashDot

    /// The `stroke-dasharray` value for a line of the given width, or `nil` for a solid line.
    func dashArray(lineWidth: Double) -> String? {
        let w = max(lineWidth, 1)
        let pattern: [Double]
        switch self {
        case .solid: return nil
        case .dashed: pattern = [4 * w, 2.5 * w]
        case .dotted: pattern = [1 * w, 2 * w]
        case .dashDot: pattern = [4 * w, 2 * w, 1 * w, 2 * w]
        }
        return pattern.map(SVGDocument.number).joined(separator: " ")
    }
}
