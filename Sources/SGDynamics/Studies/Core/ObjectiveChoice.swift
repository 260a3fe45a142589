import Foundation

/// An objective of the catalogue chosen by name, with its parameters and starting point: the part
/// of a study's configuration that says which problem it studies.
///
///     ObjectiveChoice(name: "quadratic", diagonal: [1, 10], start: [1, 1])
public struct ObjectiveChoice: Codable, Sendable, Equatable {
    /// A name of `ObjectiveCatalog` (e.g. `ill-quadratic`, `least-squares`).
    public var name: String
    /// The Hessian diagonal of `quadratic`.
    public var diagonal: [Double]?
    /// A CSV data set for `least-squares`, `logistic` and `mlp` (nil: the bundled one).
    public var data: String?
    /// The starting point (nil: the catalogue's).
    public var start: [Double]?
    /// A formula `f(x)` (name `expression`), e.g. `(x^2 - 1)^2 + 0.5*y^2`.
    public var expression: String?
    /// A per-sample formula `fᵢ(w)` over the rows of `data` (name `samples`), e.g. `0.5*(w*x_i - y_i)^2`.
    public var samples: String?
    /// The order of a formula's variables (nil: natural order of its names).
    public var variables: [String]?
    /// Named constants of a formula.
    public var parameters: [String: Double]?
    /// Names of an expression that are standard normal draws γ (a stochastic oracle f_γ(x); its
    /// deterministic studies see f = E f_γ).
    public var noise: [String]?

    public init(name: String, diagonal: [Double]? = nil, data: String? = nil, start: [Double]? = nil) {
        self.name = name
        self.diagonal = diagonal
        self.data = data
        self.start = start
    }

    /// An objective given as a formula: `expression` for `f(x)`, or `samples` for `fᵢ(w)` over the
    /// rows of the CSV file `data`.
    public init(expression: String? = nil, samples: String? = nil, data: String? = nil, variables: [String]? = nil,
                parameters: [String: Double]? = nil, noise: [String]? = nil, start: [Double]? = nil) {
        self.name = samples != nil ? "samples" : "expression"
        self.noise = noise
        self.expression = expression
        self.samples = samples
        self.data = data
        self.variables = variables
        self.parameters = parameters
        self.start = start
    }

    /// The objective and its starting point; `ConfigurationError`s name `objective`, `diagonal`,
    /// `data` or `start`.
    public func resolve() throws -> (entry: CatalogObjective, start: [Double]) {
        if let data, !FileManager.default.fileExists(atPath: data) {
            throw ConfigurationError(field: "data", "no file at '\(data)'; give the path of a CSV file with a header row")
        }
        if name == "expression" || name == "samples" || expression != nil || samples != nil {
            let entry = try FormulaObjectives.make(expression: expression, samples: samples, data: data, variables: variables,
                                                   parameters: parameters, noise: noise, field: "objective")
            let x0 = try FormulaObjectives.start(start, for: entry, field: "start")
            return (FormulaObjectives.withLocalMinimizer(entry, from: x0), x0)
        }
        if variables != nil || parameters != nil || noise != nil {
            throw ConfigurationError(field: variables != nil ? "variables" : "parameters", "applies to a formula objective (--objective 'expr: …' or --samples) only")
        }
        if diagonal != nil, name != "quadratic" {
            throw ConfigurationError(field: "diagonal", "applies to the quadratic only (--objective quadratic), not to \(name)")
        }
        if data != nil, !["least-squares", "logistic", "mlp"].contains(name) {
            throw ConfigurationError(field: "data", "\(name) reads no data; give --objective least-squares, logistic or mlp with --data")
        }
        let entry = try ObjectiveCatalog.make(name, diagonal: diagonal, data: data)
        var x0 = entry.start
        if let start {
            guard start.count == entry.objective.dimension else {
                throw ConfigurationError(field: "start", "has \(start.count) coordinates but \(name) has dimension \(entry.objective.dimension)")
            }
            guard start.allSatisfy(\.isFinite) else { throw ConfigurationError(field: "start", "coordinates must be finite, got \(start)") }
            x0 = start
        }
        return (entry, x0)
    }

    /// The data file, when one is named.
    public var inputFiles: [String] { data.map { [$0] } ?? [] }
}

/// The number of steps ⌊T/τ⌋ of a run of horizon `horizon` at step `tau`, or a
/// `ConfigurationError` on `field` when it is not a finite count of at most `limit`.
public func stepCount(horizon: Double, step tau: Double, limit: Int = 10_000_000, field: String) throws -> Int {
    let n = horizon / tau * (1 + 1e-12)
    guard n.isFinite, n >= 0, n <= Double(limit) else {
        throw ConfigurationError(field: field, "T/η = \(NumberText.short(horizon / tau)) steps is more than \(limit); shorten the horizon or raise η")
    }
    return Int(n.rounded(.down))
}
