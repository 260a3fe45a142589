import ArgumentParser
import Foundation
import SGDynamics

/// `sgdyn noise`: gradient-noise diagnostics of a finite-sum objective at a point or along a run
/// (the library's `NoiseStudy`; docs/THEORY.md §2.1–2.2, §9).
struct NoiseCommand: LibraryStudyCommand {
    typealias Runner = NoiseStudy
    static let configuration = CommandConfiguration(
        commandName: "noise",
        abstract: "Measure the minibatch gradient noise of a finite sum: Σ spectrum, alignment with the Hessian, Gaussianity, tail index, 1/b scaling.",
        discussion: """
        The noise is ξ_B = g_B − ∇f(x), g_B the mean of b per-sample gradients (docs/THEORY.md §2.2), with \
        Cov ξ_B = c(b) Σ(x), Σ = (1/n) Σᵢ (∇fᵢ − ∇f)(∇fᵢ − ∇f)ᵀ and c(b) = 1/b with replacement, \
        (n−b)/(b(n−1)) without. Reported, each next to the claim it checks: the top eigenvalues of Σ, tr Σ \
        and the effective rank tr Σ/λ_max; cos(Σ, H) and tr Σ/tr H (exact for d ≤ 500, else Hutchinson \
        with standard errors); for the top eigenvectors vⱼ of Σ the variance, skewness, excess kurtosis \
        (± jackknife SE) and the Jarque–Bera p-value of vⱼᵀξ_B over --draws sampled batches (Gaussian: \
        kurtosis 0); the tail index α̂ of ξ_B with a 95% interval (Şimşekli et al.; Gaussian: α = 2); and \
        E‖ξ_B‖² against c(b) tr Σ over --batches with the fitted log–log slope (−1 with replacement; not a \
        test when the grid holds b = n without replacement, inconclusive when its interval is wider than \
        half the predicted slope).

        The point is the minimum (least squares: closed form; d ≤ 200: damped Newton; larger: GD for \
        --fit-steps steps), or --at start (the objective's starting point), or --x0. With --along K the \
        diagnostics run at every K-th iterate of a GD or SGD run of --steps steps from the start instead.

        Writes noise.csv, noise.json (the result) and the SVGs noise-spectrum.svg (Σ spectrum, log y), \
        noise-scaling.svg (E‖ξ_B‖² against b, log–log, reference slope −1) and noise-tail.svg (log–log \
        survival of standardized projections and of ‖ξ_B‖ against the Gaussian) to --out; along a run, \
        noise-along.svg and noise-along-shape.svg.
        """
    )

    static let flags = ["learningRate": "--eta", "batchSizes": "--batches"]

    @OptionGroup var problem: FiniteSumOptions

    @Option(name: .long, help: ArgumentHelp("Where to measure: minimum or start (ignored with --x0 or --along).", valueName: "where"))
    var at: NoiseStudy.Location = .minimum

    @Option(name: .long, help: ArgumentHelp("Diagnose every K-th iterate (K ≥ 1) of a run of --steps steps from the start.", valueName: "K"))
    var along: Int?

    @Option(name: .long, help: ArgumentHelp("Run length for --along (≥ 1).", valueName: "N"))
    var steps: Int = 100

    @Option(name: .long, help: ArgumentHelp("Algorithm of the --along run: gd or sgd (minibatches of --batch with --sampling).", valueName: "name"))
    var algorithm: NoiseStudy.RunAlgorithm = .gd

    @Option(name: .long, help: ArgumentHelp("Learning rate of the --along run (> 0). Default: 1/λ_max(∇²f) at the start.", valueName: "η"))
    var eta: Double?

    @Option(name: .long, help: ArgumentHelp("Batch size b of the sampled noise (1…10⁶; ≤ n without replacement).", valueName: "b"))
    var batch: Int = 32

    @Option(name: .long, help: ArgumentHelp("Sampling: with-replacement or without-replacement (reshuffled batches are dependent within an epoch, so they are not offered).", valueName: "s"))
    var sampling: BatchSampling = .withReplacement

    @Option(name: .long, help: ArgumentHelp("Sampled minibatch noises M behind the shape and tail statistics (≥ --tail-block × --tail-groups).", valueName: "M"))
    var draws: Int = 10_000

    @Option(name: .long, help: ArgumentHelp("Top eigenvectors of Σ to examine (1…100).", valueName: "k"))
    var directions: Int = 5

    @Option(name: .long, help: ArgumentHelp("Batch sizes of the 1/b check, comma separated (each ≥ 1; ≤ n without replacement).", valueName: "b,…"))
    var batches: String = "1,2,4,8,16,32,64"

    @Option(name: .long, help: ArgumentHelp("Draws per batch size in the 1/b check (≥ 2).", valueName: "M"))
    var scalingDraws: Int = 2000

    @Option(name: .long, help: ArgumentHelp("Block length K₁ of the tail-index estimator (≥ 2).", valueName: "K₁"))
    var tailBlock: Int = 100

    @Option(name: .long, help: ArgumentHelp("Independent groups behind the tail-index interval (≥ 2).", valueName: "G"))
    var tailGroups: Int = 10

    @Option(name: .long, help: ArgumentHelp("Random seed of the sampled batches (and of an SGD run).", valueName: "s"))
    var seed: UInt64 = 1

    @OptionGroup var threadOptions: ThreadOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var memoryOptions: MemoryOptions

    func configuration() throws -> NoiseStudy.Configuration {
        var c = NoiseStudy.Configuration()
        c.problem = try problem.choice(default: .logistic)
        c.at = at
        c.along = along
        c.steps = steps
        c.algorithm = algorithm
        c.learningRate = eta
        c.batch = batch
        c.sampling = sampling
        c.draws = draws
        c.directions = directions
        c.batchSizes = try parseBatchSizes(batches, field: "--batches")
        c.scalingDraws = scalingDraws
        c.tailBlock = tailBlock
        c.tailGroups = tailGroups
        c.seed = seed
        return c
    }
}

extension NoiseStudy.Location: ExpressibleByArgument {}
extension NoiseStudy.RunAlgorithm: ExpressibleByArgument {}
