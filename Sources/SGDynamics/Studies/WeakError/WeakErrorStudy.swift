import Foundation

/// The weak error of SGD (or heavy ball / Nesterov) against its stochastic modified equations over
/// a learning-rate grid (Li, Tai & E; docs/THEORY.md §4.3–§4.4, §5.1–§5.4):
///
///     err(η) = max_{0 ≤ k ≤ ⌊T/η⌋} |E g(x_k) − E g(X_kη)|
///
/// with a 95% interval of the max (simultaneous over k) and the fitted order (1 for SME-1, 2 for
/// SME-2; 1 for the regime-A momentum SME). On the Li–Tai–E quadratic the moments are exact
/// (`mode: .exact`), or sampled with SGD's noise γ_k and the SMEs' ΔW_k/√η the same draws (common
/// random numbers) when b = 1; on least squares and logistic regression by Monte Carlo, the SMEs by
/// Euler–Maruyama at step η/substeps. Heavy ball and Nesterov are compared with the regime-A SME
/// (η/(1−μ), docs/THEORY.md §4.4) on every objective.
///
///     var c = WeakErrorStudy.Configuration()
///     c.mode = .exact
///     let r = try WeakErrorStudy(c).run(StudyContext())
///     r.metric("order SME-2")?.value   // ≈ 2
public struct WeakErrorStudy: Study {
    public static let name = "weak-error"

    public enum ObjectiveName: String, Codable, Sendable, CaseIterable {
        case liTaiE = "li-tai-e", leastSquares = "least-squares", logistic
        /// A per-sample formula over the rows of `data` (``ExpressionFiniteSum``).
        case samples
        /// A stochastic oracle f_γ(x) written as a formula with `noise` names (``ExpressionOracle``).
        case expression
    }
    public enum AlgorithmName: String, Codable, Sendable, CaseIterable { case sgd, hb, nag }
    public enum ModelName: String, Codable, Sendable, CaseIterable {
        case sme1, sme2
        var order: Int { self == .sme1 ? 1 : 2 }
    }
    public enum Mode: String, Codable, Sendable, CaseIterable { case exact, mc, auto }

    public struct Configuration: StudyConfiguration {
        public var objective: ObjectiveName = .liTaiE
        /// Hessian diagonal of the Li–Tai–E quadratic.
        public var diagonal: [Double] = [1, 2]
        /// CSV data set for least squares or logistic regression (nil: the bundled one).
        public var data: String?
        /// Starting point (nil: all ones on li-tai-e, 0.5 on a sample formula, zeros otherwise).
        public var start: [Double]?
        /// The per-sample formula fᵢ(w) of `objective: samples` (names ending in `_i` are columns of `data`).
        public var samples: String?
        /// The order of the formula's variables (nil: natural order).
        public var variables: [String]?
        /// Named constants of the formula.
        public var parameters: [String: Double]?
        /// The oracle formula f_γ(x) of `objective: expression`.
        public var expression: String?
        /// The names of `expression` that are standard normal draws.
        public var noise: [String]?
        public var algorithm: AlgorithmName = .sgd
        /// Momentum μ in [0, 1) for heavy ball and Nesterov.
        public var momentum: Double = 0.5
        public var models: [ModelName] = [.sme1, .sme2]
        /// Test function g: `f`, `norm2`, `x1`…`xd`, `xi^4`.
        public var test: String = "f"
        public var learningRates: [Double] = [0.1, 0.05, 0.025, 0.0125]
        public var horizon: Double = 1
        public var mode: Mode = .auto
        /// Monte Carlo paths per ensemble.
        public var paths: Int = 100_000
        public var batch: Int = 1
        /// Euler–Maruyama sub-steps per η for non-linear SMEs.
        public var substeps: Int = 20
        public var seed: UInt64 = 1

        public init() {}
        public func inputFiles() -> [String] { data.map { [$0] } ?? [] }
        public var seedValue: UInt64? { seed }
    }

    public private(set) var configuration: Configuration
    let steps: [Int]

    public init(_ configuration: Configuration) throws {
        // The grid runs from the largest η down, so that local orders and "the two smallest η" mean what they say.
        var c = configuration
        c.learningRates.sort(by: >)
        guard c.horizon > 0, c.horizon.isFinite else { throw ConfigurationError(field: "horizon", "must be a positive number, got \(c.horizon)") }
        guard c.paths >= 2, c.paths <= 1_000_000_000 else { throw ConfigurationError(field: "paths", "must be between 2 and 10⁹, got \(c.paths)") }
        guard c.batch >= 1 else { throw ConfigurationError(field: "batch", "must be at least 1, got \(c.batch)") }
        guard c.substeps >= 1, c.substeps <= 10_000 else { throw ConfigurationError(field: "substeps", "must be between 1 and 10000, got \(c.substeps)") }
        guard c.momentum >= 0, c.momentum < 1 else { throw ConfigurationError(field: "momentum", "must be in [0, 1), got \(c.momentum)") }
        guard !c.learningRates.isEmpty, c.learningRates.allSatisfy({ $0 > 0 && $0 < 1 }) else {
            throw ConfigurationError(field: "learningRates", "learning rates must lie in (0, 1), got \(c.learningRates)")
        }
        guard c.learningRates.allSatisfy({ c.horizon / $0 <= 1e7 && c.horizon / $0 * Double(c.substeps) <= 1e9 }) else {
            throw ConfigurationError(field: "horizon", "T/η must stay below 10⁷ steps (and T/η × substeps below 10⁹), got T = \(c.horizon)")
        }
        guard !c.models.isEmpty else { throw ConfigurationError(field: "models", "give at least one of sme1, sme2") }
        guard Set(c.models).count == c.models.count else { throw ConfigurationError(field: "models", "each model once, got \(c.models.map(\.rawValue))") }
        guard Set(c.learningRates).count == c.learningRates.count else {
            throw ConfigurationError(field: "learningRates", "each learning rate once, got \(c.learningRates)")
        }
        for eta in c.learningRates where c.horizon < eta {
            throw ConfigurationError(field: "horizon", "T = \(NumberText.short(c.horizon)) is shorter than one step of η = \(NumberText.short(eta)); make T ≥ η")
        }
        if c.algorithm != .sgd && c.models != [.sme1] {
            throw ConfigurationError(field: "models", "for hb and nag only sme1 (the regime-A SME with η/(1−μ)) is available; pass --models sme1")
        }
        if c.objective == .liTaiE, c.algorithm != .sgd, c.mode == .mc, c.batch != 1 {
            throw ConfigurationError(field: "batch", "heavy ball and Nesterov on li-tai-e are sampled at b = 1 only (paired with their SME); use --mode exact for b = \(c.batch)")
        }
        if c.objective == .liTaiE {
            guard !c.diagonal.isEmpty, c.diagonal.allSatisfy({ $0 > 0 && $0 <= 1e6 }) else {
                throw ConfigurationError(field: "diagonal", "Hessian eigenvalues must lie in (0, 10⁶], got \(c.diagonal)")
            }
        } else if c.mode == .exact, c.objective != .expression {
            throw ConfigurationError(field: "mode", "exact mode is available for li-tai-e and linear-Gaussian oracle formulas only; use --mode mc for \(c.objective.rawValue)")
        }
        if c.objective == .samples, c.samples == nil {
            throw ConfigurationError(field: "samples", "objective samples needs its per-sample formula, e.g. --samples '0.5*(w*x_i - y_i)^2' --data file.csv")
        }
        if c.objective != .samples, c.samples != nil {
            throw ConfigurationError(field: "samples", "applies to objective samples (a per-sample formula with --data) only")
        }
        if c.objective != .expression, c.expression != nil || c.noise != nil {
            throw ConfigurationError(field: c.expression != nil ? "objective" : "noise", "applies to objective expression (a stochastic oracle f_γ(x)) only")
        }
        if c.objective != .samples, c.objective != .expression, c.variables != nil || c.parameters != nil {
            throw ConfigurationError(field: c.variables != nil ? "variables" : "parameters", "applies to a formula objective only")
        }
        if c.objective == .expression, c.data != nil {
            throw ConfigurationError(field: "data", "an oracle formula reads no data; use --samples for a finite sum over a CSV")
        }
        if c.objective == .liTaiE, c.data != nil {
            throw ConfigurationError(field: "data", "li-tai-e reads no data; give --objective least-squares or logistic with --data")
        }
        // The work, bounded: every path draws b noise vectors per step (li-tai-e) or one minibatch.
        let models = Double(c.models.count)
        let work = Double(c.paths) * c.learningRates.map { c.horizon / $0 }.reduce(0, +)
            * (c.objective == .liTaiE ? Double(c.batch) * Double(c.diagonal.count) : Double(c.substeps)) * (1 + models)
        if c.mode == .mc || c.objective != .liTaiE, work > 2e11 {
            throw ConfigurationError(field: c.objective == .liTaiE ? "batch" : "paths",
                                     "this run needs about \(NumberText.short(work, 2)) random draws (paths × steps × \(c.objective == .liTaiE ? "batch × d" : "substeps") × ensembles), more than 2·10¹¹ (hours of work); lower --paths, --batch or the horizon")
        }
        if let data = c.data, !FileManager.default.fileExists(atPath: data) {
            throw ConfigurationError(field: "data", "no file at '\(data)'; give the path of a CSV file with a header row")
        }
        // Defaults filled in (one spec per run); an oracle formula's auto mode is decided below, once it is compiled.
        if c.mode == .auto, c.objective != .expression { c.mode = c.objective == .liTaiE ? .exact : .mc }
        if c.objective == .expression, c.mode == .exact, c.algorithm != .sgd {
            throw ConfigurationError(field: "mode", "exact mode on an oracle formula is for sgd; use --mode mc for \(c.algorithm.rawValue)")
        }
        steps = c.learningRates.map { Int((c.horizon / $0 * (1 + 1e-12)).rounded(.down)) }
        self.configuration = c
        // Check the parts that need the objective (dimension of x0, test function, batch ≤ n), and fill in x0.
        switch try problem() {
        case .liTaiE(_, let x0, _), .leastSquares(_, let x0, _), .logistic(_, let x0, _), .formula(_, let x0, _): self.configuration.start = x0
        case .oracle(let f, let x0, _):
            self.configuration.start = x0
            if c.mode == .exact { _ = try Self.linearGaussian(f) }
            if c.mode == .auto {
                // Exact moments where they close (constant Hessian, minimum at 0, additive noise), else Monte Carlo.
                self.configuration.mode = c.algorithm == .sgd && (try? Self.linearGaussian(f)) != nil ? .exact : .mc
            }
        }
    }

    /// The objective with its start and test function.
    enum Problem {
        case liTaiE(NoisyQuadratic, [Double], WeakErrorTest)
        case leastSquares(LeastSquares, [Double], WeakErrorTest)
        case logistic(LogisticRegression, [Double], WeakErrorTest)
        case formula(ExpressionFiniteSum, [Double], WeakErrorTest)
        case oracle(ExpressionOracle, [Double], WeakErrorTest)
    }

    func problem() throws -> Problem {
        let c = configuration
        switch c.objective {
        case .liTaiE:
            let f = NoisyQuadratic(hessian: .diagonal(c.diagonal))
            let x0 = try startPoint(f.dimension, default: 1)
            return .liTaiE(f, x0, try WeakErrorTest(c.test, f, dimension: f.dimension))
        case .expression:
            guard let noise = c.noise else {
                throw ConfigurationError(field: "noise", "an expression for weak-error is a stochastic oracle f_γ(x): name its standard normal draws, e.g. --noise z1,z2")
            }
            let entry = try FormulaObjectives.make(expression: c.expression ?? "", samples: nil, data: nil, variables: c.variables,
                                                   parameters: c.parameters, noise: noise, field: "objective")
            guard let f = entry.objective as? ExpressionOracle else { throw ConfigurationError(field: "objective", "is not a stochastic oracle") }
            let x0 = try startPoint(f.dimension, default: FormulaObjectives.defaultStartCoordinate)
            return .oracle(f, x0, try WeakErrorTest(c.test, f, dimension: f.dimension))
        case .samples:
            let entry = try FormulaObjectives.make(expression: nil, samples: c.samples ?? "", data: c.data, variables: c.variables,
                                                   parameters: c.parameters, field: "samples")
            guard let f = entry.objective as? ExpressionFiniteSum else { throw ConfigurationError(field: "samples", "is not a finite sum") }
            guard c.batch <= f.sampleCount else {
                throw ConfigurationError(field: "batch", "must not exceed the \(f.sampleCount) samples of the data, got \(c.batch)")
            }
            let x0 = try startPoint(f.dimension, default: FormulaObjectives.defaultStartCoordinate)
            return .formula(f, x0, try WeakErrorTest(c.test, f, dimension: f.dimension))
        case .leastSquares, .logistic:
            let entry = try ObjectiveCatalog.make(c.objective.rawValue, data: c.data)
            let n = (entry.objective as? any FiniteSumObjective)?.sampleCount ?? 0
            guard c.batch <= n else {
                throw ConfigurationError(field: "batch", "must not exceed the \(n) samples of \(entry.objective.name), got \(c.batch)")
            }
            let x0 = try startPoint(entry.objective.dimension, default: 0)
            if let ls = entry.objective as? LeastSquares { return .leastSquares(ls, x0, try WeakErrorTest(c.test, ls, dimension: ls.dimension)) }
            if let lr = entry.objective as? LogisticRegression { return .logistic(lr, x0, try WeakErrorTest(c.test, lr, dimension: lr.dimension)) }
            throw ConfigurationError(field: "objective", "\(entry.objective.name) is not a finite-sum objective")
        }
    }

    /// `(H, Σ)` of an oracle formula whose moments close: f = ½xᵀHx + const (constant Hessian,
    /// ∇f(0) = 0) and additive noise Σ = JJᵀ (docs/THEORY.md §11.3); else a `ConfigurationError`.
    static func linearGaussian(_ f: ExpressionOracle) throws -> (hessian: Matrix, noise: Matrix) {
        let d = f.dimension
        let zero = [Double](repeating: 0, count: d)
        let h = f.hessian(zero)
        let probe = (0..<d).map { 0.37 + 0.61 * Double($0) }
        guard f.noiseIsConstant, f.hessian(probe).storage == h.storage, f.gradient(zero).allSatisfy({ $0 == 0 }) else {
            throw ConfigurationError(field: "mode", "exact mode needs f = ½xᵀHx + const (constant Hessian, minimum at the origin) and additive noise; use --mode mc for this formula")
        }
        return (h, f.noiseCovariance(zero))
    }

    func startPoint(_ d: Int, default v: Double) throws -> [Double] {
        guard let s = configuration.start else { return [Double](repeating: v, count: d) }
        guard s.count == d else { throw ConfigurationError(field: "start", "has \(s.count) coordinates but the objective has dimension \(d)") }
        guard s.allSatisfy(\.isFinite) else { throw ConfigurationError(field: "start", "coordinates must be finite, got \(s)") }
        return s
    }

    /// Whether SGD's mean diverges at η on the Li–Tai–E quadratic (|1 − ηλ| ≥ 1 for some λ).
    func isUnstable(_ eta: Double) -> Bool {
        configuration.objective == .liTaiE && configuration.algorithm == .sgd && configuration.diagonal.contains { eta * $0 >= 2 }
    }

    func stabilityNote(_ eta: Double) -> String {
        "η·λ_max = \(NumberText.short(eta * (configuration.diagonal.max() ?? 0), 3)) ≥ 2: SGD's mean diverges"
    }

    public func run(_ context: StudyContext) throws -> StudyResult {
        var run = WeakErrorRun(study: self, context: context)
        switch try problem() {
        case .liTaiE(let f, let x0, let g):
            return try configuration.algorithm == .sgd ? run.liTaiE(f, start: x0, test: g) : run.liTaiEMomentum(f, start: x0, test: g)
        case .leastSquares(let f, let x0, let g): return try run.finiteSum(f, start: x0, test: g)
        case .logistic(let f, let x0, let g): return try run.finiteSum(f, start: x0, test: g)
        case .formula(let f, let x0, let g): return try run.finiteSum(f, start: x0, test: g)
        case .oracle(let f, let x0, let g):
            if configuration.mode == .exact { return try run.exactQuadratic(try Self.linearGaussian(f), start: x0, test: g, label: f.name) }
            return try run.oracle(f, start: x0, test: g)
        }
    }
}

/// A test function g of a weak-error study: its name, its observable, and its kind (for exact moments).
public struct WeakErrorTest: Sendable {
    public let name: String
    public let observable: Observable
    public let kind: TestFunction

    /// Parse `text` (`f`, `norm2`, `x1`…`xd`, `xi^4`) for the objective `f` of dimension `d`.
    public init<F: Objective>(_ text: String, _ f: F, dimension d: Int) throws {
        let t = text.lowercased()
        if t == "f" { (name, observable, kind) = ("f", Observable("f") { f.value($0) }, .objective); return }
        if t == "norm2" { (name, observable, kind) = ("‖x‖²", Observable("‖x‖²") { Vec.dot($0, $0) }, .squaredNorm); return }
        if t.hasPrefix("x") {
            let parts = t.dropFirst().split(separator: "^", omittingEmptySubsequences: false)
            if let first = parts.first, let i = Int(first), i >= 1, i <= d {
                if parts.count == 1 { (name, observable, kind) = ("x\(i)", Observable("x\(i)") { $0[i - 1] }, .coordinate(i - 1)); return }
                if parts.count == 2, parts[1] == "4" {
                    (name, observable, kind) = ("x\(i)⁴", Observable("x\(i)^4") { let v = $0[i - 1] * $0[i - 1]; return v * v }, .fourthPower(i - 1))
                    return
                }
            }
        }
        throw ConfigurationError(field: "test", "must be f, norm2, x1…x\(d) or xi^4, got '\(text)'")
    }
}
