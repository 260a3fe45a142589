import Foundation

/// The objective of a ``FokkerPlanckStudy``: its label, a start, and its gradient noise (the
/// Li–Tai–E oracle or a finite sum) for the SME-1 model.
struct FokkerPlanckProblem: @unchecked Sendable {
    var label: String
    var objective: any Objective
    var start: [Double]
    var oracle: NoisyQuadratic?
    var finiteSum: LeastSquares?
    var dimension: Int { objective.dimension }

    /// The problem of `model: sde`, which has no objective: its dimension is the drift's, its start
    /// the origin. `objective` is a zero placeholder of that dimension (read only for a Gibbs law,
    /// which an SDE given by formulas does not have).
    init(sde c: FokkerPlanckStudy.Configuration) throws {
        let d = try FokkerPlanckFormulas(c).dimension
        label = "drift b = (\((c.drift ?? []).joined(separator: "; "))), diffusion D = (\((c.diffusion ?? []).joined(separator: "; ")))"
        objective = ClosureObjective(name: "sde", dimension: d, value: { _ in 0 }, gradient: { _, g in for i in 0..<g.count { g[i] = 0 } })
        start = [Double](repeating: 0, count: d)
        oracle = nil
        finiteSum = nil
    }

    init(_ c: FokkerPlanckStudy.Configuration) throws {
        let f = { (v: Double) in NumberText.short(v) }
        let diag = c.diagonal
        oracle = nil
        finiteSum = nil
        if c.objective != .expression, c.expression != nil || c.variables != nil || c.parameters != nil {
            throw ConfigurationError(field: "objective", "a formula needs --objective 'expr: …'")
        }
        switch c.objective {
        case .expression:
            let entry = try FormulaObjectives.make(expression: c.expression ?? "", samples: nil, data: nil, variables: c.variables,
                                                   parameters: c.parameters, field: "objective")
            guard entry.objective.dimension <= 2 else {
                throw ConfigurationError(field: "objective", "fokker-planck solves 1-D and 2-D problems; the formula has \(entry.objective.dimension) variables")
            }
            label = "formula f = \(c.expression ?? "")"
            objective = entry.objective; start = entry.start
        case .liTaiE:
            guard let diag, !diag.isEmpty else { throw ConfigurationError(field: "diagonal", "li-tai-e needs its Hessian diagonal, e.g. --diagonal 1 or 1,2") }
            guard diag.count <= 2 else { throw ConfigurationError(field: "diagonal", "fokker-planck solves 1-D and 2-D problems; got \(diag.count) values (dimension \(diag.count))") }
            guard diag.allSatisfy({ $0 > 0 && $0.isFinite }) else { throw ConfigurationError(field: "diagonal", "Hessian eigenvalues must be positive, got \(diag.map(f))") }
            let q = NoisyQuadratic(hessian: .diagonal(diag))
            label = "li-tai-e: f = ½xᵀHx, H = diag(\(diag.map(f).joined(separator: ", "))), Σ = H²"
            objective = q; start = [Double](repeating: 1, count: diag.count); oracle = q
        case .shiftedQuadratics:
            guard let cs = c.centers, !cs.isEmpty else { throw ConfigurationError(field: "centers", "shifted-quadratics needs the sample centres, e.g. --centers -1,1") }
            guard cs.allSatisfy(\.isFinite) else { throw ConfigurationError(field: "centers", "every centre must be finite, got \(cs.map(f))") }
            var l = c.curvatures ?? [1]
            if l.count == 1 { l = [Double](repeating: l[0], count: cs.count) }
            guard l.count == cs.count else { throw ConfigurationError(field: "curvatures", "give one curvature or one per centre (\(cs.count)), got \(l.count)") }
            guard l.allSatisfy({ $0 > 0 && $0.isFinite }) else { throw ConfigurationError(field: "curvatures", "every curvature must be positive") }
            let ls = DensityProblem.shiftedQuadratics(centers: cs, curvatures: l, name: "shifted-quadratics")
            label = "shifted-quadratics: f_i(θ) = ½λ_i(θ − c_i)², c = (\(cs.map(f).joined(separator: ", "))), λ = (\(l.map(f).joined(separator: ", ")))"
            objective = ls; start = [try ls.minimizer[0] + 1]; finiteSum = ls
        case .leastSquares:
            guard let data = c.data else { throw ConfigurationError(field: "data", "least-squares needs a CSV file with one or two feature columns and the target") }
            guard FileManager.default.fileExists(atPath: data) else {
                throw ConfigurationError(field: "data", "no file at '\(data)'; give the path of a CSV file with a header row")
            }
            let set: Dataset
            do { set = try Dataset.load(csvAt: data) } catch let e as DatasetError { throw ConfigurationError(field: "data", e.description) }
            guard set.featureCount <= 2 else {
                throw ConfigurationError(field: "data", "fokker-planck solves 1-D and 2-D problems; '\(data)' has \(set.featureCount) feature columns (dimension \(set.featureCount))")
            }
            let ls = LeastSquares(dataset: set, standardize: true, intercept: false)
            guard let w = try? ls.minimizer else { throw ConfigurationError(field: "data", "the features of '\(data)' are collinear; the minimizer is not unique") }
            label = "least-squares on \(set.name) (standardized, no intercept), n = \(ls.sampleCount)"
            objective = ls; start = w.map { $0 + 1 }; finiteSum = ls
        default:
            let name = c.objective.rawValue
            let entry = try ObjectiveCatalog.make(name, diagonal: diag)
            guard entry.objective.dimension <= 2 else {
                throw ConfigurationError(field: c.objective == .quadratic ? "diagonal" : "objective", "fokker-planck solves 1-D and 2-D problems; \(name) has dimension \(entry.objective.dimension)")
            }
            label = "\(name): \(ObjectiveCatalog.names[name] ?? name)\(diag.map { " (λ = \($0.map(f).joined(separator: ", ")))" } ?? "")"
            objective = entry.objective; start = entry.start
        }
    }
}
