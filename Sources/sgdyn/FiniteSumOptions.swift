import ArgumentParser
import Foundation
import SGDynamics

/// Options choosing a finite-sum objective of the catalog (least squares, logistic regression, MLP),
/// shared by `noise` and `stability` (the library's `FiniteSumChoice`).
struct FiniteSumOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Finite-sum objective: least-squares (data diabetes), logistic (breast_cancer) or mlp (digits), or samples (a per-sample formula, --samples over --data; the default when --samples is given). Default: logistic for noise, least-squares for stability.", valueName: "name"))
    var objective: FiniteSumName?

    @OptionGroup var formula: FormulaOptions

    @Option(name: .long, help: ArgumentHelp("CSV data set (header row, last column the target) instead of the bundled one.", valueName: "file"))
    var data: String?

    @Option(name: .long, help: ArgumentHelp("L2 weight λ ≥ 0 of logistic and mlp (default 0.01 for logistic, 1e-4 for mlp; with λ = 0 breast_cancer is separable and has no minimum).", valueName: "λ"))
    var l2: Double?

    @Option(name: .long, help: ArgumentHelp("Hidden units of the mlp (1…256).", valueName: "H"))
    var hidden: Int = 16

    @Option(name: .long, help: ArgumentHelp("Point or start, comma separated; its length must equal the dimension.", valueName: "x,…"))
    var x0: String?

    @Option(name: .long, help: ArgumentHelp("Iterations of the minimizer search: damped Newton for d ≤ 200 (default 100, stops at ‖∇f‖ ≤ 1e-10·max(1, ‖∇f(x₀)‖)), else GD (default 500).", valueName: "N"))
    var fitSteps: Int?

    @Option(name: .long, help: ArgumentHelp("Learning rate of the GD minimizer search (default 1/λ_max at the start).", valueName: "η"))
    var fitEta: Double?

    /// The library's choice, with the objective's default L2 weight filled in.
    func choice(default name: FiniteSumName) throws -> FiniteSumChoice {
        if formula.noise != nil { throw CLIError.usage("--noise", "applies to an oracle formula (--objective 'expr: …' of simulate, weak-error, flow, gap); a sample formula's noise is its minibatches") }
        let name = objective ?? (formula.samples != nil ? .samples : name)
        var c = FiniteSumChoice(objective: name, data: data, l2: l2 ?? name.defaultL2, hidden: hidden,
                                start: try x0.map { try parseNumbers($0, field: "--x0") }, fitSteps: fitSteps, fitEta: fitEta)
        c.samples = formula.samples
        c.variables = formula.variableNames
        c.parameters = try formula.parameters.map(FormulaOptions.parseParameters)
        return c
    }
}

/// Parse a comma-separated list of batch sizes (whole numbers; the study checks their range).
func parseBatchSizes(_ text: String, field: String) throws -> [Int] {
    try parseNumbers(text, field: field).map { v in
        guard v == v.rounded(), abs(v) <= 1e15 else { throw CLIError.usage(field, "batch sizes must be whole numbers between 1 and 10⁶, got \(fmt(v))") }
        return Int(v)
    }
}

extension FiniteSumName: ExpressibleByArgument {}
