import Foundation

/// Exact first and second moments (no Monte Carlo) of SGD, its SMEs and momentum SGD on a quadratic
/// with additive gradient noise (docs/THEORY.md §2.3, §5.3, §6.3, §6.4):
///
///     f(x) = ½ xᵀHx,   ĝ(x) = Hx + ξ,   E ξ = 0,   Cov ξ = C   (i.i.d. over steps)
///
/// The Li–Tai–E oracle with batch `b` has `C = H²/b` (``liTaiE(hessian:learningRate:batchSize:)``).
///
///     SGD:     x_{k+1} = (I − ηH) x_k − η ξ_k
///              m_{k+1} = (I − ηH) m_k,   S_{k+1} = (I − ηH) S_k (I − ηH)ᵀ + η² C
///     SME-1:   dX = −A X dt + √η C^{1/2} dW,   A = H                  (time t = kη)
///     SME-2:   the same with A = H + (η/2) H²
///              m(t) = e^{−At} x₀,   S(t) = ∫₀^t e^{−As} ηC e^{−Aᵀs} ds,   A S_∞ + S_∞ Aᵀ = ηC
///     HB:      v' = μv − η(Hx + ξ),         x' = x + v'
///     NAG:     v' = μv − η(H(x + μv) + ξ),  x' = x + v'
///
/// Momentum methods are linear recursions of the state `z = (x, v) ∈ R^{2d}` (`z' = T z + G ξ`), solved
/// exactly the same way. With Gaussian noise and a deterministic start every law here is Gaussian,
/// `N(m, S)`, so ``expectation(of:under:)`` is exact for every ``TestFunction``; for non-Gaussian noise
/// it stays exact for the test functions that need two moments (`f`, `x_i`, `‖x‖²`).
///
/// `H` need not commute with `C`: the SME covariance uses Van Loan's block exponential, not an
/// eigen-decomposition. Cost: `O(d³)` per SGD step, `O(d⁶)` for a stationary covariance (Kronecker
/// Lyapunov solve, ``Lyapunov``), `O((2d)⁶)` for the momentum ones.
public struct QuadraticMoments: Sendable {
    /// A Gaussian law `N(mean, covariance)` (exactly Gaussian when the noise is).
    public struct Moments: Sendable, Equatable {
        public var mean: [Double]
        public var covariance: Matrix

        public init(mean: [Double], covariance: Matrix) {
            precondition(covariance.rows == mean.count && covariance.columns == mean.count,
                         "Moments: covariance must be \(mean.count) × \(mean.count)")
            self.mean = mean
            self.covariance = covariance
        }

        public var dimension: Int { mean.count }

        /// `E[x xᵀ] = S + m mᵀ`.
        public var secondMoment: Matrix { covariance + Matrix.outer(mean, mean) }

        /// The law of the components in `range`, e.g. the position `0..<d` of a momentum state `(x, v)`.
        public func marginal(_ range: Range<Int>) -> Moments {
            precondition(range.lowerBound >= 0 && range.upperBound <= dimension, "Moments: range out of bounds")
            var s = Matrix(rows: range.count, columns: range.count)
            for (a, i) in range.enumerated() { for (b, j) in range.enumerated() { s[a, b] = covariance[i, j] } }
            return Moments(mean: Array(mean[range]), covariance: s)
        }
    }

    /// The momentum method of docs/THEORY.md §3 (velocity forms).
    public enum MomentumMethod: String, Sendable, CaseIterable {
        /// `v' = μv − η ĝ(x)`, `x' = x + v'`.
        case heavyBall = "heavy-ball"
        /// `v' = μv − η ĝ(x + μv)`, `x' = x + v'` (Sutskever form).
        case nesterov = "nesterov"
    }

    /// Weak errors of SME-1 and SME-2 at one learning rate:
    /// `max_{0≤k≤⌊T/η⌋} |E g(x_k) − E g(X_{kη})|`.
    public struct WeakErrorPoint: Sendable, Equatable {
        public var learningRate: Double
        public var sme1: Double
        public var sme2: Double
    }

    /// `H` (symmetric).
    public let hessian: Matrix
    /// `C`, the covariance of the gradient noise of one step (batch factor included).
    public let noiseCovariance: Matrix
    /// `η`.
    public let learningRate: Double

    public var dimension: Int { hessian.rows }

    /// Moments for `f = ½ xᵀHx` with per-step gradient-noise covariance `C` at learning rate `η`.
    public init(hessian: Matrix, noiseCovariance: Matrix, learningRate: Double) {
        precondition(hessian.isSquare, "QuadraticMoments: H must be square")
        precondition(noiseCovariance.rows == hessian.rows && noiseCovariance.columns == hessian.rows,
                     "QuadraticMoments: C must be \(hessian.rows) × \(hessian.rows)")
        precondition(learningRate > 0, "QuadraticMoments: learning rate must be positive")
        self.hessian = hessian.symmetrized
        self.noiseCovariance = noiseCovariance.symmetrized
        self.learningRate = learningRate
    }

    /// The Li–Tai–E additive-noise quadratic (docs/THEORY.md §2.3, §5.3) with batch `b`: `C = H²/b`.
    public static func liTaiE(hessian: Matrix, learningRate: Double, batchSize: Int = 1) -> QuadraticMoments {
        precondition(batchSize >= 1, "QuadraticMoments: batch size must be at least 1")
        let h = hessian.symmetrized
        return QuadraticMoments(hessian: h, noiseCovariance: (1 / Double(batchSize)) * (h * h),
                                learningRate: learningRate)
    }

    /// The moments of SGD on a ``NoisyQuadratic`` with batch `b` (`C = H²/b`).
    public init(_ objective: NoisyQuadratic, learningRate: Double, batchSize: Int = 1) {
        self = .liTaiE(hessian: objective.base.hessianMatrix, learningRate: learningRate, batchSize: batchSize)
    }

    /// Number of steps `⌊T/η⌋` on the horizon `T` (robust to `T/η` rounding just below an integer).
    public func steps(horizon: Double) -> Int {
        precondition(horizon >= 0, "QuadraticMoments: horizon must be non-negative")
        return Int((horizon / learningRate * (1 + 1e-12)).rounded(.down))
    }

    // MARK: SGD

    /// `I − ηH`, the mean transition of SGD.
    public var sgdTransition: Matrix { Matrix.identity(dimension) - learningRate * hessian }

    /// `N(m_k, S_k)` for `k = 0…steps`, from the deterministic `x₀`.
    public func sgd(from x0: [Double], steps: Int) -> [Moments] {
        precondition(x0.count == dimension, "QuadraticMoments: x0 has the wrong dimension")
        return Self.iterate(transition: sgdTransition,
                            noise: (learningRate * learningRate) * noiseCovariance,
                            from: Moments(mean: x0, covariance: Matrix(rows: dimension, columns: dimension)),
                            steps: steps)
    }

    /// The stationary covariance of SGD, `S = (I−ηH) S (I−ηH)ᵀ + η²C`
    /// (⇔ `HS + SH − ηHSH = ηC`). Throws when `ρ(I − ηH) ≥ 1` (docs/THEORY.md §10.1).
    public func sgdStationaryCovariance() throws -> Matrix {
        try Lyapunov.discrete(M: sgdTransition, Q: (learningRate * learningRate) * noiseCovariance).symmetrized
    }

    // MARK: SME

    /// The SME drift matrix `A` (drift `−A x`): `H` for order 1, `H + (η/2) H²` for order 2.
    public func smeDrift(order: Int) -> Matrix {
        precondition(order == 1 || order == 2, "SME order must be 1 or 2")
        return order == 1 ? hessian : hessian + (learningRate / 2) * (hessian * hessian)
    }

    /// `N(e^{−At} x₀, S(t))` for the SME of `order` at time `t`, exactly.
    public func sme(order: Int, from x0: [Double], at t: Double) -> Moments {
        precondition(x0.count == dimension, "QuadraticMoments: x0 has the wrong dimension")
        let (phi, q) = Self.ornsteinUhlenbeckStep(drift: smeDrift(order: order),
                                                  diffusion: learningRate * noiseCovariance, time: t)
        return Moments(mean: phi * x0, covariance: q)
    }

    /// The SME laws at the algorithm's times `t = kη`, `k = 0…steps`: the SME sampled on that grid is
    /// the exact AR(1) recursion `m ← Φ m`, `S ← Φ S Φᵀ + Q_η`, with `(Φ, Q_η)` from Van Loan.
    public func sme(order: Int, from x0: [Double], steps: Int) -> [Moments] {
        precondition(x0.count == dimension, "QuadraticMoments: x0 has the wrong dimension")
        let (phi, q) = Self.ornsteinUhlenbeckStep(drift: smeDrift(order: order),
                                                  diffusion: learningRate * noiseCovariance, time: learningRate)
        return Self.iterate(transition: phi, noise: q,
                            from: Moments(mean: x0, covariance: Matrix(rows: dimension, columns: dimension)),
                            steps: steps)
    }

    /// The SME's stationary covariance: `A S + S Aᵀ = ηC`. Throws unless `Re λ(A) > 0`.
    public func smeStationaryCovariance(order: Int) throws -> Matrix {
        try Lyapunov.continuous(A: smeDrift(order: order), C: learningRate * noiseCovariance).symmetrized
    }

    // MARK: momentum

    /// The state transition `T` of `z = (x, v)`, `z' = T z + G ξ`, `G = −η (I, I)ᵀ`:
    ///
    ///     HB:   T = [[I − ηH,  μI], [−ηH,  μI]]
    ///     NAG:  T = [[I − ηH,  μ(I − ηH)], [−ηH,  μ(I − ηH)]]
    public func momentumTransition(_ method: MomentumMethod, momentum mu: Double) -> Matrix {
        let d = dimension, eta = learningRate
        var t = Matrix(rows: 2 * d, columns: 2 * d)
        for i in 0..<d {
            for j in 0..<d {
                let delta = i == j ? 1.0 : 0.0
                let ih = delta - eta * hessian[i, j]
                t[i, j] = ih
                t[d + i, j] = -eta * hessian[i, j]
                let vv = method == .heavyBall ? mu * delta : mu * ih
                t[i, d + j] = vv
                t[d + i, d + j] = vv
            }
        }
        return t
    }

    /// `G C Gᵀ = η² [[C, C], [C, C]]`, the per-step noise covariance of `(x, v)`.
    public var momentumNoise: Matrix {
        let d = dimension
        var q = Matrix(rows: 2 * d, columns: 2 * d)
        let e2 = learningRate * learningRate
        for i in 0..<d { for j in 0..<d {
            let c = e2 * noiseCovariance[i, j]
            q[i, j] = c; q[i, d + j] = c; q[d + i, j] = c; q[d + i, d + j] = c
        } }
        return q
    }

    /// The Gaussian laws of the state `(x, v) ∈ R^{2d}` for `k = 0…steps`, from deterministic `x₀` and
    /// `v₀` (default 0). Use `.marginal(0..<d)` for the position.
    public func momentum(_ method: MomentumMethod, momentum mu: Double, from x0: [Double],
                         velocity v0: [Double]? = nil, steps: Int) -> [Moments] {
        precondition(x0.count == dimension, "QuadraticMoments: x0 has the wrong dimension")
        let v = v0 ?? [Double](repeating: 0, count: dimension)
        precondition(v.count == dimension, "QuadraticMoments: v0 has the wrong dimension")
        let z0 = x0 + v   // (x₀, v₀), concatenated
        return Self.iterate(transition: momentumTransition(method, momentum: mu), noise: momentumNoise,
                            from: Moments(mean: z0, covariance: Matrix(rows: 2 * dimension, columns: 2 * dimension)),
                            steps: steps)
    }

    /// The laws of the regime-A SME of heavy ball and Nesterov (docs/THEORY.md §4.4) at `t = kη`,
    /// `k = 0…steps`:
    ///
    ///     dX = −(1−μ)⁻¹ H X dt + (1−μ)⁻¹ (η C)^{1/2} dW
    ///
    /// sampled exactly on the grid (Van Loan), as ``sme(order:from:steps:)`` does for SGD.
    public func momentumSME(momentum mu: Double, from x0: [Double], steps: Int) -> [Moments] {
        precondition(x0.count == dimension, "QuadraticMoments: x0 has the wrong dimension")
        precondition(mu >= 0 && mu < 1, "momentum must be in [0, 1)")
        let s = 1 / (1 - mu)
        let (phi, q) = Self.ornsteinUhlenbeckStep(drift: s * hessian, diffusion: (s * s * learningRate) * noiseCovariance,
                                                  time: learningRate)
        return Self.iterate(transition: phi, noise: q,
                            from: Moments(mean: x0, covariance: Matrix(rows: dimension, columns: dimension)),
                            steps: steps)
    }

    /// The stationary covariance of `(x, v)` (`2d × 2d`): `S = T S Tᵀ + G C Gᵀ`. Throws when
    /// `ρ(T) ≥ 1` (docs/THEORY.md §10.1: in 1-D, HB needs `ηλ < 2(1+μ)`, NAG `ηλ < 2(1+μ)/(1+2μ)`).
    public func momentumStationaryCovariance(_ method: MomentumMethod, momentum mu: Double) throws -> Matrix {
        try Lyapunov.discrete(M: momentumTransition(method, momentum: mu), Q: momentumNoise).symmetrized
    }

    // MARK: test functions and weak error

    /// `E g(x)` under the Gaussian law `law` of the position (dimension `d`), with `f = ½ xᵀHx`.
    public func expectation(of test: TestFunction, under law: Moments) -> Double {
        precondition(law.dimension == dimension,
                     "QuadraticMoments: law has dimension \(law.dimension), need the position (\(dimension))")
        return test.gaussianExpectation(mean: law.mean, covariance: law.covariance, quadraticHessian: hessian)
    }

    /// The exact weak errors `max_{0≤k≤⌊T/η⌋} |E g(x_k) − E g(X_{kη})|` of SME-1 and SME-2
    /// (docs/THEORY.md §5.1, §5.3), from the deterministic `x₀`.
    public func weakError(of test: TestFunction = .objective, from x0: [Double], horizon: Double) -> WeakErrorPoint {
        let n = steps(horizon: horizon)
        let discrete = sgd(from: x0, steps: n).map { expectation(of: test, under: $0) }
        func error(_ order: Int) -> Double {
            let model = sme(order: order, from: x0, steps: n).map { expectation(of: test, under: $0) }
            return zip(discrete, model).reduce(0) { Swift.max($0, Swift.abs($1.0 - $1.1)) }
        }
        return WeakErrorPoint(learningRate: learningRate, sme1: error(1), sme2: error(2))
    }

    /// The weak-error curve of the Li–Tai–E example (`C = H²/b`) over a learning-rate grid
    /// (docs/THEORY.md §5.3 table: `H = diag(1, 2)`, `x₀ = (1, 1)`, `T = 1`, `g = f`).
    public static func weakErrorCurve(hessian: Matrix, batchSize: Int = 1, from x0: [Double],
                                      learningRates: [Double], horizon: Double,
                                      test: TestFunction = .objective) -> [WeakErrorPoint] {
        learningRates.map {
            liTaiE(hessian: hessian, learningRate: $0, batchSize: batchSize)
                .weakError(of: test, from: x0, horizon: horizon)
        }
    }

    // MARK: linear-Gaussian machinery

    /// `m ← T m`, `S ← T S Tᵀ + Q`, `steps` times; returns the `steps + 1` laws.
    static func iterate(transition t: Matrix, noise q: Matrix, from start: Moments, steps: Int) -> [Moments] {
        precondition(steps >= 0, "QuadraticMoments: steps must be non-negative")
        var out = [start]
        out.reserveCapacity(steps + 1)
        var law = start
        let tt = t.transposed
        for _ in 0..<steps {
            law = Moments(mean: t * law.mean, covariance: (t * law.covariance * tt + q).symmetrized)
            out.append(law)
        }
        return out
    }

    /// Transition of `dX = −A X dt + D^{1/2} dW` over time `h`:
    ///
    ///     Φ = e^{−Ah},   Q = ∫₀^h e^{−As} D e^{−Aᵀs} ds
    ///
    /// Van Loan: `exp([[A, D], [0, −Aᵀ]] τ) = [[·, F₁₂], [0, e^{−Aᵀτ}]]` and `Q_τ = e^{−Aτ} F₁₂`. The
    /// block exponential grows like `e^{‖A‖τ}`, so `h` is split into `N` pieces with `‖A‖_F τ ≤ 1`, and
    /// the pieces are composed by repeated squaring,
    /// `(Φ₁, Q₁) then (Φ₂, Q₂) = (Φ₂Φ₁, Φ₂Q₁Φ₂ᵀ + Q₂)`.
    /// - Reference: C. F. Van Loan, *Computing integrals involving the matrix exponential*,
    ///   IEEE Trans. Automatic Control 23 (1978).
    public static func ornsteinUhlenbeckStep(drift a: Matrix, diffusion dcov: Matrix, time h: Double)
        -> (transition: Matrix, covariance: Matrix)
    {
        precondition(a.isSquare && dcov.rows == a.rows && dcov.columns == a.rows, "OU step: shape mismatch")
        precondition(h >= 0 && h.isFinite, "OU step: time must be finite and non-negative")
        let d = a.rows
        if h == 0 { return (Matrix.identity(d), Matrix(rows: d, columns: d)) }
        precondition(a.frobeniusNorm * h < 1e15, "OU step: ‖A‖t ≥ 1e15; use the stationary covariance")
        let pieces = Swift.max(1, Int((a.frobeniusNorm * h).rounded(.up)))
        let tau = h / Double(pieces)
        var block = Matrix(rows: 2 * d, columns: 2 * d)
        for i in 0..<d { for j in 0..<d {
            block[i, j] = tau * a[i, j]
            block[i, d + j] = tau * dcov[i, j]
            block[d + i, d + j] = -tau * a[j, i]
        } }
        let e = block.exponential()
        var phi = Matrix(rows: d, columns: d), f12 = Matrix(rows: d, columns: d)
        for i in 0..<d { for j in 0..<d {
            phi[i, j] = e[d + j, d + i]     // (e^{−Aᵀτ})ᵀ
            f12[i, j] = e[i, d + j]
        } }
        var step = (phi, (phi * f12).symmetrized)
        var result = (Matrix.identity(d), Matrix(rows: d, columns: d))
        var p = pieces
        func compose(_ first: (Matrix, Matrix), _ second: (Matrix, Matrix)) -> (Matrix, Matrix) {
            (second.0 * first.0, (second.0 * first.1 * second.0.transposed + second.1).symmetrized)
        }
        while p > 0 {
            if p & 1 == 1 { result = compose(result, step) }
            p >>= 1
            if p > 0 { step = compose(step, step) }
        }
        return result
    }
}

