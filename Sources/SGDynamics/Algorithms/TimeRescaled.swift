/// An algorithm observed on a different clock: the same iterates, with `time per step` chosen by the
/// caller. Use it to pair an algorithm with a model whose time identification is not `t = kη`, for
/// example heavy ball against the heavy-ball ODE at `t = k√η`.
public struct TimeRescaled<Base: Algorithm>: Algorithm {
    public let base: Base
    public let timePerStep: Double
    public init(_ base: Base, timePerStep: Double) {
        precondition(timePerStep > 0, "time per step must be positive")
        self.base = base
        self.timePerStep = timePerStep
    }
    public var name: String { base.name }
    public var dimension: Int { base.dimension }
    public var learningRate: Double { base.learningRate }
    public var isStochastic: Bool { base.isStochastic }
    public func makeState(start: [Double]) -> AlgorithmState { base.makeState(start: start) }
    public func reset(_ state: inout AlgorithmState, start: [Double]) { base.reset(&state, start: start) }
    @inlinable
    public func step(_ state: inout AlgorithmState, rng: CounterRNG, path: Int) { base.step(&state, rng: rng, path: path) }
}
