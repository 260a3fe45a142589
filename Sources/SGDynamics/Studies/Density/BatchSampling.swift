/// How a density study draws minibatches: the rules under which SGD is a Markov chain in θ
/// (reshuffling is not), as a `Codable` configuration value.
public enum BatchSampling: String, Codable, Sendable, CaseIterable {
    case withoutReplacement = "without-replacement"
    case withReplacement = "with-replacement"

    /// The library's sampling rule.
    public var rule: Sampling { self == .withReplacement ? .withReplacement : .withoutReplacement }
}
