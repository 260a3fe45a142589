import Foundation

/// The work of a ``StationaryStudy``: the four laws on the study's grid, then the result.
struct StationaryRun {
    let study: StationaryStudy
    var c: StationaryStudy.Configuration { study.configuration }

    func run(_ context: StudyContext) throws -> StudyResult {
        let s = study, problem = s.problem, g = s.grid, eta = s.eta, T = s.temperature, tL = s.langevinTemperature
        func n(_ v: Double, _ d: Int = 4) -> String { NumberText.short(v, d) }
        let alg = c.algorithm.rawValue.uppercased()
        let b = c.objective.batchSize, sampling = c.objective.sampling.sampling

        // (c) Langevin Fokker–Planck (exact Gibbs equilibrium by potential differences) and SME-1.
        let fp = try DensityResultParts.renaming(["diffusion": "temperature"]) { try FokkerPlanck1D(grid: g, diffusion: tL, potential: { problem.value($0) }) }
        let langevin = try DensityResultParts.renaming { try fp.stationary() }
        var sme: Density1D? = nil
        var smeNote: String? = nil
        if !s.isSGLD, let ls = problem.finiteSum {
            let gradient = MinibatchGradient(ls, batchSize: b, sampling: sampling)
            var m = Matrix(rows: 1, columns: 1)
            let sig = g.nodes.map { x -> Double in ls.noiseCovariance([x], into: &m); return m[0, 0] }
            if (sig.max()! - sig.min()!) > 1e-9 * sig.max()! {
                do {
                    sme = try FokkerPlanck1D(grid: g, model: SME(gradient, learningRate: eta, order: 1)).stationary()
                } catch let e as ConfigurationError {
                    smeNote = "SME-1 Fokker–Planck law not computed: \(e.description)"
                }
            }
        }
        try context.checkCancellation()

        // (b) master equation.
        let noise = s.isSGLD ? SGLDNoise(learningRate: eta, temperature: T, spacing: g.spacing, quadrature: c.quadrature) : nil
        let op = try DensityResultParts.renaming { try masterOperator(noise) }
        let label = "stationary: power iteration"
        let law = try DensityResultParts.renaming {
            defer { context.finishProgress(label) }
            return try op.stationary(tolerance: c.tolerance, maximumIterations: c.maxIterations, progress: DensityResultParts.progress(context, label))
        }
        var warnings: [StudyWarning] = []
        if !law.status.isOK { warnings.append(StudyWarning(.note, "master equation: \(law.status)")) }
        let master = law.density
        try context.checkCancellation()

        // (a) ensemble.
        let (ens, algName) = ensemble(context)
        var status = StudyStatus.ok
        var histogram: Density1D? = nil
        if ens.diverged > 0 {
            let first = ens.firstDivergence ?? 0
            if ens.survivors >= 2 {
                warnings.append(StudyWarning(.diverged, "\(algName) diverged on \(ens.diverged) of \(ens.paths) paths (first at step \(first)); they are excluded"))
                status = .diverged
            } else {
                warnings.append(StudyWarning(.diverged, "\(algName) diverged on \(ens.diverged) of \(ens.paths) paths (first at step \(first)); reduce the learning rate. No ensemble statistic is formed"))
                status = .failed
            }
        }
        if status != .failed {
            if ens.counts.contains(where: { $0 > 0 }) {
                histogram = try Density1D(grid: g, weights: ens.counts.map(Double.init))
            } else {
                warnings.append(StudyWarning(.note, "no iterate of the ensemble fell inside the grid [\(n(g.lower)), \(n(g.upper))]; no histogram is formed"))
                status = .failed
            }
        }

        // Context lines.
        var lines = ["Stationary law of \(alg) on the \(problem.label)",
                     "η = \(n(eta, 6))\(s.isSGLD ? ", SGLD temperature \(n(T, 6))" : ""), batch size \(b) \(sampling.rawValue)\(s.batches.map { ": \($0.kind)" } ?? ""); θ* = \(n(problem.minimizer, 6)), λ = f''(θ*) = \(n(s.lambda, 6)), σ² = cΣ(θ*) = \(n(s.sigma2, 6))",
                     "grid [\(n(g.lower, 6)), \(n(g.upper, 6))] with \(g.count) nodes, Δθ = \(n(g.spacing, 4))",
                     "(a) ensemble: \(ens.survivors) paths × \(c.steps) iterates after a burn-in of \(c.burnIn) steps (t = \(n(Double(c.burnIn) * eta, 4))), seed \(c.seed); \(ens.outside) iterates outside the grid",
                     "(b) master equation: \(law.iterations) power iterations, ‖Δp‖₁ = \(n(law.change, 2)), clamped mass \(n(law.clampedMass, 2)), status \(law.status)\(noise.map { "; \($0.description)" } ?? "")",
                     "(c) Langevin model dθ = −f'dt + √(2T)dW, T = \(s.isSGLD ? "T_SGLD + " : "")ησ²/2 = \(n(tL, 6)): Fokker–Planck (Chang–Cooper, potential form) stationary law",
                     "(d) Gibbs density e^{−f/T}/Z on the grid, T = \(n(tL, 6))"]
        if let smeNote { lines.append(smeNote) }

        // Laws and their table.
        let name = alg.lowercased()
        var laws: [(key: String, law: Density1D, what: String)] = []
        if let histogram { laws.append(("\(name)-ensemble", histogram, "(a) histogram of the iterates")) }
        laws += [("\(name)-master", master, "(b) master equation"), ("langevin-fp", langevin, "(c) Fokker–Planck of the Langevin model"),
                 ("gibbs", s.gibbs, "(d) e^{−f/T}/Z")]
        if let sme { laws.append(("sme1-fp", sme, "Fokker–Planck of SME-1, D(θ) = ηcΣ(θ)/2")) }
        var table = ResultTable(name: "laws", title: "the stationary law four ways", columns: [
            ResultColumn("law", kind: .text, isKey: true), ResultColumn("mean", digits: 6), ResultColumn("variance", digits: 6),
            ResultColumn("se", title: "± SE", digits: 2), ResultColumn("excess kurtosis", digits: 5), ResultColumn("what", kind: .text)])
        if histogram != nil {
            table.add([.text("\(name)-ensemble"), .number(ens.mean), .number(ens.variance), .number(ens.varianceSE), .number(ens.excessKurtosis),
                       .text("(a) iterates (SE from per-path averages)")])
        }
        for l in laws where !l.key.hasSuffix("-ensemble") {
            table.add([.text(l.key), .number(l.law.mean), .number(l.law.variance), .missing, .number(l.law.excessKurtosis), .text(l.what)])
        }
        let sdL = (tL / s.lambda).squareRoot()
        if let exact = s.exact {
            table.add([.text("exact-discrete"), .number(exact.mean), .number(exact.variance), .missing, .number(exact.excessKurtosis),
                       .text("affine moment recursion (docs/THEORY.md §6.2, §6.3, §6.5)")])
        }
        if s.chain != nil {
            table.add([.text("langevin-ou"), .number(problem.minimizer), .number(sdL * sdL), .missing, .number(0), .text("OU model at θ*: Var = T/λ")])
        }

        // Distances.
        func lawNamed(_ key: String) -> Density1D? { laws.first { $0.key == key }?.law }
        var pairs = [("\(name)-ensemble", "\(name)-master"), ("\(name)-master", "langevin-fp"), ("\(name)-ensemble", "langevin-fp"),
                     ("\(name)-master", "gibbs"), ("langevin-fp", "gibbs")]
        if sme != nil { pairs += [("\(name)-master", "sme1-fp"), ("sme1-fp", "gibbs")] }
        var dist = ResultTable(name: "distances", title: "distances between the laws", columns: DensityResultParts.distanceColumns(),
                               notes: ["KL regularised: ε = 1e-12 added to every cell of both laws, then renormalised. The ensemble rows include Monte Carlo noise."])
        var metrics: [StudyMetric] = []
        var distances: [String: LawDistances] = [:]
        for (p, q) in pairs {
            guard let lp = lawNamed(p), let lq = lawNamed(q) else { continue }
            let d = LawDistances(lp, lq)
            distances[p + "|" + q] = d
            dist.add([.text(p), .text(q), .number(d.tv), .number(d.kl), .number(d.w1)])
            metrics += DensityResultParts.distanceMetrics(d, p, q)
        }

        var findings: [String] = []
        if problem.isBernoulli {
            let r = eta * s.lambda
            findings.append("Bernoulli example: SGD's law is the Bernoulli convolution Σ ρ^j ηλ b_j, ρ = \(n(1 - r, 6)); exact variance ηλ/(2 − ηλ) = \(n(r / (2 - r), 7))\(abs(r - 0.5) < 1e-12 ? ": Uniform[−1, 1], density 0.5" : "") (docs/THEORY.md §8.4).")
        }
        metrics += [
            StudyMetric(key: "variance master", title: "variance of the master equation's stationary law", value: master.variance, expected: s.exact?.variance),
            StudyMetric(key: "variance langevin", title: "variance of the Langevin Fokker–Planck law", value: langevin.variance),
            StudyMetric(key: "variance gibbs", title: "variance of the grid Gibbs law", value: s.gibbs.variance),
            StudyMetric(key: "excess kurtosis master", title: "excess kurtosis of the master equation's law", value: master.excessKurtosis, expected: s.exact?.excessKurtosis),
            StudyMetric(key: "iterations", title: "power iterations of the master equation", value: Double(law.iterations)),
            StudyMetric(key: "langevin temperature", title: "T of the Langevin model", value: tL),
            StudyMetric(key: "diverged paths", title: "ensemble paths that diverged", value: Double(ens.diverged)),
        ]
        if histogram != nil {
            metrics.append(StudyMetric(key: "variance ensemble", title: "variance of the ensemble's iterates", value: ens.variance,
                                       standardError: ens.varianceSE, expected: s.exact?.variance))
            metrics.append(StudyMetric(key: "excess kurtosis ensemble", title: "excess kurtosis of the ensemble's iterates", value: ens.excessKurtosis))
            metrics.append(StudyMetric(key: "outside grid", title: "ensemble iterates outside the grid", value: Double(ens.outside)))
        }
        if let exact = s.exact {
            metrics.append(StudyMetric(key: "variance exact", title: "exact discrete stationary variance", value: exact.variance))
        }

        let claim = "\(alg)'s stationary law at finite η (ensemble and master equation agree up to Monte Carlo and grid error) differs from its Langevin model's Fokker–Planck law, which equals the Gibbs density e^{−f/T}/Z with T = \(s.isSGLD ? "T_SGLD + " : "")ησ²/2; the difference shrinks as η → 0."
        let masterLangevin = distances["\(name)-master|langevin-fp"]!
        let reading: String
        if let ensMaster = distances["\(name)-ensemble|\(name)-master"] {
            reading = "At η = \(n(eta, 4)) the ensemble variance is \(n(ens.variance, 5)) ± \(n(ens.varianceSE, 2)) and the master equation's \(n(master.variance, 5))\(s.exact.map { " (exact discrete \(n($0.variance, 5)))" } ?? ""), against \(n(langevin.variance, 5)) for the Langevin model; TV ensemble–master \(n(ensMaster.tv, 3)) (Monte Carlo), master–Langevin \(n(masterLangevin.tv, 3)), W1 master–Langevin \(n(masterLangevin.w1, 3))."
        } else {
            reading = "At η = \(n(eta, 4)) the ensemble gave no statistic; the master equation's variance is \(n(master.variance, 5))\(s.exact.map { " (exact discrete \(n($0.variance, 5)))" } ?? ""), against \(n(langevin.variance, 5)) for the Langevin model; TV master–Langevin \(n(masterLangevin.tv, 3)), W1 master–Langevin \(n(masterLangevin.w1, 3))."
        }

        // Figure: histogram bars on coarser bins (about 60 over the visible range) so the Monte Carlo noise reads as such.
        let shown = Density1D.visibleRange([master, langevin, s.gibbs]) ?? (g.lower...g.upper)
        var curves = [DensityResultParts.curve("\(alg) master equation", master, range: shown, width: 2.5),
                      DensityResultParts.curve("Langevin Fokker–Planck (T = \(n(tL, 3)))", langevin, range: shown, dash: .dashed, width: 2.25),
                      DensityResultParts.curve("Gibbs e^(−f/T)", s.gibbs, range: shown, dash: .dotted, width: 2.5)]
        if let sme { curves.append(DensityResultParts.curve("SME-1 Fokker–Planck", sme, range: shown, dash: .dashed, width: 1.5)) }
        let bars = histogram.map { [Self.histogramBars($0, over: shown, label: "\(alg) ensemble histogram")] } ?? []
        let figure = DensityResultParts.densityFigure("stationary", title: "Stationary law of \(alg), η = \(n(eta, 4)): algorithm vs Langevin model",
                                                      curves: curves, bars: bars)
        let series = DensityResultParts.densityTable("stationary", title: "densities on the grid",
                                                     laws.map { (key: $0.key.replacingOccurrences(of: "-", with: "_"), law: $0.law) })
        return StudyResult(study: StationaryStudy.name, status: status, claim: claim, reading: reading, context: lines, tables: [table, dist],
                           findings: findings, warnings: warnings, figures: [figure], series: [series], metrics: metrics)
    }

    /// The transfer operator of the algorithm on the grid: SGD's minibatch maps, or SGLD's maps
    /// `θ' = T_B(θ) + s z_q`, `s = √(2ηT)`, with the noise discretised by ``SGLDNoise``.
    func masterOperator(_ noise: SGLDNoise?) throws -> TransferOperator1D {
        let s = study, g = s.grid, eta = s.eta, p = s.problem
        guard let noise else {
            let batches = s.batches!
            return try TransferOperator1D(grid: g, objective: p.finiteSum!, learningRate: eta, batchSize: batches.batchSize,
                                          sampling: batches.sampling, maximumBatches: c.maxBatches, seed: 0)
        }
        let (z, w) = (noise.points, noise.weights)
        let scale = (2 * eta * s.temperature).squareRoot()
        let m = z.count
        if p.finiteSum != nil, let batches = s.batches {
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
                slope[k / m] * x + shift[k / m] + scale * z[k % m]
            }
        }
        let f = p.objective
        return try TransferOperator1D(grid: g, probabilities: w, timePerStep: eta) { q, x in
            var gx = [0.0]
            f.gradient([x], into: &gx)
            return x - eta * gx[0] + scale * z[q]
        }
    }

    /// The time-averaged ensemble of the algorithm (SGD or SGLD on minibatches; SGLD on the exact
    /// gradient of a deterministic objective), and the algorithm's name.
    func ensemble(_ context: StudyContext) -> (TimeAveragedHistogram, String) {
        let s = study, p = s.problem
        var e = TimeAveragedEnsemble(paths: c.paths, burnIn: c.burnIn, steps: c.steps, seed: c.seed, threads: context.threads)
        let label = "stationary: \(c.algorithm.rawValue.uppercased()) ensemble"
        e.progress = context.ensembleProgress(label, total: c.paths, steps: c.burnIn + c.steps)
        defer { context.finishProgress(label) }
        if let ls = p.finiteSum {
            let gradient = MinibatchGradient(ls, batchSize: c.objective.batchSize, sampling: c.objective.sampling.sampling)
            if s.isSGLD { return (e.run(SGLD(gradient, learningRate: s.eta, temperature: s.temperature), grid: s.grid, reference: p.minimizer), "SGLD") }
            return (e.run(SGD(gradient, learningRate: s.eta), grid: s.grid, reference: p.minimizer), "SGD")
        }
        func sgld<F: Objective>(_ f: F) -> TimeAveragedHistogram {
            e.run(SGLD(ExactGradient(f), learningRate: s.eta, temperature: s.temperature), grid: s.grid, reference: p.minimizer)
        }
        return (sgld(p.objective), "SGLD")
    }

    /// The ensemble's grid law regrouped into about 60 bars over `range`, as densities.
    static func histogramBars(_ h: Density1D, over range: ClosedRange<Double>, label: String) -> FigureBars {
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
        return FigureBars(label: label, edges: edges, heights: heights, color: "#9ecae1", opacity: 0.6)
    }
}
