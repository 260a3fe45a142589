#if canImport(_Differentiation)
import _Differentiation  // SIMD vector arithmetic on Lanes resolves through its AdditiveArithmetic conformance
#endif

/// Gradient descent, the forward-Euler discretization of gradient flow (docs/THEORY.md §3, §4.1):
///
///     x_{k+1} = x_k − η ∇f(x_k),     t = kη
public struct GradientDescent<F: Objective>: Algorithm {
    public let objective: F
    public let learningRate: Double
    public init(_ objective: F, learningRate: Double) {
        precondition(learningRate > 0, "learning rate must be positive")
        self.objective = objective
        self.learningRate = learningRate
    }
    public var name: String { "GD" }
    @inlinable public var dimension: Int { objective.dimension }
    public var isStochastic: Bool { false }
    public func makeState(start: [Double]) -> AlgorithmState {
        AlgorithmState(position: start, scratch: GradientScratch(dimension: objective.dimension))
    }
    @inlinable
    public func step(_ s: inout AlgorithmState, rng: CounterRNG, path: Int) {
        objective.gradient(s.position, into: &s.gradient)
        for i in 0..<s.position.count { s.position[i] -= learningRate * s.gradient[i] }
        s.step += 1
    }
    @inlinable public var laneNormals: Int? { objective.hasLaneGradient ? 0 : nil }
    @inlinable
    public func step(lanes x: UnsafeMutablePointer<Lanes>, normals: UnsafePointer<Lanes>, work: UnsafeMutablePointer<Lanes>) {
        objective.gradient(lanes: x, into: work)
        for i in 0..<dimension { x[i] -= learningRate * work[i] }
    }
}

/// Stochastic gradient descent (docs/THEORY.md §3):
///
///     x_{k+1} = x_k − η ĝ_k(x_k),    ĝ_k a minibatch or oracle gradient,   t = kη
///
/// With ``ExactGradient`` this is gradient descent.
public struct SGD<G: StochasticGradient>: Algorithm {
    public let gradient: G
    public let learningRate: Double
    public init(_ gradient: G, learningRate: Double) {
        precondition(learningRate > 0, "learning rate must be positive")
        self.gradient = gradient
        self.learningRate = learningRate
    }
    public var name: String { "SGD" }
    @inlinable public var dimension: Int { gradient.objective.dimension }
    public var isStochastic: Bool { gradient.isStochastic }
    public func makeState(start: [Double]) -> AlgorithmState {
        AlgorithmState(position: start, scratch: gradient.makeScratch())
    }
    @inlinable
    public func step(_ s: inout AlgorithmState, rng: CounterRNG, path: Int) {
        gradient.estimate(s.position, step: s.step, path: path, draw: 0, rng: rng, scratch: &s.scratch, into: &s.gradient)
        for i in 0..<s.position.count { s.position[i] -= learningRate * s.gradient[i] }
        s.step += 1
    }
    @inlinable public var laneNormals: Int? { gradient.laneNormals }
    @inlinable public var laneNoiseStream: UInt32 { gradient.laneNoiseStream }
    @inlinable
    public func step(lanes x: UnsafeMutablePointer<Lanes>, normals: UnsafePointer<Lanes>, work: UnsafeMutablePointer<Lanes>) {
        gradient.estimate(lanes: x, normals: normals, into: work)
        for i in 0..<dimension { x[i] -= learningRate * work[i] }
    }
}

/// Heavy ball (momentum SGD), velocity form (docs/THEORY.md §3):
///
///     v_{k+1} = μ v_k − η ĝ(x_k),   x_{k+1} = x_k + v_{k+1},   v_0 = 0
///
/// Equals Polyak's form `x_{k+1} = x_k − η∇f(x_k) + μ(x_k − x_{k−1})` with `v_k = x_k − x_{k−1}`.
/// Time identification: `t = kη` for the regime-A SME; `t = k√η` for the heavy-ball ODE.
public struct HeavyBall<G: StochasticGradient>: Algorithm {
    public let gradient: G
    public let learningRate: Double
    public let momentum: Double
    public init(_ gradient: G, learningRate: Double, momentum: Double) {
        precondition(learningRate > 0, "learning rate must be positive")
        precondition(momentum >= 0 && momentum < 1, "momentum must be in [0, 1)")
        self.gradient = gradient
        self.learningRate = learningRate
        self.momentum = momentum
    }
    public var name: String { "HB" }
    public var dimension: Int { gradient.objective.dimension }
    public var isStochastic: Bool { gradient.isStochastic }
    public func makeState(start: [Double]) -> AlgorithmState {
        AlgorithmState(position: start, scratch: gradient.makeScratch())
    }
    @inlinable
    public func step(_ s: inout AlgorithmState, rng: CounterRNG, path: Int) {
        gradient.estimate(s.position, step: s.step, path: path, draw: 0, rng: rng, scratch: &s.scratch, into: &s.gradient)
        for i in 0..<s.position.count {
            s.velocity[i] = momentum * s.velocity[i] - learningRate * s.gradient[i]
            s.position[i] += s.velocity[i]
        }
        s.step += 1
    }
}

/// Stochastic Nesterov accelerated gradient, Sutskever form (docs/THEORY.md §3):
///
///     v_{k+1} = μ v_k − η ĝ(x_k + μ v_k),   x_{k+1} = x_k + v_{k+1},   v_0 = 0
public struct Nesterov<G: StochasticGradient>: Algorithm {
    public let gradient: G
    public let learningRate: Double
    public let momentum: Double
    public init(_ gradient: G, learningRate: Double, momentum: Double) {
        precondition(learningRate > 0, "learning rate must be positive")
        precondition(momentum >= 0 && momentum < 1, "momentum must be in [0, 1)")
        self.gradient = gradient
        self.learningRate = learningRate
        self.momentum = momentum
    }
    public var name: String { "NAG" }
    public var dimension: Int { gradient.objective.dimension }
    public var isStochastic: Bool { gradient.isStochastic }
    public func makeState(start: [Double]) -> AlgorithmState {
        AlgorithmState(position: start, scratch: gradient.makeScratch())
    }
    @inlinable
    public func step(_ s: inout AlgorithmState, rng: CounterRNG, path: Int) {
        for i in 0..<s.position.count { s.auxiliary[i] = s.position[i] + momentum * s.velocity[i] }
        gradient.estimate(s.auxiliary, step: s.step, path: path, draw: 0, rng: rng, scratch: &s.scratch, into: &s.gradient)
        for i in 0..<s.position.count {
            s.velocity[i] = momentum * s.velocity[i] - learningRate * s.gradient[i]
            s.position[i] += s.velocity[i]
        }
        s.step += 1
    }
}

/// Nesterov's method in the Su–Boyd–Candès form (deterministic; docs/THEORY.md §3, §4.7), from `y₀ = x₀`:
///
///     x_k = y_{k−1} − s ∇f(y_{k−1}),   y_k = x_k + ((k−1)/(k+2)) (x_k − x_{k−1})
///
/// Its ODE is `Ẍ + (3/t)Ẋ + ∇f(X) = 0` with time identification `t = k√s`.
public struct NesterovSBC<F: Objective>: Algorithm {
    public let objective: F
    public let learningRate: Double
    public init(_ objective: F, stepSize s: Double) {
        precondition(s > 0, "step size must be positive")
        self.objective = objective
        self.learningRate = s
    }
    public var name: String { "NAG-SBC" }
    public var dimension: Int { objective.dimension }
    public var isStochastic: Bool { false }
    public var timePerStep: Double { learningRate.squareRoot() }
    /// `velocity` holds the previous iterate `x_{k−1}`; `auxiliary` holds `y_k`.
    public func makeState(start: [Double]) -> AlgorithmState {
        var s = AlgorithmState(position: start, scratch: GradientScratch(dimension: objective.dimension))
        s.velocity = start
        s.auxiliary = start
        return s
    }
    public func reset(_ s: inout AlgorithmState, start: [Double]) {
        for i in 0..<start.count { s.position[i] = start[i]; s.velocity[i] = start[i]; s.auxiliary[i] = start[i] }
        s.step = 0
    }
    @inlinable
    public func step(_ s: inout AlgorithmState, rng: CounterRNG, path: Int) {
        let k = Double(s.step + 1)
        objective.gradient(s.auxiliary, into: &s.gradient)
        let c = (k - 1) / (k + 2)
        for i in 0..<s.position.count {
            let xNew = s.auxiliary[i] - learningRate * s.gradient[i]
            s.velocity[i] = s.position[i]
            s.position[i] = xNew
            s.auxiliary[i] = xNew + c * (xNew - s.velocity[i])
        }
        s.step += 1
    }
}
