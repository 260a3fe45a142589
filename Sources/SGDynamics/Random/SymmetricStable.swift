import Foundation

/// Symmetric α-stable law `SαS(σ)`, `α ∈ (0, 2]`, sampled by the Chambers–Mallows–Stuck method
/// (docs/THEORY.md §9):
///
///     V ~ U(−π/2, π/2),  W ~ Exp(1) independent,
///     X = σ · sin(αV) / cos(V)^{1/α} · (cos((1−α)V) / W)^{(1−α)/α}     (α ≠ 1)
///     X = σ · tan V                                                    (α = 1, Cauchy)
///
/// Characteristic function `E e^{itX} = exp(−σ^α |t|^α)`; `α = 2` gives `N(0, 2σ²)`, `α = 1` the
/// Cauchy law with scale `σ` (median of `|X|` equal to `σ`). For `α < 2` the variance is infinite and
/// for `α ≤ 1` the mean does not exist.
///
/// Draws come from a ``CounterRNG``: component `j` of (path, step) uses the Philox block `j` (its two
/// uniforms give `V` and `W = −log U`), so a draw is a pure function of (seed, stream, path, step,
/// component). Uniforms lie in the open interval (0, 1), so `cos V > 0` and `W > 0`: every draw is
/// finite.
/// - Reference: J. M. Chambers, C. L. Mallows, B. W. Stuck, *A method for simulating stable random
///   variables*, JASA 71 (1976) 340–344; R. Weron, *On the Chambers–Mallows–Stuck method*, Stat.
///   Probab. Lett. 28 (1996) 165–171.
public struct SymmetricStable: Sendable, Equatable {
    /// Stability index `α ∈ (0, 2]`.
    public let alpha: Double
    /// Scale `σ > 0`.
    public let scale: Double

    /// Throws ``ConfigurationError`` unless `0 < α ≤ 2` and `σ > 0` (both finite).
    public init(alpha: Double, scale: Double = 1) throws {
        guard alpha > 0, alpha <= 2, alpha.isFinite else {
            throw ConfigurationError(field: "alpha", "the stability index must lie in (0, 2], got \(alpha)")
        }
        guard scale > 0, scale.isFinite else {
            throw ConfigurationError(field: "scale", "must be a positive finite number, got \(scale)")
        }
        self.alpha = alpha
        self.scale = scale
    }

    /// The CMS transform of `V ∈ (−π/2, π/2)` and `W > 0` (unit scale).
    @inlinable
    public func transform(v: Double, w: Double) -> Double {
        if alpha == 1 { return Foundation.tan(v) }
        if alpha == 2 { return 2 * Foundation.sin(v) * w.squareRoot() }
        let a = alpha
        let c = Foundation.cos(v)
        return Foundation.sin(a * v) / Foundation.pow(c, 1 / a)
            * Foundation.pow(Foundation.cos((1 - a) * v) / w, (1 - a) / a)
    }

    /// One draw for (path, step, component).
    @inlinable
    public func sample(_ rng: CounterRNG, path: Int, step: Int, component: Int) -> Double {
        let (u0, u1) = rng.uniformPair(path: path, step: step, block: component)
        let v = Double.pi * (u0 - 0.5)
        let w = -Foundation.log(u1)
        return scale * transform(v: v, w: w)
    }

    /// Fill `out` with components `0..<out.count` of (path, step).
    @inlinable
    public func fill(_ out: inout [Double], rng: CounterRNG, path: Int, step: Int) {
        for j in 0..<out.count { out[j] = sample(rng, path: path, step: step, component: j) }
    }
}
