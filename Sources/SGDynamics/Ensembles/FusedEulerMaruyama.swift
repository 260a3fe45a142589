import CSGDynamicsKernels

/// The Euler–Maruyama step of a model in a form the fused C kernel runs (`sgdyn_em_lanes`):
/// additive noise `σ dW` with a scalar `σ` and one Brownian component per coordinate, and a drift
/// from a closed form. The kernel draws the normals and takes the steps of up to 64 paths in one
/// call, in the Swift lane arithmetic operation for operation (so it gives bitwise the numbers of
/// ``EulerMaruyama/step(lanes:_:t:h:dW:work:)`` and of the path-by-path step).
///
/// A refinement, not a requirement: models that do not conform run through the generic lane loop.
public struct FusedEulerMaruyama: Sendable {
    /// A drift `b(x)` the kernel evaluates.
    public enum Drift: Sendable, Equatable {
        /// `b(x) = −H (x − c)`, with `H` row-major `d × d`: the negated gradient of a ``Quadratic``,
        /// `Σⱼ` accumulated from 0 in increasing `j`.
        case linear(hessian: [Double], center: [Double])
        /// `b(x) = −(4 h x₀ (x₀² − 1), x₁)`: the negated gradient of a ``DoubleWell`` (d = 1 or 2).
        case doubleWell(height: Double, dimension: Int)
    }
    public let drift: Drift
    /// The diffusion coefficient σ (the noise is `σ ΔW`).
    public let sigma: Double
    public let dimension: Int

    /// A fused step, or nil when the kernel cannot run this drift (too many coordinates).
    public init?(drift: Drift, sigma: Double) {
        switch drift {
        case let .linear(h, c):
            guard c.count >= 1, c.count <= Int(SGDYN_EM_MAX_DIMENSION), h.count == c.count * c.count else { return nil }
            dimension = c.count
        case let .doubleWell(_, d):
            guard d == 1 || d == 2 else { return nil }
            dimension = d
        }
        self.drift = drift
        self.sigma = sigma
    }

    /// The most groups of four paths one kernel call advances.
    @inlinable public static var maximumGroups: Int { Int(SGDYN_EM_MAX_GROUPS) }
}
