import Foundation

/// Stochastic gradient Langevin dynamics at temperature `T`:
///
///     θ_{k+1} = θ_k − η ĝ(θ_k) + √(2ηT) ξ_k,   ξ_k ~ N(0, I),   t = kη
///
/// an Euler–Maruyama step of `dθ = −∇f dt + √(2T) dW`, whose invariant law is `∝ e^{−f/T}`.
/// Welling & Teh's form (docs/THEORY.md §3) with data size `N`, `U = N f` and step `ε` is this update with
/// `η = εN/2` and `T = 1/N`.
public struct SGLD<G: StochasticGradient>: Algorithm {
    public let gradient: G
    public let learningRate: Double
    public let temperature: Double
    public init(_ gradient: G, learningRate: Double, temperature: Double) {
        precondition(learningRate > 0, "learning rate must be positive")
        precondition(temperature >= 0, "temperature must be non-negative")
        self.gradient = gradient
        self.learningRate = learningRate
        self.temperature = temperature
    }
    public var name: String { "SGLD" }
    public var dimension: Int { gradient.objective.dimension }
    public var isStochastic: Bool { true }
    public func makeState(start: [Double]) -> AlgorithmState {
        AlgorithmState(position: start, scratch: gradient.makeScratch())
    }
    @inlinable
    public func step(_ s: inout AlgorithmState, rng: CounterRNG, path: Int) {
        gradient.estimate(s.position, step: s.step, path: path, draw: 0, rng: rng, scratch: &s.scratch, into: &s.gradient)
        let sd = (2 * learningRate * temperature).squareRoot()
        let r = rng.withStream(RandomStream.langevin)
        for i in 0..<s.position.count {
            s.position[i] += -learningRate * s.gradient[i] + sd * r.gaussian(path: path, step: s.step, component: i)
        }
        s.step += 1
    }
}

/// Stochastic variance amplified gradient (Li, Malladi & Arora 2021; docs/THEORY.md §3, §5.2):
///
///     x_{k+1} = x_k − (η/l) [a₁ ĝ₁(x_k) + a₂ ĝ₂(x_k)],   a₁,₂ = (1 ± √(2l−1))/2,   t = kη/l
///
/// with two independent gradient estimates per step. `E = ∇f`, `Cov = l·(one-estimate covariance)`,
/// so over `dt = η/l` it matches the SME-1 of SGD at learning rate `η`; `l = 1` is SGD.
public struct SVAG<G: StochasticGradient>: Algorithm {
    public let gradient: G
    public let learningRate: Double
    public let amplification: Double
    public init(_ gradient: G, learningRate: Double, amplification l: Double) {
        precondition(learningRate > 0, "learning rate must be positive")
        precondition(l >= 1, "SVAG amplification l must be ≥ 1")
        self.gradient = gradient
        self.learningRate = learningRate
        self.amplification = l
    }
    public var name: String { "SVAG" }
    public var dimension: Int { gradient.objective.dimension }
    public var isStochastic: Bool { gradient.isStochastic }
    public var timePerStep: Double { learningRate / amplification }
    public var coefficients: (Double, Double) {
        let r = (2 * amplification - 1).squareRoot()
        return ((1 + r) / 2, (1 - r) / 2)
    }
    public func makeState(start: [Double]) -> AlgorithmState {
        AlgorithmState(position: start, scratch: gradient.makeScratch())
    }
    @inlinable
    public func step(_ s: inout AlgorithmState, rng: CounterRNG, path: Int) {
        gradient.estimate(s.position, step: s.step, path: path, draw: 0, rng: rng, scratch: &s.scratch, into: &s.gradient)
        gradient.estimate(s.position, step: s.step, path: path, draw: 1, rng: rng, scratch: &s.scratch, into: &s.gradient2)
        let (a1, a2) = coefficients
        let h = learningRate / amplification
        for i in 0..<s.position.count { s.position[i] -= h * (a1 * s.gradient[i] + a2 * s.gradient2[i]) }
        s.step += 1
    }
}
