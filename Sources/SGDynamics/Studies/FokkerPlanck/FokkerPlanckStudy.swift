import Foundation

/// The density of a Langevin or SME-1 model in 1-D or 2-D by the Chang–Cooper Fokker–Planck
/// scheme with zero-flux walls (docs/THEORY.md §7.1–§7.4):
///
///     ∂_t p = ∇·(p∇f + D∇p)
///
/// for Langevin `dθ = −∇f dt + √(2D)dW` (`D = temperature`), or the SME-1 of SGD
/// `dθ = −∇f dt + (ηcΣ(θ))^{1/2} dW`. With a gradient drift and constant isotropic diffusion the
/// face coefficients are potential differences and the discrete equilibrium is exactly the grid
/// Gibbs law `e^{−f/D}/Z` (compared by TV, KL and W1); otherwise drift and diffusion are taken at
/// the faces (equilibrium exact to O(Δx²)). Without `time` the stationary law (`A p = 0`,
/// `Σ p = 1`); with `time` implicit Euler (mass and positivity for every Δt, error O(Δt)) from a
/// point mass or a Gaussian. The default is §7.4 case 1: `f = (x²−1)²/4`, `D = 0.3`, 121 nodes on
/// [−3, 3], `Σ x²p = 0.8405464652307093`.
///
///     let r = try FokkerPlanckStudy(.init()).run(StudyContext())
///     r.metric("second moment")?.value   // 0.8405464652307093
public struct FokkerPlanckStudy: Study {
    public static let name = "fokker-planck"

    public enum ObjectiveName: String, Codable, Sendable, CaseIterable {
        case doubleWell = "double-well", quartic, quadratic
        case doubleWell2D = "double-well-2d"
        case illQuadratic = "ill-quadratic", rosenbrock
        case liTaiE = "li-tai-e"
        case shiftedQuadratics = "shifted-quadratics"
        case leastSquares = "least-squares"
        /// A potential f(x) or f(x, y) written as a formula (`expression`, docs/THEORY.md §11.1).
        case expression
    }

    public enum ModelName: String, Codable, Sendable, CaseIterable {
        case langevin, sme
        /// dX = b(X) dt + √(2D(X)) dW with `drift` and `diffusion` written as formulas in x (and y).
        case sde
    }

    public struct Configuration: StudyConfiguration {
        public var objective: ObjectiveName = .doubleWell
        /// Hessian diagonal of `quadratic` and `li-tai-e` (1 or 2 values).
        public var diagonal: [Double]?
        /// Centres `c_i` of `f_i(θ) = ½λ_i(θ − c_i)²` (shifted-quadratics).
        public var centers: [Double]?
        /// Curvatures `λ_i > 0` (one, or one per centre; nil: 1).
        public var curvatures: [Double]?
        /// CSV data set for least-squares (one or two feature columns, standardized, no intercept).
        public var data: String?
        /// The formula of `objective: expression` (one or two variables).
        public var expression: String?
        /// The order of the formula's variables (nil: natural order).
        public var variables: [String]?
        /// Named constants of the formulas.
        public var parameters: [String: Double]?
        /// The drift b of `model: sde`: one formula in x (1-D) or two in x, y (2-D).
        public var drift: [String]?
        /// The diffusion D = σσᵀ/2 of `model: sde`: one formula in 1-D; in 2-D one (isotropic D·I),
        /// two (D_xx, D_yy) or three (D_xx, D_xy, D_yy).
        public var diffusion: [String]?
        public var model: ModelName = .langevin
        /// Langevin temperature D > 0.
        public var temperature: Double = 0.3
        /// SME: learning rate, minibatch size and sampling.
        public var learningRate: Double = 0.1
        public var batchSize: Int = 1
        public var sampling: BatchSampling = .withReplacement
        /// `lower:upper:count` per axis (nil: −3:3:121, or −3:3:81 per axis in 2-D).
        public var grid: [GridAxis]?
        /// Evolve up to this time (nil: the stationary law).
        public var time: Double?
        /// Implicit Euler time step Δt.
        public var timeStep: Double = 0.01
        /// Rows (save times) of a transient.
        public var saves: Int = 10
        /// Start of a transient (nil: the objective's start).
        public var start: [Double]?
        /// Variance of a Gaussian start per axis (0: a point mass).
        public var startVariance: Double = 0

        public init() {}
        public func inputFiles() -> [String] { data.map { [$0] } ?? [] }
    }

    /// The discretised equation.
    enum Solver: Sendable {
        case one(FokkerPlanck1D)
        case two(FokkerPlanck2D)
    }

    public let configuration: Configuration
    let problem: FokkerPlanckProblem
    let solver: Solver
    /// The Gibbs temperature when the equilibrium is `e^{−f/T}` (gradient drift, constant isotropic diffusion).
    let gibbsTemperature: Double?
    /// Context lines: the model, the objective and the scheme.
    let intro: [String]
    let startPoint: [Double]

    public init(_ configuration: Configuration) throws {
        let c = configuration
        guard c.temperature.isFinite, c.temperature > 0 else { throw ConfigurationError(field: "temperature", "must be a positive finite number, got \(c.temperature)") }
        guard c.learningRate.isFinite, c.learningRate > 0 else { throw ConfigurationError(field: "learningRate", "must be a positive finite number, got \(c.learningRate)") }
        guard c.batchSize >= 1 else { throw ConfigurationError(field: "batchSize", "must be at least 1, got \(c.batchSize)") }
        if let time = c.time, !(time.isFinite && time > 0) { throw ConfigurationError(field: "time", "must be a positive finite number, got \(time)") }
        guard c.timeStep.isFinite, c.timeStep > 0 else { throw ConfigurationError(field: "timeStep", "must be a positive finite number, got \(c.timeStep)") }
        if let time = c.time, time / c.timeStep > 1e7 { throw ConfigurationError(field: "timeStep", "T/Δt must be at most 10⁷ steps, got \(time / c.timeStep)") }
        guard c.saves >= 1, c.saves <= 1000 else { throw ConfigurationError(field: "saves", "must be between 1 and 1000, got \(c.saves)") }
        guard c.startVariance.isFinite, c.startVariance >= 0 else { throw ConfigurationError(field: "startVariance", "must be a finite number ≥ 0, got \(c.startVariance)") }
        if let grid = c.grid { try GridAxis.validate(grid, maximumAxes: 2) }
        if c.model != .sde, c.drift != nil || c.diffusion != nil {
            throw ConfigurationError(field: c.drift != nil ? "drift" : "diffusion", "applies to model sde (a drift and a diffusion written as formulas) only")
        }
        let p = c.model == .sde ? try FokkerPlanckProblem(sde: c) : try FokkerPlanckProblem(c)
        let f = { (v: Double) in NumberText.short(v) }
        let axes: [GridAxis]
        if let grid = c.grid {
            guard grid.count == p.dimension else {
                throw ConfigurationError(field: "grid", "has \(grid.count) ax\(grid.count == 1 ? "is" : "es") but \(c.model == .sde ? "the SDE" : c.objective.rawValue) has dimension \(p.dimension); give \(p.dimension == 1 ? "lower:upper:count" : "lower:upper:count,lower:upper:count")")
            }
            axes = grid
        } else {
            axes = p.dimension == 1 ? [GridAxis(lower: -3, upper: 3, count: 121)] : [GridAxis(lower: -3, upper: 3, count: 81), GridAxis(lower: -3, upper: 3, count: 81)]
        }
        if axes.count == 2 {
            let cells = Double(axes[0].count) * Double(axes[1].count)
            guard cells * Double(3 * axes[0].count + 1) <= 2.5e7 else {
                throw ConfigurationError(field: "grid", "\(axes[0].count) × \(axes[1].count) nodes need \(Int(cells * Double(3 * axes[0].count + 1) * 8e-6)) MB for the banded LU (limit 200 MB); use fewer nodes (or the shorter axis first)")
            }
            if let time = c.time {
                let cost = (time / c.timeStep) * cells * Double(axes[0].count)
                guard cost <= 2e11 else { throw ConfigurationError(field: "timeStep", "T/Δt × cells × n_x = \(NumberText.short(cost, 2)) is above 2·10¹¹ flops; use a larger --dt or a coarser grid") }
            }
        } else {
            guard axes[0].count <= 1_000_000 else { throw ConfigurationError(field: "grid", "at most 10⁶ nodes in 1-D, got \(axes[0].count)") }
        }

        let scheme: String
        let modelLabel: String
        let solver: Solver
        let gibbsT: Double?
        if c.model == .sde {
            (solver, modelLabel) = try FokkerPlanckFormulas(c).solver(axes: axes)
            gibbsT = nil
            scheme = "drift and diffusion at the faces (docs/THEORY.md §7.3), equilibrium exact to O(Δx²); no Gibbs law to compare with"
        } else if c.model == .langevin {
            solver = try Self.potentialSolver(p, axes: axes, diffusion: c.temperature)
            gibbsT = c.temperature
            scheme = "gradient drift, constant D: potential differences B = Δf/Δx, C = D (docs/THEORY.md §7.2), equilibrium exactly e^{−f/D}"
            modelLabel = "Langevin dθ = −∇f dt + √(2D) dW, D = \(NumberText.short(c.temperature, 6))"
        } else {
            let s = c.sampling.sampling
            modelLabel = "SME-1 of SGD: dθ = −∇f dt + (ηcΣ(θ))^{1/2} dW, η = \(NumberText.short(c.learningRate, 6)), batch \(c.batchSize) \(c.sampling.rawValue)"
            if let oracle = p.oracle {
                (solver, gibbsT, scheme) = try Self.smeSolver(OracleGradient(oracle, batchSize: c.batchSize), p, axes: axes, learningRate: c.learningRate)
            } else if let ls = p.finiteSum {
                guard s == .withReplacement || c.batchSize <= ls.sampleCount else {
                    throw ConfigurationError(field: "batchSize", "must not exceed the \(ls.sampleCount) samples without replacement, got \(c.batchSize)")
                }
                (solver, gibbsT, scheme) = try Self.smeSolver(MinibatchGradient(ls, batchSize: c.batchSize, sampling: s), p, axes: axes, learningRate: c.learningRate)
            } else {
                throw ConfigurationError(field: "model", "sme needs gradient noise; \(c.objective.rawValue) is deterministic. Use --objective li-tai-e, shifted-quadratics or least-squares, or --model langevin")
            }
        }
        var start = p.start
        if let s = c.start {
            guard s.count == p.dimension else { throw ConfigurationError(field: "start", "has \(s.count) coordinates but the problem has dimension \(p.dimension)") }
            guard s.allSatisfy(\.isFinite) else { throw ConfigurationError(field: "start", "coordinates must be finite, got \(s)") }
            start = s
        }
        if c.time != nil {
            for (i, a) in axes.enumerated() where !(start[i] >= a.lower && start[i] <= a.upper) {
                throw ConfigurationError(field: "start", axes.count == 1 ? "must lie in the grid [\(f(a.lower)), \(f(a.upper))], got \(start[0])"
                                                                         : "must lie in the grid, got (\(start[0]), \(start[1]))")
            }
        }
        self.configuration = c
        self.problem = p
        self.solver = solver
        self.gibbsTemperature = gibbsT
        self.startPoint = start
        self.intro = ["Fokker–Planck equation (Chang–Cooper, zero-flux walls; docs/THEORY.md §7) of \(modelLabel)",
                      "objective \(p.label)", "scheme: \(scheme)"]
    }

    static func potentialSolver(_ p: FokkerPlanckProblem, axes: [GridAxis], diffusion d: Double) throws -> Solver {
        let f = p.objective
        return try DensityResultParts.renaming(["diffusion": "temperature"]) {
            if axes.count == 1 { return .one(try FokkerPlanck1D(grid: try axes[0].grid(), diffusion: d, potential: { f.value([$0]) })) }
            return .two(try FokkerPlanck2D(grid: Grid2D(x: try axes[0].grid(), y: try axes[1].grid()), diffusion: d, potential: { f.value([$0, $1]) }))
        }
    }

    /// The SME-1 solver: potential differences when `D(θ) = ½σσᵀ` is constant and isotropic on the
    /// grid (then the Gibbs temperature is that D), else drift and diffusion at the faces.
    static func smeSolver<G: StochasticGradient>(_ g: G, _ p: FokkerPlanckProblem, axes: [GridAxis], learningRate: Double) throws -> (Solver, Double?, String) {
        let m = SME(g, learningRate: learningRate, order: 1)
        var lo = Double.infinity, hi = -Double.infinity, cross = 0.0, aniso = 0.0
        let xs = try axes[0].grid().nodes
        let ys = axes.count == 2 ? try axes[1].grid().nodes : [0.0]
        for y in ys {
            for x in xs {
                let s = m.diffusionMatrix(axes.count == 2 ? [x, y] : [x], t: 0)
                var dd = Matrix(rows: s.rows, columns: s.rows)
                for i in 0..<s.rows { for j in 0..<s.rows { var v = 0.0; for k in 0..<s.columns { v += s[i, k] * s[j, k] }; dd[i, j] = v } }
                let dxx = 0.5 * dd[0, 0]
                lo = min(lo, dxx); hi = max(hi, dxx)
                if axes.count == 2 {
                    cross = max(cross, abs(0.5 * dd[0, 1]))
                    aniso = max(aniso, abs(0.5 * dd[1, 1] - dxx))
                }
            }
        }
        let tol = 1e-12 * max(hi, 1e-300)
        if hi - lo <= tol && cross <= tol && aniso <= tol && lo > 0 {
            let d = 0.5 * (lo + hi)
            return (try potentialSolver(p, axes: axes, diffusion: d), d,
                    "SME-1 noise is constant and isotropic here, D = ηcΣ/2 = \(NumberText.short(d, 6)): potential differences, equilibrium exactly e^{−f/D}")
        }
        let solver: Solver = try DensityResultParts.renaming(["diffusion": "model", "model": "objective"]) {
            if axes.count == 1 { return .one(try FokkerPlanck1D(grid: try axes[0].grid(), model: m)) }
            return .two(try FokkerPlanck2D(grid: Grid2D(x: try axes[0].grid(), y: try axes[1].grid()), model: m))
        }
        return (solver, nil, "SME-1 with state-dependent or anisotropic noise D(θ) = ηcΣ(θ)/2 (range \(NumberText.short(lo, 4))…\(NumberText.short(hi, 4))): drift and diffusion at the faces, equilibrium exact to O(Δx²); no Gibbs law to compare with")
    }

    public func run(_ context: StudyContext) throws -> StudyResult {
        try context.checkCancellation()
        switch solver {
        case .one(let fp): return try FokkerPlanckRun1D(study: self, fp: fp).run(context)
        case .two(let fp): return try FokkerPlanckRun2D(study: self, fp: fp).run(context)
        }
    }

    static let gibbsClaim = "With a gradient drift and constant isotropic diffusion D, the stationary law of ∂_t p = ∇·(p∇f + D∇p) is the Gibbs density e^{−f/D}/Z, and the Chang–Cooper scheme's discrete equilibrium is exactly the grid Gibbs law."
    static let stationaryClaim = "The model's stationary law solves A p = 0, Σ p = 1 for the Chang–Cooper discretisation, exact to O(Δx²) when the diffusion depends on the state."
    static let transientClaim = "Implicit Euler for the Chang–Cooper scheme keeps the mass at 1 and every cell mass non-negative for any Δt, and the density relaxes to the stationary law (total variation → 0)."

    /// One paragraph on a transient: mass drift, positivity, and the total variation to the stationary law.
    static func transientReading(masses: [Double], minimum: Double, tv: [Double], times: [Double]) -> String {
        let drift = masses.map { abs($0 - 1) }.max() ?? .nan
        let n = { (v: Double, d: Int) in NumberText.short(v, d) }
        return "The mass stayed within \(n(drift, 2)) of 1 and the smallest cell mass was \(n(minimum, 3)); the total variation to the stationary law went from \(n(tv.first ?? .nan, 3)) at t = \(n(times.first ?? .nan, 3)) to \(n(tv.last ?? .nan, 3)) at t = \(n(times.last ?? .nan, 3))."
    }

    /// The number of implicit Euler steps of a transient.
    var transientSteps: Int {
        guard let time = configuration.time else { return 0 }
        return max(1, Int((time / configuration.timeStep).rounded()))
    }
}
