import Foundation

/// The heavy-ball part of a ``MasterStudy``: the chain in (θ, v) on a 2-D grid, its θ-marginal
/// against the exact second moments of the affine (θ, v) chain and the regime-A Langevin model of
/// temperature `ησ²/(2(1−μ))` (docs/THEORY.md §6.4, §8.2).
struct MasterHeavyBallPlan: Sendable {
    let momentum: Double
    let moments: (meanX: Double, varX: Double, varV: Double)
    let temperature: Double
    let langevinVariance: Double
    let grid: Grid2D

    init(_ c: MasterStudy.Configuration, problem: DensityProblem, eta: Double, batches: MinibatchEnumeration,
         chain: AffineChain, lambda: Double, sigma2: Double, momentum mu: Double) throws {
        guard c.steps == nil else {
            throw ConfigurationError(field: "steps", "transient runs are 1-D only; drop --steps for heavy ball's stationary law")
        }
        let n = { (v: Double) in NumberText.short(v) }
        let hb = HeavyBallChain(chain: chain, momentum: mu)
        guard hb.spectralRadius < 1, let s = hb.stationary() else {
            throw ConfigurationError(field: MasterStudy.etaField(problem), "heavy ball is not mean-square stable at η = \(n(eta)), μ = \(n(mu)): the second-moment map has spectral radius \(n(hb.spectralRadius)) ≥ 1")
        }
        momentum = mu
        moments = s
        temperature = eta * sigma2 / (2 * (1 - mu))
        langevinVariance = temperature / lambda
        let axes: [GridAxis]
        if let grid = c.grid {
            guard grid.count == 2 else {
                throw ConfigurationError(field: "grid", "heavy ball (--momentum) needs a 2-D grid θ-axis,v-axis, e.g. -2:2:161,-1:1:161")
            }
            axes = grid
        } else {
            let sx = s.varX.squareRoot(), sv = s.varV.squareRoot()
            axes = [GridAxis(lower: s.meanX - 8 * sx, upper: s.meanX + 8 * sx, count: 161), GridAxis(lower: -8 * sv, upper: 8 * sv, count: 161)]
        }
        try axes[0].checkResolution(sd: min(s.varX, langevinVariance).squareRoot(), what: "heavy ball's θ-marginal")
        try axes[1].checkResolution(sd: s.varV.squareRoot(), what: "heavy ball's velocity")
        for (axis, m, v, name) in [(axes[0], s.meanX, s.varX, "θ"), (axes[1], 0.0, s.varV, "v")] {
            let r = 3 * v.squareRoot()
            if m - r < axis.lower || m + r > axis.upper {
                throw ConfigurationError(field: "grid", "the \(name)-axis [\(n(axis.lower)), \(n(axis.upper))] does not cover mean ± 3 sd = [\(n(m - r)), \(n(m + r))] of heavy ball's law; widen it")
            }
        }
        guard Double(axes[0].count) * Double(axes[1].count) * Double(batches.count) <= 5e7 else {
            throw ConfigurationError(field: "grid", "\(axes[0].count * axes[1].count) cells × \(batches.count) batches is more than 5·10⁷ deposits; use a coarser grid")
        }
        grid = Grid2D(x: try axes[0].grid(), y: try axes[1].grid())
        let gx = grid.x, t = temperature, v = langevinVariance
        try DensityResultParts.renaming { try Density1D.gaussian(grid: gx, mean: problem.minimizer, variance: v) }.checkCovered(what: "the Langevin Gaussian")
        try DensityResultParts.renaming { try Density1D.gibbs(grid: gx, temperature: t, potential: { problem.value($0) }) }.checkCovered(what: "the Gibbs density")
    }

    func run(_ s: MasterStudy, _ context: StudyContext) throws -> StudyResult {
        let c = s.configuration, problem = s.problem, g2 = grid, mu = momentum
        let op = try DensityResultParts.renaming {
            try TransferOperator2D.heavyBall(grid: g2, objective: problem.finiteSum!, learningRate: s.eta, momentum: mu,
                                             batchSize: s.batches.batchSize, sampling: s.batches.sampling,
                                             maximumBatches: c.maxBatches, seed: c.seed)
        }
        let label = "master: power iteration"
        let law = try DensityResultParts.renaming {
            defer { context.finishProgress(label) }
            return try op.stationary(tolerance: c.tolerance, maximumIterations: c.maxIterations,
                                     progress: DensityResultParts.progress(context, label))
        }
        let p2 = law.density
        let p = p2.marginalX
        let gx = g2.x
        let gaussian = try Density1D.gaussian(grid: gx, mean: problem.minimizer, variance: langevinVariance)
        let gibbs = try Density1D.gibbs(grid: gx, temperature: temperature, potential: { problem.value($0) })
        func n(_ v: Double, _ d: Int = 4) -> String { NumberText.short(v, d) }
        let lines = ["Heavy-ball master equation (θ, v) (docs/THEORY.md §8.2, §6.4) on the \(problem.label)", s.header + ", μ = \(n(mu, 6))",
                     "grid θ ∈ [\(n(gx.lower, 5)), \(n(gx.upper, 5))] × v ∈ [\(n(g2.y.lower, 5)), \(n(g2.y.upper, 5))], \(gx.count) × \(g2.y.count) nodes (bilinear deposit)",
                     "stationary law by power iteration: \(law.iterations) iterations, ‖Δp‖₁ = \(n(law.change, 2)), clamped mass \(n(law.clampedMass, 2)), status \(law.status)"]
        var warnings: [StudyWarning] = []
        if !law.status.isOK { warnings.append(StudyWarning(.note, "master equation: \(law.status)")) }
        var laws = ResultTable(name: "laws", title: "heavy ball's stationary θ-law and its models", columns: [
            ResultColumn("law", kind: .text, isKey: true), ResultColumn("mean θ", digits: 7), ResultColumn("variance θ", digits: 7),
            ResultColumn("excess kurtosis θ", digits: 7), ResultColumn("what", kind: .text)])
        laws.add([.text("master-equation"), .number(p.mean), .number(p.variance), .number(p.excessKurtosis), .text("θ-marginal of heavy ball's grid law")])
        laws.add([.text("exact-discrete"), .number(moments.meanX), .number(moments.varX), .missing, .text("exact second moments of the affine (θ, v) chain")])
        laws.add([.text("langevin-gaussian"), .number(problem.minimizer), .number(langevinVariance), .number(0), .text("regime-A model, T = ησ²/(2(1−μ)) = \(n(temperature, 6))")])
        laws.add([.text("gibbs"), .number(gibbs.mean), .number(gibbs.variance), .number(gibbs.excessKurtosis), .text("e^{−f/T}/Z on the θ grid")])
        let dg = LawDistances(p, gaussian), db = LawDistances(p, gibbs)
        var dist = ResultTable(name: "distances", title: "distances from the θ-marginal",
                               columns: DensityResultParts.distanceColumns("from master-equation (θ) to", nil, kl: "KL(master‖·)"),
                               notes: ["KL regularised: ε = 1e-12 added to every cell of both laws, then renormalised."])
        dist.add([.text("langevin-gaussian"), .number(dg.tv), .number(dg.kl), .number(dg.w1)])
        dist.add([.text("gibbs"), .number(db.tv), .number(db.kl), .number(db.w1)])
        let claim = "At finite η and fixed μ, heavy ball's stationary law differs from its regime-A Langevin model (temperature ησ²/(2(1−μ))); the exact second moments of the affine (θ, v) chain measure by how much, and the master equation on a grid reproduces them."
        let reading = "θ-variance: master equation \(n(p.variance, 5)), exact discrete \(n(moments.varX, 5)), regime-A Langevin \(n(langevinVariance, 5)) (ratio exact/Langevin \(n(moments.varX / langevinVariance, 4))); distance of the θ-marginal to the Langevin Gaussian: TV \(n(dg.tv, 3)), W1 \(n(dg.w1, 3))."
        var metrics = [
            StudyMetric(key: "iterations", title: "power iterations to the stationary law", value: Double(law.iterations)),
            StudyMetric(key: "variance master", title: "θ-variance of heavy ball's stationary grid law", value: p.variance, expected: moments.varX),
            StudyMetric(key: "variance exact", title: "exact stationary θ-variance of the affine (θ, v) chain", value: moments.varX),
            StudyMetric(key: "velocity variance exact", title: "exact stationary v-variance", value: moments.varV),
            StudyMetric(key: "variance langevin", title: "θ-variance of the regime-A Langevin model", value: langevinVariance),
        ]
        metrics += DensityResultParts.distanceMetrics(dg, "master", "langevin") + DensityResultParts.distanceMetrics(db, "master", "gibbs")
        let shown = Density1D.visibleRange([p, gaussian, gibbs])
        let figure = DensityResultParts.densityFigure("master", title: "Heavy ball μ = \(n(mu, 3)): θ-marginal of the master equation vs Langevin", curves: [
            DensityResultParts.curve("heavy ball master equation (var \(n(p.variance, 4)))", p, range: shown, width: 2.5),
            DensityResultParts.curve("regime-A Langevin Gaussian (var \(n(langevinVariance, 4)))", gaussian, range: shown, dash: .dashed),
            DensityResultParts.curve("Gibbs e^(−f/T)", gibbs, range: shown, dash: .dotted, width: 2.5)])
        var map = DensityResultParts.heatmapFigure("master-2d", title: "Heavy ball's stationary law in (θ, v)", p2, xLabel: "θ", yLabel: "v",
                                                   width: 720, height: 480)
        map.equalAspect = false
        let series = DensityResultParts.densityTable("master", title: "θ-densities on the grid",
                                                     [("master_equation_theta", p), ("langevin_gaussian", gaussian), ("gibbs", gibbs)])
        return StudyResult(study: MasterStudy.name, claim: claim, reading: reading, context: lines, tables: [laws, dist],
                           warnings: warnings, figures: [figure, map], series: [series], metrics: metrics)
    }
}
