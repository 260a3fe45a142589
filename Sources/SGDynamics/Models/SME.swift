#if canImport(_Differentiation)
import _Differentiation  // SIMD vector arithmetic on Lanes resolves through its AdditiveArithmetic conformance
#endif

/// Stochastic modified equations of SGD (Li, Tai & E 2017, 2019; docs/THEORY.md §4.3), time `t = kη`:
///
///     SME-1:  dX = −∇f(X) dt + (η c Σ(X))^{1/2} dW
///     SME-2:  dX = −[∇f + (η/2) ∇²f ∇f](X) dt + (η c Σ(X))^{1/2} dW
///
/// `Σ` is the one-sample gradient-noise covariance and `c` the minibatch factor of the gradient source
/// (`1/b` with replacement, `(n−b)/(b(n−1))` without; docs/THEORY.md §2.2). Momentum regime A
/// (docs/THEORY.md §4.4) is the same equation with drift and noise scaled by `1/(1−μ)`
/// (``init(heavyBall:)``). The SVAG limit (docs/THEORY.md §5.2) is SME-1 of SGD at the same `η`.
///
/// The diffusion factor is any `F` with `F Fᵀ = η c Σ(x)`: for a state-dependent `Σ` a pivoted
/// Cholesky factor (cheap, and it exists when `Σ` is only semidefinite); a constant `Σ` (e.g. the
/// Li–Tai–E quadratic) gets its symmetric square root, computed once.
public struct SME<G: StochasticGradient>: StochasticModel {
    public let gradient: G
    public let learningRate: Double
    public let order: Int
    /// `1/(1−μ)` for momentum regime A, 1 for SGD.
    public let momentumScale: Double
    @usableFromInline let constantFactor: Matrix?

    public init(_ gradient: G, learningRate: Double, order: Int = 1, momentumScale: Double = 1) {
        precondition(order == 1 || order == 2, "SME order must be 1 or 2")
        precondition(learningRate > 0, "learning rate must be positive")
        self.gradient = gradient
        self.learningRate = learningRate
        self.order = order
        self.momentumScale = momentumScale
        precondition(order == 1 || momentumScale == 1, "the momentum (regime A) SME is of order 1")
        if gradient.noiseIsConstant {
            // The symmetric root (docs/THEORY.md §1), so that coordinate i of ΔW drives coordinate i of X
            // as γ_k drives SGD: common random numbers then couple the two coordinate by coordinate.
            let a = (learningRate * gradient.covarianceFactor) * gradient.noiseCovariance(
                [Double](repeating: 0, count: gradient.objective.dimension))
            constantFactor = a.symmetricSquareRoot()
        } else {
            constantFactor = nil
        }
    }

    /// The SME of SGD at its learning rate and gradient source.
    public init(of sgd: SGD<G>, order: Int = 1) {
        self.init(sgd.gradient, learningRate: sgd.learningRate, order: order)
    }

    /// Momentum regime A (docs/THEORY.md §4.4): `dX = −∇f/(1−μ) dt + (η c Σ)^{1/2}/(1−μ) dW`, `t = kη`,
    /// order 1, for heavy ball or Nesterov with fixed `μ`.
    public init(heavyBall hb: HeavyBall<G>) {
        self.init(hb.gradient, learningRate: hb.learningRate, order: 1, momentumScale: 1 / (1 - hb.momentum))
    }

    public var name: String { momentumScale == 1 ? "SME-\(order)" : "SME-1 (momentum, regime A)" }
    @inlinable public var dimension: Int { gradient.objective.dimension }
    @inlinable public var brownianDimension: Int { dimension }
    public var noise: NoiseStructure { constantFactor != nil ? .additive : .general }

    public func drift(_ x: [Double], t: Double, into b: inout [Double]) {
        var s = ModelScratch()
        drift(x, t: t, into: &b, scratch: &s)
    }

    @inlinable
    public func drift(_ x: [Double], t: Double, into b: inout [Double], scratch: inout ModelScratch) {
        let f = gradient.objective
        if order == 1 {
            f.gradient(x, into: &b)
            for i in 0..<b.count { b[i] = -momentumScale * b[i] }
            return
        }
        scratch.ensure(dimension)
        f.gradient(x, into: &scratch.gradient)
        f.hessianVectorProduct(x, scratch.gradient, into: &b)
        let c = learningRate / 2
        for i in 0..<b.count { b[i] = -scratch.gradient[i] - c * b[i] }
    }

    public func diffusion(_ x: [Double], t: Double, applyTo xi: [Double], into out: inout [Double], scratch: inout ModelScratch) {
        let d = dimension
        if let f = constantFactor {
            for i in 0..<d {
                var s = 0.0
                for j in 0..<d { s += f[i, j] * xi[j] }   // F = Pᵀ L is not triangular after pivoting
                out[i] = momentumScale * s
            }
            return
        }
        scratch.ensureMatrices(d)
        gradient.noiseCovariance(x, into: &scratch.matrix)
        let c = learningRate * gradient.covarianceFactor
        for i in 0..<(d * d) { scratch.matrix.storage[i] *= c }
        Matrix.semidefiniteFactor(&scratch.matrix, into: &scratch.factor, permutation: &scratch.pivots)
        for i in 0..<d {
            var s = 0.0
            for j in 0..<d { s += scratch.factor[i, j] * xi[j] }
            out[i] = momentumScale * s
        }
    }

    /// Lanes for SME-1 when the gradient is vectorized and `Σ` is constant or has a lane form (least
    /// squares): `Σ(x)` is evaluated for four paths at once, then factored lane by lane.
    @inlinable
    public var hasLaneCoefficients: Bool {
        order == 1 && gradient.objective.hasLaneGradient && (constantFactor != nil || gradient.hasLaneNoiseCovariance)
    }

    @inlinable
    public func drift(lanes x: UnsafePointer<Lanes>, t: Double, into b: UnsafeMutablePointer<Lanes>) {
        precondition(order == 1, "lane drift is implemented for SME-1")
        gradient.objective.gradient(lanes: x, into: b)
        for i in 0..<dimension { b[i] = -momentumScale * b[i] }
    }

    @inlinable
    public func diffusion(lanes x: UnsafePointer<Lanes>, t: Double, applyTo xi: UnsafePointer<Lanes>,
                          into out: UnsafeMutablePointer<Lanes>) {
        let d = dimension
        if let f = constantFactor {
            f.storage.withUnsafeBufferPointer { fp in
                for i in 0..<d {
                    var s = Lanes(repeating: 0)
                    for j in 0..<d { s += fp[i * d + j] * xi[j] }
                    out[i] = momentumScale * s
                }
            }
            return
        }
        let c = learningRate * gradient.covarianceFactor
        withUnsafeTemporaryAllocation(of: Lanes.self, capacity: d * d) { sigma in
            withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * d * d) { work in
                withUnsafeTemporaryAllocation(of: Int.self, capacity: d) { pivots in
                    gradient.noiseCovariance(lanes: x, into: sigma.baseAddress!)
                    let a = work.baseAddress!, factor = a + d * d
                    for lane in 0..<Lanes.width {
                        for i in 0..<(d * d) { a[i] = sigma[i][lane] * c }
                        Matrix.semidefiniteFactor(n: d, a, into: factor, permutation: pivots.baseAddress!)
                        for i in 0..<d {
                            var s = 0.0
                            for j in 0..<d { s += factor[i * d + j] * xi[j][lane] }
                            out[i][lane] = momentumScale * s
                        }
                    }
                }
            }
        }
    }
}

/// Momentum SGD in the underdamped regime B (docs/THEORY.md §4.4): `1 − μ = λ_m √η`, time `t = k√η`,
/// state `(X, V)` with `V = v/√η`:
///
///     dX = V dt,   dV = −(λ_m V + ∇f(X)) dt + η^{1/4} (c Σ(X))^{1/2} dW
///
/// As `η → 0` it tends to the heavy-ball ODE `Ẍ + λ_m Ẋ + ∇f = 0`.
public struct UnderdampedMomentumSME<G: StochasticGradient>: StochasticModel {
    public let gradient: G
    public let learningRate: Double
    public let friction: Double
    public init(heavyBall hb: HeavyBall<G>) {
        gradient = hb.gradient
        learningRate = hb.learningRate
        friction = (1 - hb.momentum) / hb.learningRate.squareRoot()
    }
    public var name: String { "SME (momentum, regime B)" }
    @inlinable public var dimension: Int { 2 * gradient.objective.dimension }
    @inlinable public var positionDimension: Int { gradient.objective.dimension }
    @inlinable public var brownianDimension: Int { gradient.objective.dimension }
    public var timeIdentification: String { "t = k√η" }
    public var noise: NoiseStructure { .general }
    public func drift(_ x: [Double], t: Double, into b: inout [Double]) {
        var s = ModelScratch()
        drift(x, t: t, into: &b, scratch: &s)
    }
    public func drift(_ x: [Double], t: Double, into b: inout [Double], scratch: inout ModelScratch) {
        let lm = friction
        secondOrderDrift(gradient.objective, x, into: &b, scratch: &scratch) { v, g in -lm * v - g }
    }
    public func diffusion(_ x: [Double], t: Double, applyTo xi: [Double], into out: inout [Double], scratch: inout ModelScratch) {
        let d = gradient.objective.dimension
        scratch.ensure(d)
        scratch.ensureMatrices(d)
        for i in 0..<d { scratch.position[i] = x[i] }
        gradient.noiseCovariance(scratch.position, into: &scratch.matrix)
        let c = learningRate.squareRoot() * gradient.covarianceFactor   // (η^{1/4})² c
        for i in 0..<(d * d) { scratch.matrix.storage[i] *= c }
        Matrix.semidefiniteFactor(&scratch.matrix, into: &scratch.factor, permutation: &scratch.pivots)
        for i in 0..<d {
            out[i] = 0
            var s = 0.0
            for j in 0..<d { s += scratch.factor[i, j] * xi[j] }
            out[d + i] = s
        }
    }
}
