import ArgumentParser
import Foundation
import SGDynamics

/// `sgdyn fokker-planck`: the density of a Langevin or SME-1 model in 1-D or 2-D (the library's
/// `FokkerPlanckStudy`).
struct FokkerPlanckCommand: LibraryStudyCommand {
    typealias Runner = FokkerPlanckStudy
    static let configuration = CommandConfiguration(
        commandName: "fokker-planck",
        abstract: "Solve the Fokker–Planck equation of a Langevin or SME-1 model in 1-D or 2-D: its stationary law (vs the Gibbs density) or its transient from a start.",
        discussion: """
        ∂_t p = ∇·(p∇f + D∇p) for Langevin dθ = −∇f dt + √(2D)dW (D = --temperature), or the SME-1 of SGD \
        dθ = −∇f dt + (ηcΣ(θ))^{1/2} dW (--model sme: --learning-rate, --batch-size, --sampling; objectives \
        with gradient noise only: li-tai-e, shifted-quadratics, least-squares). Discretisation: Chang–Cooper \
        exponential fitting with zero-flux walls (docs/THEORY.md §7.2–§7.3), cell masses on --grid \
        (lower:upper:count, or two axes for 2-D). With a gradient drift and constant isotropic diffusion the \
        face coefficients are potential differences, and the discrete equilibrium is exactly the grid Gibbs \
        law e^{−f/D}/Z; the table then lists TV, KL (ε = 1e-12 per cell) and W1 (per marginal in 2-D) to it. \
        Otherwise the drift and diffusion are taken at the faces (equilibrium exact to O(Δx²)). Default: \
        the stationary law (A p = 0, Σ p = 1). With --time T: implicit Euler (mass and positivity for every \
        --dt, error O(dt)) from a point mass or a Gaussian (--start, --start-variance), rows at --saves \
        times. The default case is docs/THEORY.md §7.4: f = (x²−1)²/4, D = 0.3, 121 points on [−3, 3], \
        Σ x²g = 0.8405464652307093. Writes fokker-planck.csv, .json and .svg (1-D: densities overlaid; 2-D: a \
        heatmap) to --out.
        """
    )

    static let flags = ["timeStep": "--dt", "start": "--start"]

    @Option(name: .long, help: ArgumentHelp("Objective: double-well, quartic, quadratic (--diagonal), double-well-2d, ill-quadratic, rosenbrock; with gradient noise (also for --model sme): li-tai-e (--diagonal), shifted-quadratics (--centers), least-squares (--data, 1 or 2 feature columns); or a potential written as a formula, 'expr: (x^2 - 1)^2/4' (1 or 2 variables; --parameters a=…).", valueName: "name"))
    var objective: String = "double-well"

    @Option(name: .long, help: ArgumentHelp("Constants of an 'expr: …' formula, e.g. a=0.5,b=2.", valueName: "a=v,…"))
    var parameters: String?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Hessian diagonal for quadratic and li-tai-e (1 or 2 values).", valueName: "λ,…"))
    var diagonal: String?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Centres c_i of f_i(θ) = ½λ_i(θ − c_i)² for shifted-quadratics.", valueName: "c,…"))
    var centers: String?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Curvatures λ_i > 0 for shifted-quadratics (one, or one per centre; default 1).", valueName: "λ,…"))
    var curvatures: String?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("CSV data set for least-squares (one or two feature columns, standardized, no intercept).", valueName: "file"))
    var data: String?

    @Option(name: .long, help: ArgumentHelp("Model: langevin, sme (SME-1 of SGD) or sde (--drift, --diffusion; the default when they are given).", valueName: "name"))
    var model: FokkerPlanckStudy.ModelName?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Drift b of an SDE written as formulas (model sde, the default when given): b(x), or b_x; b_y in x, y, e.g. '-x^3 + x'.", valueName: "b[; b_y]"))
    var drift: String?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Diffusion D = σσᵀ/2 of an SDE (model sde): D(x) in 1-D; in 2-D D, or D_xx; D_yy, or D_xx; D_xy; D_yy (positive semidefinite on the grid).", valueName: "D[; …]"))
    var diffusion: String?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Langevin temperature D > 0.", valueName: "D"))
    var temperature: Double = 0.3

    @Option(name: .customLong("learning-rate"), parsing: .unconditional, help: ArgumentHelp("SME: learning rate η > 0.", valueName: "η"))
    var learningRate: Double = 0.1

    @Option(name: .customLong("batch-size"), parsing: .unconditional, help: ArgumentHelp("SME: minibatch size b ≥ 1 (≤ n without replacement).", valueName: "b"))
    var batchSize: Int = 1

    @Option(name: .long, help: ArgumentHelp("SME: with-replacement or without-replacement.", valueName: "s"))
    var sampling: BatchSampling = .withReplacement

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Grid lower:upper:count per axis (default -3:3:121, or -3:3:81,-3:3:81 in 2-D).", valueName: "lo:hi:n[,…]"))
    var grid: String?

    @Flag(name: .long, help: "Compute the stationary law (the default unless --time is given).")
    var stationary = false

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Evolve the density up to time T > 0 instead.", valueName: "T"))
    var time: Double?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Implicit Euler time step (> 0).", valueName: "Δt"))
    var dt: Double = 0.01

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Rows (save times) of a --time run (1 to 1000).", valueName: "n"))
    var saves: Int = 10

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Start of a --time run, x or x,y (default: the objective's start).", valueName: "x[,y]"))
    var start: String?

    @Option(name: .customLong("start-variance"), parsing: .unconditional, help: ArgumentHelp("Variance v ≥ 0 of a Gaussian start (0: a point mass).", valueName: "v"))
    var startVariance: Double = 0

    @OptionGroup var output: OutputOptions
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var memoryOptions: MemoryOptions

    func configuration() throws -> FokkerPlanckStudy.Configuration {
        if stationary && time != nil { throw CLIError.usage("--time", "give either --time T (transient) or --stationary, not both") }
        var c = FokkerPlanckStudy.Configuration()
        if let e = FormulaOptions.strip(objective.trimmingCharacters(in: .whitespaces), "expr:") {
            c.objective = .expression
            c.expression = e
            c.parameters = try parameters.map(FormulaOptions.parseParameters)
        } else {
            guard let name = FokkerPlanckStudy.ObjectiveName(rawValue: objective), name != .expression else {
                let valid = FokkerPlanckStudy.ObjectiveName.allCases.filter { $0 != .expression }.map(\.rawValue).joined(separator: ", ")
                throw CLIError.usage("--objective", "unknown objective '\(objective)'; valid: \(valid), or a formula 'expr: …'")
            }
            if parameters != nil, drift == nil, diffusion == nil { throw CLIError.usage("--parameters", "applies to --objective 'expr: …' or --drift/--diffusion formulas only") }
            c.parameters = try parameters.map(FormulaOptions.parseParameters)
            c.objective = name
        }
        c.diagonal = try diagonal.map { try parseNumbers($0, field: "--diagonal") }
        c.centers = try centers.map { try parseNumbers($0, field: "--centers") }
        c.curvatures = try curvatures.map { try parseNumbers($0, field: "--curvatures") }
        c.data = data
        c.model = model ?? (drift != nil || diffusion != nil ? .sde : .langevin)
        c.drift = drift.map { $0.split(separator: ";", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) } }
        c.diffusion = diffusion.map { $0.split(separator: ";", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) } }
        c.temperature = temperature
        c.learningRate = learningRate
        c.batchSize = batchSize
        c.sampling = sampling
        c.grid = try grid.map { try parseGrid($0) }
        c.time = time
        c.timeStep = dt
        c.saves = saves
        c.start = try start.map { try parseNumbers($0, field: "--start") }
        c.startVariance = startVariance
        return c
    }
}

extension FokkerPlanckStudy.ObjectiveName: ExpressibleByArgument {}
extension FokkerPlanckStudy.ModelName: ExpressibleByArgument {}
