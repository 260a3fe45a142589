import Foundation

/// Short decimal text of numbers for tables, claims and readings.
public enum NumberText {
    /// `digits` significant digits; scientific notation below 10⁻³ and from 10⁵; `nan`, `inf`, `-inf`.
    ///
    ///     NumberText.short(0.000123) == "1.230e-04",  NumberText.short(0.1) == "0.1"
    public static func short(_ v: Double, _ digits: Int = 4) -> String {
        if v.isNaN { return "nan" }
        if v.isInfinite { return v > 0 ? "inf" : "-inf" }
        if v != 0 && (abs(v) < 1e-3 || abs(v) >= 1e5) { return String(format: "%.\(digits - 1)e", v) }
        return String(format: "%.\(digits)g", v)
    }

    /// "a, b and c".
    public static func list(_ items: [String]) -> String {
        switch items.count {
        case 0: return ""
        case 1: return items[0]
        default: return items.dropLast().joined(separator: ", ") + " and " + items.last!
        }
    }

    /// A reading of a fitted order against the order the theory expects:
    /// "SME-2 matches SGD at order 2.014 ± 0.015 (expected 2: inside the 95% interval)".
    /// When the expected order is outside the interval, the last local order is quoted and the
    /// fit is said to include the pre-asymptotic range.
    public static func order(_ subject: String, _ fit: OrderFit?, expected: Double?) -> String {
        guard let fit else { return "\(subject): too few usable points to fit an order" }
        var s = "\(subject) at order \(fit.description)"
        if let e = expected {
            let e = short(e, 3)
            if fit.halfWidth.isNaN {
                s += " (expected \(e); two points give no interval)"
            } else {
                let inside = abs(fit.order - (Double(e) ?? .nan)) <= fit.halfWidth
                s += " (expected \(e): \(inside ? "inside" : "outside") the 95% interval"
                if !inside, let last = fit.localOrders.last {
                    s += "; the local order between the two smallest η is \(short(last, 3))"
                    s += isNear(last, Double(e) ?? .nan) ? ": the fit over the grid includes the pre-asymptotic range"
                                                         : ", not near \(e) either: the measured order disagrees with the expected one"
                }
                s += ")"
            }
        }
        return s
    }

    /// Whether an order fit misses the expected order while its last local order (between the two
    /// smallest η; the studies order their grids from the largest η down) is near it: within
    /// max(0.1, 10 %) of the expected order (the pre-asymptotic case of `order(_:_:expected:)`).
    public static func isPreAsymptotic(_ fit: OrderFit?, expected: Double?) -> Bool {
        guard let fit, let e = expected, !fit.halfWidth.isNaN, let last = fit.localOrders.last else { return false }
        return abs(fit.order - (Double(short(e, 3)) ?? .nan)) > fit.halfWidth && isNear(last, e)
    }

    /// Whether a local order is near the expected one: within max(0.1, 10 %) of it.
    public static func isNear(_ local: Double, _ expected: Double) -> Bool {
        abs(local - expected) <= max(0.1, 0.1 * abs(expected))
    }

    /// Whether an order fit misses the expected order and its last local order is not near it either.
    public static func disagrees(_ fit: OrderFit?, expected: Double?) -> Bool {
        guard let fit, let e = expected, !fit.halfWidth.isNaN, let last = fit.localOrders.last else { return false }
        return abs(fit.order - (Double(short(e, 3)) ?? .nan)) > fit.halfWidth && !isNear(last, e)
    }
}

extension OrderFit {
    /// The fit as a metric keyed `key`, with its 95% interval and the expected order.
    public func metric(_ key: String, title: String, expected: Double? = nil) -> StudyMetric {
        StudyMetric(key: key, title: title, value: order, low: halfWidth.isNaN ? nil : order - halfWidth,
                    high: halfWidth.isNaN ? nil : order + halfWidth, expected: expected)
    }
}
