// Kept with the ensembles rather than in Objectives/: the conformances of `Quadratic` and
// `DoubleWell` only describe their gradients to the fused C kernel.

/// An objective whose gradient the fused kernels evaluate (``FusedEulerMaruyama/Drift``, negated).
public protocol FusedGradientObjective: Objective {
    /// The negated gradient as a fused drift, or nil.
    var fusedNegatedGradient: FusedEulerMaruyama.Drift? { get }
}

extension Quadratic: FusedGradientObjective {
    public var fusedNegatedGradient: FusedEulerMaruyama.Drift? { .linear(hessian: hessianMatrix.storage, center: center) }
}

extension DoubleWell: FusedGradientObjective {
    public var fusedNegatedGradient: FusedEulerMaruyama.Drift? { .doubleWell(height: height, dimension: dimension) }
}
