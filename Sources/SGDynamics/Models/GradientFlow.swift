/// Gradient flow `ẋ = −∇f(x)`; gradient descent is its forward-Euler discretization, `t = kη`
/// (docs/THEORY.md §4.1).
public struct GradientFlow<F: Objective>: Model {
    public let objective: F
    public init(_ objective: F) { self.objective = objective }
    public var name: String { "gradient flow" }
    public var dimension: Int { objective.dimension }
    @inlinable
    public func drift(_ x: [Double], t: Double, into b: inout [Double]) {
        objective.gradient(x, into: &b)
        for i in 0..<b.count { b[i] = -b[i] }
    }
}

/// Modified gradient flows of backward error analysis (docs/THEORY.md §4.2), `t = kη`:
///
///     GD (implicit gradient regularization, Barrett & Dherin 2021):
///         ẋ = −∇f̃,  f̃ = f + (η/4)‖∇f‖²,   i.e.  ẋ = −∇f − (η/2) ∇²f ∇f      (global error O(η²))
///     proximal point / backward Euler:
///         ẋ = −∇f̃,  f̃ = f − (η/4)‖∇f‖²,   i.e.  ẋ = −∇f + (η/2) ∇²f ∇f
public struct ModifiedFlow<F: Objective>: Model {
    /// Which method's modified flow: gradient descent's (`+`) or proximal point's (`−`).
    public enum Kind: String, Sendable {
        /// The IGR flow of gradient descent.
        case gradientDescent = "igr"
        /// The modified flow of proximal point (backward Euler).
        case proximalPoint = "backward-euler"
    }
    public let objective: F
    public let learningRate: Double
    public let kind: Kind
    public init(_ objective: F, learningRate: Double, kind: Kind = .gradientDescent) {
        self.objective = objective
        self.learningRate = learningRate
        self.kind = kind
    }
    public var name: String { kind == .gradientDescent ? "IGR flow" : "backward-Euler flow" }
    public var dimension: Int { objective.dimension }

    /// `+1` for GD's flow, `−1` for proximal point's.
    public var sign: Double { kind == .gradientDescent ? 1 : -1 }

    public func drift(_ x: [Double], t: Double, into b: inout [Double]) {
        var scratch = ModelScratch()
        drift(x, t: t, into: &b, scratch: &scratch)
    }

    public func drift(_ x: [Double], t: Double, into b: inout [Double], scratch: inout ModelScratch) {
        scratch.ensure(dimension)
        objective.gradient(x, into: &scratch.gradient)
        objective.hessianVectorProduct(x, scratch.gradient, into: &b)
        let c = sign * learningRate / 2
        for i in 0..<b.count { b[i] = -scratch.gradient[i] - c * b[i] }
    }
}

/// Natural-gradient flow `θ̇ = −G(θ)^{−1}∇f(θ)` (Amari 1998; docs/THEORY.md §4.8), `t = kη`.
public struct NaturalGradientFlow<F: Objective>: Model {
    public let algorithm: NaturalGradient<F>
    public init(_ algorithm: NaturalGradient<F>) { self.algorithm = algorithm }
    public var name: String { "natural-gradient flow" }
    public var dimension: Int { algorithm.dimension }
    public func drift(_ x: [Double], t: Double, into b: inout [Double]) {
        let p = algorithm.direction(x)
        for i in 0..<b.count { b[i] = -p[i] }
    }
}
