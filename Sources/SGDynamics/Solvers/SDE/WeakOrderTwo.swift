/// Talay–Tubaro extrapolation of expectations: from a scheme of weak order `p` whose error has an
/// expansion `E g(X^h_T) = E g(X_T) + C h^p + O(h^{p+1})`,
///
///     E_TT(h) = (2^p E_{h/2} − E_h) / (2^p − 1)        (p = 1:  E_TT = 2 E_{h/2} − E_h)
///
/// has weak error `O(h^{p+1})`. With Euler–Maruyama (`p = 1`) this gives weak order 2 for any noise,
/// including state-dependent non-diagonal `σ(x)`, with nothing but drift and `σ(x)ξ` evaluations.
///
/// - It extrapolates **expectations**, not paths: `2 X^{h/2} − X^h` is not a weak order-2 path and
///   its law is not that of `X_T`. Only the combined numbers `E g` are improved.
/// - Monte Carlo: compute `E_h` and `E_{h/2}` on the **same** Brownian paths (``BrownianPath``; the
///   coarse increment is the sum of two fine ones) and take the standard error of the per-path values
///   ``combine(coarse:fine:)->Double`` of `g(X^h)` and `g(X^{h/2})`. The two estimates are then strongly
///   correlated and the variance of the combination stays near `Var g` instead of `(4^p + 1)/(2^p − 1)²`
///   times it. The extrapolated bias is `O(h²)`, so the step grid must be coarse enough that
///   `C₂ h² ≫ 5 sd/√M` (docs/THEORY.md §5.4).
/// - Conditions: smooth (C⁴ with polynomial growth) `b`, `σ` and `g`; the expansion is that of the
///   base scheme. `T/h` must be an integer (so both grids end at `T`).
/// - Reference: D. Talay & L. Tubaro, *Expansion of the global error for numerical schemes solving
///   stochastic differential equations*, Stoch. Anal. Appl. 8 (1990); Kloeden & Platen (1992), §15.3.
public struct TalayTubaro: Sendable {
    /// Weak order `p` of the base scheme (1 for ``EulerMaruyama``).
    public let baseOrder: Int

    public init(baseOrder: Int = 1) {
        precondition(baseOrder >= 1, "the base scheme's weak order must be at least 1")
        self.baseOrder = baseOrder
    }

    public var name: String { baseOrder == 1 ? "Talay–Tubaro (Euler–Maruyama)" : "Talay–Tubaro (order \(baseOrder))" }
    /// Weak order `p + 1` of the extrapolated expectation.
    public var weakOrder: Double { Double(baseOrder + 1) }

    /// `(2^p fine − coarse)/(2^p − 1)`, `fine` at step `h/2` and `coarse` at step `h`. Apply it to
    /// means, or per path to `g(X^{h/2})` and `g(X^h)` to get the standard error of the result.
    @inlinable
    public func combine(coarse: Double, fine: Double) -> Double {
        let w = Double(1 << baseOrder)
        return (w * fine - coarse) / (w - 1)
    }

    /// Component-wise ``combine(coarse:fine:)->Double`` (for several statistics or save times at once).
    public func combine(coarse: [Double], fine: [Double]) -> [Double] {
        precondition(coarse.count == fine.count, "coarse and fine estimates must have the same length")
        return zip(coarse, fine).map { combine(coarse: $0.0, fine: $0.1) }
    }

    /// The extrapolated expectation at step `h`: `expectation` is called with `h` and then with `h/2`
    /// and must return `E g(X^step_T)` computed by the base scheme at that step.
    public func expectation(step h: Double, _ expectation: (_ step: Double) throws -> Double) rethrows -> Double {
        precondition(h > 0, "step must be positive")
        let coarse = try expectation(h)
        let fine = try expectation(h / 2)
        return combine(coarse: coarse, fine: fine)
    }

    /// The same for a vector of expectations (several statistics or save times).
    public func expectations(step h: Double, _ expectation: (_ step: Double) throws -> [Double]) rethrows -> [Double] {
        precondition(h > 0, "step must be positive")
        let coarse = try expectation(h)
        let fine = try expectation(h / 2)
        return combine(coarse: coarse, fine: fine)
    }
}

/// Derivative-free weak order-2 scheme for additive noise (a stochastic Heun predictor–corrector
/// with Gaussian increments):
///
///     x̄       = x_n + b(x_n, t_n) h + σ ΔW_n
///     x_{n+1} = x_n + ½ [b(x_n, t_n) + b(x̄, t_n + h)] h + σ ΔW_n,        ΔW_n ~ N(0, h I)
///
/// For constant `σ` this is the explicit order-2.0 weak scheme of Kloeden & Platen: expanding
/// `b(x̄)` reproduces the Itô–Taylor terms `½ L⁰b h²` and `L¹b I_{(1,0)}` in their first two moments.
///
/// - Weak order 2, strong order 1. Noise: additive only (``NoiseStructure/additive``, `σ` constant;
///   ``NoiseStructure/none`` gives Heun's method). A model with state-dependent noise is a
///   programmer error (a precondition), never a silent drop to lower order; for such noise use
///   ``TalayTubaro`` over ``EulerMaruyama``.
/// - Reference: Kloeden & Platen (1992), §15.1 (explicit order 2.0 weak scheme, constant diffusion).
public struct AdditiveNoiseHeun: SDESolver {
    public init() {}
    public var name: String { "Heun (additive noise, weak order 2)" }
    public var strongOrder: Double { 1 }
    public var weakOrder: Double { 2 }

    /// Uses `work.drift`, `work.noise`, `work.stage` (`x̄`) and `work.stage2` (`b(x̄)`); no allocation.
    @inlinable
    public func step<M: StochasticModel>(_ model: M, _ x: inout [Double], t: Double, h: Double, dW: [Double],
                                         work: inout SDEWork) {
        precondition(model.noise == .additive || model.noise == .none,
                     "\(model.name): AdditiveNoiseHeun needs additive noise; use TalayTubaro for \(model.noise) noise")
        model.drift(x, t: t, into: &work.drift, scratch: &work.scratch)
        model.diffusion(x, t: t, applyTo: dW, into: &work.noise, scratch: &work.scratch)
        for i in 0..<x.count { work.stage[i] = x[i] + h * work.drift[i] + work.noise[i] }
        model.drift(work.stage, t: t + h, into: &work.stage2, scratch: &work.scratch)
        let half = 0.5 * h
        for i in 0..<x.count { x[i] += half * (work.drift[i] + work.stage2[i]) + work.noise[i] }
    }
}
