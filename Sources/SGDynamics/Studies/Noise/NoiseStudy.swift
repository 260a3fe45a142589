import Foundation

/// Gradient-noise diagnostics of a finite sum at a point or along a run (docs/THEORY.md §2.1–§2.2, §9;
/// ``GradientNoiseDiagnostics``). With per-sample gradients `∇fᵢ(x)`:
///
///     ξ_B = g_B − ∇f(x),   Cov ξ_B = c(b) Σ(x),   Σ = (1/n) Σᵢ (∇fᵢ − ∇f)(∇fᵢ − ∇f)ᵀ,
///     c(b) = 1/b (with replacement),   (n − b)/(b(n − 1)) (without)
///
/// Measured, each next to the claim it checks: the top of the spectrum of Σ, tr Σ and the effective
/// rank tr Σ/λ₁; cos(Σ, H) and tr Σ/tr H; skewness, excess kurtosis (0 for Gaussian noise) and the
/// Jarque–Bera p-value of the projections on the top eigenvectors; the tail index α̂ (2 for Gaussian
/// noise, Şimşekli et al.); and E‖ξ_B‖² against c(b) tr Σ with the fitted slope in b (−1 with replacement).
///
/// The point is the minimum (``MinimumSearch``), the start, or `problem.start`; with `along = K` the
/// diagnostics run at every K-th iterate of a GD or SGD run of `steps` steps instead.
///
///     var c = NoiseStudy.Configuration()
///     c.problem = FiniteSumChoice(objective: .leastSquares)
///     let r = try NoiseStudy(c).run(StudyContext())
///     r.metric("slope 1/b")?.value   // ≈ −1
public struct NoiseStudy: Study {
    public static let name = "noise"

    /// Where the diagnostics run when neither `problem.start` nor `along` is given.
    public enum Location: String, Codable, Sendable, CaseIterable { case minimum, start }

    /// The algorithm of a run along which the noise is measured.
    public enum RunAlgorithm: String, Codable, Sendable, CaseIterable { case gd, sgd }

    public struct Configuration: StudyConfiguration {
        /// The finite sum (default: logistic regression on breast_cancer with λ = 0.01).
        public var problem = FiniteSumChoice(objective: .logistic, l2: FiniteSumName.logistic.defaultL2)
        public var at: Location = .minimum
        /// Diagnose every K-th iterate (K ≥ 1) of a run of `steps` steps from the start.
        public var along: Int?
        /// Length of the run for `along` (1…10⁷, at most 1001 recorded points).
        public var steps: Int = 100
        public var algorithm: RunAlgorithm = .gd
        /// Learning rate of the run (nil: 1/λ_max(∇²f) at the start).
        public var learningRate: Double?
        /// Batch size b of the sampled noise (1…10⁶; ≤ n without replacement); also SGD's batch.
        public var batch: Int = 32
        public var sampling: BatchSampling = .withReplacement
        /// Sampled minibatch noises M behind the shape and tail statistics (tailBlock·tailGroups…10⁷).
        public var draws: Int = 10_000
        /// Top eigenvectors of Σ examined (1…100).
        public var directions: Int = 5
        /// Batch sizes of the 1/b check (each 1…10⁶; ≤ n without replacement).
        public var batchSizes: [Int] = [1, 2, 4, 8, 16, 32, 64]
        /// Draws per batch size of the 1/b check (2…10⁷).
        public var scalingDraws: Int = 2000
        /// Block length K₁ of the tail-index estimator (2…10⁶).
        public var tailBlock: Int = 100
        /// Independent groups behind the tail-index interval (2…10⁴).
        public var tailGroups: Int = 10
        /// Seed of the sampled batches and of an SGD run.
        public var seed: UInt64 = 1

        public init() {}
        public func inputFiles() -> [String] { problem.inputFiles }
        public var seedValue: UInt64? { seed }
    }

    /// At most this many numbers in the main sample's projections (k·M) and in the per-sample
    /// gradients (n·d): 400 MB of doubles each.
    static let storageLimit = 50_000_000

    public let configuration: Configuration
    let entry: CatalogObjective
    let start: [Double]
    let diagnostics: GradientNoiseDiagnostics

    public init(_ configuration: Configuration) throws {
        let c = configuration
        try c.problem.validate()
        if let along = c.along {
            guard along >= 1 else { throw ConfigurationError(field: "along", "must be at least 1 (diagnose every K-th iterate), got \(along)") }
        }
        guard c.steps >= 1, c.steps <= 10_000_000 else { throw ConfigurationError(field: "steps", "must be between 1 and 10⁷, got \(c.steps)") }
        if let along = c.along, c.steps / along > 1000 {
            throw ConfigurationError(field: "along", "steps/along gives \(c.steps / along + 1) points; at most 1001 are allowed")
        }
        if let eta = c.learningRate {
            guard eta > 0, eta.isFinite else { throw ConfigurationError(field: "learningRate", "must be a positive finite number, got \(eta)") }
        }
        guard c.batch >= 1, c.batch <= 1_000_000 else { throw ConfigurationError(field: "batch", "must be between 1 and 10⁶, got \(c.batch)") }
        guard c.tailBlock >= 2, c.tailBlock <= 1_000_000 else {
            throw ConfigurationError(field: "tailBlock", "must be between 2 and 10⁶, got \(c.tailBlock)")
        }
        guard c.tailGroups >= 2, c.tailGroups <= 10_000 else {
            throw ConfigurationError(field: "tailGroups", "must be between 2 and 10⁴, got \(c.tailGroups)")
        }
        let least = max(8, c.tailBlock * c.tailGroups)
        guard c.draws >= least, c.draws <= 10_000_000 else {
            throw ConfigurationError(field: "draws", "must lie between tailBlock × tailGroups = \(least) and 10⁷, got \(c.draws)")
        }
        guard c.directions >= 1, c.directions <= 100 else {
            throw ConfigurationError(field: "directions", "must be between 1 and 100, got \(c.directions)")
        }
        guard c.directions * c.draws <= Self.storageLimit else {
            throw ConfigurationError(field: "draws", "directions × draws = \(c.directions * c.draws) projections would not fit in memory; keep it at most 5·10⁷")
        }
        guard c.scalingDraws >= 2, c.scalingDraws <= 10_000_000 else {
            throw ConfigurationError(field: "scalingDraws", "must be between 2 and 10⁷, got \(c.scalingDraws)")
        }
        guard !c.batchSizes.isEmpty else { throw ConfigurationError(field: "batchSizes", "give at least one batch size") }
        if let bad = c.batchSizes.first(where: { $0 < 1 || $0 > 1_000_000 }) {
            throw ConfigurationError(field: "batchSizes", "batch sizes must be whole numbers between 1 and 10⁶, got \(bad)")
        }
        let entry = try c.problem.resolve()
        guard let f = entry.objective as? any FiniteSumObjective else {
            throw ConfigurationError(field: "objective", "\(entry.objective.name) is not a finite sum")
        }
        let n = f.sampleCount, d = f.dimension
        guard n <= Self.storageLimit / max(1, d) else {
            throw ConfigurationError(field: "data", "n × d = \(n) × \(d) per-sample gradients would not fit in memory; keep n·d at most 5·10⁷")
        }
        if c.sampling == .withoutReplacement {
            guard c.batch <= n else {
                throw ConfigurationError(field: "batch", "without replacement a batch holds at most n = \(n) samples, got \(c.batch)")
            }
            if let bad = c.batchSizes.first(where: { $0 > n }) {
                throw ConfigurationError(field: "batchSizes", "without replacement each batch size must be at most n = \(n), got \(bad)")
            }
        }
        start = try c.problem.startPoint(default: entry.start, dimension: d, name: entry.objective.name)
        diagnostics = try GradientNoiseDiagnostics(
            batchSize: c.batch, sampling: c.sampling.sampling, draws: c.draws, directions: c.directions,
            scalingBatchSizes: c.batchSizes, scalingDraws: c.scalingDraws, tailBlockSize: c.tailBlock,
            tailGroups: c.tailGroups, seed: c.seed)
        self.entry = entry
        self.configuration = c
    }

    public func run(_ context: StudyContext) throws -> StudyResult {
        switch entry.objective {
        case let f as LeastSquares: return try measure(f, context)
        case let f as LogisticRegression: return try measure(f, context)
        case let f as MLPClassifier: return try measure(f, context)
        case let f as ExpressionFiniteSum: return try measure(f, context)
        default: throw ConfigurationError(field: "objective", "\(entry.objective.name) is not a finite sum")
        }
    }

    func measure<F: FiniteSumObjective>(_ f: F, _ context: StudyContext) throws -> StudyResult {
        let c = configuration
        try context.checkCancellation()
        if let every = c.along {
            return try NoiseAlongRun(study: self, objective: f, every: every).result(context)
        }
        let point: (x: [Double], how: String, converged: Bool)
        if c.problem.start != nil || c.at == .start {
            point = (start, c.problem.start != nil ? "the given point x0" : "the starting point", true)
        } else {
            let m = try c.problem.minimumSearch.minimum(f, knownMinimizer: entry.minimizer, start: start)
            point = (m.x, m.description, m.converged)
        }
        try context.checkCancellation()
        let r = try diagnostics.run(f, at: point.x)
        return NoisePointReport(study: self, objective: f, x: point.x, how: point.how, converged: point.converged, result: r).studyResult()
    }
}
