/// Damped Newton's method with Armijo backtracking, for the minimum of a smooth objective of small
/// dimension (the points at which `noise` and `stability` measure, docs/THEORY.md §2.1, §10.2):
///
///     p_k = ∇²f(x_k)⁻¹ ∇f(x_k)     (p_k = ∇f(x_k) when the solve fails, p_k is not finite or p_kᵀ∇f ≤ 0)
///     x_{k+1} = x_k − t_k p_k,     t_k = 2^{−j}, the first j ≤ 59 with f(x_k − t p_k) ≤ f(x_k) − 10⁻⁴ t p_kᵀ∇f(x_k)
///
/// stopping once ‖∇f(x_k)‖ ≤ τ · max(1, ‖∇f(x₀)‖) (τ = ``relativeTolerance``) or after
/// ``maxIterations`` iterations. Near a minimum with ∇²f ≻ 0 the full step t = 1 is accepted and
/// convergence is quadratic; on a quadratic one step lands on the minimizer.
/// - Reference: J. Nocedal, S. J. Wright, *Numerical Optimization*, 2nd ed., §3.1 (backtracking) and §3.3.
public struct DampedNewton: Sendable {
    /// Where the iteration stopped.
    public struct Result: Sendable, Equatable {
        public var x: [Double]
        public var iterations: Int
        /// ‖∇f(x)‖ at the end.
        public var gradientNorm: Double
        /// Whether ‖∇f(x)‖ ≤ τ · max(1, ‖∇f(x₀)‖).
        public var converged: Bool
    }

    public var maxIterations: Int
    public var relativeTolerance: Double

    /// Throws ``ConfigurationError`` for `maxIterations < 0` or a tolerance that is not positive and finite.
    public init(maxIterations: Int = 100, relativeTolerance: Double = 1e-10) throws {
        guard maxIterations >= 0 else { throw ConfigurationError(field: "maxIterations", "must be non-negative, got \(maxIterations)") }
        guard relativeTolerance > 0, relativeTolerance.isFinite else {
            throw ConfigurationError(field: "relativeTolerance", "must be a positive finite number, got \(relativeTolerance)")
        }
        self.maxIterations = maxIterations
        self.relativeTolerance = relativeTolerance
    }

    /// Minimize `f` from `start` (dense Hessians: `d × d` solves, so meant for `d` up to a few hundred).
    public func minimize<F: Objective>(_ f: F, from start: [Double]) -> Result {
        let d = f.dimension
        var x = start
        var g = f.gradient(x)
        let tol = relativeTolerance * Swift.max(1, Vec.norm(g))
        var it = 0
        while it < maxIterations && Vec.norm(g) > tol {
            it += 1
            var p = (try? f.hessian(x).solve(g)) ?? g
            if !(Vec.dot(p, g) > 0) || !Vec.allFinite(p) { p = g }
            let fx = f.value(x), slope = Vec.dot(p, g)
            var t = 1.0, trial = x
            for _ in 0..<60 {
                for j in 0..<d { trial[j] = x[j] - t * p[j] }
                if f.value(trial) <= fx - 1e-4 * t * slope { break }
                t *= 0.5
            }
            x = trial
            g = f.gradient(x)
        }
        let norm = Vec.norm(g)
        return Result(x: x, iterations: it, gradientNorm: norm, converged: norm <= tol)
    }
}
