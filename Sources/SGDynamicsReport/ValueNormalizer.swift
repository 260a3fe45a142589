import Foundation

/// Maps values of a sampled function or matrix to colour-map positions t ∈ [0, 1].
///
///     linear:       t = (f − lo) / (hi − lo)
///     logarithmic:  g(f) = log₁₀(max(f − lo, 0) + ε),   t = (g(f) − g(lo)) / (g(hi) − g(lo))
///
/// where [lo, hi] is the range of the finite samples (or a fixed range). A constant function maps to
/// t = 0.5.
struct ValueNormalizer {
    let scaling: ColorScaling
    let lower: Double
    let upper: Double
    let epsilon: Double

    init(values: [Double], scaling: ColorScaling, range: ClosedRange<Double>? = nil) {
        var lo = Double.infinity, hi = -Double.infinity
        if let range, range.lowerBound.isFinite, range.upperBound.isFinite {
            (lo, hi) = (range.lowerBound, range.upperBound)
        } else {
            for v in values where v.isFinite {
                lo = min(lo, v)
                hi = max(hi, v)
            }
        }
        if lo > hi { (lo, hi) = (0, 1) }
        self.scaling = scaling
        self.lower = lo
        self.upper = hi
        switch scaling {
        case .linear:
            epsilon = 0
        case .logarithmic(let e):
            let spread = hi - lo
            let fallback = spread > 0 && spread.isFinite ? 1e-4 * spread : 1
            epsilon = e.map { $0 > 0 && $0.isFinite ? $0 : fallback } ?? fallback
        }
    }

    /// The value in the coordinate where colours are linear; `nil` for a non-finite value.
    func transformed(_ f: Double) -> Double? {
        guard f.isFinite else { return nil }
        switch scaling {
        case .linear: return f
        case .logarithmic: return Foundation.log10(max(f - lower, 0) + epsilon)
        }
    }

    var transformedLower: Double { transformed(lower) ?? 0 }
    var transformedUpper: Double { transformed(upper) ?? 1 }

    /// Colour-map position of a transformed value, clamped to [0, 1].
    func fraction(ofTransformed g: Double) -> Double {
        let a = transformedLower, b = transformedUpper
        guard b > a, (b - a).isFinite else { return 0.5 }
        return min(max((g - a) / (b - a), 0), 1)
    }

    /// Colour-map position of a value, or `nil` when it is not finite.
    func fraction(of f: Double) -> Double? {
        transformed(f).map(fraction(ofTransformed:))
    }

    /// The axis of a colour bar: f on a linear scale, f − lo + ε on a log scale, so that the bar's
    /// position matches `fraction(of:)`.
    func colorBarAxis(title: String, targetCount: Int) -> Axis {
        switch scaling {
        case .linear:
            return Axis(scale: .linear, title: title, domain: lower...max(upper, lower), targetTickCount: targetCount)
        case .logarithmic:
            return Axis(scale: .log, title: title, domain: epsilon...(max(upper - lower, 0) + epsilon),
                        targetTickCount: targetCount)
        }
    }
}
