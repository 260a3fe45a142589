import Foundation

/// The 1-D part of a ``MasterStudy``: the grid checked against SGD's exact law and its Langevin
/// model, then the stationary law by power iteration or a transient from a point mass.
struct MasterPlan1D: Sendable {
    let exact: (mean: Double, variance: Double, excessKurtosis: Double)
    let temperature: Double
    let langevinVariance: Double
    let grid: Grid1D
    let gaussian: Density1D
    let gibbs: Density1D
    let start: Double

    init(_ c: MasterStudy.Configuration, problem: DensityProblem, eta: Double, batches: MinibatchEnumeration,
         chain: AffineChain, lambda: Double, sigma2: Double) throws {
        guard let exact = chain.stationary() else {
            throw ConfigurationError(field: MasterStudy.etaField(problem), "SGD is not mean-square stable at η = \(NumberText.short(eta)): E(1 − ηh_B)² = \(NumberText.short(chain.aMoment(2))) ≥ 1 (docs/THEORY.md §10.2); need η < 2E[h_B]/E[h_B²] = \(NumberText.short(chain.stabilityBound(learningRate: eta)))\(problem.isBernoulli ? ", i.e. 0 < ηλ < 2" : "")")
        }
        self.exact = exact
        temperature = eta * sigma2 / 2
        langevinVariance = temperature / lambda
        let support = chain.invariantInterval
        let axis: GridAxis
        if let grid = c.grid {
            guard grid.count == 1 else {
                throw ConfigurationError(field: "grid", "\(grid.count) axes given; this study supports 1-D grids (lower:upper:count) without momentum")
            }
            axis = grid[0]
        } else {
            let sdExact = exact.variance.squareRoot(), sdL = langevinVariance.squareRoot()
            axis = GridAxis.covering([support.map { $0.padded() } ?? .around(exact.mean, sdExact, 12), .around(problem.minimizer, sdL, 8)],
                                     resolution: min(sdExact, sdL))
        }
        try axis.checkResolution(sd: min(exact.variance, langevinVariance).squareRoot(), what: "SGD's stationary law and its Langevin model")
        let f = { (v: Double) in NumberText.short(v) }
        if let s = support {
            let slack = 1e-9 * (s.upperBound - s.lowerBound)
            if s.lowerBound < axis.lower - slack || s.upperBound > axis.upper + slack {
                throw ConfigurationError(field: "grid", "the domain [\(f(axis.lower)), \(f(axis.upper))] does not contain the support [\(NumberText.short(s.lowerBound, 6)), \(NumberText.short(s.upperBound, 6))] of SGD's stationary law; widen lower/upper")
            }
        } else {
            let r = 6 * exact.variance.squareRoot()
            if exact.mean - r < axis.lower || exact.mean + r > axis.upper {
                throw ConfigurationError(field: "grid", "the domain [\(f(axis.lower)), \(f(axis.upper))] is too small for SGD's law (mean \(f(exact.mean)), sd \(f(exact.variance.squareRoot()))); its support is unbounded): cover at least mean ± 6 sd = [\(f(exact.mean - r)), \(f(exact.mean + r))]")
            }
        }
        guard Double(axis.count) * Double(batches.count) <= 5e7 else {
            throw ConfigurationError(field: "grid", "\(axis.count) nodes × \(batches.count) batches is more than 5·10⁷ deposits; use fewer nodes or --max-batches")
        }
        let g = try axis.grid()
        grid = g
        let (t, v) = (temperature, langevinVariance)
        gaussian = try DensityResultParts.renaming(["variance": "objective.name"]) { try Density1D.gaussian(grid: g, mean: problem.minimizer, variance: v) }
        gibbs = try DensityResultParts.renaming(["temperature": "objective.name"]) { try Density1D.gibbs(grid: g, temperature: t, potential: { problem.value($0) }) }
        start = c.start ?? problem.minimizer
        if c.steps != nil, !(start >= g.lower && start <= g.upper) {
            throw ConfigurationError(field: "start", "must lie in the grid [\(f(g.lower)), \(f(g.upper))], got \(start)")
        }
        try gaussian.checkCovered(what: "the Langevin Gaussian")
        try gibbs.checkCovered(what: "the Gibbs density")
    }

    func run(_ s: MasterStudy, _ context: StudyContext) throws -> StudyResult {
        let c = s.configuration, problem = s.problem, g = grid
        let ls = problem.finiteSum!
        let op = try DensityResultParts.renaming {
            try TransferOperator1D(grid: g, objective: ls, learningRate: s.eta, batchSize: s.batches.batchSize,
                                   sampling: s.batches.sampling, maximumBatches: c.maxBatches, seed: c.seed)
        }
        let label = "master: power iteration"
        let law = try DensityResultParts.renaming {
            defer { context.finishProgress(label) }
            return try op.stationary(tolerance: c.tolerance, maximumIterations: c.maxIterations,
                                     progress: DensityResultParts.progress(context, label))
        }
        try context.checkCancellation()
        func n(_ v: Double, _ d: Int = 4) -> String { NumberText.short(v, d) }
        var lines = ["SGD master equation (docs/THEORY.md §8.2–§8.3) on the \(problem.label)", s.header,
                     "grid [\(n(g.lower, 6)), \(n(g.upper, 6))] with \(g.count) nodes, Δθ = \(n(g.spacing, 4)) (cloud-in-cell deposit, O(Δθ²) bias); max clamped probability per step \(n(op.maximumClampedProbability, 4))",
                     "stationary law by power iteration: \(law.iterations) iterations, ‖Δp‖₁ = \(n(law.change, 2)) (tolerance \(n(c.tolerance, 2))), clamped mass \(n(law.clampedMass, 2)), status \(law.status)"]
        var warnings: [StudyWarning] = []
        if !law.status.isOK { warnings.append(StudyWarning(.note, "master equation: \(law.status)")) }
        let p = law.density
        var metrics = [
            StudyMetric(key: "iterations", title: "power iterations to the stationary law", value: Double(law.iterations)),
            StudyMetric(key: "variance master", title: "variance of SGD's stationary grid law", value: p.variance, expected: exact.variance),
            StudyMetric(key: "variance exact", title: "exact stationary variance of the affine chain", value: exact.variance),
            StudyMetric(key: "variance langevin", title: "variance ησ²/(2λ) of the Langevin model", value: langevinVariance),
            StudyMetric(key: "excess kurtosis master", title: "excess kurtosis of SGD's stationary grid law", value: p.excessKurtosis, expected: exact.excessKurtosis),
        ]
        if let steps = c.steps {
            return try transient(s, op, steps: steps, stationary: p, lines: &lines, warnings: warnings, metrics: metrics, context)
        }

        var laws = ResultTable(name: "laws", title: "SGD's stationary law and its models", columns: [
            ResultColumn("law", kind: .text, isKey: true), ResultColumn("mean", digits: 7), ResultColumn("variance", digits: 7),
            ResultColumn("excess kurtosis", digits: 7), ResultColumn("what", kind: .text)])
        laws.add([.text("master-equation"), .number(p.mean), .number(p.variance), .number(p.excessKurtosis), .text("SGD's grid law (power iteration)")])
        laws.add([.text("exact-discrete"), .number(exact.mean), .number(exact.variance), .number(exact.excessKurtosis), .text("affine moment recursion (docs/THEORY.md §6.3, §6.5, §8.4)")])
        laws.add([.text("langevin-gaussian"), .number(problem.minimizer), .number(langevinVariance), .number(0), .text("OU/Langevin at T = ησ²/2 = \(n(temperature, 6)): Var = ησ²/(2λ)")])
        laws.add([.text("gibbs"), .number(gibbs.mean), .number(gibbs.variance), .number(gibbs.excessKurtosis), .text("e^{−f/T}/Z on the grid")])
        var findings = ["variance ratio exact-discrete / Langevin = \(n(exact.variance / langevinVariance, 6))\(problem.isBernoulli ? " (= 1/(1 − ηλ/2))" : "")"]
        if problem.isBernoulli {
            let r = s.eta * s.lambda
            let rho = 1 - r
            findings.append("Bernoulli convolution: ρ = 1 − ηλ = \(n(rho, 6)); exact variance ηλ/(2 − ηλ) = \(n(r / (2 - r), 7)), excess kurtosis −2(1−ρ²)/(1+ρ²) = \(n(-2 * (1 - rho * rho) / (1 + rho * rho), 7))\(abs(r - 0.5) < 1e-12 ? "; the law is Uniform[−1, 1] (density 0.5)" : "")")
        }
        let dg = LawDistances(p, gaussian), db = LawDistances(p, gibbs)
        var dist = ResultTable(name: "distances", title: "distances from the master equation's law",
                               columns: DensityResultParts.distanceColumns("from master-equation to", nil, kl: "KL(master‖·)"),
                               notes: ["KL regularised: ε = 1e-12 added to every cell of both laws, then renormalised. Laws are cell masses on the grid."])
        dist.add([.text("langevin-gaussian"), .number(dg.tv), .number(dg.kl), .number(dg.w1)])
        dist.add([.text("gibbs"), .number(db.tv), .number(db.kl), .number(db.w1)])
        if let sup = s.chain.invariantInterval { findings.append("support of SGD's law: [\(n(sup.lowerBound, 6)), \(n(sup.upperBound, 6))]") }
        metrics += DensityResultParts.distanceMetrics(dg, "master", "langevin") + DensityResultParts.distanceMetrics(db, "master", "gibbs")
        metrics.append(StudyMetric(key: "variance ratio", title: "exact-discrete / Langevin variance", value: exact.variance / langevinVariance))

        let reading = "At η = \(n(s.eta, 4)) SGD's stationary law from the master equation has variance \(n(p.variance, 5)) (exact discrete \(n(exact.variance, 5)), Langevin \(n(langevinVariance, 5)): ratio \(n(exact.variance / langevinVariance, 4)) to Langevin) and excess kurtosis \(n(p.excessKurtosis, 4)) (exact \(n(exact.excessKurtosis, 4)), Langevin 0); its distance to the Langevin Gaussian is TV \(n(dg.tv, 3)), W1 \(n(dg.w1, 3))."
        let shown = Density1D.visibleRange([p, gaussian, gibbs])
        let figure = DensityResultParts.densityFigure("master", title: "SGD's stationary law (master equation) vs Langevin, η = \(n(s.eta, 4))", curves: [
            DensityResultParts.curve("SGD master equation (var \(n(p.variance, 4)))", p, range: shown, width: 2.5),
            DensityResultParts.curve("Langevin/OU Gaussian (var \(n(langevinVariance, 4)))", gaussian, range: shown, dash: .dashed),
            DensityResultParts.curve("Gibbs e^(−f/T), T = \(n(temperature, 4))\(DensityDistance.totalVariation(gaussian, gibbs) < 1e-9 ? " (= Gaussian)" : "")",
                                     gibbs, range: shown, dash: .dotted, width: 2.5)])
        let series = DensityResultParts.densityTable("master", title: "densities on the grid",
                                                     [("master_equation", p), ("langevin_gaussian", gaussian), ("gibbs", gibbs)])
        return StudyResult(study: MasterStudy.name, claim: MasterStudy.masterClaim, reading: reading, context: lines,
                           tables: [laws, dist], findings: findings, warnings: warnings, figures: [figure], series: [series],
                           metrics: metrics)
    }

    func transient(_ s: MasterStudy, _ op: TransferOperator1D, steps: Int, stationary: Density1D, lines: inout [String],
                   warnings: [StudyWarning], metrics: [StudyMetric], _ context: StudyContext) throws -> StudyResult {
        let c = s.configuration, g = grid, x0 = start
        let every = max(1, steps / c.saves)
        let label = "master: transient, \(steps) steps"
        let run = try DensityResultParts.renaming {
            defer { context.finishProgress(label) }
            return try op.evolve(Density1D.pointMass(at: x0, grid: g), steps: steps, saveEvery: every,
                                 progress: DensityResultParts.progress(context, label))
        }
        let exactRows = s.chain.transient(from: x0, steps: run.steps)
        func n(_ v: Double, _ d: Int = 4) -> String { NumberText.short(v, d) }
        lines.append("transient from a point mass at θ₀ = \(n(x0, 6)), \(steps) steps, t = kη; status \(run.status)")
        var warnings = warnings
        if !run.status.isOK { warnings.append(StudyWarning(.note, "master equation: \(run.status)")) }
        var table = ResultTable(name: "transient", title: "SGD's law from a point mass", columns: [
            ResultColumn("k", kind: .integer, isKey: true), ResultColumn("t", digits: 5), ResultColumn("mass", digits: 12),
            ResultColumn("mean", digits: 6), ResultColumn("variance", digits: 6), ResultColumn("exact variance", digits: 6),
            ResultColumn("excess kurtosis", digits: 5), ResultColumn("min mass", digits: 3), ResultColumn("TV to stationary", digits: 4)],
            notes: ["exact variance: the affine moment recursion from θ₀ (no grid); the grid law adds an O(Δθ²) deposit bias."])
        for (i, p) in run.densities.enumerated() {
            table.add([.integer(run.steps[i]), .number(run.times[i]), .number(p.totalMass), .number(p.mean), .number(p.variance),
                       .number(exactRows[i].variance), .number(p.excessKurtosis), .number(p.minimumMass),
                       .number(DensityDistance.totalVariation(p, stationary))])
        }
        var reading = ""
        var metrics = metrics
        if let last = run.densities.last, let lastExact = exactRows.last {
            let tv = DensityDistance.totalVariation(last, stationary)
            reading = "From θ₀ = \(n(x0, 4)), after \(run.steps.last ?? 0) steps the grid law has variance \(n(last.variance, 5)) against the exact \(n(lastExact.variance, 5)) (grid deposit bias O(Δθ²)), mass \(n(last.totalMass, 10)), and total variation \(n(tv, 3)) to the stationary law."
            metrics.append(StudyMetric(key: "variance final", title: "variance of the grid law after the last step", value: last.variance, expected: lastExact.variance))
            metrics.append(StudyMetric(key: "tv final–stationary", title: "total variation of the last law to the stationary law", value: tv))
        }
        var cols = run.densities.enumerated().map { (key: "k=\(run.steps[$0.offset])", law: $0.element) }
        cols.append((key: "stationary", law: stationary))
        let shownIdx = run.densities.indices.filter { $0 > 0 }.suffix(6)
        let range = Density1D.visibleRange(Array(run.densities.dropFirst()) + [stationary, gaussian])
        var curves = shownIdx.map {
            DensityResultParts.curve("k = \(run.steps[$0]) (t = \(n(run.times[$0], 3)))", run.densities[$0], range: range, width: 1.75)
        }
        curves.append(DensityResultParts.curve("stationary (master equation)", stationary, range: range, dash: .dashed, width: 2.5, color: "#000000"))
        curves.append(DensityResultParts.curve("Langevin/OU Gaussian", gaussian, range: range, dash: .dotted, width: 2.5, color: "#7f7f7f"))
        let figure = DensityResultParts.densityFigure("master", title: "SGD's law by the master equation from θ₀ = \(n(x0, 4)), η = \(n(s.eta, 4))", curves: curves)
        return StudyResult(study: MasterStudy.name, claim: MasterStudy.masterClaim, reading: reading, context: lines, tables: [table],
                           warnings: warnings, figures: [figure],
                           series: [DensityResultParts.densityTable("master", title: "densities on the grid at the save points", cols)],
                           metrics: metrics)
    }
}
