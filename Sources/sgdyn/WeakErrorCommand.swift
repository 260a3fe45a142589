import ArgumentParser
import Foundation
import SGDynamics

/// `sgdyn weak-error`: weak error of SGD's stochastic modified equations against η (Li, Tai & E).
struct WeakErrorCommand: LibraryStudyCommand {
    typealias Runner = WeakErrorStudy
    static let configuration = CommandConfiguration(
        commandName: "weak-error",
        abstract: "Measure max_k |E g(x_k) − E g(X_{kη})| between SGD and its SMEs over an η grid, with intervals and fitted orders.",
        discussion: """
        Objectives: li-tai-e (f_γ = ½(x−γ)ᵀH(x−γ), γ ~ N(0, I), H = diag(--diagonal), docs/THEORY.md §5.3) \
        and the finite sums least-squares, logistic (minibatch --batch, with replacement). Models: sme1 \
        (dX = −∇f dt + (ηΣ/b)^{1/2} dW) and sme2 (drift −∇(f + (η/4)‖∇f‖²)); time t = kη. Test functions: \
        f, x1…xd (a coordinate), norm2 (‖x‖²), x1^4 (a coordinate to the fourth). \
        Modes: exact (closed-form Gaussian moments; li-tai-e only), mc (Monte Carlo ensembles), auto \
        (exact where available). In Monte Carlo mode the SMEs of li-tai-e are integrated with their exact \
        linear transition (no solver error); other SMEs with Euler–Maruyama at step η/--substeps. \
        The interval of each error is the 95% interval of the max over k; the order is a least-squares \
        slope of log error on log η with a 95% interval.
        """
    )

    @Option(name: .long, help: ArgumentHelp("Objective: li-tai-e, least-squares, logistic, samples (a per-sample formula, --samples with --data; the default when --samples is given), or an oracle formula 'expr: f_γ(x)' with --noise (docs/THEORY.md §11.3).", valueName: "name"))
    var objective: String?

    @OptionGroup var formula: FormulaOptions

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Hessian diagonal of the li-tai-e quadratic.", valueName: "λ,…"))
    var diagonal: String = "1,2"

    @Option(name: .long, help: ArgumentHelp("CSV data set for least-squares, logistic or --samples.", valueName: "file"))
    var data: String?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Starting point (default: all ones for li-tai-e, zeros otherwise).", valueName: "x,…"))
    var x0: String?

    @Option(name: .long, help: ArgumentHelp("Algorithm: sgd, hb (heavy ball) or nag (Nesterov); hb and nag are compared with their regime-A SME (η/(1−μ), t = kη).", valueName: "name"))
    var algorithm: WeakErrorStudy.AlgorithmName = .sgd

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Momentum μ in [0, 1) for hb and nag.", valueName: "μ"))
    var momentum: Double = 0.5

    @Option(name: .long, help: ArgumentHelp("Models, comma separated: sme1, sme2 (sme1 only for hb and nag). Default: sme1,sme2 for sgd, sme1 for hb and nag.", valueName: "m,…"))
    var models: String?

    @Option(name: .long, help: ArgumentHelp("Test function g: f, x1…xd, norm2 or x1^4 (any coordinate).", valueName: "g"))
    var test: String = "f"

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Learning rates, comma separated, each in (0, 1).", valueName: "η,…"))
    var etas: String = "0.1,0.05,0.025,0.0125"

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Horizon T (> 0); k runs over 0…⌊T/η⌋.", valueName: "T"))
    var horizon: Double = 1

    @Option(name: .long, help: ArgumentHelp("Mode: exact, mc or auto.", valueName: "mode"))
    var mode: WeakErrorStudy.Mode = .auto

    @Option(name: .long, help: ArgumentHelp("Monte Carlo paths per ensemble (≥ 2).", valueName: "N"))
    var paths: Int = 100_000

    @Option(name: .long, help: ArgumentHelp("Minibatch size b (≥ 1; ≤ n for data sets).", valueName: "b"))
    var batch: Int = 1

    @Option(name: .long, help: ArgumentHelp("Euler–Maruyama substeps per η for non-linear SMEs (≥ 1).", valueName: "r"))
    var substeps: Int = 20

    @Option(name: .long, help: ArgumentHelp("Random seed.", valueName: "s"))
    var seed: UInt64 = 1

    @OptionGroup var threadOptions: ThreadOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var memoryOptions: MemoryOptions

    func configuration() throws -> WeakErrorStudy.Configuration {
        var c = WeakErrorStudy.Configuration()
        if let f = try formula.choice(objective: objective, data: data), f.expression != nil {
            c.objective = .expression
            c.expression = f.expression
            c.noise = f.noise
        } else if let o = objective {
            guard let name = WeakErrorStudy.ObjectiveName(rawValue: o), name != .expression else {
                throw CLIError.usage("--objective", "unknown objective '\(o)'; valid: li-tai-e, least-squares, logistic, samples, or an oracle formula 'expr: …' with --noise")
            }
            c.objective = name
        } else {
            c.objective = formula.samples != nil ? .samples : .liTaiE
        }
        c.samples = formula.samples
        c.variables = formula.variableNames
        c.parameters = try formula.parameters.map(FormulaOptions.parseParameters)
        c.diagonal = try parseNumbers(diagonal, field: "--diagonal")
        c.data = data
        c.start = try x0.map { try parseNumbers($0, field: "--x0") }
        c.algorithm = algorithm
        c.momentum = momentum
        c.models = try parseChoices(models ?? (algorithm == .sgd ? "sme1,sme2" : "sme1"), field: "--models")
        c.test = test
        c.learningRates = try parseNumbers(etas, field: "--etas")
        c.horizon = horizon
        c.mode = mode
        c.paths = paths
        c.batch = batch
        c.substeps = substeps
        c.seed = seed
        return c
    }
}

extension WeakErrorStudy.ObjectiveName: ExpressibleByArgument {}
extension WeakErrorStudy.AlgorithmName: ExpressibleByArgument {}
extension WeakErrorStudy.ModelName: ExpressibleByArgument {}
extension WeakErrorStudy.Mode: ExpressibleByArgument {}
