/// Proximal point, i.e. implicit (backward-Euler) gradient descent (THEORY.md §3):
///
///     x_{k+1} = argmin_x f(x) + ‖x − x_k‖²/(2η)   ⇔   x_{k+1} = x_k − η ∇f(x_{k+1})
///
/// The implicit equation `r(y) = y + η∇f(y) − x_k = 0` is solved by Newton's method
/// (`(I + η∇²f(y)) δ = −r`) or by the fixed-point iteration `y ← x_k − η∇f(y)` (a contraction when
/// `η L < 1`), until `‖r‖∞ ≤ tolerance`. Newton forms the Hessian, so this step allocates.
/// If the solve does not converge in `maxIterations`, the iterate is set to NaN and the run reports
/// divergence at that step. For `f = ½xᵀAx`: `x_{k+1} = (I + ηA)^{−1} x_k`, stable for every `η > 0`.
public struct ProximalPoint<F: Objective>: Algorithm {
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
        AlgorithmState(position: start, scratch: GradientScratch(dimension: objective.dimension))
    }

    public func step(_ s: inout AlgorithmState, rng: CounterRNG, path: Int) {
        let d = dimension
        let xk = s.position
        var y = xk
        var converged = false
        for _ in 0..<maxIterations {
            objective.gradient(y, into: &s.gradient)
            var res = 0.0
            for i in 0..<d {
                s.auxiliary[i] = y[i] + learningRate * s.gradient[i] - xk[i]
                res = Swift.max(res, Swift.abs(s.auxiliary[i]))
            }
            if !res.isFinite { break }
            if res <= tolerance * Swift.max(1, Vec.maxAbs(y)) { converged = true; break }
            switch solver {
            case .fixedPoint:
                for i in 0..<d { y[i] = xk[i] - learningRate * s.gradient[i] }
            case .newton:
                var j = learningRate * objective.hessian(y)
                for i in 0..<d { j[i, i] += 1 }
                guard let delta = try? j.solve(s.auxiliary) else { break }
                for i in 0..<d { y[i] -= delta[i] }
            }
        }
        s.position = converged ? y : [Double](repeating: .nan, count: d)
        s.step += 1
    }
}
