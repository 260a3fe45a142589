import Foundation

/// Mean-square stability of SGD at a minimum after Wu, Ma & E (docs/THEORY.md §10.2), or the
/// sharpness along GD against 2/η (edge of stability, §10.1).
///
/// At a minimum x* of f = (1/n)Σfᵢ, linearised SGD is e' = (I − ηH_B)e with Hᵢ = ∇²fᵢ(x*):
///
///     a = λ_max(H),   s = λ_max(Σ_H)^{1/2},   Σ_H = (1/n)ΣHᵢ² − H²
///     η*_exact:  ρ(T) = 1,  T(M) = E[(I − ηH_B) M (I − ηH_B)]
///     η*_λmax:   λ_max{(I − ηH)² + η² c(b) Σ_H} = 1        (sufficient)
///     claim:     η*_λmax ≤ η*_exact ≤ 2/a, with equality at c(b) = 0 (b = n without replacement)
///
/// In one dimension both are 2a/(a² + c(b)s²) (``MeanSquareStability``). The check runs linearised SGD
/// at multiples of η*_exact and compares the sampled E‖e_K‖² with the exact tr T^K(e₀e₀ᵀ).
///
///     var c = StabilityStudy.Configuration()
///     c.example = .overparameterized
///     let r = try StabilityStudy(c).run(StudyContext())
///     r.metric("GD limit 2/a")?.value
public struct StabilityStudy: Study {
    public static let name = "stability"

    /// A built-in problem instead of the catalogue's objective.
    public enum Example: String, Codable, Sendable, CaseIterable {
        /// Least squares with n < d standard normal samples and realizable targets (x* = the planted w*).
        case overparameterized
    }

    public struct Configuration: StudyConfiguration {
        /// The finite sum (default: least squares on diabetes); mlp only with `edgeOfStability`.
        public var problem = FiniteSumChoice(objective: .leastSquares)
        /// Replaces `problem` (whose objective must then be least squares, without data or l2).
        public var example: Example?
        /// Samples n of the example (1…200, below `dimension`).
        public var samples: Int = 10
        /// Dimension d of the example (2…400).
        public var dimension: Int = 20
        /// Batch sizes (each 1…10⁶; nil: 1, 2, 4, …, n).
        public var batchSizes: [Int]?
        /// Paths of the linearised-SGD check (0: no check; otherwise 2…10⁶).
        public var checkPaths: Int = 0
        /// Batch size of the check (nil: the smallest batch size).
        public var checkBatch: Int?
        /// Learning rates of the check as multiples of η*_exact (each in (0, 100]).
        public var checkFactors: [Double] = [0.5, 0.9, 1.1, 1.5]
        /// Steps K of each checked path (1…10⁵).
        public var checkSteps: Int = 100
        /// Sampling of the check.
        public var sampling: BatchSampling = .withReplacement
        /// Record the sharpness along a GD run instead (docs/THEORY.md §10.1).
        public var edgeOfStability = false
        /// GD learning rate of the edge-of-stability run (nil: 1.9/λ_max at the start).
        public var learningRate: Double?
        /// GD steps of the edge-of-stability run (1…10⁶).
        public var steps: Int = 500
        /// Record the sharpness every K steps (at most 10⁴ records).
        public var every: Int = 10
        /// Seed of the example's data and of the check's paths.
        public var seed: UInt64 = 1

        public init() {}
        public func inputFiles() -> [String] { problem.inputFiles }
        public var seedValue: UInt64? { seed }
    }

    /// At most this many numbers in the per-sample Hessians (n d²): 400 MB of doubles.
    static let hessianLimit = 50_000_000

    public let configuration: Configuration
    /// The objective (or the example as least squares) with its start and known minimizer.
    let problem: (objective: any FiniteSumObjective, start: [Double], minimizer: [Double]?)

    public init(_ configuration: Configuration) throws {
        let c = configuration
        try c.problem.validate()
        if c.example != nil {
            guard c.problem.objective == .leastSquares, c.problem.data == nil, c.problem.l2 == nil else {
                throw ConfigurationError(field: "example", "replaces the objective, its data and l2; give one or the other")
            }
        }
        guard c.dimension >= 2, c.dimension <= 400 else { throw ConfigurationError(field: "dimension", "must be between 2 and 400, got \(c.dimension)") }
        guard c.samples >= 1, c.samples <= 200, c.samples < c.dimension else {
            throw ConfigurationError(field: "exampleSamples", "must be between 1 and 200 and below dimension = \(c.dimension) (over-parameterised), got \(c.samples)")
        }
        if let bs = c.batchSizes {
            guard !bs.isEmpty else { throw ConfigurationError(field: "batchSizes", "give at least one batch size") }
            if let bad = bs.first(where: { $0 < 1 || $0 > 1_000_000 }) {
                throw ConfigurationError(field: "batchSizes", "batch sizes must be whole numbers between 1 and 10⁶, got \(bad)")
            }
        }
        guard c.checkPaths == 0 || (c.checkPaths >= 2 && c.checkPaths <= 1_000_000) else {
            throw ConfigurationError(field: "checkPaths", "must be 0 (no check) or between 2 and 10⁶, got \(c.checkPaths)")
        }
        if let b = c.checkBatch { guard b >= 1, b <= 1_000_000 else { throw ConfigurationError(field: "checkBatch", "must be between 1 and 10⁶, got \(b)") } }
        guard !c.checkFactors.isEmpty, c.checkFactors.allSatisfy({ $0 > 0 && $0 <= 100 }) else {
            throw ConfigurationError(field: "checkFactors", "multiples of η* must lie in (0, 100], got \(c.checkFactors)")
        }
        guard c.checkSteps >= 1, c.checkSteps <= 100_000 else { throw ConfigurationError(field: "checkSteps", "must be between 1 and 10⁵, got \(c.checkSteps)") }
        if let eta = c.learningRate {
            guard eta > 0, eta.isFinite else { throw ConfigurationError(field: "learningRate", "must be a positive finite number, got \(eta)") }
        }
        guard c.steps >= 1, c.steps <= 1_000_000 else { throw ConfigurationError(field: "steps", "must be between 1 and 10⁶, got \(c.steps)") }
        guard c.every >= 1 else { throw ConfigurationError(field: "every", "must be at least 1, got \(c.every)") }
        if c.steps / c.every > 10_000 { throw ConfigurationError(field: "every", "steps/every must give at most 10⁴ records, got \(c.steps / c.every)") }
        if !c.edgeOfStability, c.example == nil, c.problem.objective == .mlp {
            throw ConfigurationError(field: "objective", "mlp has no exact per-sample Hessians and n d × d of them would not fit (d = 1210 for 16 hidden units); use it with the edge-of-stability run, or least squares or logistic regression")
        }
        let f: any FiniteSumObjective, start: [Double], minimizer: [Double]?
        if c.example != nil {
            let (ls, wStar) = LeastSquares.synthetic(n: c.samples, d: c.dimension, noise: 0, seed: c.seed)
            var named = ls
            named.name = "overparameterized least squares (seed \(c.seed))"
            f = named
            start = try c.problem.startPoint(default: [Double](repeating: 0, count: c.dimension), dimension: c.dimension, name: named.name)
            minimizer = wStar
        } else {
            let entry = try c.problem.resolve()
            guard let fs = entry.objective as? any FiniteSumObjective else {
                throw ConfigurationError(field: "objective", "\(entry.objective.name) is not a finite sum")
            }
            f = fs
            start = try c.problem.startPoint(default: entry.start, dimension: fs.dimension, name: fs.name)
            minimizer = entry.minimizer
        }
        let n = f.sampleCount, d = f.dimension
        if !c.edgeOfStability {
            guard n <= Self.hessianLimit / max(1, d * d) else {
                throw ConfigurationError(field: "data", "n d² = \(n) × \(d)² per-sample Hessian entries would not fit in memory; keep it at most 5·10⁷")
            }
            let checkB = c.checkBatch ?? Self.batchGrid(c.batchSizes, n: n).min()!
            if c.checkPaths > 0, c.sampling == .withoutReplacement, checkB > n {
                throw ConfigurationError(field: "checkBatch", "without replacement a batch holds at most n = \(n) samples, got \(checkB)")
            }
        }
        self.problem = (f, start, minimizer)
        self.configuration = c
    }

    /// The batch sizes: the given ones, or 1, 2, 4, …, below n, then n.
    static func batchGrid(_ given: [Int]?, n: Int) -> [Int] {
        if let given { return given }
        var g: [Int] = []
        var b = 1
        while b < n { g.append(b); b *= 2 }
        return g + [n]
    }

    public func run(_ context: StudyContext) throws -> StudyResult {
        try context.checkCancellation()
        switch problem.objective {
        case let f as LeastSquares: return try configuration.edgeOfStability ? edge(f) : meanSquare(f, context)
        case let f as LogisticRegression: return try configuration.edgeOfStability ? edge(f) : meanSquare(f, context)
        case let f as MLPClassifier: return try edge(f)
        case let f as ExpressionFiniteSum: return try configuration.edgeOfStability ? edge(f) : meanSquare(f, context)
        default: throw ConfigurationError(field: "objective", "\(problem.objective.name) is not supported")
        }
    }

    func edge<F: FiniteSumObjective>(_ f: F) throws -> StudyResult {
        try EdgeOfStabilityRun(study: self, objective: f, start: problem.start).result()
    }

    func meanSquare<F: SampleHessianObjective>(_ f: F, _ context: StudyContext) throws -> StudyResult {
        let c = configuration
        let point: (x: [Double], how: String, converged: Bool)
        if c.problem.start != nil {
            point = (problem.start, "the given point x0", true)
        } else if c.example != nil {
            point = (problem.minimizer!, "the planted interpolating minimum w* (every fᵢ = 0)", true)
        } else {
            let m = try c.problem.minimumSearch.minimum(f, knownMinimizer: problem.minimizer, start: problem.start)
            point = (m.x, m.description, m.converged)
        }
        try context.checkCancellation()
        return try MeanSquareStabilityRun(study: self, objective: f, x: point.x, how: point.how, converged: point.converged).result(context)
    }
}
