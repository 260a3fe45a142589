/// An objective chosen by name, with what a study needs to know about it.
public struct CatalogObjective: Sendable {
    public let objective: any Objective
    /// A sensible starting point.
    public let start: [Double]
    /// The minimizer when it is known in closed form (or computed exactly).
    public let minimizer: [Double]?
    /// A plotting window for 2-D objectives.
    public let window: (x: ClosedRange<Double>, y: ClosedRange<Double>)?
    /// Whether the SVG should colour by log(f − f* + ε) (wide dynamic range).
    public let logColour: Bool
}

/// The built-in objectives by name (the CLI's `--objective`).
public enum ObjectiveCatalog {
    public static let names: [String: String] = [
        "ill-quadratic": "½ xᵀ diag(1, 10) x, the ill-conditioned quadratic of docs/THEORY.md §4.1",
        "quadratic": "½ xᵀ diag(λ) x with --diagonal λ₁,λ₂,…",
        "rosenbrock": "(1 − x)² + 100 (y − x²)²",
        "double-well": "(x² − 1)²/4 in 1-D",
        "double-well-2d": "(x² − 1)² + y²/2",
        "quartic": "x⁴/4 + x²/2 (docs/THEORY.md §4.2)",
        "least-squares": "½(xᵢᵀw − yᵢ)² on a CSV data set (default: diabetes, standardized, with intercept)",
        "logistic": "logistic regression on a CSV data set with 0/1 target (default: breast_cancer)",
        "mlp": "one-hidden-layer tanh MLP classifier (default: digits, 16 hidden units)",
    ]

    public static var validNames: String { names.keys.sorted().joined(separator: ", ") }

    /// Build an objective. `data` is a CSV path for the data-set objectives (nil: the bundled default).
    public static func make(_ name: String, diagonal: [Double]? = nil, data: String? = nil,
                            regularization: Double = 0, hiddenUnits: Int = 16) throws -> CatalogObjective {
        func dataset(_ builtIn: String) throws -> Dataset {
            if let data { return try Dataset.load(csvAt: data) }
            return try Dataset.builtIn(builtIn)
        }
        switch name {
        case "ill-quadratic":
            return CatalogObjective(objective: Quadratic(diagonal: [1, 10], name: "ill-quadratic"), start: [1, 1],
                                    minimizer: [0, 0], window: (-1.25...1.25, -1.25...1.25), logColour: false)
        case "quadratic":
            guard let diagonal, !diagonal.isEmpty else {
                throw ConfigurationError(field: "diagonal", "the quadratic needs its Hessian diagonal, e.g. --diagonal 1,10")
            }
            guard diagonal.allSatisfy({ $0 > 0 && $0.isFinite }) else {
                throw ConfigurationError(field: "diagonal", "every Hessian eigenvalue must be positive and finite, got \(diagonal)")
            }
            let d = diagonal.count
            return CatalogObjective(objective: Quadratic(diagonal: diagonal), start: [Double](repeating: 1, count: d),
                                    minimizer: [Double](repeating: 0, count: d),
                                    window: d == 2 ? (-1.25...1.25, -1.25...1.25) : nil, logColour: false)
        case "rosenbrock":
            return CatalogObjective(objective: Rosenbrock(), start: [-1.2, 1], minimizer: [1, 1],
                                    window: (-1.6...1.6, -0.6...1.8), logColour: true)
        case "double-well":
            return CatalogObjective(objective: DoubleWell(dimension: 1), start: [0.2], minimizer: [1], window: nil, logColour: false)
        case "double-well-2d":
            return CatalogObjective(objective: DoubleWell(dimension: 2, height: 1), start: [0.15, 1], minimizer: [1, 0],
                                    window: (-1.6...1.6, -1.3...1.3), logColour: false)
        case "quartic":
            return CatalogObjective(objective: Quartic(c: 1), start: [1], minimizer: [0], window: nil, logColour: false)
        case "least-squares":
            let ls = LeastSquares(dataset: try dataset("diabetes"))
            return CatalogObjective(objective: ls, start: [Double](repeating: 0, count: ls.dimension),
                                    minimizer: try? ls.minimizer, window: nil, logColour: false)
        case "logistic":
            let lr = try LogisticRegression(dataset: try dataset("breast_cancer"), regularization: regularization)
            return CatalogObjective(objective: lr, start: [Double](repeating: 0, count: lr.dimension),
                                    minimizer: nil, window: nil, logColour: false)
        case "mlp":
            let m = try MLPClassifier(dataset: try dataset("digits"), hiddenUnits: hiddenUnits, regularization: regularization)
            return CatalogObjective(objective: m, start: m.initialParameters(seed: 1), minimizer: nil, window: nil,
                                    logColour: false)
        default:
            throw ConfigurationError(field: "objective", "unknown objective '\(name)'; valid: \(validNames)")
        }
    }
}
