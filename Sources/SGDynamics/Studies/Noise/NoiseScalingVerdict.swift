/// Whether the fitted slope of `log E‖ξ_B‖²` against `log b` tests the claim
/// `E‖ξ_B‖² = c(b) tr Σ` (docs/THEORY.md §2.2), and what it says:
///
/// * **not a test** when the grid holds `b = n` without replacement: there `c(n) = 0`, so `ξ_B = 0`
///   up to round-off and `log E‖ξ_B‖²` is meaningless (its slope can be anything);
/// * **inconclusive** when the 95% half-width exceeds half the predicted slope's magnitude
///   (`h > ½|p|`, i.e. more than 0.5 for p = −1): such an interval contains slopes of either sign;
/// * otherwise **consistent** when `|slope − p| ≤ h`, else **outside the interval**.
///
/// A fit with two batch sizes has no interval and gets no verdict.
struct NoiseScalingVerdict {
    enum Kind: Equatable { case consistent, outside, fullBatch, tooWide, noInterval }
    let kind: Kind
    let fit: OrderFit?
    let sampleCount: Int

    init(_ s: GradientNoiseDiagnostics.BatchScaling, sampleCount n: Int) {
        fit = s.fit
        sampleCount = n
        guard let fit = s.fit, fit.halfWidth.isFinite else { kind = .noInterval; return }
        if s.sampling == .withoutReplacement && s.rows.contains(where: { $0.batchSize >= n }) { kind = .fullBatch; return }
        guard let p = s.predictedSlope, p.isFinite else { kind = .noInterval; return }
        if fit.halfWidth > 0.5 * abs(p) { kind = .tooWide; return }
        kind = abs(fit.order - p) <= fit.halfWidth ? .consistent : .outside
    }

    /// The end of the "1/b slope: …" line.
    var suffix: String {
        switch kind {
        case .consistent: return ": consistent"
        case .outside: return ": outside the interval"
        case .noInterval: return ""
        case .fullBatch: return ": not a test (the grid includes b = n = \(sampleCount) without replacement, where ξ_B = 0)"
        case .tooWide: return ": inconclusive (the 95% interval ± \(NumberText.short(fit?.halfWidth ?? .nan, 2)) is wider than half the predicted slope)"
        }
    }

    /// A warning for a slope that cannot be read as a check.
    var warning: StudyWarning? {
        switch kind {
        case .fullBatch:
            return StudyWarning(.note, "the 1/b slope is not a test: b = n = \(sampleCount) without replacement has zero noise (c(n) = 0); leave it out of the batch sizes")
        case .tooWide:
            return StudyWarning(.note, "the 1/b slope's 95% interval (± \(NumberText.short(fit?.halfWidth ?? .nan, 2))) is too wide to test the predicted slope; raise the scaling draws or widen the grid")
        default: return nil
        }
    }
}
