import ArgumentParser
import Foundation
import SGDynamics
import SGDynamicsReport

/// `sgdyn simulate`: an ensemble of an algorithm or a model, with statistics over time.
struct SimulateCommand: StudyCommand {
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

    @Option(name: .customLong("run"), help: ArgumentHelp("What to simulate: sgd, hb, nag, sgld, svag, sme1, sme2, sme-hb, langevin.", valueName: "name"))
    var subject: String = "sgd"

    @Option(name: .long, help: ArgumentHelp("Objective: li-tai-e, least-squares, logistic, or a deterministic catalog objective (sgld/langevin only).", valueName: "name"))
    var objective: String = "li-tai-e"

    @Option(name: .long, help: ArgumentHelp("Hessian diagonal of the li-tai-e quadratic.", valueName: "λ,…"))
    var diagonal: String = "1,2"

    @Option(name: .long, help: ArgumentHelp("CSV data set for least-squares or logistic.", valueName: "file"))
    var data: String?

    @Option(name: .long, help: ArgumentHelp("Starting point (default: the objective's).", valueName: "x,…"))
    var x0: String?

    @Option(name: .long, help: ArgumentHelp("Learning rate η (> 0).", valueName: "η"))
    var eta: Double = 0.1

    @Option(name: .long, help: ArgumentHelp("Horizon T (> 0): ⌊T/η⌋ steps.", valueName: "T"))
    var horizon: Double = 2

    @Option(name: .long, help: ArgumentHelp("Number of save points after the start (≥ 1).", valueName: "n"))
    var saves: Int = 20

    @Option(name: .long, help: ArgumentHelp("Minibatch size (≥ 1).", valueName: "b"))
    var batch: Int = 1

    @Option(name: .long, help: ArgumentHelp("Sampling: with-replacement, without-replacement, reshuffling.", valueName: "s"))
    var sampling: String = "with-replacement"

    @Option(name: .long, help: ArgumentHelp("Momentum μ in [0, 1) for hb, nag, sme-hb.", valueName: "μ"))
    var momentum: Double = 0.9

    @Option(name: .long, help: ArgumentHelp("Temperature T ≥ 0 for sgld and langevin.", valueName: "T"))
    var temperature: Double = 0.05

    @Option(name: .long, help: ArgumentHelp("SVAG amplification l ≥ 1.", valueName: "l"))
    var amplification: Double = 4

    @Option(name: .long, help: ArgumentHelp("Euler–Maruyama substeps per η for models (≥ 1).", valueName: "r"))
    var substeps: Int = 10

    @Option(name: .long, help: ArgumentHelp("Paths (≥ 2).", valueName: "N"))
    var paths: Int = 10_000

    @Option(name: .long, help: ArgumentHelp("Random seed.", valueName: "s"))
    var seed: UInt64 = 1

    @Option(name: .long, help: ArgumentHelp("Threads (default: all cores).", valueName: "n"))
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(name: .long, help: ArgumentHelp(
        "Run only shard i of N (i/N, 0 ≤ i < N). Without it, a Slurm job array gives the shard (SLURM_ARRAY_TASK_ID − SLURM_ARRAY_TASK_MIN of SLURM_ARRAY_TASK_COUNT), or a Kubernetes indexed Job (JOB_COMPLETION_INDEX of SGDYN_SHARD_COUNT: Kubernetes gives no count, so set SGDYN_SHARD_COUNT to the Job's completions).",
        valueName: "i/N"))
    var shard: String?

    @OptionGroup var output: OutputOptions
    @OptionGroup var storeOptions: StoreOptions

    static let runs = ["sgd", "hb", "nag", "sgld", "svag", "sme1", "sme2", "sme-hb", "langevin"]

    func validate() throws {
        guard Self.runs.contains(subject) else { throw ValidationError.field("--run", "unknown '\(subject)'; valid: \(Self.runs.joined(separator: ", "))") }
        guard eta > 0, eta.isFinite else { throw ValidationError.field("--eta", "must be a positive number, got \(eta)") }
        guard horizon > 0, horizon.isFinite else { throw ValidationError.field("--horizon", "must be a positive number, got \(horizon)") }
        guard horizon / eta <= 1e8 else { throw ValidationError.field("--horizon", "T/η must be at most 10⁸ steps, got \(horizon / eta)") }
        guard saves >= 1 else { throw ValidationError.field("--saves", "must be at least 1, got \(saves)") }
        guard batch >= 1 else { throw ValidationError.field("--batch", "must be at least 1, got \(batch)") }
        guard Sampling(rawValue: sampling) != nil else {
            throw ValidationError.field("--sampling", "must be with-replacement, without-replacement or reshuffling, got '\(sampling)'")
        }
        guard momentum >= 0, momentum < 1 else { throw ValidationError.field("--momentum", "must lie in [0, 1), got \(momentum)") }
        guard temperature >= 0, temperature.isFinite else { throw ValidationError.field("--temperature", "must be ≥ 0, got \(temperature)") }
        guard amplification >= 1, amplification <= 1e4 else { throw ValidationError.field("--amplification", "must lie in [1, 10⁴], got \(amplification)") }
        guard substeps >= 1, substeps <= 10_000 else { throw ValidationError.field("--substeps", "must be between 1 and 10000, got \(substeps)") }
        guard horizon / eta * Double(max(substeps, Int(amplification.rounded(.up)))) <= 1e9 else {
            throw ValidationError.field("--substeps", "T/η × substeps (or × l for SVAG) must be at most 10⁹")
        }
        guard paths >= 2, paths <= 1_000_000_000 else { throw ValidationError.field("--paths", "must be between 2 and 10⁹, got \(paths)") }
        guard saves <= 100_000 else { throw ValidationError.field("--saves", "must be at most 100000, got \(saves)") }
        guard threads >= 1 else { throw ValidationError.field("--threads", "must be at least 1, got \(threads)") }
    }

    /// The shard to run: `--shard`, else a job array's shard from the environment (one line on
    /// stderr says which variables gave it), else the whole ensemble.
    func resolveShard() throws -> Shard {
        if let shard { return try Shard(parsing: shard) }
        guard let fromEnvironment = try ShardEnvironment.resolve() else { return .whole }
        FileHandle.standardError.write(Data("sgdyn: shard \(fromEnvironment.shard) from \(fromEnvironment.source)\n".utf8))
        return fromEnvironment.shard
    }

    func run() throws {
        let sh = try resolveShard()
        if objective == "li-tai-e" {
            let diag = try parseNumbers(diagonal, field: "--diagonal")
            guard !diag.isEmpty, diag.allSatisfy({ $0 > 0 }) else { throw CLIError.usage("--diagonal", "Hessian eigenvalues must be positive") }
            let f = NoisyQuadratic(hessian: .diagonal(diag))
            let start = try startPoint(f.dimension, default: [Double](repeating: 1, count: f.dimension))
            try simulate(OracleGradient(f, batchSize: batch), start: start, shard: sh)
            return
        }
        let entry = try ObjectiveCatalog.make(objective, data: data)
        let start = try startPoint(entry.objective.dimension, default: entry.start)
        if let ls = entry.objective as? LeastSquares { try simulateFiniteSum(ls, start: start, shard: sh) }
        else if let lr = entry.objective as? LogisticRegression { try simulateFiniteSum(lr, start: start, shard: sh) }
        else if subject == "sgld" || subject == "langevin" || subject == "sgd" {
            try simulateExact(entry.objective, start: start, shard: sh)
        } else {
            throw CLIError.usage("--objective", "\(objective) has no gradient noise; use sgld or langevin, or a noisy objective (li-tai-e, least-squares, logistic)")
        }
    }

    func simulateExact(_ f: any Objective, start: [Double], shard: Shard) throws {
        try simulate(ExactGradientBox(f), start: start, shard: shard)
    }

    func simulateFiniteSum<F: FiniteSumObjective>(_ f: F, start: [Double], shard: Shard) throws {
        let s = Sampling(rawValue: sampling)!
        guard s == .withReplacement || batch <= f.sampleCount else {
            throw CLIError.usage("--batch", "must not exceed the \(f.sampleCount) samples without replacement, got \(batch)")
        }
        try simulate(MinibatchGradient(f, batchSize: batch, sampling: s), start: start, shard: shard)
    }

    func startPoint(_ d: Int, default v: [Double]) throws -> [Double] {
        guard let x0 else { return v }
        let s = try parseNumbers(x0, field: "--x0")
        guard s.count == d else { throw CLIError.usage("--x0", "has \(s.count) coordinates but the objective has dimension \(d)") }
        return s
    }

    func simulate<G: StochasticGradient>(_ g: G, start: [Double], shard: Shard) throws {
        let f = g.objective
        let steps = Int((horizon / eta * (1 + 1e-12)).rounded(.down))
        let every = max(1, steps / saves)
        var e = Ensemble(paths: paths, threads: threads, shard: shard)
        e.keepBlocks = shard != .whole
        let obs = [Observable("f") { f.value($0) }]
        let kernelSteps = switch subject {
        case "svag": Int((Double(steps) * amplification).rounded(.down))
        case "sgd", "hb", "nag", "sgld": steps
        default: steps * substeps
        }
        let shardBlocks = shard.blocks(of: e.blockCount)
        let shardPaths = min(paths, shardBlocks.upperBound * e.blockSize) - shardBlocks.lowerBound * e.blockSize
        let progress = ProgressBar("simulate \(subject)" + (shard == .whole ? "" : " shard \(shard)"), paths: shardPaths, steps: kernelSteps)
        e.progress = progress.callback()
        let t0 = Date()
        let result: EnsembleResult
        var label = ""
        // Everything that determines the numbers: shards merge only when all of it agrees.
        let seedText = "seed \(seed), run \(subject), objective \(objective)\(objective == "li-tai-e" ? " diag(\(diagonal))" : ""), data \(data ?? "-"), x0 \(start), η \(eta), T \(horizon), saves \(saves), batch \(batch) \(sampling), μ \(momentum), temperature \(temperature), l \(amplification), substeps \(substeps), paths \(paths)"
        switch subject {
        case "sgd":
            label = "SGD"
            result = e.run(AlgorithmKernel(SGD(g, learningRate: eta), start: start, steps: steps, saveEvery: every, seed: seed), observables: obs, seedDescription: seedText)
        case "hb":
            label = "heavy ball μ = \(momentum)"
            result = e.run(AlgorithmKernel(HeavyBall(g, learningRate: eta, momentum: momentum), start: start, steps: steps, saveEvery: every, seed: seed), observables: obs, seedDescription: seedText)
        case "nag":
            label = "Nesterov μ = \(momentum)"
            result = e.run(AlgorithmKernel(Nesterov(g, learningRate: eta, momentum: momentum), start: start, steps: steps, saveEvery: every, seed: seed), observables: obs, seedDescription: seedText)
        case "sgld":
            label = "SGLD T = \(temperature)"
            result = e.run(AlgorithmKernel(SGLD(g, learningRate: eta, temperature: temperature), start: start, steps: steps, saveEvery: every, seed: seed), observables: obs, seedDescription: seedText)
        case "svag":
            label = "SVAG l = \(amplification)"
            let l = amplification
            let svagSteps = Int((Double(steps) * l).rounded(.down))
            result = e.run(AlgorithmKernel(SVAG(g, learningRate: eta, amplification: l), start: start, steps: svagSteps,
                                           saveEvery: max(1, svagSteps / saves), seed: seed), observables: obs, seedDescription: seedText)
        case "langevin":
            label = "Langevin T = \(temperature)"
            let r = substeps
            result = e.run(SDEKernel(Langevin(f, temperature: temperature), solver: EulerMaruyama(), start: start,
                                     stepSize: eta / Double(r), steps: steps * r, saveEvery: every * r, seed: seed), observables: obs, seedDescription: seedText)
        default:
            let r = substeps
            let sme = subject == "sme-hb" ? SME(g, learningRate: eta, order: 1, momentumScale: 1 / (1 - momentum))
                                      : SME(g, learningRate: eta, order: subject == "sme2" ? 2 : 1)
            label = sme.name
            result = e.run(SDEKernel(sme, solver: EulerMaruyama(), start: start, stepSize: eta / Double(r), steps: steps * r,
                                     saveEvery: every * r, seed: seed), observables: obs, seedDescription: seedText)
        }
        let secs = Date().timeIntervalSince(t0)
        progress.finish()
        if let s = result.divergenceSummary { FileHandle.standardError.write(Data("warning: \(s)\n".utf8)) }
        if shard != .whole {
            let data = try JSONEncoder().encode(result)
            guard let p = try output.write(String(decoding: data, as: UTF8.self), to: "shard-\(shard.index)-of-\(shard.count).json") else { return }
            print("shard \(shard) of \(label) on \(f.name): \(result.blocks.count) blocks, \(String(format: "%.2f", secs)) s; wrote \(p)")
            print("combine the shards with: sgdyn merge \(output.out)/shard-*-of-\(shard.count).json --out DIR")
            return
        }
        try SimulationReport(label: label, objective: f.name, result: result, seconds: secs).write(output)
    }
}

/// The exact gradient of an objective known only as `any Objective` (for SGLD and Langevin on
/// deterministic objectives).
struct ExactGradientBox: StochasticGradient {
    let base: any Objective
    init(_ f: any Objective) { base = f }
    var objective: AnyObjective { AnyObjective(base) }
    var isStochastic: Bool { false }
    var covarianceFactor: Double { 0 }
    func makeScratch() -> GradientScratch { GradientScratch(dimension: base.dimension) }
    func estimate(_ x: [Double], step: Int, path: Int, draw: Int, rng: CounterRNG, scratch: inout GradientScratch, into g: inout [Double]) {
        base.gradient(x, into: &g)
    }
    func noiseCovariance(_ x: [Double]) -> Matrix { Matrix(rows: base.dimension, columns: base.dimension) }
    var noiseIsConstant: Bool { true }
}

/// A type-erased objective (outside hot loops of built-in studies).
struct AnyObjective: Objective {
    let base: any Objective
    init(_ b: any Objective) { base = b }
    var dimension: Int { base.dimension }
    var name: String { base.name }
    func value(_ x: [Double]) -> Double { base.value(x) }
    func gradient(_ x: [Double], into g: inout [Double]) { base.gradient(x, into: &g) }
    func hessianVectorProduct(_ x: [Double], _ v: [Double], into hv: inout [Double]) { base.hessianVectorProduct(x, v, into: &hv) }
}

/// Table, CSV, JSON and SVG for an ensemble result.
struct SimulationReport {
    let label: String
    let objective: String
    let result: EnsembleResult
    let seconds: Double

    func write(_ output: OutputOptions) throws {
        let d = result.positionDimension
        let shown = min(d, 3)
        print("\(label) on \(objective): \(result.paths) paths, \(result.saveTimes.count) save points, \(String(format: "%.2f", seconds)) s")
        var table = TextTable(["t", "paths"] + (0..<shown).flatMap { ["E x\($0 + 1)", "sd x\($0 + 1)"] } + ["E f", "± SE"])
        var csv = TextTable(["t", "paths"] + (0..<d).flatMap { ["mean_x\($0 + 1)", "var_x\($0 + 1)"] } + ["mean_f", "se_f"])
        for (j, t) in result.saveTimes.enumerated() {
            let m = result.moments[j]
            table.add([fmt(t), "\(m.count)"] + (0..<shown).flatMap { [fmt(m.mean[$0]), fmt(m.variance($0).squareRoot())] }
                      + [fmt(m.mean[d], 5), fmt(m.standardError(d), 2)])
            csv.add(["\(t)", "\(m.count)"] + (0..<d).flatMap { ["\(m.mean[$0])", "\(m.variance($0))"] } + ["\(m.mean[d])", "\(m.standardError(d))"])
        }
        print(table.render())
        if d > shown { print("(\(d - shown) more coordinates in the CSV)") }
        StudyRecording.claim("An ensemble of \(result.paths) paths of \(label) estimates E x(t) and E f(x(t)) at every save time, each with its standard error; draws are counter-based, so the numbers are the same for any thread count or shard split.")
        if let first = result.moments.first, let last = result.moments.last, let tEnd = result.saveTimes.last {
            StudyRecording.reading("E f went from \(fmt(first.mean[d], 4)) ± \(fmt(first.standardError(d), 2)) at t = \(fmt(result.saveTimes[0], 3)) to \(fmt(last.mean[d], 4)) ± \(fmt(last.standardError(d), 2)) at t = \(fmt(tEnd, 3)); there E x = (\((0..<shown).map { fmt(last.mean[$0], 3) }.joined(separator: ", "))\(d > shown ? ", …" : "")) with sd (\((0..<shown).map { fmt(last.variance($0).squareRoot(), 3) }.joined(separator: ", "))\(d > shown ? ", …" : "")); \(result.divergences.count) of \(result.paths) paths diverged.")
        }
        var files: [String] = []
        if let p = try output.write(csv.csv(), to: "simulate.csv") { files.append(p) }
        let json: [String: Any] = ["study": "simulate", "run": label, "objective": objective, "paths": result.paths,
                                   "seconds": seconds, "diverged": result.divergences.count,
                                   "times": result.saveTimes, "mean_f": result.moments.map { $0.mean[d] },
                                   "se_f": result.moments.map { $0.standardError(d) },
                                   "mean_x": result.moments.map { Array($0.mean[0..<d]) }]
        if let p = try output.write(jsonString(json), to: "simulate.json") { files.append(p) }
        var plot = LinePlot(title: "\(label) on \(objective): mean ± sd", xLabel: "t", yLabel: "value")
        for i in 0..<shown {
            let mean = result.moments.map { $0.mean[i] }, sd = result.moments.map { $0.variance(i).squareRoot() }
            plot.add(Series(label: "x\(i + 1)", x: result.saveTimes, y: mean,
                            band: (lower: zip(mean, sd).map { $0 - $1 }, upper: zip(mean, sd).map { $0 + $1 })))
        }
        plot.add(Series(label: "E f", x: result.saveTimes, y: result.moments.map { $0.mean[d] }, dash: .dashed))
        if let p = try output.write(plot.render(), to: "simulate.svg") { files.append(p) }
        if !files.isEmpty { print("wrote " + files.joined(separator: ", ")) }
    }
}

/// `sgdyn merge`: combine shard results into the unsharded numbers.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge the shard-i-of-N.json files of a sharded `sgdyn simulate` into one result (bitwise the unsharded numbers).")

    @Argument(help: ArgumentHelp("Shard result files.", valueName: "file"))
    var files: [String]

    @OptionGroup var output: OutputOptions

    func run() throws {
        guard !files.isEmpty else { throw CLIError.usage("files", "give the shard-*.json files to merge") }
        var parts: [EnsembleResult] = []
        for f in files {
            guard let data = FileManager.default.contents(atPath: f) else { throw CLIError.usage("files", "cannot read '\(f)'") }
            do { parts.append(try JSONDecoder().decode(EnsembleResult.self, from: data)) }
            catch { throw CLIError.usage("files", "'\(f)' is not a shard result written by sgdyn simulate --shard") }
        }
        let counts = Set(parts.map(\.shard.count))
        guard counts.count == 1, let n = counts.first, Set(parts.map(\.shard.index)).count == n, parts.count == n else {
            throw CLIError.usage("files", "need exactly one result for each shard 0…N−1 of the same split, got \(parts.map { $0.shard.description })")
        }
        let merged = try EnsembleResult.merge(parts)
        if let s = merged.divergenceSummary { FileHandle.standardError.write(Data("warning: \(s)\n".utf8)) }
        try SimulationReport(label: "merged \(n) shards (\(merged.seedDescription))", objective: "", result: merged, seconds: 0).write(output)
    }
}
