import ArgumentParser
import Foundation
import SGDynamics
import SGDynamicsReport

/// `sgdyn noise`: gradient-noise diagnostics of a finite-sum objective at a point or along a run
/// (docs/THEORY.md §2.1–2.2, §9; ``GradientNoiseDiagnostics``).
struct NoiseCommand: StudyCommand {
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
        E‖ξ_B‖² against c(b) tr Σ over --batches with the fitted log–log slope (−1 with replacement).

        The point is the minimum (least squares: closed form; d ≤ 200: damped Newton; larger: GD for \
        --fit-steps steps), or --at start (the objective's starting point), or --x0. With --along K the \
        diagnostics run at every K-th iterate of a GD or SGD run of --steps steps from the start instead.

        Writes noise.csv, noise.json and the SVGs noise-spectrum.svg (Σ spectrum, log y), \
        noise-scaling.svg (E‖ξ_B‖² against b, log–log, reference slope −1) and noise-tail.svg (log–log \
        survival of standardized projections and of ‖ξ_B‖ against the Gaussian) to --out; along a run, \
        noise-along.svg and noise-along-shape.svg.
        """
    )

    @OptionGroup var problem: FiniteSumOptions

    @Option(name: .long, help: ArgumentHelp("Where to measure: minimum or start (ignored with --x0 or --along).", valueName: "where"))
    var at: String = "minimum"

    @Option(name: .long, help: ArgumentHelp("Diagnose every K-th iterate (K ≥ 1) of a run of --steps steps from the start.", valueName: "K"))
    var along: Int?

    @Option(name: .long, help: ArgumentHelp("Run length for --along (≥ 1).", valueName: "N"))
    var steps: Int = 100

    @Option(name: .long, help: ArgumentHelp("Algorithm of the --along run: gd or sgd (minibatches of --batch with --sampling).", valueName: "name"))
    var algorithm: String = "gd"

    @Option(name: .long, help: ArgumentHelp("Learning rate of the --along run (> 0). Default: 1/λ_max(∇²f) at the start.", valueName: "η"))
    var eta: Double?

    @Option(name: .long, help: ArgumentHelp("Batch size b of the sampled noise (≥ 1; ≤ n without replacement).", valueName: "b"))
    var batch: Int = 32

    @Option(name: .long, help: ArgumentHelp("Sampling: with-replacement or without-replacement.", valueName: "s"))
    var sampling: String = "with-replacement"

    @Option(name: .long, help: ArgumentHelp("Sampled minibatch noises M behind the shape and tail statistics (≥ --tail-block × --tail-groups).", valueName: "M"))
    var draws: Int = 10_000

    @Option(name: .long, help: ArgumentHelp("Top eigenvectors of Σ to examine (≥ 1).", valueName: "k"))
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

    @OptionGroup var output: OutputOptions
    @OptionGroup var storeOptions: StoreOptions

    func validate() throws {
        guard ["minimum", "start"].contains(at) else {
            throw ValidationError.field("--at", "must be minimum or start, got '\(at)'")
        }
        if let along, along < 1 { throw ValidationError.field("--along", "must be at least 1 (diagnose every K-th iterate), got \(along)") }
        guard steps >= 1, steps <= 10_000_000 else { throw ValidationError.field("--steps", "must be between 1 and 10⁷, got \(steps)") }
        if let along, steps / along > 1000 {
            throw ValidationError.field("--along", "--steps/--along gives \(steps / along + 1) points; at most 1001 are allowed")
        }
        guard ["gd", "sgd"].contains(algorithm) else {
            throw ValidationError.field("--algorithm", "must be gd or sgd, got '\(algorithm)'")
        }
        if let eta { guard eta > 0, eta.isFinite else { throw ValidationError.field("--eta", "must be a positive finite number, got \(eta)") } }
        guard batch >= 1 else { throw ValidationError.field("--batch", "must be at least 1, got \(batch)") }
        _ = try noiseSampling(sampling, field: "--sampling")
        guard tailBlock >= 2 else { throw ValidationError.field("--tail-block", "must be at least 2, got \(tailBlock)") }
        guard tailGroups >= 2 else { throw ValidationError.field("--tail-groups", "must be at least 2, got \(tailGroups)") }
        guard draws >= max(8, tailBlock * tailGroups), draws <= 10_000_000 else {
            throw ValidationError.field("--draws", "must lie between --tail-block × --tail-groups = \(max(8, tailBlock * tailGroups)) and 10⁷, got \(draws)")
        }
        guard directions >= 1, directions <= 100 else { throw ValidationError.field("--directions", "must be between 1 and 100, got \(directions)") }
        guard scalingDraws >= 2, scalingDraws <= 10_000_000 else {
            throw ValidationError.field("--scaling-draws", "must be between 2 and 10⁷, got \(scalingDraws)")
        }
        _ = try validating { try parseBatchSizes(batches, field: "--batches") }
    }

    func run() throws {
        let entry = try problem.resolve(defaultObjective: "logistic")
        if let ls = entry.objective as? LeastSquares { try study(ls, entry) }
        else if let lr = entry.objective as? LogisticRegression { try study(lr, entry) }
        else if let mlp = entry.objective as? MLPClassifier { try study(mlp, entry) }
        else { throw CLIError.usage("--objective", "\(entry.objective.name) is not a finite sum; use \(FiniteSumOptions.names)") }
    }

    func study<F: FiniteSumObjective>(_ f: F, _ entry: CatalogObjective) throws {
        let n = f.sampleCount
        let s = try noiseSampling(sampling, field: "--sampling")
        let grid = try parseBatchSizes(batches, field: "--batches")
        if s == .withoutReplacement {
            guard batch <= n else {
                throw CLIError.usage("--batch", "without replacement a batch holds at most n = \(n) samples, got \(batch)")
            }
            if let bad = grid.first(where: { $0 > n }) {
                throw CLIError.usage("--batches", "without replacement each batch size must be at most n = \(n), got \(bad)")
            }
        }
        let start = try problem.startPoint(entry)
        let diagnostics = try GradientNoiseDiagnostics(
            batchSize: batch, sampling: s, draws: draws, directions: directions, scalingBatchSizes: grid,
            scalingDraws: scalingDraws, tailBlockSize: tailBlock, tailGroups: tailGroups, seed: seed)
        let t0 = Date()
        if let along {
            try alongRun(f, start: start, every: along, diagnostics: diagnostics, t0: t0)
            return
        }
        let point: FiniteSumPoint
        if problem.x0 != nil || at == "start" {
            point = FiniteSumPoint(x: start, how: problem.x0 != nil ? "x0 (--x0)" : "the starting point", converged: true)
        } else {
            point = try problem.minimum(f, entry: entry, start: start)
        }
        let result = try diagnostics.run(f, at: point.x)
        let report = NoisePointReport(f: f, point: point, result: result, diagnostics: diagnostics, problem: problem)
        try report.write(output, seconds: { Date().timeIntervalSince(t0) })
    }

    func alongRun<F: FiniteSumObjective>(_ f: F, start: [Double], every: Int, diagnostics: GradientNoiseDiagnostics, t0: Date) throws {
        let lmax = f.hessianExtremeEigenvalues(at: start).largest
        let rate: Double
        if let eta { rate = eta } else {
            guard lmax > 0, lmax.isFinite else {
                throw CLIError.runtime("λ_max(∇²f) at the start is \(fmt(lmax)); give the learning rate with --eta")
            }
            rate = 1 / lmax
        }
        let bound = DivergenceRule(bound: 1e6 * max(1, Vec.norm(start)))
        let traj: GradientNoiseDiagnostics.TrajectoryDiagnostics
        let label: String, short: String
        if algorithm == "gd" {
            label = "GD"; short = "GD"
            traj = try diagnostics.alongTrajectory(GradientDescent(f, learningRate: rate), on: f, start: start, steps: steps,
                                                   every: every, seed: seed, divergence: bound)
        } else {
            let s = try noiseSampling(sampling, field: "--sampling")
            label = "SGD (b = \(batch), \(s.rawValue))"; short = "SGD b = \(batch)"
            traj = try diagnostics.alongTrajectory(SGD(MinibatchGradient(f, batchSize: batch, sampling: s), learningRate: rate),
                                                   on: f, start: start, steps: steps, every: every, seed: seed, divergence: bound)
        }
        print("Gradient noise of \(f.name) (n = \(f.sampleCount), d = \(f.dimension)\(problem.l2Text(f.name))) along \(label), η = \(fmt(rate)) (λ_max(∇²f(x₀)) = \(fmt(lmax)), ηλ_max = \(fmt(rate * lmax, 3))), every \(every) of \(steps) steps, t = kη")
        print("Sampled noise ξ_B = g_B − ∇f: b = \(batch) \(diagnostics.sampling.rawValue), M = \(draws) draws per point, seed \(seed).")
        let claims = "Gaussian noise ⇒ excess kurtosis κ₁ = 0 and α = 2; E‖ξ_B‖² ∝ 1/b with replacement (slope −1); Σ ∝ H at a well-specified minimum (cos = 1)."
        StudyRecording.claim(claims)
        print("Claims: \(claims)\n")
        var table = TextTable(["step", "t", "f", "‖∇f‖", "tr Σ", "λ₁(Σ)", "eff. rank", "cos(Σ,H)", "κ₁ ± SE", "JB p₁", "α̂ [95% CI]", "1/b slope ± 95%"])
        var csv = TextTable(["step", "t", "loss", "gradient_norm", "trace_sigma", "lambda1_sigma", "effective_rank", "cos_sigma_h",
                             "cos_sigma_h_se", "trace_ratio", "kurtosis1", "kurtosis1_se", "jb_p1", "alpha", "alpha_lower", "alpha_upper",
                             "slope", "slope_halfwidth"])
        var json: [[String: Any]] = []
        for p in traj.points {
            let r = p.result
            let d1 = r.directions.first
            let al = r.alignment
            let tail = r.tailIndex
            table.add(["\(p.step)", fmt(p.time), fmt(p.loss, 6), fmt(r.gradientNorm, 3), fmt(r.spectrum.trace), fmt(r.spectrum.values.first ?? .nan),
                       fmt(r.spectrum.effectiveRank, 3), al.map { withSE($0.cosine, $0.cosineStandardError, exact: $0.isExact) } ?? "-",
                       d1.map { "\(fmt($0.excessKurtosis, 3)) ± \(fmt($0.kurtosisStandardError, 2))" } ?? "-",
                       d1.map { $0.pValue > 0 ? fmt($0.pValue, 2) : "< 1e-300" } ?? "-",
                       tail.map { "\(fmt($0.alpha, 3)) [\(fmt($0.lower, 3)), \(fmt($0.upper, 3))]" } ?? "undefined",
                       r.scaling.fit.map { "\(fmt($0.order, 4)) ± \(fmt($0.halfWidth, 2))" } ?? "-"])
            csv.add(["\(p.step)", "\(p.time)", "\(p.loss)", "\(r.gradientNorm)", "\(r.spectrum.trace)", "\(r.spectrum.values.first ?? .nan)",
                     "\(r.spectrum.effectiveRank)", "\(al?.cosine ?? .nan)", "\(al?.cosineStandardError ?? .nan)", "\(al?.traceRatio ?? .nan)",
                     "\(d1?.excessKurtosis ?? .nan)", "\(d1?.kurtosisStandardError ?? .nan)", "\(d1?.pValue ?? .nan)",
                     "\(tail?.alpha ?? .nan)", "\(tail?.lower ?? .nan)", "\(tail?.upper ?? .nan)",
                     "\(r.scaling.fit?.order ?? .nan)", "\(r.scaling.fit?.halfWidth ?? .nan)"])
            json.append(["step": p.step, "time": p.time, "loss": p.loss, "result": noiseResultJSON(r)])
        }
        print(table.render())
        if let k = traj.divergedAt { print("\nthe run diverged at step \(k) (‖x‖ > 10⁶ max(1, ‖x₀‖)); diagnostics stop there") }
        if let first = traj.points.first?.result, let last = traj.points.last {
            StudyRecording.reading("Along \(label) to step \(last.step): tr Σ went from \(fmt(first.spectrum.trace, 4)) to \(fmt(last.result.spectrum.trace, 4)), cos(Σ, H) from \(first.alignment.map { fmt($0.cosine, 3) } ?? "-") to \(last.result.alignment.map { fmt($0.cosine, 3) } ?? "-"); at the last point κ₁ = \(last.result.directions.first.map { "\(fmt($0.excessKurtosis, 3)) ± \(fmt($0.kurtosisStandardError, 2))" } ?? "-"), α̂ = \(last.result.tailIndex.map { "\(fmt($0.alpha, 3)) [\(fmt($0.lower, 3)), \(fmt($0.upper, 3))]" } ?? "undefined"), 1/b slope \(last.result.scaling.fit.map { "\(fmt($0.order, 3)) ± \(fmt($0.halfWidth, 2))" } ?? "-")\(traj.divergedAt.map { "; the run diverged at step \($0)" } ?? "").")
        }
        let secs = Date().timeIntervalSince(t0)
        print(String(format: "\n%d points in %.2f s", traj.points.count, secs))

        var files: [String] = []
        if let p = try output.write(csv.csv(), to: "noise.csv") { files.append(p) }
        let doc: [String: Any] = ["study": "noise-along", "objective": f.name, "algorithm": label, "learning_rate": rate,
                                  "steps": steps, "every": every, "batch_size": batch, "sampling": diagnostics.sampling.rawValue,
                                  "draws": draws, "seed": Int(truncatingIfNeeded: seed), "diverged_at": traj.divergedAt as Any? ?? NSNull(),
                                  "seconds": secs, "points": json]
        if let p = try output.write(jsonString(doc), to: "noise.json") { files.append(p) }
        let steps = traj.points.map { Double($0.step) }
        var scales = LinePlot(title: "\(f.name): noise size along \(short), η = \(fmt(rate, 3))", xLabel: "step k", yLabel: "value", yScale: .log)
        scales.add(Series(label: "tr Σ", x: steps, y: traj.points.map { $0.result.spectrum.trace }, marker: .circle))
        scales.add(Series(label: "λ₁(Σ)", x: steps, y: traj.points.map { $0.result.spectrum.values.first ?? .nan }, marker: .square))
        if traj.points.allSatisfy({ $0.result.alignment != nil }) {
            scales.add(Series(label: "tr H", x: steps, y: traj.points.map { $0.result.alignment!.hessianTrace }, dash: .dashed, marker: .triangle))
        }
        scales.add(Series(label: "f", x: steps, y: traj.points.map(\.loss), dash: .dotted))
        scales.add(Series(label: "‖∇f‖²", x: steps, y: traj.points.map { $0.result.gradientNorm * $0.result.gradientNorm }, dash: .dashDot))
        if let p = try output.write(scales.render(width: 760, height: 500), to: "noise-along.svg") { files.append(p) }
        var shape = LinePlot(title: "\(f.name): noise shape along \(short), η = \(fmt(rate, 3))", xLabel: "step k",
                             yLabel: "value (Gaussian: α = 2, κ = 0)")
        let tails = traj.points.map { $0.result.tailIndex }
        shape.add(Series(label: "α̂ (95% band)", x: steps, y: tails.map { $0?.alpha ?? .nan },
                         band: (lower: tails.map { $0?.lower ?? .nan }, upper: tails.map { $0.map { $0.upper.isFinite ? $0.upper : 4 } ?? .nan }),
                         marker: .circle))
        let k1 = traj.points.map { $0.result.directions.first }
        shape.add(Series(label: "excess kurtosis κ₁ (± 2 SE)", x: steps, y: k1.map { $0?.excessKurtosis ?? .nan },
                         errors: k1.map { 2 * ($0?.kurtosisStandardError ?? .nan) }, marker: .square))
        shape.add(Series(label: "1/b slope", x: steps, y: traj.points.map { $0.result.scaling.fit?.order ?? .nan }, dash: .dashed, marker: .triangle))
        shape.addHorizontalLine(y: 2, label: "α = 2")
        shape.addHorizontalLine(y: 0, label: "κ = 0")
        shape.addHorizontalLine(y: -1, label: "slope −1")
        if let p = try output.write(shape.render(width: 760, height: 500), to: "noise-along-shape.svg") { files.append(p) }
        if !files.isEmpty { print("wrote " + files.joined(separator: ", ")) }
    }
}

// MARK: - the report at one point

/// Table, CSV, JSON and SVGs of the diagnostics at one point.
struct NoisePointReport<F: FiniteSumObjective> {
    let f: F
    let point: FiniteSumPoint
    let result: GradientNoiseDiagnostics.Result
    let diagnostics: GradientNoiseDiagnostics
    let problem: FiniteSumOptions

    func write(_ output: OutputOptions, seconds: () -> Double) throws {
        let r = result
        let n = f.sampleCount, d = f.dimension
        let c = r.covarianceFactor
        let cText = r.sampling == .withReplacement ? "1/b" : "(n−b)/(b(n−1))"
        print("Gradient noise of \(f.name) (n = \(n), d = \(d)\(problem.l2Text(f.name))) at \(point.how): f = \(fmt(f.value(point.x), 6)), ‖∇f‖ = \(fmt(r.gradientNorm, 3))")
        if !point.converged { print("warning: the minimizer search did not converge; the point is not a minimum") }
        print("Sampled noise ξ_B = g_B − ∇f: b = \(r.batchSize) \(r.sampling.rawValue), c(b) = \(cText) = \(fmt(c)), Cov ξ_B = c(b) Σ; M = \(r.draws) draws, seed \(diagnostics.seed).")

        // Σ and its alignment with H.
        print("\nNoise covariance Σ = (1/n) Σᵢ (∇fᵢ − ∇f)(∇fᵢ − ∇f)ᵀ" + (r.spectrum.isDense ? " (dense eigensolver: exact)" : " (Lanczos on Σv; residual ‖Σv − λv‖ shown)"))
        var t1 = TextTable(["quantity", "value", "± SE", "claim checked"])
        for (j, lam) in r.spectrum.values.enumerated() {
            t1.add(["λ\(j + 1)(Σ)", fmt(lam), r.spectrum.isDense ? "exact" : "res \(fmt(r.spectrum.residuals[j], 2))",
                    j == 0 ? "largest noise variance along one direction" : ""])
        }
        t1.add(["tr Σ", fmt(r.spectrum.trace), "exact", "total one-sample noise variance E‖∇fᵢ − ∇f‖²"])
        t1.add(["effective rank tr Σ/λ₁", fmt(r.spectrum.effectiveRank, 3), "exact", "≪ d: noise concentrated in few directions (d = \(d))"])
        if let a = r.alignment {
            let se: (Double) -> String = { a.isExact ? "exact" : fmt($0, 2) }
            t1.add(["cos(Σ, H)", fmt(a.cosine), se(a.cosineStandardError), "Σ ∝ H (Fisher = Hessian at a well-specified minimum): cos = 1"])
            t1.add(["tr Σ / tr H", fmt(a.traceRatio), se(a.traceRatioStandardError), "noise 'temperature' if Σ ≈ (tr Σ/tr H)·H"])
            t1.add(["tr H", fmt(a.hessianTrace), se(a.hessianTraceStandardError), a.isExact ? "exact Hessian" : "Hutchinson, \(a.probes) Rademacher probes"])
        }
        print(t1.render())

        // Shape per direction.
        print("\nShape of the projections vⱼᵀξ_B on the top eigenvectors of Σ. Claim: Gaussian noise ⇒ skewness 0, excess kurtosis 0 (Jarque–Bera p not small); Var = c(b)λⱼ exactly.")
        var t2 = TextTable(["j", "Var(vⱼᵀξ_B) ± SE", "c(b)λⱼ", "skew", "excess kurtosis ± SE", "Gaussian SE", "JB", "p", "Gaussian (κ = 0, p ≥ 0.01)?"])
        for (j, s) in r.directions.enumerated() {
            let z = s.excessKurtosis / s.kurtosisStandardError
            let verdict: String
            if !s.excessKurtosis.isFinite { verdict = "undefined (zero noise)" }
            else if s.pValue >= 0.01 { verdict = "consistent (κ z = \(signed(z, 2)))" }
            else { verdict = "rejected: κ z = \(signed(z, 2))" + (abs(s.skewness) > 3 * (6 / Double(s.samples)).squareRoot() ? ", skewed" : "") }
            t2.add(["\(j + 1)", "\(fmt(s.variance)) ± \(fmt(s.varianceStandardError, 2))", fmt(s.predictedVariance), fmt(s.skewness, 3),
                    "\(fmt(s.excessKurtosis, 3)) ± \(fmt(s.kurtosisStandardError, 2))", fmt(s.gaussianKurtosisStandardError, 2),
                    fmt(s.jarqueBera, 3), s.pValue > 0 ? fmt(s.pValue, 2) : "< 1e-300", verdict])
        }
        print(t2.render())

        // Tail index.
        if let t = r.tailIndex {
            let verdict = t.lower <= 2 && 2 <= t.upper ? "consistent with α = 2" : (t.upper < 2 ? "interval below 2: tails heavier than Gaussian at this b and K" : "interval above 2: tails lighter than Gaussian at this b and K")
            print("\ntail index α̂: \(fmt(t.alpha, 4)) (95% CI \(fmt(t.lower, 4)) … \(fmt(t.upper, 4)); K = \(t.sampleCount), K₁ = \(t.blockSize), \(t.groups) groups): \(verdict)")
            print("  claim: Gaussian noise ⇒ α = 2; symmetric α-stable noise with α < 2 is heavy-tailed (Şimşekli, Sagun, Gürbüzbalaban 2019).")
            print("  The estimator is exact for stable laws only; the noise of a finite sum is bounded (true α = 2), so α̂ ≠ 2 measures non-Gaussian shape at this K.")
        } else {
            print("\ntail index α̂: undefined (a draw of ξ_B is exactly zero, e.g. b = n without replacement)")
        }

        // 1/b scaling.
        print("\nBatch scaling. Claim: E‖ξ_B‖² = c(b) tr Σ, c(b) = " + (r.sampling == .withReplacement ? "1/b with replacement (so E‖ξ_B‖² ∝ 1/b)." : "(n−b)/(b(n−1)) without replacement."))
        var t3 = TextTable(["b", "E‖ξ_B‖² ± SE", "c(b) tr Σ", "ratio ± SE", "z"])
        for row in r.scaling.rows {
            let z = row.predicted > 0 ? (row.measured - row.predicted) / row.standardError : .nan
            t3.add(["\(row.batchSize)", "\(fmt(row.measured)) ± \(fmt(row.standardError, 2))", fmt(row.predicted),
                    "\(fmt(row.ratio)) ± \(fmt(row.ratioStandardError, 2))", z.isFinite ? signed(z, 2) : "-"])
        }
        print(t3.render())
        if let fit = r.scaling.fit {
            let pred = r.scaling.predictedSlope.map { fmt($0, 4) } ?? "-"
            let inside = fit.halfWidth.isFinite && r.scaling.predictedSlope.map { abs(fit.order - $0) <= fit.halfWidth } == true
            print("1/b slope: \(fmt(fit.order, 4)) ± \(fmt(fit.halfWidth, 2)) (95% CI, \(fit.points) batch sizes), predicted \(pred)"
                  + (r.sampling == .withReplacement ? " (E‖ξ_B‖² ∝ 1/b)" : " (slope of log c(b) on this grid)")
                  + (fit.halfWidth.isFinite ? (inside ? ": consistent" : ": outside the interval") : ""))
        }

        StudyRecording.claim("Gaussian noise ⇒ excess kurtosis 0 along each eigenvector of Σ and tail index α = 2; E‖ξ_B‖² = c(b) tr Σ (∝ 1/b with replacement); Σ ∝ H at a well-specified minimum (cos(Σ, H) = 1).")
        let gaussianDirections = r.directions.filter { $0.pValue >= 0.01 }.count
        StudyRecording.reading("At \(point.how): tr Σ = \(fmt(r.spectrum.trace, 4)) with effective rank \(fmt(r.spectrum.effectiveRank, 3)) of d = \(d)\(r.alignment.map { ", cos(Σ, H) = \(fmt($0.cosine, 3))" } ?? ""); \(gaussianDirections) of the top \(r.directions.count) directions look Gaussian (Jarque–Bera p ≥ 0.01)\(r.directions.first.map { ", κ₁ = \(fmt($0.excessKurtosis, 3)) ± \(fmt($0.kurtosisStandardError, 2))" } ?? ""); α̂ = \(r.tailIndex.map { "\(fmt($0.alpha, 3)) [\(fmt($0.lower, 3)), \(fmt($0.upper, 3))]" } ?? "undefined")\(r.scaling.fit.map { f in "; 1/b slope \(fmt(f.order, 3)) ± \(fmt(f.halfWidth, 2))" + (r.scaling.predictedSlope.map { " (predicted \(fmt($0, 3)))" } ?? "") } ?? "").")
        // Samples for the tail plot: the diagnostics' own draws (same seed, path 0, step m).
        let samples = replayNoise()
        let secs = seconds()
        print(String(format: "\ntime: %.2f s", secs))

        var files: [String] = []
        if let p = try output.write(csvTable().csv(), to: "noise.csv") { files.append(p) }
        var doc = noiseResultJSON(r)
        doc["study"] = "noise"; doc["objective"] = f.name; doc["point"] = point.how; doc["x"] = point.x
        doc["loss"] = f.value(point.x); doc["seconds"] = secs; doc["seed"] = Int(truncatingIfNeeded: diagnostics.seed)
        if let p = try output.write(jsonString(doc), to: "noise.json") { files.append(p) }
        if let p = try output.write(spectrumPlot(), to: "noise-spectrum.svg") { files.append(p) }
        if let p = try output.write(scalingPlot(), to: "noise-scaling.svg") { files.append(p) }
        if let p = try output.write(tailPlot(samples), to: "noise-tail.svg") { files.append(p) }
        if !files.isEmpty { print("wrote " + files.joined(separator: ", ")) }
    }

    /// The `M` sampled noises `ξ_B` of the diagnostics (row-major `M × d`), drawn again from the same
    /// counter-based batches: per-sample gradients once, then the batch means.
    func replayNoise() -> [Double] {
        let n = f.sampleCount, d = f.dimension, b = result.batchSize, m = result.draws
        let x = point.x
        var u = [Double](repeating: 0, count: n * d), mean = [Double](repeating: 0, count: d), row = mean
        for i in 0..<n {
            for j in 0..<d { row[j] = 0 }
            f.addSampleGradient(i, x, scale: 1, into: &row)
            for j in 0..<d { u[i * d + j] = row[j]; mean[j] += row[j] / Double(n) }
        }
        for i in 0..<n { for j in 0..<d { u[i * d + j] -= mean[j] } }
        let g = MinibatchGradient(f, batchSize: b, sampling: result.sampling)
        var scratch = g.makeScratch()
        let rng = CounterRNG(seed: diagnostics.seed)
        var out = [Double](repeating: 0, count: m * d)
        let w = 1 / Double(b)
        for s in 0..<m {
            g.drawBatch(step: s, path: 0, draw: 0, rng: rng, scratch: &scratch)
            for q in 0..<b {
                let r = scratch.indices[q] * d
                for j in 0..<d { out[s * d + j] += w * u[r + j] }
            }
        }
        return out
    }

    func csvTable() -> TextTable {
        let r = result
        var t = TextTable(["section", "quantity", "index", "value", "standard_error", "lower", "upper", "predicted"])
        for (j, v) in r.spectrum.values.enumerated() {
            t.add(["spectrum", "eigenvalue", "\(j + 1)", "\(v)", "", "", "", ""])
        }
        t.add(["spectrum", "trace", "", "\(r.spectrum.trace)", "", "", "", ""])
        t.add(["spectrum", "effective_rank", "", "\(r.spectrum.effectiveRank)", "", "", "", ""])
        t.add(["spectrum", "frobenius_norm", "", "\(r.spectrum.frobeniusNorm)", "", "", "", ""])
        if let a = r.alignment {
            t.add(["alignment", "cosine_sigma_hessian", "", "\(a.cosine)", "\(a.cosineStandardError)", "", "", "1"])
            t.add(["alignment", "trace_ratio", "", "\(a.traceRatio)", "\(a.traceRatioStandardError)", "", "", ""])
            t.add(["alignment", "hessian_trace", "", "\(a.hessianTrace)", "\(a.hessianTraceStandardError)", "", "", ""])
        }
        for (j, s) in r.directions.enumerated() {
            t.add(["direction", "variance", "\(j + 1)", "\(s.variance)", "\(s.varianceStandardError)", "", "", "\(s.predictedVariance)"])
            t.add(["direction", "skewness", "\(j + 1)", "\(s.skewness)", "", "", "", "0"])
            t.add(["direction", "excess_kurtosis", "\(j + 1)", "\(s.excessKurtosis)", "\(s.kurtosisStandardError)", "", "", "0"])
            t.add(["direction", "jarque_bera", "\(j + 1)", "\(s.jarqueBera)", "", "", "", ""])
            t.add(["direction", "jarque_bera_p", "\(j + 1)", "\(s.pValue)", "", "", "", ""])
        }
        if let tail = r.tailIndex {
            t.add(["tail", "alpha", "", "\(tail.alpha)", "\(tail.standardError)", "\(tail.lower)", "\(tail.upper)", "2"])
        }
        for row in r.scaling.rows {
            t.add(["scaling", "mean_square_noise", "\(row.batchSize)", "\(row.measured)", "\(row.standardError)", "", "", "\(row.predicted)"])
        }
        if let fit = r.scaling.fit {
            t.add(["scaling", "slope", "", "\(fit.order)", "", "\(fit.order - fit.halfWidth)", "\(fit.order + fit.halfWidth)",
                   "\(r.scaling.predictedSlope ?? .nan)"])
        }
        return t
    }

    func spectrumPlot() -> String {
        let r = result
        var plot = LinePlot(title: "\(f.name): spectrum of the noise covariance Σ", xLabel: "index j", yLabel: "eigenvalue", yScale: .log)
        if let sigma = r.covariance {
            let all = SymmetricEigen(sigma).values.reversed().map { $0 }
            plot.add(Series(label: "λⱼ(Σ)", x: all.indices.map { Double($0 + 1) }, y: all, marker: .circle))
            if let a = r.alignment, a.isExact, f.dimension <= 500 {
                let h = SymmetricEigen(f.hessian(point.x)).values.reversed().map { $0 * a.traceRatio }
                plot.add(Series(label: "λⱼ(H) × tr Σ/tr H", x: h.indices.map { Double($0 + 1) }, y: h, dash: .dashed, marker: .square))
            }
        } else {
            plot.add(Series(label: "top λⱼ(Σ) (Lanczos)", x: r.spectrum.values.indices.map { Double($0 + 1) }, y: r.spectrum.values, marker: .circle))
        }
        plot.addHorizontalLine(y: r.spectrum.trace / Double(f.dimension), label: "tr Σ / d")
        return plot.render(width: 760, height: 500)
    }

    func scalingPlot() -> String {
        let r = result
        let rows = r.scaling.rows
        let bs = rows.map { Double($0.batchSize) }
        var plot = LinePlot(title: "\(f.name): E‖ξ_B‖² against the batch size (\(r.sampling.rawValue))", xLabel: "batch size b",
                            yLabel: "E‖ξ_B‖²", xScale: .log, yScale: .log)
        let slope = r.scaling.fit.map { " (fit slope \(fmt($0.order, 3)))" } ?? ""
        plot.add(Series(label: "sampled ± 2 SE" + slope, x: bs, y: rows.map(\.measured), errors: rows.map { 2 * $0.standardError },
                        marker: .circle, lineWidth: 0))
        plot.add(Series(label: "c(b) tr Σ (exact)", x: bs, y: rows.map(\.predicted), dash: .dashed))
        if let first = rows.first, first.measured > 0 {
            plot.addReferenceSlope(-1, through: (x: Double(first.batchSize), y: first.measured * 1.6), label: "slope −1")
        }
        return plot.render(width: 760, height: 500)
    }

    /// Log–log survival of standardized projections and of the noise norm, with Gaussian references.
    func tailPlot(_ xi: [Double]) -> String {
        let r = result
        let d = f.dimension, m = r.draws
        var plot = LinePlot(title: "\(f.name): tails of the minibatch noise (b = \(r.batchSize))", xLabel: "r",
                            yLabel: "P(X > r)", xScale: .log, yScale: .log)
        for (j, v) in r.spectrum.vectors.prefix(3).enumerated() {
            var p = [Double](repeating: 0, count: m)
            for s in 0..<m { var a = 0.0; for c in 0..<d { a += v[c] * xi[s * d + c] }; p[s] = a }
            let mu = p.reduce(0, +) / Double(m)
            let sd = (p.reduce(0) { $0 + ($1 - mu) * ($1 - mu) } / Double(m - 1)).squareRoot()
            guard sd > 0 else { continue }
            let (x, y) = survivalCurve(p.map { abs($0 - mu) / sd })
            plot.add(Series(label: "|v\(j + 1)ᵀξ_B| / sd", x: x, y: y, marker: .none))
        }
        let grid = (0...80).map { 0.05 * pow(10, Double($0) / 40) }.filter { $0 <= 8 }
        plot.add(Series(label: "Gaussian: erfc(r/√2)", x: grid, y: grid.map { erfc($0 / 2.squareRoot()) }, color: .black, dash: .dashed))
        var norms = [Double](repeating: 0, count: m)
        for s in 0..<m { var a = 0.0; for c in 0..<d { a += xi[s * d + c] * xi[s * d + c] }; norms[s] = a }
        let rms = (norms.reduce(0, +) / Double(m)).squareRoot()
        if rms > 0 {
            let (x, y) = survivalCurve(norms.map { $0.squareRoot() / rms })
            plot.add(Series(label: "‖ξ_B‖ / RMS", x: x, y: y, lineWidth: 2.5))
            if let sigma = r.covariance {
                // Gaussian with the same covariance c(b)Σ: ξ = √c V diag(√λ) z.
                let eig = SymmetricEigen(sigma)
                let rng = CounterRNG(seed: diagnostics.seed, stream: RandomStream.initial &+ 32)
                var z = [Double](repeating: 0, count: d)
                var g = [Double](repeating: 0, count: m)
                let c = r.covarianceFactor
                for s in 0..<m {
                    rng.fillGaussian(&z, path: 0, step: s)
                    var a = 0.0
                    for k in 0..<d { a += c * max(0, eig.values[k]) * z[k] * z[k] }
                    g[s] = a
                }
                let grms = (g.reduce(0, +) / Double(m)).squareRoot()
                let (gx, gy) = survivalCurve(g.map { $0.squareRoot() / grms })
                plot.add(Series(label: "‖ξ‖ / RMS, Gaussian with Cov c(b)Σ", x: gx, y: gy, color: .grey, dash: .dotted, lineWidth: 2.5))
            }
        }
        plot.yDomain = (1 / Double(m)) / 2 ... 1
        let largest = plot.series.flatMap(\.x).filter(\.isFinite).max() ?? 10
        plot.xDomain = 0.1 ... max(10, largest * 1.2)
        plot.legendPosition = .automatic
        return plot.render(width: 760, height: 520)
    }
}

/// Empirical survival `P(X > x)` at about 300 log-spaced ranks of the positive values.
func survivalCurve(_ values: [Double]) -> ([Double], [Double]) {
    let v = values.filter { $0 > 0 && $0.isFinite }.sorted(by: >)
    let m = v.count
    guard m > 1 else { return ([], []) }
    var ranks: [Int] = []
    var last = -1
    for q in 0...300 {
        let k = Int((pow(Double(m), Double(q) / 300)).rounded(.down)) - 1
        if k > last && k < m { ranks.append(k); last = k }
    }
    let total = Double(values.count)
    return (ranks.map { v[$0] }, ranks.map { Double($0 + 1) / total })
}

func signed(_ v: Double, _ digits: Int = 3) -> String { (v >= 0 ? "+" : "") + fmt(v, digits) }

func withSE(_ v: Double, _ se: Double, exact: Bool) -> String { exact ? fmt(v, 4) : "\(fmt(v, 4)) ± \(fmt(se, 2))" }

/// The diagnostics as plain JSON values.
func noiseResultJSON(_ r: GradientNoiseDiagnostics.Result) -> [String: Any] {
    var out: [String: Any] = [
        "dimension": r.dimension, "sample_count": r.sampleCount as Any? ?? NSNull(), "batch_size": r.batchSize,
        "sampling": r.sampling.rawValue, "covariance_factor": r.covarianceFactor, "gradient_norm": r.gradientNorm, "draws": r.draws,
        "spectrum": ["eigenvalues": r.spectrum.values, "residuals": r.spectrum.residuals, "trace": r.spectrum.trace,
                     "frobenius_norm": r.spectrum.frobeniusNorm, "effective_rank": r.spectrum.effectiveRank, "dense": r.spectrum.isDense],
        "directions": r.directions.map { s -> [String: Any] in
            ["eigenvalue": s.eigenvalue, "variance": s.variance, "variance_se": s.varianceStandardError,
             "predicted_variance": s.predictedVariance, "skewness": s.skewness, "excess_kurtosis": s.excessKurtosis,
             "kurtosis_se": s.kurtosisStandardError, "gaussian_kurtosis_se": s.gaussianKurtosisStandardError,
             "jarque_bera": s.jarqueBera, "p_value": s.pValue]
        },
        "scaling": ["rows": r.scaling.rows.map { ["batch_size": $0.batchSize, "measured": $0.measured, "standard_error": $0.standardError,
                                                  "predicted": $0.predicted, "ratio": $0.ratio, "ratio_se": $0.ratioStandardError] as [String: Any] },
                    "slope": r.scaling.fit?.order as Any? ?? NSNull(), "slope_halfwidth": r.scaling.fit?.halfWidth as Any? ?? NSNull(),
                    "predicted_slope": r.scaling.predictedSlope as Any? ?? NSNull()],
    ]
    if let a = r.alignment {
        out["alignment"] = ["cosine": a.cosine, "cosine_se": a.cosineStandardError, "trace_ratio": a.traceRatio,
                            "trace_ratio_se": a.traceRatioStandardError, "hessian_trace": a.hessianTrace, "exact": a.isExact, "probes": a.probes]
    }
    if let t = r.tailIndex {
        out["tail_index"] = ["alpha": t.alpha, "standard_error": t.standardError, "lower": t.lower, "upper": t.upper,
                             "block_size": t.blockSize, "samples": t.sampleCount, "groups": t.groups]
    } else {
        out["tail_index"] = NSNull()
    }
    return out
}

// MARK: - shared by `noise` and `stability`

/// A sampling scheme for one-step noise statistics: reshuffling is refused (its batches are dependent).
func noiseSampling(_ text: String, field: String) throws -> Sampling {
    switch Sampling(rawValue: text) {
    case .withReplacement?: return .withReplacement
    case .withoutReplacement?: return .withoutReplacement
    case .reshuffling?:
        throw ValidationError.field(field, "reshuffled batches are dependent within an epoch; use with-replacement or without-replacement")
    case nil:
        throw ValidationError.field(field, "must be with-replacement or without-replacement, got '\(text)'")
    }
}

/// Run a parser inside `validate()`: its ``CLIError`` becomes a `ValidationError`, which ArgumentParser
/// reports with exit code 64 (a `CLIError` thrown from `validate()` would surface as exit 1).
func validating<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let e as CLIError { throw ValidationError(e.message) }
}

/// Parse a comma-separated list of batch sizes (integers ≥ 1, at most 10⁶).
func parseBatchSizes(_ text: String, field: String) throws -> [Int] {
    let values = try parseNumbers(text, field: field)
    var out: [Int] = []
    for v in values {
        guard v >= 1, v <= 1_000_000, v == v.rounded() else {
            throw CLIError.usage(field, "batch sizes must be whole numbers between 1 and 10⁶, got \(fmt(v))")
        }
        out.append(Int(v))
    }
    guard !out.isEmpty else { throw CLIError.usage(field, "give at least one batch size") }
    return out
}

/// A point at which a finite sum is studied, and how it was found.
struct FiniteSumPoint {
    var x: [Double]
    var how: String
    var converged: Bool
}

/// Options choosing a finite-sum objective of the catalog (least squares, logistic regression, MLP).
struct FiniteSumOptions: ParsableArguments {
    static let names = "least-squares (diabetes), logistic (breast_cancer), mlp (digits)"

    @Option(name: .long, help: ArgumentHelp("Finite-sum objective: least-squares (data diabetes), logistic (breast_cancer) or mlp (digits). Default: logistic for noise, least-squares for stability.", valueName: "name"))
    var objective: String?

    @Option(name: .long, help: ArgumentHelp("CSV data set (header row, last column the target) instead of the bundled one.", valueName: "file"))
    var data: String?

    @Option(name: .long, help: ArgumentHelp("L2 weight λ ≥ 0 of logistic and mlp (default 0.01 for logistic, 1e-4 for mlp; with λ = 0 breast_cancer is separable and has no minimum).", valueName: "λ"))
    var l2: Double?

    @Option(name: .long, help: ArgumentHelp("Hidden units of the mlp (1…256).", valueName: "H"))
    var hidden: Int = 16

    @Option(name: .long, help: ArgumentHelp("Point or start, comma separated; its length must equal the dimension.", valueName: "x,…"))
    var x0: String?

    @Option(name: .long, help: ArgumentHelp("Iterations of the minimizer search: damped Newton for d ≤ 200 (default 100, stops at ‖∇f‖ ≤ 1e-10·max(1, ‖∇f(x₀)‖)), else GD (default 500).", valueName: "N"))
    var fitSteps: Int?

    @Option(name: .long, help: ArgumentHelp("Learning rate of the GD minimizer search (default 1/λ_max at the start).", valueName: "η"))
    var fitEta: Double?

    func validate() throws {
        if let objective, !["least-squares", "logistic", "mlp"].contains(objective) {
            throw ValidationError.field("--objective", "must be a finite sum: \(Self.names); got '\(objective)'")
        }
        if let data, !FileManager.default.fileExists(atPath: data) {
            throw ValidationError.field("--data", "no file at '\(data)'; give the path of a CSV file with a header row")
        }
        if let l2 { guard l2 >= 0, l2.isFinite, l2 <= 1e6 else { throw ValidationError.field("--l2", "must be a finite number in [0, 10⁶], got \(l2)") } }
        guard hidden >= 1, hidden <= 256 else { throw ValidationError.field("--hidden", "must be between 1 and 256, got \(hidden)") }
        if let fitSteps { guard fitSteps >= 1, fitSteps <= 1_000_000 else { throw ValidationError.field("--fit-steps", "must be between 1 and 10⁶, got \(fitSteps)") } }
        if let fitEta { guard fitEta > 0, fitEta.isFinite else { throw ValidationError.field("--fit-eta", "must be a positive finite number, got \(fitEta)") } }
    }

    func regularization(for name: String) -> Double { l2 ?? (name == "logistic" ? 0.01 : name == "mlp" ? 1e-4 : 0) }

    /// ", L2 λ = …" for the regularized objectives, empty for least squares.
    func l2Text(_ objectiveName: String) -> String {
        for name in ["logistic", "mlp"] where objectiveName.hasPrefix(name) { return ", L2 λ = \(fmt(regularization(for: name)))" }
        return ""
    }

    func resolve(defaultObjective: String) throws -> CatalogObjective {
        let name = objective ?? defaultObjective
        if name == "least-squares", l2 != nil { throw CLIError.usage("--l2", "applies to logistic and mlp only (least squares has no L2 term)") }
        return try ObjectiveCatalog.make(name, data: data, regularization: regularization(for: name), hiddenUnits: hidden)
    }

    func startPoint(_ entry: CatalogObjective) throws -> [Double] {
        try startPoint(default: entry.start, for: entry.objective)
    }

    /// `--x0` when given (checked against the dimension), else `start`.
    func startPoint(default start: [Double], for f: any Objective) throws -> [Double] {
        guard let x0 else { return start }
        let s = try parseNumbers(x0, field: "--x0")
        guard s.count == f.dimension else {
            throw CLIError.usage("--x0", "has \(s.count) coordinates but \(f.name) has dimension \(f.dimension)")
        }
        return s
    }

    /// The minimum: closed form (least squares), damped Newton with backtracking (d ≤ 200), or GD.
    func minimum<F: Objective>(_ f: F, entry: CatalogObjective, start: [Double]) throws -> FiniteSumPoint {
        try minimum(f, knownMinimizer: entry.minimizer, start: start)
    }

    func minimum<F: Objective>(_ f: F, knownMinimizer: [Double]?, start: [Double]) throws -> FiniteSumPoint {
        if let m = knownMinimizer { return FiniteSumPoint(x: m, how: "the minimum (closed form)", converged: true) }
        let d = f.dimension
        var x = start
        var g = f.gradient(x)
        let g0 = max(1, Vec.norm(g))
        let tol = 1e-10 * g0
        if d <= 200 {
            let maxIt = fitSteps ?? 100
            var it = 0
            while it < maxIt && Vec.norm(g) > tol {
                it += 1
                var p = (try? f.hessian(x).solve(g)) ?? g
                if !(Vec.dot(p, g) > 0) || !Vec.allFinite(p) { p = g }
                let fx = f.value(x), slope = Vec.dot(p, g)
                var t = 1.0, trial = x
                for _ in 0..<60 {
                    for j in 0..<d { trial[j] = x[j] - t * p[j] }
                    if f.value(trial) <= fx - 1e-4 * t * slope { break }
                    t *= 0.5
                }
                x = trial
                g = f.gradient(x)
            }
            let ok = Vec.norm(g) <= tol
            return FiniteSumPoint(x: x, how: "the minimum (damped Newton, \(it) iterations\(ok ? "" : ", not converged"))", converged: ok)
        }
        let lmax = f.hessianExtremeEigenvalues(at: start).largest
        let eta = fitEta ?? (lmax > 0 ? 1 / lmax : 0.1)
        let steps = fitSteps ?? 500
        let gd = GradientDescent(f, learningRate: eta)
        var state = gd.makeState(start: start)
        let rng = CounterRNG(seed: 0)
        for _ in 0..<steps {
            gd.step(&state, rng: rng, path: 0)
            if !Vec.allFinite(state.position) {
                throw CLIError.runtime("GD towards the minimum diverged at η = \(fmt(eta)); give a smaller --fit-eta")
            }
        }
        return FiniteSumPoint(x: state.position, how: "an approximate minimum (GD, \(steps) steps at η = \(fmt(eta, 3)))", converged: true)
    }
}
