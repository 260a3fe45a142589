import ArgumentParser
import Foundation
import SGDynamics

/// `sgdyn master`: the exact finite-η law of SGD by its master equation (the library's `MasterStudy`).
struct MasterCommand: LibraryStudyCommand {
    typealias Runner = MasterStudy
    static let configuration = CommandConfiguration(
        commandName: "master",
        abstract: "Solve SGD's finite-η master equation (transfer operator) in 1-D and compare its law with the Langevin/OU model and the Gibbs density.",
        discussion: """
        SGD with finitely many minibatches B is the Markov chain θ' = T_B(θ) = θ − η∇f_B(θ); its law evolves \
        by the master equation p_{k+1}(θ') = Σ_B P(B) ∫ δ(θ' − T_B(θ)) p_k(θ) dθ (docs/THEORY.md §8.2), solved on \
        --grid by cloud-in-cell deposit (§8.3: a column-stochastic matrix, mass and positivity exact, an \
        O(Δθ²) interpolation bias). Batches are enumerated exactly when there are at most --max-batches, \
        else sampled (the output says which). Without --steps the stationary law is found by power \
        iteration to ‖Δp‖₁ < --tolerance; with --steps the law is evolved from a point mass at --start \
        (t = kη). Objectives: --example bernoulli (f_{1,2}(θ) = ½λ(θ ∓ 1)², batch 1, §8.4: at ηλ = 0.5 the \
        law is Uniform[−1, 1], variance 1/3, excess kurtosis −1.2), shifted-quadratics, or least-squares \
        on a CSV with one feature. The Langevin prediction is the OU/Langevin model at temperature \
        T = ησ²/2 matched to SGD's per-step noise ησ (σ² = cΣ(θ*), §8.2): a Gaussian of variance \
        ησ²/(2λ), λ = f''(θ*); the Gibbs density is e^{−f/T}/Z on the grid. The exact discrete moments come \
        from the affine moment recursion (§6.3, §6.5). With --momentum μ the chain is heavy ball in \
        (θ, v) on a 2-D --grid θ-axis,v-axis; the Langevin model is then momentum regime A, variance \
        ησ²/(2λ(1−μ)) (§4.4, §6.4). Writes master.csv, master.json and master.svg (and master-2d.svg \
        with --momentum) to --out.
        """
    )

    static let flags = OneDimensionalObjectiveOptions.flags.merging(["start": "--start"]) { a, _ in a }

    @OptionGroup var objectiveOptions: OneDimensionalObjectiveOptions

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Grid lower:upper:count (default: the support of the law plus a margin, Δθ ≤ sd/20). With --momentum: θ-axis,v-axis.", valueName: "lo:hi:n"))
    var grid: String?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Evolve the law for this many steps from a point mass at --start (default: the stationary law).", valueName: "k"))
    var steps: Int?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Starting point θ₀ of --steps (default θ*).", valueName: "θ₀"))
    var start: Double?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Rows (save points) of a --steps run (≥ 1).", valueName: "n"))
    var saves: Int = 10

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Power-iteration tolerance on ‖p_{k+1} − p_k‖₁ (> 0).", valueName: "ε"))
    var tolerance: Double = 1e-14

    @Option(name: .customLong("max-iterations"), parsing: .unconditional, help: ArgumentHelp("Power-iteration cap (≥ 1).", valueName: "n"))
    var maxIterations: Int = 100_000

    @Option(name: .customLong("max-batches"), parsing: .unconditional, help: ArgumentHelp("Enumerate all batches when there are at most this many, else sample this many (≥ 1).", valueName: "n"))
    var maxBatches: Int = 100_000

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Seed for sampled batches.", valueName: "s"))
    var seed: UInt64 = 0

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Heavy-ball momentum μ in [0, 1): the chain in (θ, v), on a 2-D grid.", valueName: "μ"))
    var momentum: Double?

    @OptionGroup var output: OutputOptions
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var memoryOptions: MemoryOptions

    func configuration() throws -> MasterStudy.Configuration {
        var c = MasterStudy.Configuration()
        c.objective = try objectiveOptions.choice()
        c.grid = try grid.map { try parseGrid($0) }
        c.steps = steps
        c.start = start
        c.saves = saves
        c.tolerance = tolerance
        c.maxIterations = maxIterations
        c.maxBatches = maxBatches
        c.seed = seed
        c.momentum = momentum
        return c
    }
}
