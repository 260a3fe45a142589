import ArgumentParser
import Dispatch
import Foundation
import SGDynamics
import SGDynamicsReport

/// `sgdyn stationary`: the stationary law of SGD or SGLD in 1-D four ways, side by side.
struct StationaryCommand: StudyCommand {
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

    @OptionGroup var objectiveOptions: OneDimensionalObjectiveOptions

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Algorithm: sgd or sgld.", valueName: "name"))
    var algorithm: String = "sgd"

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

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Threads (default: all cores).", valueName: "n"))
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Power-iteration tolerance on ‖Δp‖₁ (> 0).", valueName: "ε"))
    var tolerance: Double = 1e-14

    @Option(name: .customLong("max-iterations"), parsing: .unconditional, help: ArgumentHelp("Power-iteration cap (≥ 1).", valueName: "n"))
    var maxIterations: Int = 100_000

    @Option(name: .customLong("max-batches"), parsing: .unconditional, help: ArgumentHelp("Enumerate all batches when there are at most this many, else sample this many.", valueName: "n"))
    var maxBatches: Int = 100_000

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Gauss–Hermite points for SGLD's Gaussian noise in the master equation when √(2ηT) < Δθ (1 to 200).", valueName: "m"))
    var quadrature: Int = 40

    @OptionGroup var output: OutputOptions
    @OptionGroup var storeOptions: StoreOptions

    func validate() throws {
        guard algorithm == "sgd" || algorithm == "sgld" else {
            throw ValidationError.field("--algorithm", "must be sgd or sgld, got '\(algorithm)'")
        }
        guard temperature.isFinite, temperature > 0 else { throw ValidationError.field("--temperature", "must be a positive finite number, got \(temperature)") }
        guard paths >= 2, paths <= 10_000_000 else { throw ValidationError.field("--paths", "must be between 2 and 10⁷, got \(paths)") }
        guard burnIn >= 0, burnIn <= 100_000_000 else { throw ValidationError.field("--burn-in", "must be between 0 and 10⁸, got \(burnIn)") }
        guard steps >= 1, steps <= 100_000_000 else { throw ValidationError.field("--steps", "must be between 1 and 10⁸, got \(steps)") }
        guard Double(paths) * Double(burnIn + steps) <= 1e11 else {
            throw ValidationError.field("--paths", "paths × (burn-in + steps) must be at most 10¹¹, got \(Double(paths) * Double(burnIn + steps))")
        }
        guard threads >= 1 else { throw ValidationError.field("--threads", "must be at least 1, got \(threads)") }
        guard tolerance.isFinite, tolerance > 0 else { throw ValidationError.field("--tolerance", "must be a positive number, got \(tolerance)") }
        guard maxIterations >= 1, maxIterations <= 100_000_000 else { throw ValidationError.field("--max-iterations", "must be between 1 and 10⁸, got \(maxIterations)") }
        guard maxBatches >= 1, maxBatches <= 10_000_000 else { throw ValidationError.field("--max-batches", "must be between 1 and 10⁷, got \(maxBatches)") }
        guard quadrature >= 1, quadrature <= 200 else { throw ValidationError.field("--quadrature", "must be between 1 and 200, got \(quadrature)") }
    }

    var isSGLD: Bool { algorithm == "sgld" }

    func run() throws {
        let (problem, eta) = try objectiveOptions.resolve(allowDeterministic: isSGLD)
        let etaField = problem.isBernoulli ? "--eta-lambda" : "--learning-rate"
        let b = objectiveOptions.batchSize, sampling = objectiveOptions.samplingRule
        let T = isSGLD ? temperature : 0
        let lambda = problem.curvature
        guard lambda > 0 else { throw CLIError.usage("--objective", "f''(θ*) = \(fmt(lambda)) is not positive; no Langevin model") }

        // Batches and, for per-sample quadratics, the exact affine chain.
        var batches: MinibatchEnumeration? = nil
        var chain: AffineChain? = nil
        if let ls = problem.finiteSum {
            batches = try naming([:]) {
                try MinibatchEnumeration(sampleCount: ls.sampleCount, batchSize: b, sampling: sampling, maximumBatches: maxBatches, seed: 0)
            }
            chain = AffineChain(objective: problem, batches: batches!, eta: eta, temperature: T)
        } else if problem.name == "quadratic" {
            chain = AffineChain(curvature: lambda, eta: eta, temperature: T)
        }
        if let chain, !chain.meanSquareStable {
            throw CLIError.usage(etaField, "\(algorithm.uppercased()) is not mean-square stable at η = \(fmt(eta)): E(1 − ηh_B)² = \(fmt(chain.aMoment(2))) ≥ 1 (docs/THEORY.md §10.2)\(problem.isBernoulli ? "; need 0 < ηλ < 2" : "")")
        }
        if chain == nil, !(eta * lambda < 2) {
            throw CLIError.usage(etaField, "\(algorithm.uppercased()) on \(problem.name) is unstable at its minimizer for ηλ ≥ 2 (λ = f''(θ*) = \(fmt(lambda))); need η < \(fmt(2 / lambda))")
        }
        let exact = chain?.stationary()
        let sigma2 = problem.stepNoiseVariance(batchSize: b, sampling: sampling)
        let tL = T + eta * sigma2 / 2
        guard tL > 1e-300 else {
            throw CLIError.usage("--objective", "the minibatch gradients agree at θ* = \(fmt(problem.minimizer)) (no noise there), so SGD's stationary law is the point mass at θ*; choose samples with different minimizers or --algorithm sgld")
        }
        let sdL = (tL / lambda).squareRoot()

        // Grid.
        let axis: GridAxis
        if let grid {
            axis = try parseGrid(grid, maximumAxes: 1)[0]
        } else if let exact {
            let sd = exact.variance.squareRoot()
            let s = chain!.invariantInterval
            axis = defaultGrid(cover: [s.map(padded) ?? around(exact.mean, sd, 12), around(problem.minimizer, sdL, 8)], resolution: min(sd, sdL))
        } else {
            // Where f − f(θ*) < 40T, and the wells (f − f(θ*) < 5T) widened by 7 sd of one step's Gaussian
            // noise: a jump out of a well reaches farther than the Gibbs tail, and the master equation
            // should not clamp it. (Not wider: far out the gradient step of a steep f overshoots.)
            let e = gibbsExtent(problem, temperature: tL, scale: sdL, level: 40)
            let w = gibbsExtent(problem, temperature: tL, scale: sdL, level: 5), reach = 7 * (2 * eta * T).squareRoot()
            axis = defaultGrid(cover: [e, (w.lowerBound - reach)...(w.upperBound + reach)], resolution: sdL)
        }
        try checkResolution(axis, sd: min(sdL, exact.map { $0.variance.squareRoot() } ?? sdL), what: "the stationary laws")
        if let s = chain?.invariantInterval {
            let slack = 1e-9 * (s.upperBound - s.lowerBound)
            if s.lowerBound < axis.lower - slack || s.upperBound > axis.upper + slack {
                throw CLIError.usage("--grid", "the domain [\(fmt(axis.lower)), \(fmt(axis.upper))] does not contain the support [\(fmt(s.lowerBound, 6)), \(fmt(s.upperBound, 6))] of SGD's stationary law; widen lower/upper")
            }
        }
        let g = try naming([:]) { try axis.grid }
        let nodesPerColumn = Double(batches?.count ?? 1) * Double(isSGLD ? sgldNoise(eta: eta, temperature: T, spacing: axis.spacing).z.count : 1)
        guard Double(g.count) * nodesPerColumn <= 5e7 else {
            throw CLIError.usage("--grid", "\(g.count) nodes × \(Int(nodesPerColumn)) transitions per node is more than 5·10⁷ deposits; use fewer nodes, --max-batches or --quadrature")
        }

        // (d) Gibbs and (c) Langevin Fokker–Planck (exact Gibbs equilibrium by potential differences).
        let gibbs = try naming(["temperature": "--temperature"]) { try Density1D.gibbs(grid: g, temperature: tL, potential: { problem.value($0) }) }
        try checkCovers(gibbs, what: "the Gibbs density")
        let fp = try naming(["diffusion": "--temperature"]) { try FokkerPlanck1D(grid: g, diffusion: tL, potential: { problem.value($0) }) }
        let langevin = try naming([:]) { try fp.stationary() }
        // SME-1 with state-dependent noise (SGD on a finite sum).
        var sme: Density1D? = nil
        var smeNote: String? = nil
        if !isSGLD, let ls = problem.finiteSum {
            let gradient = MinibatchGradient(ls, batchSize: b, sampling: sampling)
            let nodes = g.nodes
            var m = Matrix(rows: 1, columns: 1)
            let sig = nodes.map { x -> Double in ls.noiseCovariance([x], into: &m); return m[0, 0] }
            if (sig.max()! - sig.min()!) > 1e-9 * sig.max()! {
                do {
                    sme = try FokkerPlanck1D(grid: g, model: SME(gradient, learningRate: eta, order: 1)).stationary()
                } catch let e as ConfigurationError {
                    smeNote = "SME-1 Fokker–Planck law not computed: \(e.description)"
                }
            }
        }

        // (b) master equation.
        let op = try naming([:]) { try masterOperator(problem, grid: g, eta: eta, batches: batches, temperature: T) }
        let iterationBar = ProgressBar("stationary: power iteration", total: maxIterations,
                                       workName: "iterations")
        let law = try naming([:]) {
            defer { iterationBar.finish() }
            return try op.stationary(tolerance: tolerance, maximumIterations: maxIterations, progress: iterationBar.callback())
        }
        if !law.status.isOK { warn("master equation: \(law.status)") }
        let master = law.density

        // (a) ensemble.
        let t0 = Date()
        let ens = try ensemble(problem, grid: g, eta: eta, batchSize: b, sampling: sampling, temperature: T)
        let seconds = Date().timeIntervalSince(t0)
        let histogram = try Density1D(grid: g, weights: ens.counts.map(Double.init))

        // Report.
        let alg = algorithm.uppercased()
        print("Stationary law of \(alg) on the \(problem.label)")
        print("η = \(fmt(eta, 6))\(isSGLD ? ", SGLD temperature \(fmt(T, 6))" : ""), batch size \(b) \(sampling.rawValue)\(batches.map { ": \($0.kind)" } ?? ""); θ* = \(fmt(problem.minimizer, 6)), λ = f''(θ*) = \(fmt(lambda, 6)), σ² = cΣ(θ*) = \(fmt(sigma2, 6))")
        print("grid [\(fmt(g.lower, 6)), \(fmt(g.upper, 6))] with \(g.count) nodes, Δθ = \(fmt(g.spacing, 4))")
        print("(a) ensemble: \(ens.paths - ens.diverged) paths × \(steps) iterates after a burn-in of \(burnIn) steps (t = \(fmt(Double(burnIn) * eta, 4))), seed \(seed), \(String(format: "%.2f", seconds)) s; \(ens.outside) iterates outside the grid")
        print("(b) master equation: \(law.iterations) power iterations, ‖Δp‖₁ = \(fmt(law.change, 2)), clamped mass \(fmt(law.clampedMass, 2)), status \(law.status)\(isSGLD ? "; \(sgldNoise(eta: eta, temperature: T, spacing: g.spacing).description)" : "")")
        print("(c) Langevin model dθ = −f'dt + √(2T)dW, T = \(isSGLD ? "T_SGLD + " : "")ησ²/2 = \(fmt(tL, 6)): Fokker–Planck (Chang–Cooper, potential form) stationary law")
        print("(d) Gibbs density e^{−f/T}/Z on the grid, T = \(fmt(tL, 6))")
        if let smeNote { print(smeNote) }
        print("")

        let name = alg.lowercased()
        var laws: [(String, Density1D, String)] = [
            ("\(name)-ensemble", histogram, "(a) histogram of the iterates"),
            ("\(name)-master", master, "(b) master equation"),
            ("langevin-fp", langevin, "(c) Fokker–Planck of the Langevin model"),
            ("gibbs", gibbs, "(d) e^{−f/T}/Z"),
        ]
        if let sme { laws.append(("sme1-fp", sme, "Fokker–Planck of SME-1, D(θ) = ηcΣ(θ)/2")) }
        var table = TextTable(["law", "mean", "variance", "± SE", "excess kurtosis", "what"])
        table.add(["\(name)-ensemble", fmt(ens.mean, 6), fmt(ens.variance, 6), fmt(ens.varianceSE, 2), fmt(ens.excessKurtosis, 5),
                   "(a) iterates (SE from per-path averages)"])
        for (label, p, what) in laws.dropFirst() {
            table.add([label, fmt(p.mean, 6), fmt(p.variance, 6), "", fmt(p.excessKurtosis, 5), what])
        }
        if let exact {
            table.add(["exact-discrete", fmt(exact.mean, 6), fmt(exact.variance, 6), "", fmt(exact.excessKurtosis, 5),
                       "affine moment recursion (docs/THEORY.md §6.2, §6.3, §6.5)"])
        }
        if chain != nil { table.add(["langevin-ou", fmt(problem.minimizer, 6), fmt(sdL * sdL, 6), "", "0", "OU model at θ*: Var = T/λ"]) }
        print(table.render())

        var pairs: [(Int, Int)] = [(0, 1), (1, 2), (0, 2), (1, 3), (2, 3)]
        if sme != nil { pairs += [(1, 4), (4, 3)] }
        var dist = TextTable(["p", "q", "TV", "KL(p‖q)", "W1"])
        var distJSON: [[String: Any]] = []
        for (i, j) in pairs {
            let d = DistanceTriple(laws[i].1, laws[j].1)
            dist.add([laws[i].0, laws[j].0, fmt(d.tv, 5), fmt(d.kl, 5), fmt(d.w1, 5)])
            var e = d.json
            e["p"] = laws[i].0; e["q"] = laws[j].0
            distJSON.append(e)
        }
        print("")
        print(dist.render())
        print("KL regularised: ε = 1e-12 added to every cell of both laws, then renormalised. The ensemble rows include Monte Carlo noise.")
        StudyRecording.claim("\(alg)'s stationary law at finite η (ensemble and master equation agree up to Monte Carlo and grid error) differs from its Langevin model's Fokker–Planck law, which equals the Gibbs density e^{−f/T}/Z with T = \(isSGLD ? "T_SGLD + " : "")ησ²/2; the difference shrinks as η → 0.")
        let ensMaster = DistanceTriple(laws[0].1, laws[1].1), masterLangevin = DistanceTriple(laws[1].1, laws[2].1)
        StudyRecording.reading("At η = \(fmt(eta, 4)) the ensemble variance is \(fmt(ens.variance, 5)) ± \(fmt(ens.varianceSE, 2)) and the master equation's \(fmt(master.variance, 5))\(exact.map { " (exact discrete \(fmt($0.variance, 5)))" } ?? ""), against \(fmt(langevin.variance, 5)) for the Langevin model; TV ensemble–master \(fmt(ensMaster.tv, 3)) (Monte Carlo), master–Langevin \(fmt(masterLangevin.tv, 3)), W1 master–Langevin \(fmt(masterLangevin.w1, 3)).")
        if problem.isBernoulli {
            let r = eta * lambda
            print("Bernoulli example: SGD's law is the Bernoulli convolution Σ ρ^j ηλ b_j, ρ = \(fmt(1 - r, 6)); exact variance ηλ/(2 − ηλ) = \(fmt(r / (2 - r), 7))\(abs(r - 0.5) < 1e-12 ? ": Uniform[−1, 1], density 0.5" : "") (docs/THEORY.md §8.4).")
        }

        let json: [String: Any] = [
            "study": "stationary", "algorithm": algorithm, "objective": problem.name, "description": problem.label,
            "learning_rate": eta, "temperature": T, "langevin_temperature": tL, "batch_size": b, "sampling": sampling.rawValue,
            "batches": batches.map { "\($0.kind)" } ?? "full gradient",
            "grid": ["lower": g.lower, "upper": g.upper, "count": g.count],
            "ensemble": ["paths": ens.paths, "diverged": ens.diverged, "burn_in": burnIn, "steps": steps, "seed": seed,
                         "mean": ens.mean, "variance": ens.variance, "variance_se": ens.varianceSE,
                         "excess_kurtosis": ens.excessKurtosis, "outside_grid": ens.outside],
            "master": ["iterations": law.iterations, "change": law.change, "clamped_mass": law.clampedMass, "status": "\(law.status)"],
            "laws": laws.map { ["name": $0.0, "mean": $0.1.mean, "variance": $0.1.variance, "excess_kurtosis": $0.1.excessKurtosis] },
            "exact_discrete": exact.map { ["mean": $0.mean, "variance": $0.variance, "excess_kurtosis": $0.excessKurtosis] } ?? NSNull(),
            "distances": distJSON, "kl_regularization": 1e-12,
        ]
        var files: [String] = []
        if let path = try output.write(densityCSV(laws.map { ($0.0.replacingOccurrences(of: "-", with: "_"), $0.1) }), to: "stationary.csv") { files.append(path) }
        if let path = try output.write(jsonString(json), to: "stationary.json") { files.append(path) }
        // Histogram bars on coarser bins (about 60 over the visible range) so the Monte Carlo noise reads as such.
        let shown = visibleRange([master, langevin, gibbs]) ?? (g.lower...g.upper)
        let bars = histogramBars(histogram, over: shown, label: "\(alg) ensemble histogram")
        var curves = [Curve(label: "\(alg) master equation", density: master, width: 2.5),
                      Curve(label: "Langevin Fokker–Planck (T = \(fmt(tL, 3)))", density: langevin, dash: .dashed, width: 2.25),
                      Curve(label: "Gibbs e^(−f/T)", density: gibbs, dash: .dotted, width: 2.5)]
        if let sme { curves.append(Curve(label: "SME-1 Fokker–Planck", density: sme, dash: .dashDot)) }
        let svg = densityPicture(title: "Stationary law of \(alg), η = \(fmt(eta, 4)): algorithm vs Langevin model", curves: curves,
                                 xDomain: shown, bars: bars)
        if let path = try output.write(svg, to: "stationary.svg") { files.append(path) }
        if !files.isEmpty { print("\nwrote " + files.joined(separator: ", ")) }
    }

    /// Where `f − f(θ*) < level·T` around θ*, found by stepping outwards (the Gibbs law has mass below about
    /// e^{−level} beyond).
    func gibbsExtent(_ p: DensityObjective, temperature t: Double, scale: Double, level: Double) -> ClosedRange<Double> {
        let f0 = p.value(p.minimizer)
        func edge(_ dir: Double) -> Double {
            var x = p.minimizer
            for _ in 0..<400_000 {
                x += dir * scale / 8
                if p.value(x) - f0 > level * t { break }
            }
            return x
        }
        return edge(-1)...edge(1)
    }

    /// The transfer operator of the algorithm on the grid.
    func masterOperator(_ p: DensityObjective, grid g: Grid1D, eta: Double, batches: MinibatchEnumeration?,
                        temperature T: Double) throws -> TransferOperator1D {
        if !isSGLD, let ls = p.finiteSum, let batches {
            return try TransferOperator1D(grid: g, objective: ls, learningRate: eta, batchSize: batches.batchSize,
                                          sampling: batches.sampling, maximumBatches: maxBatches, seed: 0)
        }
        // SGLD: θ' = T_B(θ) + s z_q, s = √(2ηT), with the Gaussian noise discretised by `sgldNoise`.
        let (z, w, _) = sgldNoise(eta: eta, temperature: T, spacing: g.spacing)
        let s = (2 * eta * T).squareRoot()
        let m = z.count
        if p.finiteSum != nil, let batches {
            let (h, gg) = p.samples!
            var probabilities: [Double] = []
            var slope: [Double] = [], shift: [Double] = []
            for k in 0..<batches.count {
                var sh = 0.0, sg = 0.0
                for i in batches.batch(k) { sh += h[i]; sg += gg[i] }
                slope.append(1 - eta * sh / Double(batches.batchSize))
                shift.append(eta * sg / Double(batches.batchSize))
                for q in 0..<m { probabilities.append(batches.probabilities[k] * w[q]) }
            }
            return try TransferOperator1D(grid: g, probabilities: probabilities, timePerStep: eta) { k, x in
                slope[k / m] * x + shift[k / m] + s * z[k % m]
            }
        }
        let f = p.objective
        return try TransferOperator1D(grid: g, probabilities: w, timePerStep: eta) { q, x in
            var gx = [0.0]
            f.gradient([x], into: &gx)
            return x - eta * gx[0] + s * z[q]
        }
    }

    /// The Gaussian noise of one SGLD step, `s Z` with `s = √(2ηT)`, as points `z_q` and weights `w_q`:
    /// when `s ≥ Δθ`, the lattice `z_k = kΔθ/s`, `|k| ≤ ⌈8s/Δθ⌉`, with weights `∝ e^{−z_k²/2}` (every jump is
    /// a whole number of cells, so the deposit stays smooth; the variance is `s²` up to `e^{−2π²s²/Δθ²}`);
    /// for smaller `s`, `--quadrature`-point Gauss–Hermite (moments exact to degree 2m − 1).
    func sgldNoise(eta: Double, temperature T: Double, spacing dx: Double) -> (z: [Double], w: [Double], description: String) {
        let s = (2 * eta * T).squareRoot()
        if s >= dx {
            let k = Int((8 * s / dx).rounded(.up))
            let z = (-k...k).map { Double($0) * dx / s }
            var w = z.map { exp(-0.5 * $0 * $0) }
            let sum = w.reduce(0, +)
            for q in 0..<w.count { w[q] /= sum }
            return (z, w, "noise √(2ηT)Z as a lattice Gaussian of \(2 * k + 1) whole-cell jumps")
        }
        let (z, w) = gaussHermite(quadrature)
        return (z, w, "noise √(2ηT)Z by \(quadrature)-point Gauss–Hermite quadrature (√(2ηT) < Δθ)")
    }

    // MARK: ensemble

    struct EnsembleOutcome {
        var paths: Int
        var diverged: Int
        var counts: [Int]
        var outside: Int
        var mean: Double
        var variance: Double
        var varianceSE: Double
        var excessKurtosis: Double
    }

    func ensemble(_ p: DensityObjective, grid g: Grid1D, eta: Double, batchSize b: Int, sampling: Sampling,
                  temperature T: Double) throws -> EnsembleOutcome {
        if let ls = p.finiteSum {
            let gradient = MinibatchGradient(ls, batchSize: b, sampling: sampling)
            if isSGLD { return try sample(SGLD(gradient, learningRate: eta, temperature: T), p, grid: g) }
            return try sample(SGD(gradient, learningRate: eta), p, grid: g)
        }
        return try sample(SGLD(ExactGradient(AnyObjective(p.objective)), learningRate: eta, temperature: T), p, grid: g)
    }

    /// Runs the paths in parallel (counter-based randomness: the numbers do not depend on the threads),
    /// depositing every iterate after the burn-in at its nearest node. A path that diverges (non-finite or
    /// |θ| > 10⁸) is replayed to take its deposits back out and is excluded.
    func sample<A: Algorithm>(_ alg: A, _ p: DensityObjective, grid g: Grid1D) throws -> EnsembleOutcome {
        let n = g.count, P = paths, reference = p.minimizer
        let threadCount = max(1, min(threads, P))
        let hist = SharedBuffer<Int>(count: threadCount * (n + 1), value: 0)
        let stats = SharedBuffer<Double>(count: P * 4, value: 0)
        let failed = SharedBuffer<Int>(count: P, value: -1)
        let rng = CounterRNG(seed: seed)
        let burn = burnIn, rec = steps
        let lower = g.lower, dx = g.spacing
        let progress = ProgressBar("stationary: \(alg.name) ensemble", paths: P, steps: burn + rec)
        let counter = progress.callback().map { ProgressCounter(total: P, report: $0) }
        DispatchQueue.concurrentPerform(iterations: threadCount) { t in
            var state = alg.makeState(start: [reference])
            let base = t * (n + 1)
            func node(_ x: Double) -> Int {
                let r = ((x - lower) / dx).rounded()
                return r >= 0 && r <= Double(n - 1) ? Int(r) : n   // n: outside
            }
            var path = t
            var finished = 0   // paths not yet reported to the progress counter
            defer { if finished > 0 { counter?.advance(by: finished) } }
            while path < P {
                alg.reset(&state, start: [reference])
                var s1 = 0.0, s2 = 0.0, s3 = 0.0, s4 = 0.0
                var diverged = -1
                for k in 0..<(burn + rec) {
                    alg.step(&state, rng: rng, path: path)
                    let x = state.position[0]
                    if !(abs(x) <= 1e8) { diverged = k; break }
                    if k >= burn {
                        hist.pointer[base + node(x)] += 1
                        let y = x - reference, y2 = y * y
                        s1 += y; s2 += y2; s3 += y2 * y; s4 += y2 * y2
                    }
                }
                if diverged >= 0 {
                    // Replay the path and remove what it deposited.
                    alg.reset(&state, start: [reference])
                    for k in 0..<diverged {
                        alg.step(&state, rng: rng, path: path)
                        if k >= burn { hist.pointer[base + node(state.position[0])] -= 1 }
                    }
                    failed.pointer[path] = diverged + 1
                } else {
                    let inv = 1 / Double(rec)
                    stats.pointer[4 * path] = s1 * inv; stats.pointer[4 * path + 1] = s2 * inv
                    stats.pointer[4 * path + 2] = s3 * inv; stats.pointer[4 * path + 3] = s4 * inv
                }
                path += threadCount
                finished += 1
                if finished == 64 { counter?.advance(by: finished); finished = 0 }
            }
        }
        progress.finish()
        var counts = [Int](repeating: 0, count: n)
        var outside = 0
        for t in 0..<threadCount {
            for j in 0..<n { counts[j] += hist.pointer[t * (n + 1) + j] }
            outside += hist.pointer[t * (n + 1) + n]
        }
        let good = (0..<P).filter { failed.pointer[$0] < 0 }
        let bad = P - good.count
        if bad > 0 {
            let first = (0..<P).compactMap { failed.pointer[$0] >= 0 ? failed.pointer[$0] : nil }.min()!
            guard good.count >= 2 else {
                throw CLIError.runtime("\(alg.name) diverged on \(bad) of \(P) paths (first at step \(first)); reduce the learning rate")
            }
            warn("\(alg.name) diverged on \(bad) of \(P) paths (first at step \(first)); they are excluded")
        }
        guard counts.contains(where: { $0 > 0 }) else {
            throw CLIError.runtime("no iterate of the ensemble fell inside the grid [\(fmt(g.lower)), \(fmt(g.upper))]")
        }
        // Pooled raw moments of y = θ − θ* (equal weights per path), then central moments.
        var r = [0.0, 0.0, 0.0, 0.0]
        for q in good { for i in 0..<4 { r[i] += stats.pointer[4 * q + i] } }
        let cnt = Double(good.count)
        for i in 0..<4 { r[i] /= cnt }
        let m = r[0]
        let variance = r[1] - m * m
        let mu4 = r[3] - 4 * m * r[2] + 6 * m * m * r[1] - 3 * m * m * m * m
        // Per-path variance about the pooled mean: its spread gives the standard error.
        var sv = 0.0, sv2 = 0.0
        for q in good {
            let v = stats.pointer[4 * q + 1] - 2 * m * stats.pointer[4 * q] + m * m
            sv += v; sv2 += v * v
        }
        let meanV = sv / cnt
        let se = (max(sv2 / cnt - meanV * meanV, 0) * cnt / (cnt - 1) / cnt).squareRoot()
        return EnsembleOutcome(paths: P, diverged: bad, counts: counts, outside: outside, mean: reference + m,
                               variance: variance, varianceSE: se, excessKurtosis: mu4 / (variance * variance) - 3)
    }

    /// The ensemble's grid law regrouped into about 60 bars over `range`, as densities.
    func histogramBars(_ h: Density1D, over range: ClosedRange<Double>, label: String) -> BarSeries {
        let g = h.grid
        let lo = g.nearestIndex(range.lowerBound), hi = g.nearestIndex(range.upperBound)
        let per = max(1, (hi - lo + 1) / 60)
        var edges: [Double] = [], heights: [Double] = []
        var j = lo
        while j + per - 1 <= hi {
            var m = 0.0
            for i in j..<(j + per) { m += h.masses[i] }
            edges.append(g[j] - g.spacing / 2)
            heights.append(m / (Double(per) * g.spacing))
            j += per
        }
        edges.append(g[j - 1] + g.spacing / 2)
        return BarSeries(label: label, edges: edges, heights: heights, color: Color(hex: "#9ecae1"), opacity: 0.6)
    }
}

/// A buffer shared by the threads of `concurrentPerform`; each thread writes its own indices.
final class SharedBuffer<T>: @unchecked Sendable {
    let pointer: UnsafeMutableBufferPointer<T>
    init(count: Int, value: T) {
        pointer = .allocate(capacity: count)
        pointer.initialize(repeating: value)
    }
    deinit { pointer.deallocate() }
}
