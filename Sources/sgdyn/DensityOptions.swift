import ArgumentParser
import Foundation
import SGDynamics

// Flag parsing shared by the density commands `fokker-planck`, `master` and `stationary`.

/// Parse `lower:upper:count` per axis, axes separated by commas (`-3:3:121` or `-2:2:81,-2:2:81`);
/// the study checks the values.
func parseGrid(_ text: String, field: String = "--grid") throws -> [GridAxis] {
    try text.split(separator: ",", omittingEmptySubsequences: false).map { part in
        let p = part.trimmingCharacters(in: .whitespaces)
        let f = p.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard f.count == 3, let lo = Double(f[0]), let hi = Double(f[1]) else {
            throw CLIError.usage(field, "'\(p)' is not lower:upper:count (for example -3:3:121)")
        }
        guard let n = Int(f[2]) else { throw CLIError.usage(field, "the node count in '\(p)' must be an integer ≥ 3, got '\(f[2])'") }
        return GridAxis(lower: lo, upper: hi, count: n)
    }
}

/// Options choosing a 1-D objective and SGD's learning rate, shared by `master` and `stationary`.
struct OneDimensionalObjectiveOptions: ParsableArguments {
    /// The library's names of these options → their flags.
    static let flags: [String: String] = [
        "objective.example": "--example", "objective.name": "--objective", "objective.etaLambda": "--eta-lambda",
        "objective.lambda": "--lambda", "objective.centers": "--centers", "objective.curvatures": "--curvatures",
        "objective.data": "--data", "objective.diagonal": "--diagonal", "objective.learningRate": "--learning-rate",
        "objective.batchSize": "--batch-size", "objective.sampling": "--sampling",
    ]

    @Option(name: .long, help: ArgumentHelp("Worked example: bernoulli (n = 2 samples f_{1,2}(θ) = ½λ(θ ∓ 1)², docs/THEORY.md §8.4). Default when no --objective is given.", valueName: "name"))
    var example: DensityObjectiveChoice.Example?

    @Option(name: .customLong("eta-lambda"), parsing: .unconditional, help: ArgumentHelp("ηλ for --example bernoulli, in (0, 2) (default 0.5: SGD's law is Uniform[−1, 1]).", valueName: "ηλ"))
    var etaLambda: Double?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Curvature λ > 0 of the bernoulli example (η = ηλ/λ).", valueName: "λ"))
    var lambda: Double = 1

    @Option(name: .long, help: ArgumentHelp("1-D objective: shifted-quadratics (--centers, --curvatures), least-squares (--data with one feature column), or, for sgld only, double-well, quartic, quadratic (--diagonal λ) or a formula 'expr: (x^2 - 1)^2/4' (docs/THEORY.md §11.1).", valueName: "name"))
    var objective: String?

    @Option(name: .long, help: ArgumentHelp("Constants of an 'expr: …' formula, e.g. a=0.5,b=2.", valueName: "a=v,…"))
    var parameters: String?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Centres c_i of f_i(θ) = ½λ_i(θ − c_i)² for shifted-quadratics.", valueName: "c,…"))
    var centers: String?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Curvatures λ_i > 0 for shifted-quadratics: one value for all, or one per centre (default 1).", valueName: "λ,…"))
    var curvatures: String?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("CSV data set (header row, one feature column, last column the target) for least-squares: fᵢ(θ) = ½(xᵢθ − yᵢ)², feature standardized, no intercept.", valueName: "file"))
    var data: String?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Curvature λ of --objective quadratic (½λθ²).", valueName: "λ"))
    var diagonal: String?

    @Option(name: .customLong("learning-rate"), parsing: .unconditional, help: ArgumentHelp("Learning rate η > 0 (not with --example, which takes --eta-lambda).", valueName: "η"))
    var learningRate: Double?

    @Option(name: .customLong("batch-size"), parsing: .unconditional, help: ArgumentHelp("Minibatch size b ≥ 1 (≤ n without replacement).", valueName: "b"))
    var batchSize: Int = 1

    @Option(name: .long, help: ArgumentHelp("Minibatch sampling: without-replacement or with-replacement (reshuffling is not a Markov chain in θ).", valueName: "s"))
    var sampling: BatchSampling = .withoutReplacement

    /// The library's choice of objective.
    func choice() throws -> DensityObjectiveChoice {
        var name: DensityObjectiveChoice.Name?, expression: String?
        if let o = objective {
            if let e = FormulaOptions.strip(o.trimmingCharacters(in: .whitespaces), "expr:") ?? FormulaOptions.strip(o, "expression:") {
                (name, expression) = (.expression, e)
            } else if let n = DensityObjectiveChoice.Name(rawValue: o), n != .expression {
                name = n
            } else {
                let valid = DensityObjectiveChoice.Name.allCases.filter { $0 != .expression }.map(\.rawValue).joined(separator: ", ")
                throw CLIError.usage("--objective", "unknown objective '\(o)'; valid: \(valid), or a formula 'expr: …'")
            }
        }
        if parameters != nil, expression == nil { throw CLIError.usage("--parameters", "applies to --objective 'expr: …' only") }
        var c = DensityObjectiveChoice(example: example, name: name, etaLambda: etaLambda, lambda: lambda,
                               centers: try centers.map { try parseNumbers($0, field: "--centers") },
                               curvatures: try curvatures.map { try parseNumbers($0, field: "--curvatures") },
                               data: data, diagonal: try diagonal.map { try parseNumbers($0, field: "--diagonal") },
                               learningRate: learningRate, batchSize: batchSize, sampling: sampling)
        c.expression = expression
        c.parameters = try parameters.map(FormulaOptions.parseParameters)
        return c
    }
}

extension DensityObjectiveChoice.Example: ExpressibleByArgument {}
extension DensityObjectiveChoice.Name: ExpressibleByArgument {}
extension BatchSampling: ExpressibleByArgument {}
