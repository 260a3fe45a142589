import Foundation

/// How arrow lengths in a quiver field follow the vector norms |v|.
///
/// Lengths are relative to a reference norm (the 90th percentile of the sampled norms, robust to a few
/// huge vectors) and capped at 85 % of the arrow spacing, so that arrows never overlap.
public enum QuiverScaling: Sendable, Hashable {
    /// Every arrow has the full length: directions only.
    case uniform
    /// Length ∝ |v|.
    case linear
    /// Length ∝ √|v|: small vectors stay visible near a minimum while large ones still read larger.
    case squareRoot
}
