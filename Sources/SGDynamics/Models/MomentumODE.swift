/// The heavy-ball ODE `Ẍ + a Ẋ + ∇f(X) = 0` (Polyak 1964; docs/THEORY.md §4.7) as a first-order system in
/// `(X, V)`, `V = Ẋ`. Heavy ball with step `s` and momentum `β` corresponds to `a = (1 − β)/√s` with
/// time identification `t = k√s`.
public struct HeavyBallODE<F: Objective>: Model {
    public let objective: F
    public let damping: Double
    public init(_ objective: F, damping: Double) {
        self.objective = objective
        self.damping = damping
    }
    /// The ODE of heavy ball with learning rate `η` and momentum `μ`: `a = (1 − μ)/√η`.
    public init(of hb: HeavyBall<some StochasticGradient>, on objective: F) {
        self.init(objective, damping: (1 - hb.momentum) / hb.learningRate.squareRoot())
    }
    public var name: String { "heavy-ball ODE" }
    public var dimension: Int { 2 * objective.dimension }
    public var positionDimension: Int { objective.dimension }
    public var timeIdentification: String { "t = k√η" }
    public func drift(_ x: [Double], t: Double, into b: inout [Double]) {
        var scratch = ModelScratch()
        drift(x, t: t, into: &b, scratch: &scratch)
    }
    public func drift(_ x: [Double], t: Double, into b: inout [Double], scratch: inout ModelScratch) {
        secondOrderDrift(objective, x, into: &b, scratch: &scratch) { v, g in -damping * v - g }
    }
}

/// The Su–Boyd–Candès ODE of Nesterov's method, `Ẍ + (3/t) Ẋ + ∇f(X) = 0`, `X(0) = x₀`, `Ẋ(0) = 0`
/// (docs/THEORY.md §4.7), as a system in `(X, V)`, time identification `t = k√s`.
///
/// At `t = 0` the friction term uses its limit: `V ≈ −t∇f(x₀)/4` near 0, so `(3/t)V → −(3/4)∇f`
/// and `V̇(0) = −∇f(x₀)/4`. Closed form for `f = ½λx²`: `X(t) = x₀ · 2J₁(√λ t)/(√λ t)`.
public struct NesterovODE<F: Objective>: Model {
    public let objective: F
    public init(_ objective: F) { self.objective = objective }
    public var name: String { "Nesterov ODE" }
    public var dimension: Int { 2 * objective.dimension }
    public var positionDimension: Int { objective.dimension }
    public var timeIdentification: String { "t = k√s" }
    public func drift(_ x: [Double], t: Double, into b: inout [Double]) {
        var scratch = ModelScratch()
        drift(x, t: t, into: &b, scratch: &scratch)
    }
    public func drift(_ x: [Double], t: Double, into b: inout [Double], scratch: inout ModelScratch) {
        secondOrderDrift(objective, x, into: &b, scratch: &scratch) { v, g in t > 0 ? -(3 / t) * v - g : -0.25 * g }
    }
    /// The state `(x₀, 0)`.
    public func initialState(_ x0: [Double]) -> [Double] { x0 + [Double](repeating: 0, count: x0.count) }
}

/// Drift of `Ẋ = V, V̇ = a(V, ∇f(X))` for a state `(X, V)`, with `a` applied per coordinate.
@inline(__always)
func secondOrderDrift<F: Objective>(_ objective: F, _ x: [Double], into b: inout [Double], scratch: inout ModelScratch,
                                    acceleration: (_ v: Double, _ g: Double) -> Double) {
    let d = objective.dimension
    scratch.ensure(d)
    for i in 0..<d { scratch.position[i] = x[i] }
    objective.gradient(scratch.position, into: &scratch.gradient)
    for i in 0..<d {
        b[i] = x[d + i]
        b[d + i] = acceleration(x[d + i], scratch.gradient[i])
    }
}
