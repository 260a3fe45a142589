import ArgumentParser
import Foundation
import SGDynamics
import SGDynamicsReport

/// `sgdyn master`: the exact finite-η law of SGD by its master equation (transfer operator).
struct MasterCommand: StudyCommand {
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
        ησ²/(2λ(1−μ)) (§4.4, §6.4). Writes master.csv, master.json and master.svg to --out.
        """
    )

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

    func validate() throws {
        try requireFinite(start, "--start")
        try requireFinite(momentum, "--momentum")
        if let steps, steps < 1 || steps > 100_000_000 { throw ValidationError.field("--steps", "must be between 1 and 10⁸, got \(steps)") }
        guard saves >= 1, saves <= 10_000 else { throw ValidationError.field("--saves", "must be between 1 and 10000, got \(saves)") }
        guard tolerance.isFinite, tolerance > 0 else { throw ValidationError.field("--tolerance", "must be a positive number, got \(tolerance)") }
        guard maxIterations >= 1, maxIterations <= 100_000_000 else { throw ValidationError.field("--max-iterations", "must be between 1 and 10⁸, got \(maxIterations)") }
        guard maxBatches >= 1, maxBatches <= 10_000_000 else { throw ValidationError.field("--max-batches", "must be between 1 and 10⁷, got \(maxBatches)") }
        if let momentum, !(momentum >= 0 && momentum < 1) { throw ValidationError.field("--momentum", "must lie in [0, 1), got \(momentum)") }
    }

    func run() throws {
        let (problem, eta) = try objectiveOptions.resolve(allowDeterministic: false)
        let ls = problem.finiteSum!
        let b = objectiveOptions.batchSize, sampling = objectiveOptions.samplingRule
        let batches = try naming([:]) {
            try MinibatchEnumeration(sampleCount: ls.sampleCount, batchSize: b, sampling: sampling, maximumBatches: maxBatches, seed: seed)
        }
        let chain = AffineChain(objective: problem, batches: batches, eta: eta)
        let etaField = problem.isBernoulli ? "--eta-lambda" : "--learning-rate"
        let lambda = problem.curvature
        let sigma2 = problem.stepNoiseVariance(batchSize: b, sampling: sampling)
        guard sigma2 > 1e-300 else {
            throw CLIError.usage("--objective", "the minibatch gradients agree at θ* = \(fmt(problem.minimizer)) (no noise there), so SGD's stationary law is the point mass at θ*; choose samples with different minimizers")
        }
        let context = MasterContext(problem: problem, eta: eta, batches: batches, chain: chain, lambda: lambda, sigma2: sigma2,
                                    etaField: etaField)
        if let momentum {
            try runHeavyBall(context, momentum: momentum)
        } else {
            try run1D(context)
        }
    }

    struct MasterContext {
        let problem: DensityObjective
        let eta: Double
        let batches: MinibatchEnumeration
        let chain: AffineChain
        let lambda: Double
        let sigma2: Double
        let etaField: String

        var header: String {
            "η = \(fmt(eta, 6)), batch size \(batches.batchSize) \(batches.sampling.rawValue): \(batches.kind); θ* = \(fmt(problem.minimizer, 6)), λ = f''(θ*) = \(fmt(lambda, 6)), σ² = cΣ(θ*) = \(fmt(sigma2, 6))"
        }

        func unstable() -> CLIError {
            var eh = 0.0, eh2 = 0.0
            for k in 0..<chain.p.count {
                let h = (1 - chain.a[k]) / eta
                eh += chain.p[k] * h; eh2 += chain.p[k] * h * h
            }
            return CLIError.usage(etaField, "SGD is not mean-square stable at η = \(fmt(eta)): E(1 − ηh_B)² = \(fmt(chain.aMoment(2))) ≥ 1 (docs/THEORY.md §10.2); need η < 2E[h_B]/E[h_B²] = \(fmt(2 * eh / eh2))\(problem.isBernoulli ? ", i.e. 0 < ηλ < 2" : "")")
        }
    }

    // MARK: 1-D

    func run1D(_ c: MasterContext) throws {
        guard let exact = c.chain.stationary() else { throw c.unstable() }
        let problem = c.problem
        let temperature = c.eta * c.sigma2 / 2
        let langevinVariance = temperature / c.lambda
        let support = c.chain.invariantInterval
        let axis: GridAxis
        if let grid {
            axis = try parseGrid(grid, maximumAxes: 1)[0]
        } else {
            let sdExact = exact.variance.squareRoot(), sdL = langevinVariance.squareRoot()
            axis = defaultGrid(cover: [support.map(padded) ?? around(exact.mean, sdExact, 12), around(problem.minimizer, sdL, 8)],
                               resolution: min(sdExact, sdL))
        }
        try checkResolution(axis, sd: min(exact.variance, langevinVariance).squareRoot(), what: "SGD's stationary law and its Langevin model")
        if let s = support {
            let slack = 1e-9 * (s.upperBound - s.lowerBound)
            if s.lowerBound < axis.lower - slack || s.upperBound > axis.upper + slack {
                throw CLIError.usage("--grid", "the domain [\(fmt(axis.lower)), \(fmt(axis.upper))] does not contain the support [\(fmt(s.lowerBound, 6)), \(fmt(s.upperBound, 6))] of SGD's stationary law; widen lower/upper")
            }
        } else {
            let r = 6 * exact.variance.squareRoot()
            if exact.mean - r < axis.lower || exact.mean + r > axis.upper {
                throw CLIError.usage("--grid", "the domain [\(fmt(axis.lower)), \(fmt(axis.upper))] is too small for SGD's law (mean \(fmt(exact.mean)), sd \(fmt(exact.variance.squareRoot())); its support is unbounded): cover at least mean ± 6 sd = [\(fmt(exact.mean - r)), \(fmt(exact.mean + r))]")
            }
        }
        guard Double(axis.count) * Double(c.batches.count) <= 5e7 else {
            throw CLIError.usage("--grid", "\(axis.count) nodes × \(c.batches.count) batches is more than 5·10⁷ deposits; use fewer nodes or --max-batches")
        }
        let g = try naming([:]) { try axis.grid }
        let ls = problem.finiteSum!
        let op = try naming([:]) {
            try TransferOperator1D(grid: g, objective: ls, learningRate: c.eta, batchSize: c.batches.batchSize,
                                   sampling: c.batches.sampling, maximumBatches: maxBatches, seed: seed)
        }
        let iterationBar = ProgressBar("master: power iteration", total: maxIterations, workName: "iterations")
        let law = try naming([:]) {
            defer { iterationBar.finish() }
            return try op.stationary(tolerance: tolerance, maximumIterations: maxIterations, progress: iterationBar.callback())
        }
        let gaussian = try naming(["variance": "--objective"]) { try Density1D.gaussian(grid: g, mean: problem.minimizer, variance: langevinVariance) }
        let gibbs = try naming(["temperature": "--objective"]) { try Density1D.gibbs(grid: g, temperature: temperature, potential: { problem.value($0) }) }

        if steps != nil, let x0 = start, !(x0 >= g.lower && x0 <= g.upper) {
            throw CLIError.usage("--start", "must lie in the grid [\(fmt(g.lower)), \(fmt(g.upper))], got \(x0)")
        }
        try checkCovers(gaussian, what: "the Langevin Gaussian")
        try checkCovers(gibbs, what: "the Gibbs density")
        print("SGD master equation (docs/THEORY.md §8.2–§8.3) on the \(problem.label)")
        print(c.header)
        print("grid [\(fmt(g.lower, 6)), \(fmt(g.upper, 6))] with \(g.count) nodes, Δθ = \(fmt(g.spacing, 4)) (cloud-in-cell deposit, O(Δθ²) bias); max clamped probability per step \(fmt(op.maximumClampedProbability))")
        print("stationary law by power iteration: \(law.iterations) iterations, ‖Δp‖₁ = \(fmt(law.change, 2)) (tolerance \(fmt(tolerance, 2))), clamped mass \(fmt(law.clampedMass, 2)), status \(law.status)")
        if !law.status.isOK { warn("master equation: \(law.status)") }
        let p = law.density

        var json: [String: Any] = [
            "study": "master", "objective": problem.name, "description": problem.label, "learning_rate": c.eta,
            "batch_size": c.batches.batchSize, "sampling": c.batches.sampling.rawValue, "batches": "\(c.batches.kind)",
            "batches_enumerated": { if case .exact = c.batches.kind { return true } else { return false } }(),
            "grid": ["lower": g.lower, "upper": g.upper, "count": g.count],
            "minimizer": problem.minimizer, "curvature": c.lambda, "step_noise_variance": c.sigma2, "temperature": temperature,
            "stationary": ["iterations": law.iterations, "change": law.change, "clamped_mass": law.clampedMass,
                           "status": "\(law.status)", "mean": p.mean, "variance": p.variance, "excess_kurtosis": p.excessKurtosis],
            "exact_discrete": ["mean": exact.mean, "variance": exact.variance, "excess_kurtosis": exact.excessKurtosis],
            "langevin": ["mean": problem.minimizer, "variance": langevinVariance, "temperature": temperature],
        ]

        if let steps {
            try transient(op, c, steps: steps, stationary: p, gaussian: gaussian, json: &json)
            return
        }

        print("")
        var table = TextTable(["law", "mean", "variance", "excess kurtosis", "what"])
        table.add(["master-equation", fmt(p.mean, 7), fmt(p.variance, 7), fmt(p.excessKurtosis, 7), "SGD's grid law (power iteration)"])
        table.add(["exact-discrete", fmt(exact.mean, 7), fmt(exact.variance, 7), fmt(exact.excessKurtosis, 7), "affine moment recursion (docs/THEORY.md §6.3, §6.5, §8.4)"])
        table.add(["langevin-gaussian", fmt(problem.minimizer, 7), fmt(langevinVariance, 7), "0", "OU/Langevin at T = ησ²/2 = \(fmt(temperature, 6)): Var = ησ²/(2λ)"])
        table.add(["gibbs", fmt(gibbs.mean, 7), fmt(gibbs.variance, 7), fmt(gibbs.excessKurtosis, 7), "e^{−f/T}/Z on the grid"])
        print(table.render())
        print("\nvariance ratio exact-discrete / Langevin = \(fmt(exact.variance / langevinVariance, 6))\(problem.isBernoulli ? " (= 1/(1 − ηλ/2))" : "")")
        if problem.isBernoulli {
            let r = c.eta * c.lambda
            let rho = 1 - r
            print("Bernoulli convolution: ρ = 1 − ηλ = \(fmt(rho, 6)); exact variance ηλ/(2 − ηλ) = \(fmt(r / (2 - r), 7)), excess kurtosis −2(1−ρ²)/(1+ρ²) = \(fmt(-2 * (1 - rho * rho) / (1 + rho * rho), 7))\(abs(r - 0.5) < 1e-12 ? "; the law is Uniform[−1, 1] (density 0.5)" : "")")
        }
        let dg = DistanceTriple(p, gaussian), db = DistanceTriple(p, gibbs)
        var dist = TextTable(["from master-equation to", "TV", "KL(master‖·)", "W1"])
        dist.add(["langevin-gaussian", fmt(dg.tv, 5), fmt(dg.kl, 5), fmt(dg.w1, 5)])
        dist.add(["gibbs", fmt(db.tv, 5), fmt(db.kl, 5), fmt(db.w1, 5)])
        print("")
        print(dist.render())
        print("KL regularised: ε = 1e-12 added to every cell of both laws, then renormalised. Laws are cell masses on the grid.")
        if let s = c.chain.invariantInterval { print("support of SGD's law: [\(fmt(s.lowerBound, 6)), \(fmt(s.upperBound, 6))]") }
        StudyRecording.claim(Self.masterClaim)
        StudyRecording.reading("At η = \(fmt(c.eta, 4)) SGD's stationary law from the master equation has variance \(fmt(p.variance, 5)) (exact discrete \(fmt(exact.variance, 5)), Langevin \(fmt(langevinVariance, 5)): ratio \(fmt(exact.variance / langevinVariance, 4)) to Langevin) and excess kurtosis \(fmt(p.excessKurtosis, 4)) (exact \(fmt(exact.excessKurtosis, 4)), Langevin 0); its distance to the Langevin Gaussian is TV \(fmt(dg.tv, 3)), W1 \(fmt(dg.w1, 3)).")

        json["distances"] = ["langevin_gaussian": dg.json, "gibbs": db.json]
        json["gibbs"] = ["mean": gibbs.mean, "variance": gibbs.variance]
        var files: [String] = []
        if let path = try output.write(densityCSV([("master_equation", p), ("langevin_gaussian", gaussian), ("gibbs", gibbs)]), to: "master.csv") { files.append(path) }
        if let path = try output.write(jsonString(json), to: "master.json") { files.append(path) }
        let svg = densityPicture(
            title: "SGD's stationary law (master equation) vs Langevin, η = \(fmt(c.eta, 4))",
            curves: [Curve(label: "SGD master equation (var \(fmt(p.variance, 4)))", density: p, width: 2.5),
                     Curve(label: "Langevin/OU Gaussian (var \(fmt(langevinVariance, 4)))", density: gaussian, dash: .dashed),
                     Curve(label: "Gibbs e^(−f/T), T = \(fmt(temperature, 4))\(DensityDistance.totalVariation(gaussian, gibbs) < 1e-9 ? " (= Gaussian)" : "")",
                           density: gibbs, dash: .dotted, width: 2.5)],
            xDomain: visibleRange([p, gaussian, gibbs]))
        if let path = try output.write(svg, to: "master.svg") { files.append(path) }
        if !files.isEmpty { print("\nwrote " + files.joined(separator: ", ")) }
    }

    static let masterClaim = "SGD's law at finite η is the fixed point of its exact master equation, not the Langevin Gaussian: for a quadratic the exact stationary variance is ησ²/(λ(2 − ηλ)), above Langevin's ησ²/(2λ) by the factor 1/(1 − ηλ/2), and the law need not be Gaussian (docs/THEORY.md §8)."

    func transient(_ op: TransferOperator1D, _ c: MasterContext, steps: Int, stationary: Density1D, gaussian: Density1D,
                   json: inout [String: Any]) throws {
        let g = op.grid
        let x0 = start ?? c.problem.minimizer
        guard x0 >= g.lower, x0 <= g.upper else {
            throw CLIError.usage("--start", "must lie in the grid [\(fmt(g.lower)), \(fmt(g.upper))], got \(x0)")
        }
        let every = max(1, steps / saves)
        let bar = ProgressBar("master: transient, \(steps) steps", total: steps)
        let run = try naming([:]) {
            defer { bar.finish() }
            return try op.evolve(Density1D.pointMass(at: x0, grid: g), steps: steps, saveEvery: every, progress: bar.callback())
        }
        let exact = c.chain.transient(from: x0, steps: run.steps)
        print("transient from a point mass at θ₀ = \(fmt(x0, 6)), \(steps) steps, t = kη; status \(run.status)")
        if !run.status.isOK { warn("master equation: \(run.status)") }
        print("")
        var table = TextTable(["k", "t", "mass", "mean", "variance", "exact variance", "excess kurtosis", "min mass", "TV to stationary"])
        var rows: [[String: Any]] = []
        for (i, p) in run.densities.enumerated() {
            let tv = DensityDistance.totalVariation(p, stationary)
            let v = p.variance
            table.add(["\(run.steps[i])", fmt(run.times[i], 5), fmt(p.totalMass, 12), fmt(p.mean, 6), fmt(v, 6), fmt(exact[i].variance, 6),
                       fmt(p.excessKurtosis, 5), fmt(p.minimumMass, 3), fmt(tv, 4)])
            rows.append(["k": run.steps[i], "t": run.times[i], "mass": p.totalMass, "mean": p.mean, "variance": v,
                         "exact_variance": exact[i].variance, "excess_kurtosis": p.excessKurtosis, "tv_to_stationary": tv])
        }
        print(table.render())
        print("\nexact variance: the affine moment recursion from θ₀ (no grid); the grid law adds an O(Δθ²) deposit bias.")
        StudyRecording.claim(Self.masterClaim)
        if let last = run.densities.last, let lastExact = exact.last {
            StudyRecording.reading("From θ₀ = \(fmt(x0, 4)), after \(run.steps.last ?? 0) steps the grid law has variance \(fmt(last.variance, 5)) against the exact \(fmt(lastExact.variance, 5)) (grid deposit bias O(Δθ²)), mass \(fmt(last.totalMass, 10)), and total variation \(fmt(DensityDistance.totalVariation(last, stationary), 3)) to the stationary law.")
        }
        json["transient"] = ["start": x0, "steps": steps, "status": "\(run.status)", "rows": rows]
        var files: [String] = []
        var cols = run.densities.enumerated().map { ("k=\(run.steps[$0.offset])", $0.element) }
        cols.append(("stationary", stationary))
        if let path = try output.write(densityCSV(cols), to: "master.csv") { files.append(path) }
        if let path = try output.write(jsonString(json), to: "master.json") { files.append(path) }
        var curves: [Curve] = []
        let shown = run.densities.indices.filter { $0 > 0 }.suffix(6)
        for i in shown { curves.append(Curve(label: "k = \(run.steps[i]) (t = \(fmt(run.times[i], 3)))", density: run.densities[i], width: 1.75)) }
        curves.append(Curve(label: "stationary (master equation)", density: stationary, dash: .dashed, width: 2.5, color: .black))
        curves.append(Curve(label: "Langevin/OU Gaussian", density: gaussian, dash: .dotted, width: 2.5, color: .grey))
        let svg = densityPicture(title: "SGD's law by the master equation from θ₀ = \(fmt(x0, 4)), η = \(fmt(c.eta, 4))", curves: curves,
                                 xDomain: visibleRange(run.densities.dropFirst() + [stationary, gaussian]))
        if let path = try output.write(svg, to: "master.svg") { files.append(path) }
        if !files.isEmpty { print("\nwrote " + files.joined(separator: ", ")) }
    }

    // MARK: heavy ball in (θ, v)

    func runHeavyBall(_ c: MasterContext, momentum mu: Double) throws {
        guard steps == nil else {
            throw CLIError.usage("--steps", "transient runs are 1-D only; drop --steps for heavy ball's stationary law")
        }
        let hb = HeavyBallChain(chain: c.chain, momentum: mu)
        guard hb.spectralRadius < 1, let s = hb.stationary() else {
            throw CLIError.usage(c.etaField, "heavy ball is not mean-square stable at η = \(fmt(c.eta)), μ = \(fmt(mu)): the second-moment map has spectral radius \(fmt(hb.spectralRadius)) ≥ 1")
        }
        let problem = c.problem
        let temperature = c.eta * c.sigma2 / (2 * (1 - mu))
        let langevinVariance = temperature / c.lambda
        let axes: [GridAxis]
        if let grid {
            axes = try parseGrid(grid)
            guard axes.count == 2 else {
                throw CLIError.usage("--grid", "heavy ball (--momentum) needs a 2-D grid θ-axis,v-axis, e.g. -2:2:161,-1:1:161")
            }
        } else {
            let sx = s.varX.squareRoot(), sv = s.varV.squareRoot()
            axes = [GridAxis(lower: s.meanX - 8 * sx, upper: s.meanX + 8 * sx, count: 161),
                    GridAxis(lower: -8 * sv, upper: 8 * sv, count: 161)]
        }
        try checkResolution(axes[0], sd: min(s.varX, langevinVariance).squareRoot(), what: "heavy ball's θ-marginal")
        try checkResolution(axes[1], sd: s.varV.squareRoot(), what: "heavy ball's velocity")
        for (axis, m, v, name) in [(axes[0], s.meanX, s.varX, "θ"), (axes[1], 0.0, s.varV, "v")] {
            let r = 3 * v.squareRoot()
            if m - r < axis.lower || m + r > axis.upper {
                throw CLIError.usage("--grid", "the \(name)-axis [\(fmt(axis.lower)), \(fmt(axis.upper))] does not cover mean ± 3 sd = [\(fmt(m - r)), \(fmt(m + r))] of heavy ball's law; widen it")
            }
        }
        guard Double(axes[0].count * axes[1].count) * Double(c.batches.count) <= 5e7 else {
            throw CLIError.usage("--grid", "\(axes[0].count * axes[1].count) cells × \(c.batches.count) batches is more than 5·10⁷ deposits; use a coarser grid")
        }
        let g2 = try naming([:]) { Grid2D(x: try axes[0].grid, y: try axes[1].grid) }
        let op = try naming([:]) {
            try TransferOperator2D.heavyBall(grid: g2, objective: problem.finiteSum!, learningRate: c.eta, momentum: mu,
                                             batchSize: c.batches.batchSize, sampling: c.batches.sampling,
                                             maximumBatches: maxBatches, seed: seed)
        }
        let iterationBar = ProgressBar("master: power iteration", total: maxIterations, workName: "iterations")
        let law = try naming([:]) {
            defer { iterationBar.finish() }
            return try op.stationary(tolerance: tolerance, maximumIterations: maxIterations, progress: iterationBar.callback())
        }
        let p2 = law.density
        let p = p2.marginalX
        let gx = g2.x
        let gaussian = try naming([:]) { try Density1D.gaussian(grid: gx, mean: problem.minimizer, variance: langevinVariance) }
        let gibbs = try naming([:]) { try Density1D.gibbs(grid: gx, temperature: temperature, potential: { problem.value($0) }) }
        try checkCovers(gaussian, what: "the Langevin Gaussian")
        try checkCovers(gibbs, what: "the Gibbs density")
        print("Heavy-ball master equation (θ, v) (docs/THEORY.md §8.2, §6.4) on the \(problem.label)")
        print(c.header + ", μ = \(fmt(mu, 6))")
        print("grid θ ∈ [\(fmt(gx.lower, 5)), \(fmt(gx.upper, 5))] × v ∈ [\(fmt(g2.y.lower, 5)), \(fmt(g2.y.upper, 5))], \(gx.count) × \(g2.y.count) nodes (bilinear deposit)")
        print("stationary law by power iteration: \(law.iterations) iterations, ‖Δp‖₁ = \(fmt(law.change, 2)), clamped mass \(fmt(law.clampedMass, 2)), status \(law.status)")
        if !law.status.isOK { warn("master equation: \(law.status)") }
        print("")
        var table = TextTable(["law", "mean θ", "variance θ", "excess kurtosis θ", "what"])
        table.add(["master-equation", fmt(p.mean, 7), fmt(p.variance, 7), fmt(p.excessKurtosis, 7), "θ-marginal of heavy ball's grid law"])
        table.add(["exact-discrete", fmt(s.meanX, 7), fmt(s.varX, 7), "-", "exact second moments of the affine (θ, v) chain"])
        table.add(["langevin-gaussian", fmt(problem.minimizer, 7), fmt(langevinVariance, 7), "0", "regime-A model, T = ησ²/(2(1−μ)) = \(fmt(temperature, 6))"])
        table.add(["gibbs", fmt(gibbs.mean, 7), fmt(gibbs.variance, 7), fmt(gibbs.excessKurtosis, 7), "e^{−f/T}/Z on the θ grid"])
        print(table.render())
        let dg = DistanceTriple(p, gaussian), db = DistanceTriple(p, gibbs)
        var dist = TextTable(["from master-equation (θ) to", "TV", "KL(master‖·)", "W1"])
        dist.add(["langevin-gaussian", fmt(dg.tv, 5), fmt(dg.kl, 5), fmt(dg.w1, 5)])
        dist.add(["gibbs", fmt(db.tv, 5), fmt(db.kl, 5), fmt(db.w1, 5)])
        print("")
        print(dist.render())
        print("KL regularised: ε = 1e-12 added to every cell of both laws, then renormalised.")
        StudyRecording.claim("At finite η and fixed μ, heavy ball's stationary law differs from its regime-A Langevin model (temperature ησ²/(2(1−μ))); the exact second moments of the affine (θ, v) chain measure by how much, and the master equation on a grid reproduces them.")
        StudyRecording.reading("θ-variance: master equation \(fmt(p.variance, 5)), exact discrete \(fmt(s.varX, 5)), regime-A Langevin \(fmt(langevinVariance, 5)) (ratio exact/Langevin \(fmt(s.varX / langevinVariance, 4))); distance of the θ-marginal to the Langevin Gaussian: TV \(fmt(dg.tv, 3)), W1 \(fmt(dg.w1, 3)).")
        let json: [String: Any] = [
            "study": "master", "algorithm": "heavy-ball", "momentum": mu, "objective": problem.name, "learning_rate": c.eta,
            "batches": "\(c.batches.kind)", "iterations": law.iterations, "change": law.change, "clamped_mass": law.clampedMass,
            "status": "\(law.status)", "theta_mean": p.mean, "theta_variance": p.variance, "exact_variance": s.varX,
            "velocity_variance": s.varV, "langevin_variance": langevinVariance,
            "distances": ["langevin_gaussian": dg.json, "gibbs": db.json]]
        var files: [String] = []
        if let path = try output.write(densityCSV([("master_equation_theta", p), ("langevin_gaussian", gaussian), ("gibbs", gibbs)]), to: "master.csv") { files.append(path) }
        if let path = try output.write(jsonString(json), to: "master.json") { files.append(path) }
        let svg = densityPicture(
            title: "Heavy ball μ = \(fmt(mu, 3)): θ-marginal of the master equation vs Langevin",
            curves: [Curve(label: "heavy ball master equation (var \(fmt(p.variance, 4)))", density: p, width: 2.5),
                     Curve(label: "regime-A Langevin Gaussian (var \(fmt(langevinVariance, 4)))", density: gaussian, dash: .dashed),
                     Curve(label: "Gibbs e^(−f/T)", density: gibbs, dash: .dotted, width: 2.5)],
            xDomain: visibleRange([p, gaussian, gibbs]))
        if let path = try output.write(svg, to: "master.svg") { files.append(path) }
        let dens = p2.densities
        var map = Heatmap(title: "Heavy ball's stationary law in (θ, v)", values: (0..<g2.y.count).map { j in
            (0..<gx.count).map { i in dens[g2.index(i, j)] }
        }, xLabel: "θ", yLabel: "v", valueLabel: "density", xRange: (gx.lower - gx.spacing / 2)...(gx.upper + gx.spacing / 2),
           yRange: (g2.y.lower - g2.y.spacing / 2)...(g2.y.upper + g2.y.spacing / 2))
        map.colorMap = .viridis
        if let path = try output.write(map.render(), to: "master-2d.svg") { files.append(path) }
        if !files.isEmpty { print("\nwrote " + files.joined(separator: ", ")) }
    }
}

/// Heavy ball `v' = μv − η∇f_B(θ)`, `θ' = θ + v'` on per-sample quadratics: the affine chain
/// `z' = M_B z + c_B` in `z = (θ, v)`, `M_B = [[a_B, μ], [a_B − 1, μ]]`, `c_B = (b_B, b_B)`.
/// Its stationary covariance solves `S = E[M S Mᵀ] + E[d dᵀ]`, `d_B = M_B m + c_B − m`.
struct HeavyBallChain {
    let chain: AffineChain
    let momentum: Double

    func matrix(_ k: Int) -> (Double, Double, Double, Double) {
        let a = chain.a[k]
        return (a, momentum, a - 1, momentum)
    }

    /// `L(S) = E[M S Mᵀ]` on symmetric `S = (xx, xv, vv)`.
    func apply(_ s: (Double, Double, Double)) -> (Double, Double, Double) {
        var r = (0.0, 0.0, 0.0)
        for k in 0..<chain.p.count {
            let (m00, m01, m10, m11) = matrix(k)
            // (M S)
            let a00 = m00 * s.0 + m01 * s.1, a01 = m00 * s.1 + m01 * s.2
            let a10 = m10 * s.0 + m11 * s.1, a11 = m10 * s.1 + m11 * s.2
            let p = chain.p[k]
            r.0 += p * (a00 * m00 + a01 * m01)
            r.1 += p * (a00 * m10 + a01 * m11)
            r.2 += p * (a10 * m10 + a11 * m11)
        }
        return r
    }

    /// Spectral radius of `L` by power iteration on the cone of positive semidefinite matrices.
    var spectralRadius: Double {
        var s = (1.0, 0.0, 1.0)
        var logGrowth = 0.0
        let n = 4000
        for i in 0..<n {
            s = apply(s)
            let norm = max(abs(s.0), abs(s.1), abs(s.2))
            guard norm > 0, norm.isFinite else { return norm == 0 ? 0 : .infinity }
            s = (s.0 / norm, s.1 / norm, s.2 / norm)
            if i >= n / 2 { logGrowth += log(norm) }
        }
        return exp(logGrowth / Double(n - n / 2))
    }

    func stationary() -> (meanX: Double, varX: Double, varV: Double)? {
        // Mean: m = E M m + E c  ⇒  v̄ = 0, θ̄ = E b / (1 − E a).
        let ea = chain.aMoment(1)
        let mx = chain.expectation { _, b in b } / (1 - ea)
        var q = (0.0, 0.0, 0.0)
        for k in 0..<chain.p.count {
            let (m00, _, m10, _) = matrix(k)
            let d0 = m00 * mx + chain.b[k] - mx, d1 = m10 * mx + chain.b[k]
            q.0 += chain.p[k] * d0 * d0; q.1 += chain.p[k] * d0 * d1; q.2 += chain.p[k] * d1 * d1
        }
        // (I − L) S = Q, columns of L from the basis (1,0,0), (0,1,0), (0,0,1).
        let cols = [apply((1, 0, 0)), apply((0, 1, 0)), apply((0, 0, 1))]
        var a = Matrix(rows: 3, columns: 3)
        for j in 0..<3 {
            let c = [cols[j].0, cols[j].1, cols[j].2]
            for i in 0..<3 { a[i, j] = (i == j ? 1 : 0) - c[i] }
        }
        guard let sol = try? a.solve([q.0, q.1, q.2]), sol[0] > 0, sol[2] > 0 else { return nil }
        return (mx, sol[0], sol[2])
    }
}
