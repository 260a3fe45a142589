import ArgumentParser
import Foundation
import SGDynamics

/// `sgdyn stability`: Wu–Ma–E mean-square stability of SGD at a minimum (docs/THEORY.md §10.2), and
/// sharpness along GD against 2/η (edge of stability, §10.1); the library's `StabilityStudy`.
struct StabilityCommand: LibraryStudyCommand {
    typealias Runner = StabilityStudy
    static let configuration = CommandConfiguration(
        commandName: "stability",
        abstract: "Largest stable SGD learning rate at a minimum against batch size (Wu–Ma–E), or sharpness along GD against 2/η.",
        discussion: """
        At a minimum x* of f = (1/n)Σfᵢ, linearised SGD is e' = (I − ηH_B)e with Hᵢ = ∇²fᵢ(x*). Reported: \
        sharpness a = λ_max(H), non-uniformity s = λ_max(Σ_H)^{1/2}, Σ_H = (1/n)ΣHᵢ² − H², and for each \
        batch size of --batches and both samplings the largest stable η by the exact mean-square criterion \
        ρ(T) ≤ 1, T(M) = E[(I − ηH_B)M(I − ηH_B)] (closed form, no batch enumeration), by the sufficient \
        λ_max criterion λ_max{(I − ηH)² + η²c(b)Σ_H} ≤ 1, and gradient descent's 2/a. Claims: \
        η*_λmax ≤ η*_exact ≤ 2/a, with equality at c(b) = 0 (b = n without replacement).

        Problems: least-squares (default, diabetes; x* in closed form), logistic (breast_cancer, with its \
        L2 term --l2, x* by damped Newton), or --example overparameterized: least squares with n < d \
        random Gaussian samples (--example-samples, --dimension) and realizable targets, x* = the planted w*, an \
        interpolating global minimum whose null space is neutral.

        --check-paths N runs N paths of linearised SGD at a few η around η* (batch --check-batch, \
        --sampling) for --check-steps steps and prints the sampled E‖e_K‖² ± SE next to the exact \
        tr T^K(e₀e₀ᵀ), the growth per step and the fraction of paths that grew 10⁶-fold.

        --edge-of-stability instead runs GD at --eta for --steps steps from the start (or --x0) and records \
        λ_max(∇²f(x_k)) every --every steps against 2/η (Cohen et al. 2021); it also accepts --objective mlp.

        Writes stability.json (the result), stability.csv, stability-check.csv (with --check-paths) and \
        stability.svg (η* against b, log x) to --out; with --edge-of-stability, stability.json, \
        stability-eos.csv, stability-eos.svg (sharpness and 2/η) and stability-eos-loss.svg.
        """
    )

    static let flags = ["learningRate": "--eta", "batchSizes": "--batches"]

    @OptionGroup var problem: FiniteSumOptions

    @Option(name: .long, help: ArgumentHelp("Built-in example instead of --objective: overparameterized (least squares, n < d, realizable).", valueName: "name"))
    var example: StabilityStudy.Example?

    @Option(name: .customLong("example-samples"), help: ArgumentHelp("Samples n of the example (1…200, < --dimension).", valueName: "n"))
    var samples: Int = 10

    @Option(name: .long, help: ArgumentHelp("Dimension d of the example (2…400).", valueName: "d"))
    var dimension: Int = 20

    @Option(name: .long, help: ArgumentHelp("Batch sizes, comma separated (each ≥ 1). Default: 1, 2, 4, …, n.", valueName: "b,…"))
    var batches: String?

    @Option(name: .long, help: ArgumentHelp("Paths of the linearised-SGD check (0: no check; otherwise 2…10⁶).", valueName: "N"))
    var checkPaths: Int = 0

    @Option(name: .long, help: ArgumentHelp("Batch size of the check (default: the smallest of --batches).", valueName: "b"))
    var checkBatch: Int?

    @Option(name: .long, help: ArgumentHelp("Learning rates of the check as multiples of η*_exact, comma separated (each > 0).", valueName: "m,…"))
    var checkFactors: String = "0.5,0.9,1.1,1.5"

    @Option(name: .long, help: ArgumentHelp("Steps K of each checked path (1…10⁵).", valueName: "K"))
    var checkSteps: Int = 100

    @Option(name: .long, help: ArgumentHelp("Sampling of the check: with-replacement or without-replacement.", valueName: "s"))
    var sampling: BatchSampling = .withReplacement

    @Flag(name: .long, help: "Record the sharpness λ_max(∇²f) along a GD run at --eta against 2/η instead.")
    var edgeOfStability = false

    @Option(name: .long, help: ArgumentHelp("GD learning rate for --edge-of-stability (> 0). Default: 1.9/λ_max at the start.", valueName: "η"))
    var eta: Double?

    @Option(name: .long, help: ArgumentHelp("GD steps for --edge-of-stability (1…10⁶).", valueName: "N"))
    var steps: Int = 500

    @Option(name: .long, help: ArgumentHelp("Record the sharpness every K steps (≥ 1).", valueName: "K"))
    var every: Int = 10

    @Option(name: .long, help: ArgumentHelp("Random seed (example data, check paths).", valueName: "s"))
    var seed: UInt64 = 1

    @OptionGroup var threadOptions: ThreadOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var memoryOptions: MemoryOptions

    func configuration() throws -> StabilityStudy.Configuration {
        var c = StabilityStudy.Configuration()
        c.problem = try problem.choice(default: .leastSquares)
        c.example = example
        c.samples = samples
        c.dimension = dimension
        c.batchSizes = try batches.map { try parseBatchSizes($0, field: "--batches") }
        c.checkPaths = checkPaths
        c.checkBatch = checkBatch
        c.checkFactors = try parseNumbers(checkFactors, field: "--check-factors")
        c.checkSteps = checkSteps
        c.sampling = sampling
        c.edgeOfStability = edgeOfStability
        c.learningRate = eta
        c.steps = steps
        c.every = every
        c.seed = seed
        return c
    }
}

extension StabilityStudy.Example: ExpressibleByArgument {}
