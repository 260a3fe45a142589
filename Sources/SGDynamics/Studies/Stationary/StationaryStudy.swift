import Foundation

/// The stationary law of SGD or SGLD in 1-D four ways on one grid (docs/THEORY.md §6, §7, §8):
///
/// (a) an ensemble of `paths` runs, every iterate after `burnIn` steps for `steps` more deposited
///     at its nearest node (moments from the iterates, standard errors from per-path averages);
/// (b) the master equation of the algorithm (transfer operator, power iteration; SGLD's Gaussian
///     noise as whole-cell jumps or Gauss–Hermite quadrature, see ``SGLDNoise``);
/// (c) its Langevin model `dθ = −f'(θ)dt + √(2T)dW` by the Chang–Cooper Fokker–Planck scheme, with
///     `T = ησ²/2` for SGD (`σ² = cΣ(θ*)`) and `T = T_SGLD + ησ²/2` for SGLD;
/// (d) the Gibbs density `e^{−f/T}/Z` on the grid (the exact equilibrium of (c)).
///
/// For SGD on a finite sum with state-dependent noise the SME-1 Fokker–Planck law (diffusion
/// `ηcΣ(θ)/2`) is added; where the chain is affine the exact discrete moments are listed
/// (``AffineChain``). At `ηλ = 0.5` the Bernoulli example's SGD law is Uniform[−1, 1] (variance
/// 1/3) against the Langevin Gaussian of variance 1/4 (§8.4).
///
///     var c = StationaryStudy.Configuration(); c.paths = 200; c.burnIn = 50; c.steps = 300
///     let r = try StationaryStudy(c).run(StudyContext())
///     r.metric("variance master")?.value   // ≈ 1/3
public struct StationaryStudy: Study {
    public static let name = "stationary"

    public enum AlgorithmName: String, Codable, Sendable, CaseIterable { case sgd, sgld }

    public struct Configuration: StudyConfiguration {
        public var objective = DensityObjectiveChoice()
        public var algorithm: AlgorithmName = .sgd
        /// SGLD's temperature `T > 0` (`θ' = θ − ηĝ + √(2ηT)ξ`); unused by SGD.
        public var temperature: Double = 0.1
        /// One axis `lower:upper:count` (nil: the support of the laws plus a margin).
        public var grid: [GridAxis]?
        public var paths: Int = 1000
        /// Steps discarded at the start of each path.
        public var burnIn: Int = 1000
        /// Steps recorded per path after the burn-in.
        public var steps: Int = 10_000
        public var seed: UInt64 = 1
        /// Power-iteration tolerance on `‖Δp‖₁`.
        public var tolerance: Double = 1e-14
        public var maxIterations: Int = 100_000
        /// Enumerate all batches when there are at most this many, else sample this many.
        public var maxBatches: Int = 100_000
        /// Gauss–Hermite points for SGLD's noise in the master equation when `√(2ηT) < Δθ`.
        public var quadrature: Int = 40

        public init() {}
        public func inputFiles() -> [String] { objective.inputFiles }
        public var seedValue: UInt64? { seed }
    }

    public let configuration: Configuration
    let problem: DensityProblem
    let eta: Double
    let temperature: Double
    let lambda: Double
    let batches: MinibatchEnumeration?
    let chain: AffineChain?
    let exact: (mean: Double, variance: Double, excessKurtosis: Double)?
    let sigma2: Double
    /// The Langevin temperature `T_SGLD + ησ²/2`.
    let langevinTemperature: Double
    let grid: Grid1D
    let gibbs: Density1D

    var isSGLD: Bool { configuration.algorithm == .sgld }

    public init(_ configuration: Configuration) throws {
        let c = configuration
        let sgld = c.algorithm == .sgld
        guard c.temperature.isFinite, c.temperature > 0 else { throw ConfigurationError(field: "temperature", "must be a positive finite number, got \(c.temperature)") }
        guard c.paths >= 2, c.paths <= 10_000_000 else { throw ConfigurationError(field: "paths", "must be between 2 and 10⁷, got \(c.paths)") }
        guard c.burnIn >= 0, c.burnIn <= 100_000_000 else { throw ConfigurationError(field: "burnIn", "must be between 0 and 10⁸, got \(c.burnIn)") }
        guard c.steps >= 1, c.steps <= 100_000_000 else { throw ConfigurationError(field: "steps", "must be between 1 and 10⁸, got \(c.steps)") }
        guard Double(c.paths) * Double(c.burnIn + c.steps) <= 1e11 else {
            throw ConfigurationError(field: "paths", "paths × (burn-in + steps) must be at most 10¹¹, got \(Double(c.paths) * Double(c.burnIn + c.steps))")
        }
        guard c.tolerance.isFinite, c.tolerance > 0 else { throw ConfigurationError(field: "tolerance", "must be a positive number, got \(c.tolerance)") }
        guard c.maxIterations >= 1, c.maxIterations <= 100_000_000 else { throw ConfigurationError(field: "maxIterations", "must be between 1 and 10⁸, got \(c.maxIterations)") }
        guard c.maxBatches >= 1, c.maxBatches <= 10_000_000 else { throw ConfigurationError(field: "maxBatches", "must be between 1 and 10⁷, got \(c.maxBatches)") }
        guard c.quadrature >= 1, c.quadrature <= 200 else { throw ConfigurationError(field: "quadrature", "must be between 1 and 200, got \(c.quadrature)") }
        if let grid = c.grid { try GridAxis.validate(grid, maximumAxes: 1) }

        let (problem, eta) = try c.objective.resolve(allowDeterministic: sgld)
        let n = { (v: Double) in NumberText.short(v) }
        let etaField = problem.isBernoulli ? "objective.etaLambda" : "objective.learningRate"
        let b = c.objective.batchSize, sampling = c.objective.sampling.sampling
        let T = sgld ? c.temperature : 0
        let lambda = problem.curvature
        guard lambda > 0 else { throw ConfigurationError(field: "objective.name", "f''(θ*) = \(n(lambda)) is not positive; no Langevin model") }
        var batches: MinibatchEnumeration? = nil
        var chain: AffineChain? = nil
        if let ls = problem.finiteSum {
            let e = try DensityResultParts.renaming {
                try MinibatchEnumeration(sampleCount: ls.sampleCount, batchSize: b, sampling: sampling, maximumBatches: c.maxBatches, seed: 0)
            }
            batches = e
            chain = problem.chain(batches: e, learningRate: eta, temperature: T)
        } else if problem.name == "quadratic" {
            chain = AffineChain(curvature: lambda, learningRate: eta, temperature: T)
        }
        let alg = c.algorithm.rawValue.uppercased()
        if let chain, !chain.meanSquareStable {
            throw ConfigurationError(field: etaField, "\(alg) is not mean-square stable at η = \(n(eta)): E(1 − ηh_B)² = \(n(chain.aMoment(2))) ≥ 1 (docs/THEORY.md §10.2)\(problem.isBernoulli ? "; need 0 < ηλ < 2" : "")")
        }
        if chain == nil, !(eta * lambda < 2) {
            throw ConfigurationError(field: etaField, "\(alg) on \(problem.name) is unstable at its minimizer for ηλ ≥ 2 (λ = f''(θ*) = \(n(lambda))); need η < \(n(2 / lambda))")
        }
        let exact = chain?.stationary()
        let sigma2 = problem.stepNoiseVariance(batchSize: b, sampling: sampling)
        let tL = T + eta * sigma2 / 2
        guard tL > 1e-300 else {
            throw ConfigurationError(field: "objective.name", "the minibatch gradients agree at θ* = \(n(problem.minimizer)) (no noise there), so SGD's stationary law is the point mass at θ*; choose samples with different minimizers or --algorithm sgld")
        }
        let sdL = (tL / lambda).squareRoot()

        let axis: GridAxis
        if let grid = c.grid {
            axis = grid[0]
        } else if let exact {
            let sd = exact.variance.squareRoot()
            let s = chain!.invariantInterval
            axis = GridAxis.covering([s.map { $0.padded() } ?? .around(exact.mean, sd, 12), .around(problem.minimizer, sdL, 8)], resolution: min(sd, sdL))
        } else {
            // Where f − f(θ*) < 40T, and the wells (f − f(θ*) < 5T) widened by 7 sd of one step's Gaussian
            // noise: a jump out of a well reaches farther than the Gibbs tail, and the master equation
            // should not clamp it. (Not wider: far out the gradient step of a steep f overshoots.)
            let e = problem.gibbsExtent(temperature: tL, scale: sdL, level: 40)
            let w = problem.gibbsExtent(temperature: tL, scale: sdL, level: 5), reach = 7 * (2 * eta * T).squareRoot()
            axis = GridAxis.covering([e, (w.lowerBound - reach)...(w.upperBound + reach)], resolution: sdL)
        }
        try axis.checkResolution(sd: min(sdL, exact.map { $0.variance.squareRoot() } ?? sdL), what: "the stationary laws")
        if let s = chain?.invariantInterval {
            let slack = 1e-9 * (s.upperBound - s.lowerBound)
            if s.lowerBound < axis.lower - slack || s.upperBound > axis.upper + slack {
                throw ConfigurationError(field: "grid", "the domain [\(n(axis.lower)), \(n(axis.upper))] does not contain the support [\(NumberText.short(s.lowerBound, 6)), \(NumberText.short(s.upperBound, 6))] of SGD's stationary law; widen lower/upper")
            }
        }
        let g = try axis.grid()
        let perColumn = Double(batches?.count ?? 1) * (sgld ? SGLDNoise.pointCount(learningRate: eta, temperature: T, spacing: axis.spacing, quadrature: c.quadrature) : 1)
        guard Double(g.count) * perColumn <= 5e7 else {
            throw ConfigurationError(field: "grid", "\(g.count) nodes × \(NumberText.short(perColumn, 8)) transitions per node is more than 5·10⁷ deposits; use fewer nodes, --max-batches or --quadrature")
        }
        let gibbs = try DensityResultParts.renaming(["temperature": "temperature"]) { try Density1D.gibbs(grid: g, temperature: tL, potential: { problem.value($0) }) }
        try gibbs.checkCovered(what: "the Gibbs density")

        self.configuration = c
        self.problem = problem
        self.eta = eta
        self.temperature = T
        self.lambda = lambda
        self.batches = batches
        self.chain = chain
        self.exact = exact
        self.sigma2 = sigma2
        self.langevinTemperature = tL
        self.grid = g
        self.gibbs = gibbs
    }

    public func run(_ context: StudyContext) throws -> StudyResult {
        try StationaryRun(study: self).run(context)
    }
}
