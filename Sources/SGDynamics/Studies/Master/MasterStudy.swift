import Foundation

/// SGD's exact law at finite η by its master equation (docs/THEORY.md §8.2–§8.4): with finitely
/// many minibatches B, SGD is the Markov chain `θ' = T_B(θ) = θ − η∇f_B(θ)`, whose law evolves by
///
///     p_{k+1}(θ') = Σ_B P(B) ∫ δ(θ' − T_B(θ)) p_k(θ) dθ,
///
/// solved on a grid by cloud-in-cell deposit (a column-stochastic matrix; mass and positivity
/// exact, an O(Δθ²) interpolation bias). The stationary law (power iteration) is compared with the
/// exact discrete moments of the affine chain (§6.3, §6.5), the OU/Langevin Gaussian of variance
/// `ησ²/(2λ)` (`σ² = cΣ(θ*)`, `λ = f''(θ*)`) and the Gibbs density `e^{−f/T}/Z`, `T = ησ²/2`; or
/// the law is evolved from a point mass (`steps`). With `momentum` μ the chain is heavy ball in
/// (θ, v) on a 2-D grid, against the regime-A model of variance `ησ²/(2λ(1−μ))` (§4.4, §6.4).
///
///     let r = try MasterStudy(.init()).run(StudyContext())   // Bernoulli example at ηλ = 0.5
///     r.metric("variance master")?.value                     // ≈ 1/3 (Uniform[−1, 1])
public struct MasterStudy: Study {
    public static let name = "master"

    public struct Configuration: StudyConfiguration {
        public var objective = DensityObjectiveChoice()
        /// `lower:upper:count` per axis (nil: the support of the law plus a margin, Δθ ≤ sd/20);
        /// two axes (θ, v) with `momentum`.
        public var grid: [GridAxis]?
        /// Evolve the law for this many steps from a point mass at `start` (nil: the stationary law).
        public var steps: Int?
        /// The start θ₀ of a transient (nil: θ*).
        public var start: Double?
        /// Rows (save points) of a transient.
        public var saves: Int = 10
        /// Power-iteration tolerance on `‖p_{k+1} − p_k‖₁`.
        public var tolerance: Double = 1e-14
        public var maxIterations: Int = 100_000
        /// Enumerate all batches when there are at most this many, else sample this many.
        public var maxBatches: Int = 100_000
        /// Seed of sampled batches.
        public var seed: UInt64 = 0
        /// Heavy-ball momentum μ in [0, 1) (nil: SGD).
        public var momentum: Double?

        public init() {}
        public func inputFiles() -> [String] { objective.inputFiles }
        public var seedValue: UInt64? { seed }
    }

    public let configuration: Configuration
    let problem: DensityProblem
    let eta: Double
    let batches: MinibatchEnumeration
    let chain: AffineChain
    let lambda: Double
    let sigma2: Double
    let plan: Plan

    /// What `init` has checked and `run` computes.
    enum Plan: Sendable {
        case oneD(MasterPlan1D)
        case heavyBall(MasterHeavyBallPlan)
    }

    public init(_ configuration: Configuration) throws {
        let c = configuration
        if let start = c.start, !start.isFinite { throw ConfigurationError(field: "start", "must be a finite number, got \(start)") }
        if let m = c.momentum, !(m >= 0 && m < 1) { throw ConfigurationError(field: "momentum", "must lie in [0, 1), got \(m)") }
        if let steps = c.steps, steps < 1 || steps > 100_000_000 { throw ConfigurationError(field: "steps", "must be between 1 and 10⁸, got \(steps)") }
        guard c.saves >= 1, c.saves <= 10_000 else { throw ConfigurationError(field: "saves", "must be between 1 and 10000, got \(c.saves)") }
        guard c.tolerance.isFinite, c.tolerance > 0 else { throw ConfigurationError(field: "tolerance", "must be a positive number, got \(c.tolerance)") }
        guard c.maxIterations >= 1, c.maxIterations <= 100_000_000 else { throw ConfigurationError(field: "maxIterations", "must be between 1 and 10⁸, got \(c.maxIterations)") }
        guard c.maxBatches >= 1, c.maxBatches <= 10_000_000 else { throw ConfigurationError(field: "maxBatches", "must be between 1 and 10⁷, got \(c.maxBatches)") }
        if let grid = c.grid { try GridAxis.validate(grid, maximumAxes: 2) }
        (problem, eta) = try c.objective.resolve(allowDeterministic: false)
        let ls = problem.finiteSum!
        let b = c.objective.batchSize, sampling = c.objective.sampling.sampling
        batches = try DensityResultParts.renaming {
            try MinibatchEnumeration(sampleCount: ls.sampleCount, batchSize: b, sampling: sampling, maximumBatches: c.maxBatches, seed: c.seed)
        }
        chain = problem.chain(batches: batches, learningRate: eta)!
        lambda = problem.curvature
        sigma2 = problem.stepNoiseVariance(batchSize: b, sampling: sampling)
        guard sigma2 > 1e-300 else {
            throw ConfigurationError(field: "objective.name", "the minibatch gradients agree at θ* = \(NumberText.short(problem.minimizer)) (no noise there), so SGD's stationary law is the point mass at θ*; choose samples with different minimizers")
        }
        self.configuration = c
        if let mu = c.momentum {
            plan = .heavyBall(try MasterHeavyBallPlan(c, problem: problem, eta: eta, batches: batches, chain: chain, lambda: lambda,
                                                      sigma2: sigma2, momentum: mu))
        } else {
            plan = .oneD(try MasterPlan1D(c, problem: problem, eta: eta, batches: batches, chain: chain, lambda: lambda, sigma2: sigma2))
        }
    }

    /// The field of the learning rate in errors: `etaLambda` for the Bernoulli example.
    static func etaField(_ p: DensityProblem) -> String { p.isBernoulli ? "objective.etaLambda" : "objective.learningRate" }

    /// The second context line: η, batches, θ*, λ and σ².
    var header: String {
        "η = \(NumberText.short(eta, 6)), batch size \(batches.batchSize) \(batches.sampling.rawValue): \(batches.kind); θ* = \(NumberText.short(problem.minimizer, 6)), λ = f''(θ*) = \(NumberText.short(lambda, 6)), σ² = cΣ(θ*) = \(NumberText.short(sigma2, 6))"
    }

    static let masterClaim = "SGD's law at finite η is the fixed point of its exact master equation, not the Langevin Gaussian: for a quadratic the exact stationary variance is ησ²/(λ(2 − ηλ)), above Langevin's ησ²/(2λ) by the factor 1/(1 − ηλ/2), and the law need not be Gaussian (docs/THEORY.md §8)."

    public func run(_ context: StudyContext) throws -> StudyResult {
        try context.checkCancellation()
        switch plan {
        case .oneD(let p): return try p.run(self, context)
        case .heavyBall(let p): return try p.run(self, context)
        }
    }
}
