/// Natural gradient descent (Amari 1998; THEORY.md §4.8):
///
///     x_{k+1} = x_k − η (G(x_k) + δI)^{−1} ∇f(x_k)
///
/// with a metric `G` given by the user (e.g. a Fisher information in closed form) or the empirical
/// Fisher `(1/n) Σᵢ ∇fᵢ ∇fᵢᵀ` of a finite sum, and damping `δ ≥ 0`. Each step solves a `d × d`
/// system, so it allocates. Its flow is `ẋ = −G(x)^{−1}∇f(x)`, `t = kη`.
public struct NaturalGradient<F: Objective>: Algorithm {
    public let objective: F
    public let learningRate: Double
    public let damping: Double
    public let metric: @Sendable ([Double]) -> Matrix

    public init(_ objective: F, learningRate: Double, damping: Double = 0,
                metric: @escaping @Sendable ([Double]) -> Matrix) {
        precondition(learningRate > 0, "learning rate must be positive")
        self.objective = objective
        self.learningRate = learningRate
        self.damping = damping
        self.metric = metric
    }

    public var name: String { "NGD" }
    public var dimension: Int { objective.dimension }
    public var isStochastic: Bool { false }
    public func makeState(start: [Double]) -> AlgorithmState {
        AlgorithmState(position: start, scratch: GradientScratch(dimension: objective.dimension))
    }

    /// The preconditioned direction `(G(x) + δI)^{−1} ∇f(x)`, or NaNs if the metric is singular.
    public func direction(_ x: [Double]) -> [Double] {
        var g = metric(x)
        for i in 0..<dimension { g[i, i] += damping }
        return (try? g.solve(objective.gradient(x))) ?? [Double](repeating: .nan, count: dimension)
    }

    public func step(_ s: inout AlgorithmState, rng: CounterRNG, path: Int) {
        let p = direction(s.position)
        for i in 0..<dimension { s.position[i] -= learningRate * p[i] }
        s.step += 1
    }
}

extension NaturalGradient where F: FiniteSumObjective {
    /// Natural gradient with the empirical Fisher `(1/n) Σᵢ ∇fᵢ(x) ∇fᵢ(x)ᵀ` as metric.
    public init(empiricalFisherOf objective: F, learningRate: Double, damping: Double = 1e-8) {
        self.init(objective, learningRate: learningRate, damping: damping) { x in
            let d = objective.dimension, n = objective.sampleCount
            var m = Matrix(rows: d, columns: d)
            for i in 0..<n {
                let g = objective.sampleGradient(i, x)
                for a in 0..<d { for b in a..<d { m[a, b] += g[a] * g[b] / Double(n) } }
            }
            for a in 0..<d { for b in 0..<a { m[a, b] = m[b, a] } }
            return m
        }
    }
}
