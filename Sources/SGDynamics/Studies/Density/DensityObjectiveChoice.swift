import Foundation

/// The one-dimensional problem of the `master` and `stationary` studies: the Bernoulli example,
/// a finite sum of per-sample quadratics (SGD has real minibatch noise) or, for SGLD only, a
/// deterministic catalogue objective; with SGD's learning rate and minibatches.
///
/// The Bernoulli example (docs/THEORY.md §8.4) is `n = 2` samples `f_{1,2}(θ) = ½λ(θ ∓ 1)²` at
/// batch size 1, given by `ηλ ∈ (0, 2)`; at `ηλ = 0.5` SGD's stationary law is Uniform[−1, 1].
public struct DensityObjectiveChoice: Codable, Sendable, Equatable {
    public enum Example: String, Codable, Sendable, CaseIterable { case bernoulli }

    public enum Name: String, Codable, Sendable, CaseIterable {
        case bernoulli
        case shiftedQuadratics = "shifted-quadratics"
        case leastSquares = "least-squares"
        case doubleWell = "double-well"
        case quartic
        case quadratic
        /// A 1-D formula f(θ) in `expression` (docs/THEORY.md §11.1).
        case expression

        /// A deterministic objective (no minibatch noise).
        public var isDeterministic: Bool { self == .doubleWell || self == .quartic || self == .quadratic || self == .expression }
    }

    /// A worked example (nil: `name`, and the Bernoulli example when `name` is nil too).
    public var example: Example?
    public var name: Name?
    /// `ηλ` of the Bernoulli example, in (0, 2) (nil: 0.5).
    public var etaLambda: Double?
    /// The curvature λ of the Bernoulli example.
    public var lambda: Double = 1
    /// Centres `c_i` of `f_i(θ) = ½λ_i(θ − c_i)²` (shifted-quadratics).
    public var centers: [Double]?
    /// Curvatures `λ_i > 0`: one for all, or one per centre (nil: 1).
    public var curvatures: [Double]?
    /// A CSV data set with one feature column (least-squares; standardized, no intercept).
    public var data: String?
    /// The curvature λ of `quadratic` (½λθ²), one value.
    public var diagonal: [Double]?
    /// SGD's learning rate η (nil: 0.1; the Bernoulli example takes `etaLambda`).
    public var learningRate: Double?
    public var batchSize: Int = 1
    public var sampling: BatchSampling = .withoutReplacement
    /// The formula of `name: expression`, in one variable.
    public var expression: String?
    /// Named constants of the formula.
    public var parameters: [String: Double]?

    public init(example: Example? = nil, name: Name? = nil, etaLambda: Double? = nil, lambda: Double = 1,
                centers: [Double]? = nil, curvatures: [Double]? = nil, data: String? = nil, diagonal: [Double]? = nil,
                learningRate: Double? = nil, batchSize: Int = 1, sampling: BatchSampling = .withoutReplacement) {
        self.example = example
        self.name = name
        self.etaLambda = etaLambda
        self.lambda = lambda
        self.centers = centers
        self.curvatures = curvatures
        self.data = data
        self.diagonal = diagonal
        self.learningRate = learningRate
        self.batchSize = batchSize
        self.sampling = sampling
    }

    /// The data file, when one is named.
    public var inputFiles: [String] { data.map { [$0] } ?? [] }

    /// The problem and η; `ConfigurationError`s name `objective.<field>`. `allowDeterministic`:
    /// whether objectives without gradient noise are acceptable (SGLD).
    public func resolve(allowDeterministic: Bool, defaultLearningRate: Double = 0.1) throws -> (DensityProblem, Double) {
        if name != .expression, expression != nil || parameters != nil {
            throw ConfigurationError(field: "objective.name", "a formula needs name expression (--objective 'expr: …')")
        }
        if let etaLambda, !etaLambda.isFinite { throw ConfigurationError(field: "objective.etaLambda", "must be a finite number, got \(etaLambda)") }
        if let learningRate, !learningRate.isFinite { throw ConfigurationError(field: "objective.learningRate", "must be a finite number, got \(learningRate)") }
        guard lambda.isFinite, lambda > 0 else { throw ConfigurationError(field: "objective.lambda", "must be a positive finite number, got \(lambda)") }
        if let etaLambda, !(etaLambda > 0 && etaLambda < 2) {
            throw ConfigurationError(field: "objective.etaLambda", "must lie in (0, 2): SGD on ½λθ² is stable iff 0 < ηλ < 2; got \(etaLambda)")
        }
        if let learningRate, !(learningRate > 0) {
            throw ConfigurationError(field: "objective.learningRate", "must be a positive number, got \(learningRate)")
        }
        guard batchSize >= 1 else { throw ConfigurationError(field: "objective.batchSize", "must be at least 1, got \(batchSize)") }
        if example != nil && name != nil {
            throw ConfigurationError(field: "objective.example", "give either --example or --objective, not both")
        }
        let n = name ?? .bernoulli
        if n == .bernoulli || example != nil {
            if learningRate != nil {
                throw ConfigurationError(field: "objective.learningRate", "the bernoulli example takes --eta-lambda (η = ηλ/λ), not --learning-rate")
            }
            let r = etaLambda ?? 0.5
            let ls = DensityProblem.shiftedQuadratics(centers: [1, -1], curvatures: [lambda, lambda], name: "bernoulli")
            let label = "bernoulli example: n = 2, f_{1,2}(θ) = ½λ(θ ∓ 1)², λ = \(NumberText.short(lambda, 6)), ηλ = \(NumberText.short(r, 6))"
            return (DensityProblem(name: "bernoulli", label: label, finiteSum: ls, deterministic: nil, minimizer: 0, isBernoulli: true), r / lambda)
        }
        if etaLambda != nil { throw ConfigurationError(field: "objective.etaLambda", "applies to --example bernoulli only; use --learning-rate") }
        let eta = learningRate ?? defaultLearningRate
        let f = { (v: Double) in NumberText.short(v) }
        switch n {
        case .shiftedQuadratics:
            guard let c = centers, !c.isEmpty else {
                throw ConfigurationError(field: "objective.centers", "shifted-quadratics needs the sample centres, e.g. --centers -1,0.5,2")
            }
            guard c.allSatisfy(\.isFinite) else { throw ConfigurationError(field: "objective.centers", "every centre must be finite, got \(c.map(f))") }
            var l = curvatures ?? [1]
            if l.count == 1 { l = [Double](repeating: l[0], count: c.count) }
            guard l.count == c.count else {
                throw ConfigurationError(field: "objective.curvatures", "give one curvature or one per centre (\(c.count)), got \(l.count)")
            }
            guard l.allSatisfy({ $0 > 0 && $0.isFinite }) else { throw ConfigurationError(field: "objective.curvatures", "every curvature must be positive, got \(l.map(f))") }
            let ls = DensityProblem.shiftedQuadratics(centers: c, curvatures: l, name: "shifted-quadratics")
            let theta = try ls.minimizer[0]
            let label = "shifted-quadratics: f_i(θ) = ½λ_i(θ − c_i)², n = \(c.count), c = (\(c.map(f).joined(separator: ", "))), λ = (\(l.map(f).joined(separator: ", ")))"
            return (DensityProblem(name: n.rawValue, label: label, finiteSum: ls, deterministic: nil, minimizer: theta, isBernoulli: false), eta)
        case .leastSquares:
            guard let data else { throw ConfigurationError(field: "objective.data", "least-squares needs a CSV file with one feature column and the target") }
            guard FileManager.default.fileExists(atPath: data) else {
                throw ConfigurationError(field: "objective.data", "no file at '\(data)'; give the path of a CSV file with a header row")
            }
            let set: Dataset
            do { set = try Dataset.load(csvAt: data) } catch let e as DatasetError { throw ConfigurationError(field: "objective.data", e.description) }
            guard set.featureCount == 1 else {
                throw ConfigurationError(field: "objective.data", "a 1-D least-squares problem needs exactly one feature column (plus the target); '\(data)' has \(set.featureCount)")
            }
            let ls = LeastSquares(dataset: set, standardize: true, intercept: false)
            let theta: Double
            do { theta = try ls.minimizer[0] } catch {
                throw ConfigurationError(field: "objective.data", "the feature column of '\(data)' is constant; θ* is not unique")
            }
            let label = "least-squares on \(set.name): f_i(θ) = ½(x_iθ − y_i)², n = \(ls.sampleCount), x standardized, no intercept"
            return (DensityProblem(name: n.rawValue, label: label, finiteSum: ls, deterministic: nil, minimizer: theta, isBernoulli: false), eta)
        case .expression:
            guard allowDeterministic else {
                throw ConfigurationError(field: "objective.name", "a formula f(θ) has no gradient noise, so SGD is plain GD (a point mass); use stationary --algorithm sgld, or a finite sum (shifted-quadratics, least-squares)")
            }
            let formula = try FormulaObjectives.make(expression: expression ?? "", samples: nil, data: nil, variables: nil,
                                                     parameters: parameters, field: "objective.name")
            guard formula.objective.dimension == 1 else {
                throw ConfigurationError(field: "objective.name", "the formula has \(formula.objective.dimension) variables; this study is 1-D (one variable θ)")
            }
            let entry = FormulaObjectives.withLocalMinimizer(formula, from: formula.start)
            return (DensityProblem(name: "expression", label: "formula f(θ) = \(expression ?? "")", finiteSum: nil, deterministic: entry.objective,
                                   minimizer: entry.minimizer?[0] ?? 0, isBernoulli: false), eta)
        case .doubleWell, .quartic, .quadratic:
            guard allowDeterministic else {
                throw ConfigurationError(field: "objective.name", "\(n.rawValue) has no gradient noise, so SGD is plain GD (a point mass); use shifted-quadratics, least-squares or --example bernoulli, or --algorithm sgld")
            }
            var diag: [Double]? = nil
            if n == .quadratic {
                guard let d = diagonal, d.count == 1 else {
                    throw ConfigurationError(field: "objective.diagonal", "the 1-D quadratic needs one curvature, e.g. --diagonal 1")
                }
                diag = d
            }
            let entry: CatalogObjective
            do { entry = try ObjectiveCatalog.make(n.rawValue, diagonal: diag) } catch let e as ConfigurationError {
                throw e.renamed(e.field == "diagonal" ? "objective.diagonal" : "objective.name")
            }
            let label = n == .quadratic ? "quadratic ½λθ², λ = \(f(diag![0]))" : "\(n.rawValue): \(ObjectiveCatalog.names[n.rawValue] ?? n.rawValue)"
            return (DensityProblem(name: n.rawValue, label: label, finiteSum: nil, deterministic: entry.objective,
                                   minimizer: entry.minimizer?[0] ?? 0, isBernoulli: false), eta)
        case .bernoulli:
            fatalError("handled above")
        }
    }
}
