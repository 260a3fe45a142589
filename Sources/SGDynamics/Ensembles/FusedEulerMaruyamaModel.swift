/// A model whose Euler–Maruyama step has a fused form (``FusedEulerMaruyama``).
public protocol FusedEulerMaruyamaModel: StochasticModel {
    /// The fused step, or nil when this instance has none.
    var fusedEulerMaruyama: FusedEulerMaruyama? { get }
}

/// Langevin dynamics: drift `−∇f`, diffusion `√(2T)` (the same `s` as ``Langevin/diffusion(lanes:t:applyTo:into:)``).
extension Langevin: FusedEulerMaruyamaModel where F: FusedGradientObjective {
    public var fusedEulerMaruyama: FusedEulerMaruyama? {
        objective.fusedNegatedGradient.flatMap { FusedEulerMaruyama(drift: $0, sigma: (2 * temperature).squareRoot()) }
    }
}
