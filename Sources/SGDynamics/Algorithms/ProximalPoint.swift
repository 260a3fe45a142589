/// Proximal point, i.e. implicit (backward-Euler) gradient descent (docs/THEORY.md §3):
///
///     x_{k+1} = argmin_x f(x) + ‖x − x_k‖²/(2η)   ⇔   x_{k+1} = x_k − η ∇f(x_{k+1})
///
/// The implicit equation `r(y) = y + η∇f(y) − x_k = 0` is solved by Newton's method
/// (`(I + η∇²f(y)) δ = r`, `y ← y − δ`) or by the fixed-point iteration `y ← x_k − η∇f(y)` (a contraction when
/// `η L < 1`), until `‖r‖∞ ≤ tolerance · max(1, ‖y‖∞)`. Newton forms the Hessian in preallocated
/// buffers, so the step allocates nothing when the objective's Hessian-vector product is exact.
/// If the solve does not converge in `maxIterations`, the iterate is set to NaN and the run reports
/// divergence at that step. For `f = ½xᵀAx`: `x_{k+1} = (I + ηA)^{−1} x_k`, stable for every `η > 0`.
public struct ProximalPoint<F: Objective>: Algorithm {
    /// How the implicit equation is solved: Newton's method or the fixed-point iteration.
    public enum Solver: String, Sendable { case newton, fixedPoint = "fixed-point" }
    public let objective: F
    public let learningRate: Double
    public let solver: Solver
    public let tolerance: Double
    public let maxIterations: Int

    public init(_ objective: F, learningRate: Double, solver: Solver = .newton,
                tolerance: Double = 1e-12, maxIterations: Int = 100) {
        precondition(learningRate > 0, "learning rate must be positive")
        self.objective = objective
        self.learningRate = learningRate
        self.solver = solver
        self.tolerance = tolerance
        self.maxIterations = maxIterations
    }
    public var name: String { "PP" }
    public var dimension: Int { objective.dimension }
    public var isStochastic: Bool { false }
    public func makeState(start: [Double]) -> AlgorithmState {
        AlgorithmState.withLinearSolve(position: start, scratch: GradientScratch(dimension: objective.dimension))
    }

    /// Buffers: `velocity` keeps `x_k`, `position` holds the Newton/fixed-point iterate `y`,
    /// `auxiliary` the residual (then the Newton step), `gradient2` and `scratch.buffer` the Hessian
    /// columns, `matrix`/`pivots` the factored `I + η∇²f(y)`. No allocation when the objective's
    /// Hessian-vector product is exact.
    public func step(_ s: inout AlgorithmState, rng: CounterRNG, path: Int) {
        let d = dimension
        for i in 0..<d { s.velocity[i] = s.position[i] }
        var converged = false
        for _ in 0..<maxIterations {
            objective.gradient(s.position, into: &s.gradient)
            var res = 0.0
            for i in 0..<d {
                s.auxiliary[i] = s.position[i] + learningRate * s.gradient[i] - s.velocity[i]
                res = Swift.max(res, Swift.abs(s.auxiliary[i]))
            }
            if !res.isFinite { break }
            if res <= tolerance * Swift.max(1, Vec.maxAbs(s.position)) { converged = true; break }
            switch solver {
            case .fixedPoint:
                for i in 0..<d { s.position[i] = s.velocity[i] - learningRate * s.gradient[i] }
            case .newton:
                objective.hessian(s.position, into: &s.matrix, unit: &s.gradient2, column: &s.scratch.buffer)
                for i in 0..<d * d { s.matrix.storage[i] *= learningRate }
                for i in 0..<d { s.matrix[i, i] += 1 }
                guard LUDecomposition.factorInPlace(&s.matrix, pivots: &s.pivots) else { break }
                LUDecomposition.solveInPlace(s.matrix, pivots: s.pivots, &s.auxiliary, work: &s.gradient2)
                for i in 0..<d { s.position[i] -= s.auxiliary[i] }
            }
        }
        if !converged { for i in 0..<d { s.position[i] = .nan } }
        s.step += 1
    }
}
