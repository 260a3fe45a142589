import ArgumentParser
import Foundation
import SGDynamics
import SGDynamicsReport

/// `sgdyn simulate`: an ensemble of an algorithm or a model, with statistics over time (the
/// library's `SimulateStudy`).
struct SimulateCommand: LibraryStudyCommand {
    typealias Runner = SimulateStudy
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Run an ensemble of an algorithm or a model and report mean, spread and f over time.",
        discussion: """
        --run chooses what to simulate: the algorithms sgd, hb (heavy ball), nag (Nesterov, Sutskever form), \
        sgld, svag; or the models sme1, sme2, sme-hb (momentum regime A), langevin. Time is t = kη \
        (SVAG: kη/l). Objectives: li-tai-e (oracle noise, H = diag(--diagonal)) or any finite sum of the \
        catalog (least-squares, logistic; minibatches of --batch with --sampling). Models are integrated \
        by Euler–Maruyama at step η/--substeps. Statistics are reduced as the ensemble runs (no paths are \
        stored); diverged paths are counted and excluded. With --shard i/N only that part of the paths \
        runs and the raw result is written to shard-i-of-N.json; `sgdyn merge` combines the shards into \
        bitwise the unsharded numbers.
        """
    )
    static let flags = ["run": "--run", "learningRate": "--eta", "start": "--x0"]

    @Option(name: .customLong("run"), help: ArgumentHelp("What to simulate: sgd, hb, nag, sgld, svag, sme1, sme2, sme-hb, langevin.", valueName: "name"))
    var subject: SimulateStudy.Subject = .sgd

    @Option(name: .long, help: ArgumentHelp("Objective: li-tai-e, least-squares, logistic, a deterministic catalog objective or a formula 'expr: …' (sgld/langevin only), or samples (--samples over --data).", valueName: "name"))
    var objective: String = "li-tai-e"

    @OptionGroup var formula: FormulaOptions

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Hessian diagonal of the li-tai-e quadratic.", valueName: "λ,…"))
    var diagonal: String = "1,2"

    @Option(name: .long, help: ArgumentHelp("CSV data set for least-squares or logistic.", valueName: "file"))
    var data: String?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Starting point (default: the objective's).", valueName: "x,…"))
    var x0: String?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Learning rate η (> 0).", valueName: "η"))
    var eta: Double = 0.1

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Horizon T (> 0): ⌊T/η⌋ steps.", valueName: "T"))
    var horizon: Double = 2

    @Option(name: .long, help: ArgumentHelp("Number of save points after the start (≥ 1).", valueName: "n"))
    var saves: Int = 20

    @Option(name: .long, help: ArgumentHelp("Minibatch size (≥ 1).", valueName: "b"))
    var batch: Int = 1

    @Option(name: .long, help: ArgumentHelp("Sampling: with-replacement, without-replacement, reshuffling.", valueName: "s"))
    var sampling: Sampling = .withReplacement

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Momentum μ in [0, 1) for hb, nag, sme-hb.", valueName: "μ"))
    var momentum: Double = 0.9

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Temperature T ≥ 0 for sgld and langevin.", valueName: "T"))
    var temperature: Double = 0.05

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("SVAG amplification l ≥ 1.", valueName: "l"))
    var amplification: Double = 4

    @Option(name: .long, help: ArgumentHelp("Euler–Maruyama substeps per η for models (≥ 1).", valueName: "r"))
    var substeps: Int = 10

    @Option(name: .long, help: ArgumentHelp("Paths (≥ 2).", valueName: "N"))
    var paths: Int = 10_000

    @Option(name: .long, help: ArgumentHelp("Random seed.", valueName: "s"))
    var seed: UInt64 = 1

    @OptionGroup var threadOptions: ThreadOptions

    @Option(name: .long, help: ArgumentHelp(
        "Run only shard i of N (i/N, 0 ≤ i < N). Without it, a Slurm job array gives the shard (SLURM_ARRAY_TASK_ID − SLURM_ARRAY_TASK_MIN of SLURM_ARRAY_TASK_COUNT), or a Kubernetes indexed Job (JOB_COMPLETION_INDEX of SGDYN_SHARD_COUNT: Kubernetes gives no count, so set SGDYN_SHARD_COUNT to the Job's completions).",
        valueName: "i/N"))
    var shard: String?

    @OptionGroup var output: OutputOptions
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var memoryOptions: MemoryOptions

    /// The shard to run: `--shard`, else a job array's shard from the environment, else the whole ensemble.
    func resolveShard() throws -> (shard: Shard, source: String?) {
        if let shard { return (try Shard(parsing: shard), nil) }
        guard let fromEnvironment = try ShardEnvironment.resolve() else { return (.whole, nil) }
        return (fromEnvironment.shard, fromEnvironment.source)
    }

    func announcements() throws -> [String] {
        let (shard, source) = try resolveShard()
        return source.map { ["shard \(shard) from \($0)"] } ?? []
    }

    func configuration() throws -> SimulateStudy.Configuration {
        var c = SimulateStudy.Configuration()
        c.run = subject
        if let f = try formula.choice(objective: objective, data: data) {
            c.objective = f.name
            c.expression = f.expression
            c.samples = f.samples
            c.variables = f.variables
            c.parameters = f.parameters
            c.noise = f.noise
        } else {
            c.objective = objective
        }
        c.diagonal = try parseNumbers(diagonal, field: "--diagonal")
        c.data = data
        c.start = try x0.map { try parseNumbers($0, field: "--x0") }
        (c.learningRate, c.horizon, c.saves, c.batch, c.sampling) = (eta, horizon, saves, batch, sampling)
        (c.momentum, c.temperature, c.amplification, c.substeps, c.paths, c.seed) = (momentum, temperature, amplification, substeps, paths, seed)
        let shard = try resolveShard().shard
        c.shard = shard == .whole ? nil : shard
        return c
    }

    /// A shard writes only its raw statistics (several shards may share one --out).
    func outputFiles(_ result: StudyResult) throws -> [(name: String, contents: String)] {
        result.attachments.isEmpty ? try ResultRenderer.files(result) : result.attachments.map { ($0.name, $0.contents) }
    }
}

extension SimulateStudy.Subject: ExpressibleByArgument {}
extension Sampling: ExpressibleByArgument {}
