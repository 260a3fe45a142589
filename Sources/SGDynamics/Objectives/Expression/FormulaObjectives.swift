import Foundation

/// Objectives a user writes as formulas, built for the studies: an ``ExpressionObjective`` from
/// `expression`, or an ``ExpressionFiniteSum`` from `samples` over a CSV file. Errors are
/// `ConfigurationError`s whose message carries the formula's column.
public enum FormulaObjectives {
    /// Every coordinate of the default starting point (the origin is a critical point of many
    /// symmetric landscapes, such as the double well, so it is not used).
    public static let defaultStartCoordinate = 0.5

    /// The objective of a formula. `field` names the formula in errors (`objective` for an
    /// expression; a sample formula's errors name `samples`, its file's `data`).
    public static func make(expression: String?, samples: String?, data: String?, variables: [String]?,
                            parameters: [String: Double]?, noise: [String]? = nil, field: String = "objective") throws -> CatalogObjective {
        let p = parameters ?? [:]
        let objective: any Objective
        switch (expression, samples) {
        case (.some, .some):
            throw ConfigurationError(field: "samples", "give either an expression f(x) or a per-sample formula over data, not both")
        case (nil, nil):
            throw ConfigurationError(field: field, "a formula objective needs its formula, e.g. --objective 'expr: (x^2 - 1)^2 + 0.5*y^2'")
        case let (e?, nil):
            if data != nil {
                throw ConfigurationError(field: "data", "an expression reads no data; write a per-sample formula with --samples (names ending in _i are columns)")
            }
            do {
                if let noise {
                    objective = try ExpressionOracle(e, noise: noise, variables: variables, parameters: p, name: "oracle: \(e)")
                } else {
                    objective = try ExpressionObjective(e, variables: variables, parameters: p, name: "expr: \(e)")
                }
            } catch let err as ExpressionError {
                throw ConfigurationError(field: err.setting ?? field, err.description)
            }
        case let (nil, s?):
            if noise != nil {
                throw ConfigurationError(field: "noise", "applies to an expression f_γ(x) (--objective 'expr: …'); a sample formula's noise is its minibatches")
            }
            guard let data else {
                throw ConfigurationError(field: "data", "a per-sample formula needs its data: give a CSV file with a header row (--data file.csv)")
            }
            guard FileManager.default.fileExists(atPath: data) else {
                throw ConfigurationError(field: "data", "no file at '\(data)'; give the path of a CSV file with a header row")
            }
            let set: Dataset
            do { set = try Dataset.load(csvAt: data) } catch let err as DatasetError { throw ConfigurationError(field: "data", err.description) }
            guard set.sampleCount >= 2 else {
                throw ConfigurationError(field: "data", "'\(data)' has \(set.sampleCount) row; a finite sum needs at least 2 samples")
            }
            do { objective = try ExpressionFiniteSum(s, dataset: set, variables: variables, parameters: p, name: "samples: \(s)") } catch let err as ExpressionError {
                throw ConfigurationError(field: err.setting ?? "samples", err.description)
            }
        }
        let d = objective.dimension
        return CatalogObjective(objective: objective, start: [Double](repeating: defaultStartCoordinate, count: d), minimizer: nil,
                                window: d == 2 ? (-2...2, -2...2) : nil, logColour: false)
    }

    /// The entry with the local minimizer of the basin of `start`, when one is found: steepest
    /// descent with Armijo backtracking (which stays in the basin of gradient flow, unlike Newton's
    /// method with an indefinite Hessian) until the Hessian is positive definite, then damped Newton;
    /// the point is kept when the gradient vanishes there (relative 1e-10) and the Hessian is
    /// positive definite. Otherwise the entry as it is (no known minimizer).
    public static func withLocalMinimizer(_ entry: CatalogObjective, from start: [Double]) -> CatalogObjective {
        let f = AnyObjective(entry.objective)
        let d = f.dimension
        guard d <= 200, let newton = try? DampedNewton(maxIterations: 200, relativeTolerance: 1e-12) else { return entry }
        func positiveDefinite(_ x: [Double]) -> Bool {
            let ev = SymmetricEigen(f.hessian(x)).values
            return (ev.first ?? 0) > 0 && ev.allSatisfy(\.isFinite)
        }
        var x = start, g = [Double](repeating: 0, count: d)
        var fx = f.value(x)
        var t = 1.0
        for k in 0..<5_000 {
            if k % 10 == 0, positiveDefinite(x) { break }
            f.gradient(x, into: &g)
            let gg = Vec.dot(g, g)
            guard gg.isFinite, gg > 0, fx.isFinite else { break }
            var accepted = false
            for _ in 0..<60 {
                let y = (0..<d).map { x[$0] - t * g[$0] }
                let fy = f.value(y)
                if fy.isFinite, fy <= fx - 1e-4 * t * gg { x = y; fx = fy; accepted = true; t *= 2; break }
                t /= 2
            }
            if !accepted { break }
        }
        let r = newton.minimize(f, from: x)
        let g0 = f.gradient(start)
        guard r.x.allSatisfy(\.isFinite), r.gradientNorm <= 1e-10 * max(1, Vec.norm(g0)), positiveDefinite(r.x) else { return entry }
        // A strict minimum: the Newton step left there is negligible (not a flat, degenerate point
        // such as x = 0 of x³, approached with a tiny positive curvature).
        let h = f.hessian(r.x)
        guard let step = try? h.solve(f.gradient(r.x)), Vec.norm(step) <= 1e-8 * max(1, Vec.norm(r.x)) else { return entry }
        return CatalogObjective(objective: entry.objective, start: entry.start, minimizer: r.x, window: entry.window, logColour: entry.logColour)
    }

    /// The given start checked against the objective (finite, right length), or the default.
    public static func start(_ given: [Double]?, for entry: CatalogObjective, field: String) throws -> [Double] {
        guard let given else {
            try checkFinite(entry.objective, at: entry.start, field: field)
            return entry.start
        }
        let d = entry.objective.dimension
        guard given.count == d else {
            let names = (entry.objective as? ExpressionObjective)?.variables ?? (entry.objective as? ExpressionFiniteSum)?.variables
            throw ConfigurationError(field: field, "has \(given.count) coordinates but the objective has dimension \(d)\(names.map { " (\($0.joined(separator: ", ")))" } ?? "")")
        }
        guard given.allSatisfy(\.isFinite) else { throw ConfigurationError(field: field, "coordinates must be finite, got \(given)") }
        try checkFinite(entry.objective, at: given, field: field)
        return given
    }

    /// Operations per gradient of a formula objective (nil for other objectives).
    public static func operationsPerGradient(_ f: any Objective) -> Int? {
        if let e = f as? ExpressionObjective { return e.compiled.gradient.registerCount }
        if let e = f as? ExpressionFiniteSum { return e.compiled.gradient.registerCount * e.sampleCount }
        if let e = f as? ExpressionOracle { return e.compiled.gradient.registerCount }
        return nil
    }

    /// Refuse (on `field`) a run of about `gradients` gradient evaluations of a formula objective
    /// that needs more than 2·10¹⁰ tape operations (minutes of work or more).
    public static func checkWork(_ f: any Objective, gradients: Double, field: String) throws {
        guard let ops = operationsPerGradient(f) else { return }
        let work = gradients * Double(ops)
        guard work <= 2e10 else {
            throw ConfigurationError(field: field, "this run needs about \(NumberText.short(gradients, 2)) gradients of a formula of \(ops) operations (\(NumberText.short(work, 2)) operations, more than 2·10¹⁰); shorten the horizon, raise η or simplify the formula")
        }
    }

    /// A `ConfigurationError` on `field` unless f and ∇f are finite at `x` (a formula can be
    /// undefined there: log of a negative number, 1/0).
    public static func checkFinite(_ f: any Objective, at x: [Double], field: String) throws {
        let v = f.value(x), g = f.gradient(x)
        guard v.isFinite, g.allSatisfy(\.isFinite) else {
            let point = x.count <= 6 ? "(\(x.map { NumberText.short($0) }.joined(separator: ", ")))" : "the start"
            throw ConfigurationError(field: field, "the objective is not finite at \(point): f = \(NumberText.short(v)), ∇f has \(g.filter { !$0.isFinite }.count) non-finite components; start where it is defined")
        }
    }
}
