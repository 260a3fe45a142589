import ArgumentParser
import Foundation
import SGDynamics

/// `sgdyn stationary`: the stationary law of SGD or SGLD in 1-D four ways, side by side (the
/// library's `StationaryStudy`).
struct StationaryCommand: LibraryStudyCommand {
    typealias Runner = StationaryStudy
    static let configuration = CommandConfiguration(
        commandName: "stationary",
        abstract: "Compare the stationary law of SGD or SGLD in 1-D (ensemble histogram, master equation) with its Langevin model (Fokker–Planck) and the Gibbs density.",
        discussion: """
        Four laws on one grid (docs/THEORY.md §6, §7, §8): (a) an ensemble of --paths runs, each iterate after \
        --burn-in steps for --steps more deposited at the nearest grid node (moments from the iterates, \
        standard errors from the spread of per-path averages); (b) the master equation of the algorithm \
        (transfer operator, power iteration; SGLD's Gaussian noise as whole-cell jumps with Gaussian \
        weights, or --quadrature-point Gauss–Hermite quadrature when √(2ηT) < Δθ); (c) its Langevin model dθ = −f'(θ)dt + √(2T)dW by the Chang–Cooper Fokker–Planck \
        scheme, with T = ησ²/2 for SGD (σ² = cΣ(θ*), the minibatch-gradient variance at θ*) and \
        T = T_SGLD + ησ²/2 for SGLD; (d) the Gibbs density e^{−f/T}/Z on the grid (the exact equilibrium of \
        (c), so their distance is round-off). For SGD on a finite sum with state-dependent noise the \
        SME-1 Fokker–Planck law (diffusion ηcΣ(θ)/2) is added. Where the chain is affine (per-sample \
        quadratics) the exact discrete moments are listed too. Distances: total variation, \
        Kullback–Leibler (ε = 1e-12 added to every cell) and Wasserstein-1, for each pair. --example \
        bernoulli --eta-lambda 0.5 shows SGD's uniform law on [−1, 1] (density 0.5, variance 1/3) against \
        the Langevin Gaussian of variance 0.25. Writes stationary.csv, stationary.json and stationary.svg.
        """
    )

    static let flags = OneDimensionalObjectiveOptions.flags

    @OptionGroup var objectiveOptions: OneDimensionalObjectiveOptions

    @Option(name: .long, help: ArgumentHelp("Algorithm: sgd or sgld.", valueName: "name"))
    var algorithm: StationaryStudy.AlgorithmName = .sgd

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("SGLD temperature T > 0 (θ' = θ − ηĝ + √(2ηT)ξ).", valueName: "T"))
    var temperature: Double = 0.1

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Grid lower:upper:count (default: the support of the laws plus a margin).", valueName: "lo:hi:n"))
    var grid: String?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Ensemble paths (2 to 10⁷).", valueName: "N"))
    var paths: Int = 1000

    @Option(name: .customLong("burn-in"), parsing: .unconditional, help: ArgumentHelp("Steps discarded at the start of each path (≥ 0).", valueName: "k"))
    var burnIn: Int = 1000

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Steps recorded per path after the burn-in (≥ 1).", valueName: "k"))
    var steps: Int = 10_000

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Random seed of the ensemble.", valueName: "s"))
    var seed: UInt64 = 1

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Power-iteration tolerance on ‖Δp‖₁ (> 0).", valueName: "ε"))
    var tolerance: Double = 1e-14

    @Option(name: .customLong("max-iterations"), parsing: .unconditional, help: ArgumentHelp("Power-iteration cap (≥ 1).", valueName: "n"))
    var maxIterations: Int = 100_000

    @Option(name: .customLong("max-batches"), parsing: .unconditional, help: ArgumentHelp("Enumerate all batches when there are at most this many, else sample this many.", valueName: "n"))
    var maxBatches: Int = 100_000

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Gauss–Hermite points for SGLD's Gaussian noise in the master equation when √(2ηT) < Δθ (1 to 200).", valueName: "m"))
    var quadrature: Int = 40

    @OptionGroup var threadOptions: ThreadOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var memoryOptions: MemoryOptions

    func configuration() throws -> StationaryStudy.Configuration {
        var c = StationaryStudy.Configuration()
        c.objective = try objectiveOptions.choice()
        c.algorithm = algorithm
        c.temperature = temperature
        c.grid = try grid.map { try parseGrid($0) }
        c.paths = paths
        c.burnIn = burnIn
        c.steps = steps
        c.seed = seed
        c.tolerance = tolerance
        c.maxIterations = maxIterations
        c.maxBatches = maxBatches
        c.quadrature = quadrature
        return c
    }
}

extension StationaryStudy.AlgorithmName: ExpressibleByArgument {}
