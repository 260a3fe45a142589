import ArgumentParser
import Foundation
import SGDynamics
import SGDynamicsReport

/// `sgdyn stability`: Wu–Ma–E mean-square stability of SGD at a minimum (docs/THEORY.md §10.2), and
/// sharpness along GD against 2/η (edge of stability, §10.1).
struct StabilityCommand: StudyCommand {
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
        random Gaussian samples (--samples, --dimension) and realizable targets, x* = the planted w*, an \
        interpolating global minimum whose null space is neutral.

        --check-paths N runs N paths of linearised SGD at a few η around η* (batch --check-batch, \
        --sampling) for --check-steps steps and prints the sampled E‖e_K‖² ± SE next to the exact \
        tr T^K(e₀e₀ᵀ), the growth per step and the fraction of paths that grew 10⁶-fold.

        --edge-of-stability instead runs GD at --eta for --steps steps from the start (or --x0) and records \
        λ_max(∇²f(x_k)) every --every steps against 2/η (Cohen et al. 2021); it also accepts --objective mlp.

        Writes stability.csv, stability.json, stability.svg (η* against b, log x) to --out; with \
        --edge-of-stability, stability-eos.csv/.json, stability-eos.svg (sharpness and 2/η) and \
        stability-eos-loss.svg.
        """
    )

    @OptionGroup var problem: FiniteSumOptions

    @Option(name: .long, help: ArgumentHelp("Built-in example instead of --objective: overparameterized (least squares, n < d, realizable).", valueName: "name"))
    var example: String?

    @Option(name: .long, help: ArgumentHelp("Samples n of the example (1…200, < --dimension).", valueName: "n"))
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
    var sampling: String = "with-replacement"

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

    @OptionGroup var output: OutputOptions
    @OptionGroup var storeOptions: StoreOptions

    func validate() throws {
        if let example {
            guard example == "overparameterized" else {
                throw ValidationError.field("--example", "the only example is overparameterized, got '\(example)'")
            }
            guard problem.objective == nil, problem.data == nil, problem.l2 == nil else {
                throw ValidationError.field("--example", "replaces --objective, --data and --l2; give one or the other")
            }
        }
        guard dimension >= 2, dimension <= 400 else { throw ValidationError.field("--dimension", "must be between 2 and 400, got \(dimension)") }
        guard samples >= 1, samples <= 200, samples < dimension else {
            throw ValidationError.field("--samples", "must be between 1 and 200 and below --dimension = \(dimension) (over-parameterised), got \(samples)")
        }
        if let batches { _ = try validating { try parseBatchSizes(batches, field: "--batches") } }
        guard checkPaths == 0 || (checkPaths >= 2 && checkPaths <= 1_000_000) else {
            throw ValidationError.field("--check-paths", "must be 0 (no check) or between 2 and 10⁶, got \(checkPaths)")
        }
        if let checkBatch { guard checkBatch >= 1 else { throw ValidationError.field("--check-batch", "must be at least 1, got \(checkBatch)") } }
        let factors = try validating { try parseNumbers(checkFactors, field: "--check-factors") }
        guard !factors.isEmpty, factors.allSatisfy({ $0 > 0 && $0 <= 100 }) else {
            throw ValidationError.field("--check-factors", "multiples of η* must lie in (0, 100], got \(checkFactors)")
        }
        guard checkSteps >= 1, checkSteps <= 100_000 else { throw ValidationError.field("--check-steps", "must be between 1 and 10⁵, got \(checkSteps)") }
        _ = try noiseSampling(sampling, field: "--sampling")
        if let eta { guard eta > 0, eta.isFinite else { throw ValidationError.field("--eta", "must be a positive finite number, got \(eta)") } }
        guard steps >= 1, steps <= 1_000_000 else { throw ValidationError.field("--steps", "must be between 1 and 10⁶, got \(steps)") }
        guard every >= 1 else { throw ValidationError.field("--every", "must be at least 1, got \(every)") }
        if steps / every > 10_000 { throw ValidationError.field("--every", "--steps/--every must give at most 10⁴ records, got \(steps / every)") }
        if !edgeOfStability, problem.objective == "mlp" {
            throw ValidationError.field("--objective", "mlp has no exact per-sample Hessians and n d × d of them would not fit (d = 1210 for 16 hidden units); use it with --edge-of-stability, or least-squares/logistic")
        }
    }

    func run() throws {
        if example != nil {
            let (ls, wStar) = LeastSquares.synthetic(n: samples, d: dimension, noise: 0, seed: seed)
            var named = ls
            named.name = "overparameterized least squares (seed \(seed))"
            let zero = [Double](repeating: 0, count: dimension)
            if edgeOfStability { try edge(named, start: try problem.startPoint(default: zero, for: named)) } else {
                let point = problem.x0 != nil ? FiniteSumPoint(x: try problem.startPoint(default: zero, for: named), how: "x0 (--x0)", converged: true)
                    : FiniteSumPoint(x: wStar, how: "the planted interpolating minimum w* (every fᵢ = 0)", converged: true)
                try stability(named, point: point)
            }
            return
        }
        let entry = try problem.resolve(defaultObjective: "least-squares")
        if let ls = entry.objective as? LeastSquares {
            if edgeOfStability { try edge(ls, start: try problem.startPoint(entry)) } else { try stability(ls, point: try minimum(ls, entry)) }
        } else if let lr = entry.objective as? LogisticRegression {
            if edgeOfStability { try edge(lr, start: try problem.startPoint(entry)) } else { try stability(lr, point: try minimum(lr, entry)) }
        } else if let mlp = entry.objective as? MLPClassifier {
            try edge(mlp, start: try problem.startPoint(entry))
        } else {
            throw CLIError.usage("--objective", "use \(FiniteSumOptions.names)")
        }
    }

    func minimum<F: Objective>(_ f: F, _ entry: CatalogObjective) throws -> FiniteSumPoint {
        if problem.x0 != nil { return FiniteSumPoint(x: try problem.startPoint(entry), how: "x0 (--x0)", converged: true) }
        return try problem.minimum(f, entry: entry, start: entry.start)
    }

    // MARK: Wu–Ma–E at a minimum

    func stability<F: SampleHessianObjective>(_ f: F, point: FiniteSumPoint) throws {
        let t0 = Date()
        let n = f.sampleCount
        let grid: [Int]
        if let batches { grid = try parseBatchSizes(batches, field: "--batches") } else {
            var g: [Int] = []
            var b = 1
            while b < n { g.append(b); b *= 2 }
            grid = g + [n]
        }
        let checkSampling = try noiseSampling(sampling, field: "--sampling")
        let checkB = checkBatch ?? grid.min()!
        if checkPaths > 0, checkSampling == .withoutReplacement, checkB > n {
            throw CLIError.usage("--check-batch", "without replacement a batch holds at most n = \(n) samples, got \(checkB)")
        }
        let st: MeanSquareStability
        do { st = try MeanSquareStability(f, at: point.x) } catch let e as ConfigurationError {
            throw CLIError.runtime("at \(point.how): \(e.message)")
        }
        let a = st.sharpness, s = st.nonUniformity, gd = 2 / a
        let gradNorm = Vec.norm(f.gradient(point.x))
        print("Mean-square stability of SGD (Wu–Ma–E) for \(f.name) (n = \(n), d = \(f.dimension)\(example == nil ? problem.l2Text(f.name) : "")) at \(point.how), ‖∇f‖ = \(fmt(gradNorm, 3))")
        if !point.converged { print("warning: the minimizer search did not converge; the point is not a minimum") }
        print("sharpness a = λ_max(H) = \(fmt(a, 6)), non-uniformity s = λ_max(Σ_H)^½ = \(fmt(s, 6)), GD limit 2/a = \(fmt(gd, 6)); criteria act on r = \(st.reducedDimension) of d = \(st.dimension) directions"
              + (st.reducedDimension < st.dimension ? " (the common null space of every Hᵢ is neutral)" : ""))
        if !st.closedFormApplies { print("note: H is singular or indefinite on the kept space; η* comes from bisection on ρ(T) = 1") }
        if gradNorm > 1e-6 * max(1, a) {
            print("note: ∇f(x) ≠ 0, so x is not a stationary point; the criteria describe the linearisation at x only")
        }
        let claims = "η*_λmax ≤ η*_exact ≤ 2/a (the λ_max criterion is sufficient, ρ(T) ≤ 1 exact); η*_exact = 2/a when c(b) = 0 (b = n without replacement); necessary: s ≤ (1/η)/√c(b)."
        StudyRecording.claim("Mean-square stability of SGD (Wu–Ma–E): " + claims)
        print("Claims: \(claims)\n")
        let rows = try st.table(batchSizes: grid)
        var table = TextTable(["b", "sampling", "c(b)", "η*_exact (ρ(T)=1)", "η*_λmax", "2/a", "η*_exact·a/2", "λmax ≤ exact ≤ 2/a?"])
        var csv = TextTable(["batch_size", "sampling", "covariance_factor", "eta_exact", "eta_lambda_max", "eta_gd", "ratio_to_gd"])
        for r in rows {
            let ordered = r.lambdaMax <= r.exact * (1 + 1e-9) && r.exact <= gd * (1 + 1e-9)
            let atGD = abs(r.exact - gd) <= 1e-9 * gd
            table.add(["\(r.batchSize)", r.sampling.rawValue, fmt(r.covarianceFactor), fmt(r.exact, 6), fmt(r.lambdaMax, 6), fmt(gd, 6),
                       fmt(r.exact / gd, 5), ordered ? (atGD ? "yes (= 2/a)" : "yes") : "NO"])
            csv.add(["\(r.batchSize)", r.sampling.rawValue, "\(r.covarianceFactor)", "\(r.exact)", "\(r.lambdaMax)", "\(gd)", "\(r.exact / gd)"])
        }
        print(table.render())

        // Linearised-SGD check.
        var checkRows: [MeanSquareStability.EnsembleRow] = []
        var etaCheck = Double.nan
        if checkPaths > 0 {
            let factors = try parseNumbers(checkFactors, field: "--check-factors")
            etaCheck = try st.criticalLearningRate(batchSize: checkB, sampling: checkSampling)
            let e0 = rangeStart(st.meanHessian)
            checkRows = try st.ensemble(learningRates: factors.map { $0 * etaCheck }, batchSize: checkB, sampling: checkSampling,
                                        paths: checkPaths, steps: checkSteps, start: e0, seed: seed)
            print("\nLinearised SGD e_{k+1} = (I − ηH_{B_k}) e_k from a random unit e₀ in range(H), b = \(checkB) \(checkSampling.rawValue), \(checkPaths) paths × K = \(checkSteps) steps; η*_exact = \(fmt(etaCheck, 6)).")
            print("Claim: E‖e_K‖² = tr T^K(e₀e₀ᵀ) exactly, growing like ρ(T)^K: it decays iff ρ(T) < 1 (η < η*). The sampled mean is heavy-tailed above η*: compare with the exact value; for small K the fast modes' transient can hide ρ(T) (raise --check-steps).")
            var t = TextTable(["η", "η/η*", "ρ(T)", "stable?", "E‖e_K‖² ± SE (sampled)", "tr T^K (exact)", "growth/step sampled", "exact", "typical exp E log", "diverged"])
            for r in checkRows {
                t.add([fmt(r.learningRate, 5), fmt(r.learningRate / etaCheck, 3), fmt(r.spectralRadius, 6), r.predictedStable ? "yes" : "no",
                       "\(fmt(r.meanSquare)) ± \(fmt(r.standardError, 2))", fmt(r.exactMeanSquare), fmt(r.measuredGrowthPerStep, 5),
                       fmt(pow(r.exactMeanSquare, 1 / Double(r.steps)), 5), fmt(exp(r.meanLogGrowthPerStep), 5), fmt(r.fractionDiverged, 3)])
            }
            print(t.render())
        }
        let secs = Date().timeIntervalSince(t0)
        print(String(format: "\ntime: %.2f s", secs))
        let ordered = rows.filter { $0.lambdaMax <= $0.exact * (1 + 1e-9) && $0.exact <= gd * (1 + 1e-9) }.count
        let smallest = rows.min { $0.exact < $1.exact }
        StudyRecording.reading("Sharpness a = \(fmt(a, 5)), so GD's limit is 2/a = \(fmt(gd, 5)); the ordering η*_λmax ≤ η*_exact ≤ 2/a holds for \(ordered) of \(rows.count) batch sizes\(smallest.map { ", the smallest η*_exact is \(fmt($0.exact, 5)) (\(fmt($0.exact / gd, 3)) × 2/a) at b = \($0.batchSize) \($0.sampling.rawValue)" } ?? "")"
            + (checkRows.isEmpty ? "." : "; the linearised-SGD check agrees with ρ(T) < 1 ⇔ decay at \(checkRows.filter { $0.predictedStable == ($0.exactMeanSquare < 1) }.count) of \(checkRows.count) learning rates."))

        var files: [String] = []
        if let p = try output.write(csv.csv(), to: "stability.csv") { files.append(p) }
        let doc: [String: Any] = [
            "study": "stability", "objective": f.name, "point": point.how, "x": point.x, "gradient_norm": gradNorm,
            "sample_count": n, "dimension": f.dimension, "reduced_dimension": st.reducedDimension,
            "closed_form": st.closedFormApplies, "sharpness": a, "non_uniformity": s, "gd_limit": gd,
            "hessian_eigenvalues": st.hessianEigenvalues, "seconds": secs,
            "rows": rows.map { ["batch_size": $0.batchSize, "sampling": $0.sampling.rawValue, "covariance_factor": $0.covarianceFactor,
                                "eta_exact": $0.exact, "eta_lambda_max": $0.lambdaMax, "eta_gd": $0.gradientDescentLimit] as [String: Any] },
            "check": checkRows.map { ["learning_rate": $0.learningRate, "eta_star": etaCheck, "spectral_radius": $0.spectralRadius,
                                      "mean_square": $0.meanSquare, "standard_error": $0.standardError, "exact_mean_square": $0.exactMeanSquare,
                                      "growth_per_step": $0.measuredGrowthPerStep, "mean_log_growth_per_step": $0.meanLogGrowthPerStep,
                                      "fraction_diverged": $0.fractionDiverged, "paths": $0.paths, "steps": $0.steps,
                                      "batch_size": checkB, "sampling": checkSampling.rawValue] as [String: Any] },
        ]
        if let p = try output.write(jsonString(doc), to: "stability.json") { files.append(p) }
        var plot = LinePlot(title: "\(f.name): largest stable η (Wu–Ma–E)", xLabel: "batch size b", yLabel: "η*",
                            xScale: .log, yScale: .log)
        for sp in [Sampling.withReplacement, .withoutReplacement] {
            let rs = rows.filter { $0.sampling == sp }
            guard !rs.isEmpty else { continue }
            let bs = rs.map { Double($0.batchSize) }
            let tag = sp == .withReplacement ? "with repl." : "without repl."
            plot.add(Series(label: "ρ(T) = 1, \(tag)", x: bs, y: rs.map(\.exact), dash: sp == .withReplacement ? .solid : .dashed,
                            marker: sp == .withReplacement ? .circle : .square))
            plot.add(Series(label: "λ_max criterion, \(tag)", x: bs, y: rs.map(\.lambdaMax), dash: .dotted,
                            marker: sp == .withReplacement ? .triangle : .diamond))
        }
        plot.addHorizontalLine(y: gd, label: "GD: 2/a = \(fmt(gd, 3))")
        if let p = try output.write(plot.render(width: 760, height: 500), to: "stability.svg") { files.append(p) }
        if !files.isEmpty { print("wrote " + files.joined(separator: ", ")) }
    }

    /// A unit vector in the range of `H` (the span of its eigenvectors with eigenvalue above 10⁻¹⁰ λ_max),
    /// from `--seed`: the neutral null space of an over-parameterised minimum would otherwise hide the growth.
    func rangeStart(_ h: Matrix) -> [Double] {
        let d = h.rows
        let eig = SymmetricEigen(h)
        let tol = 1e-10 * (eig.values.map { abs($0) }.max() ?? 0)
        var z = [Double](repeating: 0, count: d)
        CounterRNG(seed: seed, stream: RandomStream.initial).fillGaussian(&z, path: 1, step: 0)
        var e = [Double](repeating: 0, count: d)
        for k in 0..<d where eig.values[k] > tol {
            let v = (0..<d).map { eig.vectors[$0, k] }
            Vec.axpy(Vec.dot(v, z), v, &e)
        }
        let nn = Vec.norm(e)
        return nn > 0 ? e.map { $0 / nn } : z.map { $0 / Vec.norm(z) }
    }

    // MARK: edge of stability

    func edge<F: Objective>(_ f: F, start: [Double]) throws {
        let t0 = Date()
        let lam0 = f.hessianExtremeEigenvalues(at: start, steps: 30).largest
        let rate: Double
        if let eta { rate = eta } else {
            guard lam0 > 0, lam0.isFinite else {
                throw CLIError.runtime("λ_max(∇²f) at the start is \(fmt(lam0)); give the learning rate with --eta")
            }
            rate = 1.9 / lam0
        }
        let trace = try SharpnessTrace(steps: steps, every: every, lanczosSteps: 30,
                                       divergence: DivergenceRule(bound: 1e6 * max(1, Vec.norm(start))))
        let r = try trace.run(f, learningRate: rate, start: start)
        print("Sharpness along GD for \(f.name) (d = \(f.dimension)\(example == nil ? problem.l2Text(f.name) : "")): η = \(fmt(rate, 6)), 2/η = \(fmt(r.threshold, 6)), λ_max(∇²f(x₀)) = \(fmt(lam0, 6)), \(steps) steps, recorded every \(every)")
        let claim = "GD is linearly stable at a minimum iff λ_max < 2/η; on non-convex losses GD sharpens until λ_max ≈ 2/η and hovers there while f keeps falling (Cohen et al. 2021)."
        StudyRecording.claim(claim)
        print("Claim: \(claim) λ_max by Lanczos (30 Hessian-vector products).\n")
        var table = TextTable(["step", "f", "‖∇f‖", "λ_max", "2/η", "λ_max·η/2"])
        var csv = TextTable(["step", "loss", "gradient_norm", "sharpness", "threshold"])
        let shown = r.points.count > 40 ? stride(from: 0, to: r.points.count, by: max(1, r.points.count / 30)).map { $0 } + [r.points.count - 1] : Array(r.points.indices)
        for i in Set(shown).sorted() {
            let p = r.points[i]
            table.add(["\(p.step)", fmt(p.loss, 6), fmt(p.gradientNorm, 3), fmt(p.sharpness, 5), fmt(r.threshold, 5), fmt(p.sharpness * rate / 2, 4)])
        }
        for p in r.points { csv.add(["\(p.step)", "\(p.loss)", "\(p.gradientNorm)", "\(p.sharpness)", "\(r.threshold)"]) }
        print(table.render())
        if r.points.count != shown.count { print("(\(r.points.count) records in the CSV)") }
        let maxS = r.points.map(\.sharpness).max() ?? .nan
        print("\nfirst step with λ_max ≥ 2/η: " + (r.firstCrossing.map { "\($0)" } ?? "none") + "; largest λ_max·η/2 = \(fmt(maxS * rate / 2, 4))")
        if let k = r.divergedAt { print("GD diverged at step \(k) (‖x‖ > 10⁶ max(1, ‖x₀‖))") }
        StudyRecording.reading("At η = \(fmt(rate, 4)) (2/η = \(fmt(r.threshold, 4))) the sharpness went from \(fmt(r.points.first?.sharpness ?? .nan, 4)) to \(fmt(r.points.last?.sharpness ?? .nan, 4)), peaking at λ_max·η/2 = \(fmt(maxS * rate / 2, 3)); " + (r.firstCrossing.map { "it first reached 2/η at step \($0)" } ?? "it never reached 2/η") + ", while f went from \(fmt(r.points.first?.loss ?? .nan, 4)) to \(fmt(r.points.last?.loss ?? .nan, 4))" + (r.divergedAt.map { "; GD diverged at step \($0)." } ?? "."))
        let secs = Date().timeIntervalSince(t0)
        print(String(format: "time: %.2f s", secs))

        var files: [String] = []
        if let p = try output.write(csv.csv(), to: "stability-eos.csv") { files.append(p) }
        let doc: [String: Any] = ["study": "edge-of-stability", "objective": f.name, "learning_rate": rate, "threshold": r.threshold,
                                  "steps": steps, "every": every, "first_crossing": r.firstCrossing as Any? ?? NSNull(),
                                  "diverged_at": r.divergedAt as Any? ?? NSNull(), "seconds": secs,
                                  "points": r.points.map { ["step": $0.step, "loss": $0.loss, "gradient_norm": $0.gradientNorm,
                                                            "sharpness": $0.sharpness] as [String: Any] }]
        if let p = try output.write(jsonString(doc), to: "stability-eos.json") { files.append(p) }
        let ks = r.points.map { Double($0.step) }
        var plot = LinePlot(title: "\(f.name): sharpness along GD, η = \(fmt(rate, 4))", xLabel: "step k", yLabel: "λ_max(∇²f(x_k))")
        plot.add(Series(label: "λ_max (Lanczos)", x: ks, y: r.points.map(\.sharpness), marker: r.points.count <= 60 ? .circle : .none))
        plot.addHorizontalLine(y: r.threshold, label: "2/η = \(fmt(r.threshold, 4))")
        let top = max(maxS, r.threshold)
        plot.yDomain = 0 ... top * 1.1
        if let p = try output.write(plot.render(width: 760, height: 500), to: "stability-eos.svg") { files.append(p) }
        var loss = LinePlot(title: "\(f.name): loss along GD, η = \(fmt(rate, 4))", xLabel: "step k", yLabel: "f(x_k)", yScale: .log)
        loss.add(Series(label: "f", x: ks, y: r.points.map(\.loss)))
        loss.add(Series(label: "‖∇f‖", x: ks, y: r.points.map(\.gradientNorm), dash: .dashed))
        if let p = try output.write(loss.render(width: 760, height: 420), to: "stability-eos-loss.svg") { files.append(p) }
        if !files.isEmpty { print("wrote " + files.joined(separator: ", ")) }
    }
}
