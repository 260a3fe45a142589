import Foundation

/// How data values map to positions along an axis.
public enum Scale: Sendable, Hashable {
    /// Position proportional to the value.
    case linear
    /// Position proportional to log₁₀ of the value; only positive values can be shown.
    case log

    /// The value in the coordinate where the scale is linear (`v` or `log₁₀ v`), or `nil` when the
    /// value cannot be shown (non-finite, or non-positive on a log scale).
    public func transform(_ value: Double) -> Double? {
        guard value.isFinite else { return nil }
        switch self {
        case .linear: return value
        case .log: return value > 0 ? Foundation.log10(value) : nil
        }
    }

    /// The inverse of `transform`.
    public func inverse(_ t: Double) -> Double {
        switch self {
        case .linear: return t
        case .log: return Foundation.pow(10, t)
        }
    }

    /// Whether `value` can be placed on this scale.
    public func canShow(_ value: Double) -> Bool {
        transform(value) != nil
    }
}
