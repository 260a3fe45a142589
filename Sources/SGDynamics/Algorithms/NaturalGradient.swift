/// Natural gradient descent (Amari 1998; docs/THEORY.md §4.8):
///
///     x_{k+1} = x_k − η (G(x_k) + δI)^{−1} ∇f(x_k)
///
/// with a metric `G` given by the user (e.g. a Fisher information in closed form) or the empirical
/// Fisher `(1/n) Σᵢ ∇fᵢ ∇fᵢᵀ` of a finite sum, and damping `δ ≥ 0`. The metric is written into a
/// preallocated `d × d` matrix and the system solved in place, so a step allocates nothing (provided
/// the metric closure does not). Its flow is `ẋ = −G(x)^{−1}∇f(x)`, `t = kη`.
public struct NaturalGradient<F: Objective>: Algorithm {
    /// Writes `G(x)` into the `d × d` matrix; the vector (length `d`) is free work space.
    public typealias Metric = @Sendable (_ x: [Double], _ g: inout Matrix, _ work: inout [Double]) -> Void

    public let objective: F
    public let learningRate: Double
    public let damping: Double
    public let metric: Metric

    public init(_ objective: F, learningRate: Double, damping: Double = 0, metric: @escaping Metric) {
        precondition(learningRate > 0, "learning rate must be positive")
        self.objective = objective
        self.learningRate = learningRate
        self.damping = damping
        self.metric = metric
    }

    /// A constant or closed-form metric returned as a new matrix (convenient; allocates per step).
    public init(_ objective: F, learningRate: Double, damping: Double = 0,
                metricMatrix: @escaping @Sendable ([Double]) -> Matrix) {
        self.init(objective, learningRate: learningRate, damping: damping) { x, g, _ in g = metricMatrix(x) }
    }

    public var name: String { "NGD" }
    public var dimension: Int { objective.dimension }
    public var isStochastic: Bool { false }
    public func makeState(start: [Double]) -> AlgorithmState {
        AlgorithmState.withLinearSolve(position: start, scratch: GradientScratch(dimension: objective.dimension))
    }

    /// `direction ← (G(x) + δI)^{−1} ∇f(x)` using the state's buffers; false if the metric is singular.
    @discardableResult
    func direction(_ x: [Double], state s: inout AlgorithmState) -> Bool {
        metric(x, &s.matrix, &s.scratch.buffer)
        for i in 0..<dimension { s.matrix[i, i] += damping }
        objective.gradient(x, into: &s.gradient)
        guard LUDecomposition.factorInPlace(&s.matrix, pivots: &s.pivots) else { return false }
        LUDecomposition.solveInPlace(s.matrix, pivots: s.pivots, &s.gradient, work: &s.gradient2)
        return true
    }

    /// The preconditioned direction `(G(x) + δI)^{−1} ∇f(x)`, or NaNs if the metric is singular.
    public func direction(_ x: [Double]) -> [Double] {
        var s = makeState(start: x)
        return direction(x, state: &s) ? s.gradient : [Double](repeating: .nan, count: dimension)
    }

    public func step(_ s: inout AlgorithmState, rng: CounterRNG, path: Int) {
        let ok = direction(s.position, state: &s)
        for i in 0..<dimension { s.position[i] = ok ? s.position[i] - learningRate * s.gradient[i] : .nan }
        s.step += 1
    }
}

extension NaturalGradient where F: FiniteSumObjective {
    /// Natural gradient with the empirical Fisher `(1/n) Σᵢ ∇fᵢ(x) ∇fᵢ(x)ᵀ` as metric.
    public init(empiricalFisherOf objective: F, learningRate: Double, damping: Double = 1e-8) {
        self.init(objective, learningRate: learningRate, damping: damping) { x, m, g in
            let d = objective.dimension, n = objective.sampleCount
            for i in 0..<d * d { m.storage[i] = 0 }
            for i in 0..<n {
                for a in 0..<d { g[a] = 0 }
                objective.addSampleGradient(i, x, scale: 1, into: &g)
                for a in 0..<d { for b in a..<d { m[a, b] += g[a] * g[b] / Double(n) } }
            }
            for a in 0..<d { for b in 0..<a { m[a, b] = m[b, a] } }
        }
    }
}
