import Foundation

/// The finite-sum objective of a `noise` or `stability` study, its parameters, its starting point
/// and how its minimum is searched (``MinimumSearch``).
///
///     FiniteSumChoice(objective: .logistic, l2: 0.01)
///
/// `ConfigurationError`s name `objective`, `data`, `l2`, `hidden`, `start`, `fitSteps` or `fitEta`.
public struct FiniteSumChoice: Codable, Sendable, Equatable {
    public var objective: FiniteSumName
    /// A CSV data set (header row, last column the target); nil: the bundled one.
    public var data: String?
    /// L2 weight λ ∈ [0, 10⁶] of logistic and mlp (see ``FiniteSumName/defaultL2`` when nil);
    /// must be nil for least squares, which has no L2 term.
    public var l2: Double?
    /// Hidden units of the MLP (1…256).
    public var hidden: Int
    /// The point or start (nil: the catalogue's start).
    public var start: [Double]?
    /// Iterations of the minimizer search (nil: ``MinimumSearch``'s defaults, 100 Newton or 500 GD).
    public var fitSteps: Int?
    /// Learning rate of the GD minimizer search (nil: 1/λ_max at the start).
    public var fitEta: Double?
    /// The per-sample formula of `objective: samples` (names ending in `_i` are columns of `data`).
    public var samples: String?
    /// The order of the formula's variables (nil: natural order).
    public var variables: [String]?
    /// Named constants of the formula.
    public var parameters: [String: Double]?

    public init(objective: FiniteSumName, data: String? = nil, l2: Double? = nil, hidden: Int = 16, start: [Double]? = nil,
                fitSteps: Int? = nil, fitEta: Double? = nil) {
        self.objective = objective
        self.data = data
        self.l2 = l2
        self.hidden = hidden
        self.start = start
        self.fitSteps = fitSteps
        self.fitEta = fitEta
    }

    /// The L2 weight the objective is built with.
    public var regularization: Double { l2 ?? objective.defaultL2 ?? 0 }

    /// ", L2 λ = …" for the regularized objectives, empty for least squares (for context lines).
    public var l2Text: String { objective == .leastSquares || objective == .samples ? "" : ", L2 λ = \(NumberText.short(regularization))" }

    /// The data file, when one is named.
    public var inputFiles: [String] { data.map { [$0] } ?? [] }

    /// The minimizer search these settings describe.
    public var minimumSearch: MinimumSearch { MinimumSearch(iterations: fitSteps, learningRate: fitEta) }

    /// Check every value that does not need the objective.
    public func validate() throws {
        if let data, !FileManager.default.fileExists(atPath: data) {
            throw ConfigurationError(field: "data", "no file at '\(data)'; give the path of a CSV file with a header row")
        }
        if let l2 {
            guard objective != .leastSquares, objective != .samples else {
                throw ConfigurationError(field: "l2", "applies to logistic and mlp only (least squares has no L2 term; write one into a sample formula)")
            }
            guard l2 >= 0, l2.isFinite, l2 <= 1e6 else { throw ConfigurationError(field: "l2", "must be a finite number in [0, 10⁶], got \(l2)") }
        }
        guard hidden >= 1, hidden <= 256 else { throw ConfigurationError(field: "hidden", "must be between 1 and 256, got \(hidden)") }
        if let fitSteps { guard fitSteps >= 1, fitSteps <= 1_000_000 else { throw ConfigurationError(field: "fitSteps", "must be between 1 and 10⁶, got \(fitSteps)") } }
        if let fitEta { guard fitEta > 0, fitEta.isFinite else { throw ConfigurationError(field: "fitEta", "must be a positive finite number, got \(fitEta)") } }
        if let start, !start.allSatisfy(\.isFinite) { throw ConfigurationError(field: "start", "coordinates must be finite, got \(start)") }
    }

    /// The objective of the catalogue (throws `DatasetError` for an unreadable data file).
    public func resolve() throws -> CatalogObjective {
        try validate()
        if objective == .samples {
            let entry = try FormulaObjectives.make(expression: nil, samples: samples ?? "", data: data, variables: variables,
                                                   parameters: parameters, field: "samples")
            if let start, start.count == entry.objective.dimension {
                try FormulaObjectives.checkFinite(entry.objective, at: start, field: "start")
            } else if start == nil {
                try FormulaObjectives.checkFinite(entry.objective, at: entry.start, field: "start")
            }
            return entry
        }
        if samples != nil || variables != nil || parameters != nil {
            throw ConfigurationError(field: samples != nil ? "samples" : (variables != nil ? "variables" : "parameters"),
                                     "applies to a per-sample formula (--samples with --data) only")
        }
        return try ObjectiveCatalog.make(objective.rawValue, data: data, regularization: regularization, hiddenUnits: hidden)
    }

    /// `start` when given (checked against the dimension `d` of `name`), else `fallback`.
    public func startPoint(default fallback: [Double], dimension d: Int, name: String) throws -> [Double] {
        guard let start else { return fallback }
        guard start.count == d else {
            throw ConfigurationError(field: "start", "has \(start.count) coordinates but \(name) has dimension \(d)")
        }
        return start
    }
}
