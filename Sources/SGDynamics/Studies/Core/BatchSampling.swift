/// How the `b` samples of a minibatch are drawn where SGD must stay a Markov chain in θ (master
/// equation, stationary laws) or a one-step statistic needs independent batches (noise, stability)
/// (docs/THEORY.md §2.2): independently, so that `Cov ξ_B = c(b) Σ` with
///
///     c(b) = 1/b                  with replacement
///     c(b) = (n − b)/(b(n − 1))   without replacement (b ≤ n; c(n) = 0)
///
/// Reshuffling is not offered: its batches are dependent within an epoch.
public enum BatchSampling: String, Codable, Sendable, CaseIterable {
    case withReplacement = "with-replacement"
    case withoutReplacement = "without-replacement"

    /// The library's sampling scheme.
    public var sampling: Sampling { self == .withReplacement ? .withReplacement : .withoutReplacement }
}
