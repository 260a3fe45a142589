/// How minibatches are drawn from a finite sum (docs/THEORY.md §2.2).
public enum Sampling: String, Codable, Sendable, CaseIterable {
    /// `b` i.i.d. uniform indices: `Cov g_B = Σ/b`.
    case withReplacement = "with-replacement"
    /// A simple random sample of `b` distinct indices: `Cov g_B = (n−b)/(b(n−1)) Σ`.
    case withoutReplacement = "without-replacement"
    /// A fresh random permutation each epoch, cut into `⌊n/b⌋` consecutive batches.
    case reshuffling = "reshuffling"

    /// The factor `c` in `Cov g_B = c Σ` for one step.
    public func covarianceFactor(batchSize b: Int, sampleCount n: Int) -> Double {
        switch self {
        case .withReplacement: return 1 / Double(b)
        case .withoutReplacement, .reshuffling:
            return n > 1 ? Double(n - b) / (Double(b) * Double(n - 1)) : 0
        }
    }
}
