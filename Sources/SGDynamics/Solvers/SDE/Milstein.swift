/// One step of a fixed-step SDE scheme that needs diagonal noise (``DiagonalNoiseModel``).
///
/// It is a protocol of its own, not an ``SDESolver``: a general-noise model cannot be handed to it
/// by mistake (the type checker refuses), and nothing falls back silently to another scheme.
public protocol DiagonalNoiseSDESolver: Sendable {
    var name: String { get }
    /// Strong (pathwise) order of convergence.
    var strongOrder: Double { get }
    /// Weak order (error of `E g(X_T)` for smooth `g`).
    var weakOrder: Double { get }
    /// Advance `x` from `t` to `t + h` with the Brownian increment `dW` (length `d`, variance `h` each).
    func step<M: DiagonalNoiseModel>(_ model: M, _ x: inout [Double], t: Double, h: Double, dW: [Double],
                                     work: inout SDEWork)
}

/// Milstein step for an Itô SDE with diagonal noise (``DiagonalNoiseModel``):
///
///     x_{n+1,i} = x_{n,i} + b_i(x_n) h + σ_i ΔW_i + ½ σ_i ∂σ_i/∂x_i (ΔW_i² − h),   ΔW ~ N(0, h I)
///
/// with `σ_i = σ_i(x_{n,i}, t_n)`. The last term is the Itô–Taylor term `σ_i ∂σ_i/∂x_i I_{(i,i)}`,
/// `I_{(i,i)} = ½(ΔW_i² − h)`; diagonal noise has no mixed integrals `I_{(j,i)}`, `j ≠ i`, so no Lévy
/// areas are needed.
///
/// - Strong order 1, weak order 1 (the correction has mean zero, so it does not improve `E g`; for
///   weak order 2 see ``TalayTubaro`` or ``AdditiveNoiseHeun``). Noise: diagonal (additive diagonal
///   included, where it reduces to Euler–Maruyama).
/// - Reference: Kloeden & Platen (1992), §10.3.
public struct Milstein: DiagonalNoiseSDESolver {
    public init() {}
    public var name: String { "Milstein" }
    public var strongOrder: Double { 1 }
    public var weakOrder: Double { 1 }

    /// Uses `work.drift` for `b`, `work.noise` for `σ` and `work.stage` for `∂σ_i/∂x_i`; no allocation.
    @inlinable
    public func step<M: DiagonalNoiseModel>(_ model: M, _ x: inout [Double], t: Double, h: Double, dW: [Double],
                                            work: inout SDEWork) {
        precondition(model.noise != .general, "\(model.name): Milstein needs diagonal noise")
        model.drift(x, t: t, into: &work.drift, scratch: &work.scratch)
        model.diagonalDiffusion(x, t: t, into: &work.noise, derivative: &work.stage, scratch: &work.scratch)
        for i in 0..<x.count {
            let s = work.noise[i], w = dW[i]
            x[i] += h * work.drift[i] + s * w + 0.5 * s * work.stage[i] * (w * w - h)
        }
    }
}
