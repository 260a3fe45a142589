import Foundation

/// Compact number formatting for tick labels: `0`, `0.001`, `2.5`, `1e-4`, `3e6`.
///
/// Plain decimals are used for magnitudes in [10⁻³, 10⁵), scientific notation (no `+`, no leading
/// zeros in the exponent) outside it.
public enum TickLabel {
    /// The shortest plain or scientific form of `value` that is exact to about six significant digits.
    public static func compact(_ value: Double) -> String {
        guard value.isFinite else { return value.isNaN ? "NaN" : (value > 0 ? "∞" : "−∞") }
        if value == 0 { return "0" }
        let magnitude = abs(value)
        if magnitude >= 1e-3 && magnitude < 1e5 {
            return plain(value)
        }
        return scientific(value)
    }

    /// Labels for evenly spaced linear ticks `k · step` with `step = m · 10^exponent`: one number of
    /// decimals for the whole axis (`0.0, 0.5, 1.0`), or scientific notation when every tick is tiny or
    /// huge.
    public static func linearLabels(_ values: [Double], stepExponent: Int) -> [String] {
        let largest = values.map(abs).max() ?? 0
        if largest > 0 && (largest >= 1e5 || largest < 1e-3) {
            let labels = values.map { $0 == 0 ? "0" : scientific($0) }
            // Scientific labels can collide when the spread is tiny relative to the values.
            if Set(labels).count == labels.count { return labels }
        }
        let decimals = min(max(0, -stepExponent), 15)
        return values.map { value in
            if value == 0 { return "0" }
            return String(format: "%.\(decimals)f", value)
        }
    }

    /// Plain decimal notation with the fewest decimals (at most 12) that keep six significant digits.
    static func plain(_ value: Double) -> String {
        let magnitude = abs(value)
        let target = roundedToSignificant(value, digits: 6)
        for decimals in 0...12 {
            let s = String(format: "%.\(decimals)f", target)
            if let parsed = Double(s), abs(parsed - target) <= 1e-9 * magnitude {
                return s
            }
        }
        return String(format: "%.12f", target)
    }

    /// `m e k` with a mantissa of at most four significant digits: `1e-4`, `2.5e6`, `-3e-7`.
    static func scientific(_ value: Double) -> String {
        var exponent = Int(Foundation.floor(Foundation.log10(abs(value))))
        var mantissa = roundedToSignificant(value / power(exponent), digits: 4)
        if abs(mantissa) >= 10 {
            exponent += 1
            mantissa /= 10
        }
        return plain(mantissa) + "e" + String(exponent)
    }

    static func roundedToSignificant(_ value: Double, digits: Int) -> Double {
        guard value != 0, value.isFinite else { return value }
        let exponent = Int(Foundation.floor(Foundation.log10(abs(value)))) - digits + 1
        let scale = power(exponent)
        let rounded = (value / scale).rounded() * scale
        return rounded.isFinite ? rounded : value
    }

    /// 10^k, correctly rounded for |k| ≤ 22 (exact powers, one division).
    static func power(_ k: Int) -> Double {
        if k >= 0 { return Foundation.pow(10, Double(k)) }
        if k >= -22 { return 1 / Foundation.pow(10, Double(-k)) }
        return Foundation.pow(10, Double(k))
    }
}
