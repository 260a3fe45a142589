import Foundation

/// One axis of a chart: a scale, a domain (in data units) and its ticks.
///
/// Linear axes use "nice" steps `m · 10^e` with `m ∈ {1, 2, 5}`; log axes put major ticks on powers of
/// ten (every k-th decade when there are many), label 2 · 10^k and 5 · 10^k too when the domain spans at
/// most two decades, and draw unlabeled minor ticks at 2…9 · 10^k when there is room.
///
/// Degenerate input never traps: non-finite values (and non-positive ones on a log axis) are skipped,
/// no usable value gives the domain 0...1 (linear) or 1...10 (log), and a single value `v` is widened to
/// `v ± 10 %` (or `v ± 1` when `v = 0`; one decade each side on a log axis).
public struct Axis: Sendable {
    public var scale: Scale
    /// Title drawn along the axis.
    public var title: String
    /// Lower end of the domain, in data units.
    public private(set) var lower: Double
    /// Upper end of the domain, in data units.
    public private(set) var upper: Double
    /// Ticks inside the domain, in increasing order.
    public private(set) var ticks: [Tick]

    /// An axis whose domain is widened from the range of `values` to nice tick positions, so that the
    /// first and last ticks enclose the data.
    ///
    /// - Parameters:
    ///   - scale: linear or logarithmic placement of the ticks.
    ///   - title: the axis label.
    ///   - values: the data the domain must enclose.
    ///   - targetTickCount: about how many labeled ticks to aim for (at least 2).
    public init(scale: Scale = .linear, title: String = "", fitting values: [Double], targetTickCount: Int = 6) {
        self.scale = scale
        self.title = title
        let target = max(2, targetTickCount)
        let (lo, hi) = Axis.dataRange(values, scale: scale)
        switch scale {
        case .linear:
            let step = Axis.niceStep(for: hi - lo, targetCount: target)
            var kLo = Axis.floorIndex(lo, step)
            var kHi = Axis.ceilIndex(hi, step)
            if kLo == kHi { kLo -= 1; kHi += 1 }
            lower = min(step.value(kLo), lo)
            upper = max(step.value(kHi), hi)
            ticks = Axis.linearTicks(from: kLo, to: kHi, step: step)
        case .log:
            var dLo = Int(Foundation.floor(Foundation.log10(lo)))
            var dHi = Int(Foundation.ceil(Foundation.log10(hi)))
            if TickLabel.power(dLo) > lo { dLo -= 1 }
            if TickLabel.power(dLo + 1) <= lo { dLo += 1 }
            if TickLabel.power(dHi) < hi { dHi += 1 }
            if dHi > dLo + 1, TickLabel.power(dHi - 1) >= hi { dHi -= 1 }
            if dHi <= dLo { dHi = dLo + 1 }
            lower = min(TickLabel.power(dLo), lo)
            upper = max(TickLabel.power(dHi), hi)
            ticks = Axis.logTicks(lower: lower, upper: upper, targetCount: target)
        }
    }

    /// An axis with exactly the given domain and ticks inside it.
    ///
    /// An empty, reversed or (on a log axis) non-positive domain is repaired as in `init(fitting:)`.
    public init(scale: Scale = .linear, title: String = "", domain: ClosedRange<Double>, targetTickCount: Int = 6) {
        self.scale = scale
        self.title = title
        let target = max(2, targetTickCount)
        var lo = domain.lowerBound, hi = domain.upperBound
        let usable = scale.canShow(lo) && scale.canShow(hi) && hi > lo
            && (scale == .log || (hi - lo).isFinite && hi - lo > 1e-12 * max(abs(lo), abs(hi)))
            && (scale == .linear || hi / lo > 1 + 1e-12)
        if !usable {
            (lo, hi) = Axis.dataRange([lo, hi], scale: scale)
        }
        lower = lo
        upper = hi
        switch scale {
        case .linear:
            let step = Axis.niceStep(for: hi - lo, targetCount: target)
            let kLo = Axis.ceilIndex(lo, step), kHi = Axis.floorIndex(hi, step)
            ticks = kLo <= kHi ? Axis.linearTicks(from: kLo, to: kHi, step: step) : []
        case .log:
            ticks = Axis.logTicks(lower: lo, upper: hi, targetCount: target)
        }
    }

    /// Where `value` sits along the axis: 0 at `lower`, 1 at `upper`, outside 0...1 beyond them; `nil`
    /// when the value cannot be shown on this scale.
    public func fraction(of value: Double) -> Double? {
        guard let t = scale.transform(value) else { return nil }
        return fraction(ofTransformed: t)
    }

    /// `fraction(of:)` for a value already in the scale's linear coordinate (`log₁₀ v` on a log axis).
    func fraction(ofTransformed t: Double) -> Double? {
        guard let a = scale.transform(lower), let b = scale.transform(upper), b > a else { return nil }
        let f = (t - a) / (b - a)
        return f.isFinite ? f : nil
    }

    // MARK: - Linear ticks

    /// A tick step `mantissa · 10^exponent` with `mantissa ∈ {1, 2, 5}`.
    public struct Step: Sendable, Hashable {
        public var mantissa: Int
        public var exponent: Int

        /// The step in data units.
        public var size: Double { Double(mantissa) * TickLabel.power(exponent) }

        /// `k · step`, computed as `(k·m) / 10^|e|` so that decimal ticks are the nearest doubles
        /// (`3 · 0.1` gives `0.3`, not `0.30000000000000004`).
        public func value(_ k: Int) -> Double {
            let n = Double(k) * Double(mantissa)
            if exponent >= 0 { return n * TickLabel.power(exponent) }
            if exponent >= -22 { return n / Foundation.pow(10, Double(-exponent)) }
            return n * TickLabel.power(exponent)
        }
    }

    /// The smallest 1-2-5 step whose multiples split `span` into at most about `targetCount` intervals.
    public static func niceStep(for span: Double, targetCount: Int) -> Step {
        let raw = span / Double(max(1, targetCount))
        guard raw.isFinite, raw > 0 else { return Step(mantissa: 1, exponent: 0) }
        var exponent = Int(Foundation.floor(Foundation.log10(raw)))
        let base = TickLabel.power(exponent)
        let mantissa: Int
        if raw <= base * 1.000000001 { mantissa = 1 }
        else if raw <= 2 * base * 1.000000001 { mantissa = 2 }
        else if raw <= 5 * base * 1.000000001 { mantissa = 5 }
        else { mantissa = 1; exponent += 1 }
        return Step(mantissa: mantissa, exponent: exponent)
    }

    /// The largest k with `step.value(k) ≤ x`.
    static func floorIndex(_ x: Double, _ step: Step) -> Int {
        var k = Int(Foundation.floor(x / step.size))
        while step.value(k + 1) <= x { k += 1 }
        while step.value(k) > x { k -= 1 }
        return k
    }

    /// The smallest k with `step.value(k) ≥ x`.
    static func ceilIndex(_ x: Double, _ step: Step) -> Int {
        var k = Int(Foundation.ceil(x / step.size))
        while step.value(k - 1) >= x { k -= 1 }
        while step.value(k) < x { k += 1 }
        return k
    }

    static func linearTicks(from kLo: Int, to kHi: Int, step: Step) -> [Tick] {
        let values = (kLo...kHi).map(step.value)
        let labels = TickLabel.linearLabels(values, stepExponent: step.exponent)
        return zip(values, labels).map { Tick(value: $0, label: $1, isMajor: true) }
    }

    // MARK: - Log ticks

    /// Ticks for a log axis on [lower, upper] (both positive).
    static func logTicks(lower: Double, upper: Double, targetCount: Int) -> [Tick] {
        let lo = Foundation.log10(lower), hi = Foundation.log10(upper)
        let decades = hi - lo
        let dLo = Int(Foundation.floor(lo)), dHi = Int(Foundation.ceil(hi))
        let stride = max(1, Int(Foundation.ceil(decades / Double(targetCount))))
        let inside = { (v: Double) in v >= lower * (1 - 1e-12) && v <= upper * (1 + 1e-12) }
        var ticks: [Tick] = []
        for d in dLo...dHi {
            let decade = TickLabel.power(d)
            let isLabeledDecade = ((d % stride) + stride) % stride == 0
            if inside(decade) {
                ticks.append(Tick(value: decade, label: isLabeledDecade ? TickLabel.compact(decade) : "",
                                  isMajor: isLabeledDecade))
            }
            guard stride == 1, decades <= 8 else { continue }
            for m in 2...9 {
                let v = Double(m) * decade
                guard inside(v) else { continue }
                let labeled: Bool
                if decades <= 2.0000001 { labeled = (m == 2 || m == 5) }
                else { labeled = false }
                // Under half a decade, label every multiple so that the axis has numbers at all.
                let label = labeled || decades < 0.5 ? TickLabel.compact(v) : ""
                ticks.append(Tick(value: v, label: label, isMajor: false))
            }
        }
        return ticks
    }

    // MARK: - Data range

    /// The finite range of the values usable on `scale`, widened when empty or degenerate.
    static func dataRange(_ values: [Double], scale: Scale) -> (Double, Double) {
        var lo = Double.infinity, hi = -Double.infinity
        for v in values where scale.canShow(v) {
            lo = min(lo, v)
            hi = max(hi, v)
        }
        switch scale {
        case .linear:
            guard lo <= hi else { return (0, 1) }
            lo = max(lo, -1e300)
            hi = min(hi, 1e300)
            let spread = max(abs(lo), abs(hi))
            if hi - lo <= 1e-12 * spread || hi == lo {
                let center = lo / 2 + hi / 2
                let half = center == 0 ? 1 : abs(center) * 0.1
                return (center - half, center + half)
            }
            return (lo, hi)
        case .log:
            guard lo <= hi else { return (1, 10) }
            lo = max(lo, 1e-300)
            hi = min(hi, 1e300)
            if hi / lo <= 1 + 1e-12 {
                return (lo / 10, hi * 10)
            }
            return (lo, hi)
        }
    }
}
