import Foundation

/// The 2-D work of a ``FokkerPlanckStudy``: the stationary law against the Gibbs density (TV, KL,
/// W1 of the marginals), or a transient by implicit Euler; the density as a heat map.
struct FokkerPlanckRun2D {
    let study: FokkerPlanckStudy
    let fp: FokkerPlanck2D

    static let columns = [
        ResultColumn("mass", digits: 15), ResultColumn("mean x", digits: 6), ResultColumn("mean y", digits: 6),
        ResultColumn("var x", digits: 6), ResultColumn("var y", digits: 6), ResultColumn("cov xy", digits: 4),
        ResultColumn("min mass", digits: 3), ResultColumn("rim mass", digits: 3)]

    static func cells(_ q: Density2D) -> [ResultCell] {
        let m = q.mean, c = q.covariance
        return [.number(q.totalMass), .number(m[0]), .number(m[1]), .number(c[0, 0]), .number(c[1, 1]), .number(c[0, 1]),
                .number(q.minimumMass), .number(q.boundaryMass)]
    }

    func run(_ context: StudyContext) throws -> StudyResult {
        let s = study, c = s.configuration, g = fp.grid, f = s.problem.objective
        func n(_ v: Double, _ d: Int = 4) -> String { NumberText.short(v, d) }
        let name = c.objective.rawValue
        var lines = s.intro + ["grid x ∈ [\(n(g.x.lower, 5)), \(n(g.x.upper, 5))] × y ∈ [\(n(g.y.lower, 5)), \(n(g.y.upper, 5))], \(g.x.count) × \(g.y.count) nodes\(fp.hasCrossDiffusion ? "; cross diffusion present: positivity not guaranteed" : "")"]
        let gibbs = try s.gibbsTemperature.map { t in try DensityResultParts.renaming { try Density2D.gibbs(grid: g, temperature: t, potential: { f.value([$0, $1]) }) } }
        let final: Density2D
        let title: String
        var tables: [ResultTable] = []
        var warnings: [StudyWarning] = []
        var metrics: [StudyMetric] = []
        let claim: String
        let reading: String
        if c.time != nil {
            let stat = try DensityResultParts.renaming { try fp.stationary(boundaryTolerance: nil) }
            let p0 = s.startPoint
            let v = c.startVariance
            let initial = v > 0
                ? try DensityResultParts.renaming(["covariance": "startVariance", "weights": "startVariance"]) { try Density2D.gaussian(grid: g, mean: p0, covariance: Matrix([[v, 0], [0, v]])) }
                : Density2D.pointMass(at: p0[0], p0[1], grid: g)
            let steps = s.transientSteps
            let label = "fokker-planck: \(steps) steps"
            let run = try DensityResultParts.renaming {
                defer { context.finishProgress(label) }
                return try fp.evolve(initial, timeStep: c.timeStep, steps: steps, saveEvery: max(1, steps / c.saves), progress: DensityResultParts.progress(context, label))
            }
            lines.append("transient from \(v > 0 ? "a Gaussian, variance \(n(v)) per axis," : "a point mass") at (\(n(p0[0])), \(n(p0[1]))) to T = \(n(Double(steps) * c.timeStep, 6)): \(steps) implicit Euler steps of Δt = \(n(c.timeStep, 4)); status \(run.status)")
            if !run.status.isOK { warnings.append(StudyWarning(.note, "fokker-planck: \(run.status)")) }
            var table = ResultTable(name: "transient", title: "the density from the start",
                                    columns: [ResultColumn("t", digits: 5, isKey: true)] + Self.columns + [ResultColumn("TV to stationary", digits: 4)])
            let tvs = run.densities.map { DensityDistance.totalVariation($0, stat) }
            for (i, q) in run.densities.enumerated() { table.add([.number(run.times[i])] + Self.cells(q) + [.number(tvs[i])]) }
            tables.append(table)
            claim = FokkerPlanckStudy.transientClaim
            reading = FokkerPlanckStudy.transientReading(masses: run.densities.map(\.totalMass), minimum: run.densities.map(\.minimumMass).min() ?? .nan,
                                                         tv: tvs, times: run.times)
            metrics = [StudyMetric(key: "mass drift", title: "largest |mass − 1| over the saves", value: run.densities.map { abs($0.totalMass - 1) }.max() ?? .nan),
                       StudyMetric(key: "tv final–stationary", title: "total variation of the last density to the stationary law", value: tvs.last ?? .nan),
                       StudyMetric(key: "steps", title: "implicit Euler steps", value: Double(steps))]
            final = run.final
            title = "Fokker–Planck density at t = \(n(run.times.last!, 4)), \(name)"
        } else {
            let stat = try DensityResultParts.renaming { try fp.stationary() }
            let residual = fp.apply(stat).map(abs).max() ?? 0
            lines.append("stationary law: A p = 0, Σ p = 1 (banded LU with one pinned cell); ‖A p‖_∞ = \(n(residual, 2))")
            var table = ResultTable(name: "laws", title: "the stationary law", columns: [ResultColumn("law", kind: .text, isKey: true)] + Self.columns)
            table.add([.text("fp-stationary")] + Self.cells(stat))
            if let gibbs { table.add([.text("gibbs")] + Self.cells(gibbs)) }
            tables.append(table)
            metrics = [StudyMetric(key: "variance x", title: "x-variance of the stationary law", value: stat.covariance[0, 0]),
                       StudyMetric(key: "variance y", title: "y-variance of the stationary law", value: stat.covariance[1, 1]),
                       StudyMetric(key: "residual", title: "‖A p‖_∞ of the stationary law", value: residual)]
            if let gibbs, let t = s.gibbsTemperature {
                let tv = DensityDistance.totalVariation(stat, gibbs)
                let kl = DensityDistance.kullbackLeibler(stat, gibbs)
                let w1x = DensityDistance.wasserstein1(stat.marginalX, gibbs.marginalX)
                let w1y = DensityDistance.wasserstein1(stat.marginalY, gibbs.marginalY)
                var dist = ResultTable(name: "distances", title: "distance to the Gibbs law", columns: [
                    ResultColumn("p", kind: .text, isKey: true), ResultColumn("q", kind: .text, isKey: true), ResultColumn("tv", title: "TV", digits: 5),
                    ResultColumn("kl", title: "KL(p‖q)", digits: 5), ResultColumn("w1 x", title: "W1 (x-marginal)", digits: 5),
                    ResultColumn("w1 y", title: "W1 (y-marginal)", digits: 5)],
                    notes: ["Gibbs density e^{−f/D}/Z on the grid, D = \(n(t, 6)); KL with ε = 1e-12 added to every cell; W1 of the marginals."])
                dist.add([.text("fp-stationary"), .text("gibbs"), .number(tv), .number(kl), .number(w1x), .number(w1y)])
                tables.append(dist)
                metrics += [StudyMetric(key: "tv fp-stationary–gibbs", title: "total variation to the Gibbs law", value: tv),
                            StudyMetric(key: "kl fp-stationary–gibbs", title: "KL to the Gibbs law, ε = 1e-12 per cell", value: kl),
                            StudyMetric(key: "w1 x fp-stationary–gibbs", title: "W1 of the x-marginals", value: w1x),
                            StudyMetric(key: "w1 y fp-stationary–gibbs", title: "W1 of the y-marginals", value: w1y)]
                reading = "Stationary law: mean (\(n(stat.mean[0], 4)), \(n(stat.mean[1], 4))), variances \(n(stat.covariance[0, 0], 5)) and \(n(stat.covariance[1, 1], 5)), residual ‖A p‖_∞ = \(n(residual, 2)); distance to the grid Gibbs law at D = \(n(t, 4)): TV \(n(tv, 3)), KL \(n(kl, 3)), W1 \(n(w1x, 3)) (x) and \(n(w1y, 3)) (y)"
                    + (tv < 1e-9 ? ", round-off: the scheme's equilibrium is the Gibbs law." : ".")
            } else {
                reading = "Stationary law: mean (\(n(stat.mean[0], 4)), \(n(stat.mean[1], 4))), variances \(n(stat.covariance[0, 0], 5)) and \(n(stat.covariance[1, 1], 5)), residual ‖A p‖_∞ = \(n(residual, 2)); the diffusion is state dependent, so no Gibbs law is compared."
            }
            claim = s.gibbsTemperature != nil ? FokkerPlanckStudy.gibbsClaim : FokkerPlanckStudy.stationaryClaim
            final = stat
            title = "Stationary Fokker–Planck density, \(name) (\(c.model.rawValue))"
        }
        var series = ResultTable(name: "fokker-planck", title: "the density at the nodes",
                                 columns: [ResultColumn("x", isKey: true), ResultColumn("y", isKey: true), ResultColumn("density")])
        let dens = final.densities
        for j in 0..<g.y.count { for i in 0..<g.x.count { series.add([.number(g.x[i]), .number(g.y[j]), .number(dens[g.index(i, j)])]) } }
        let figure = DensityResultParts.heatmapFigure("fokker-planck", title: title, final, xLabel: "x", yLabel: "y")
        return StudyResult(study: FokkerPlanckStudy.name, claim: claim, reading: reading, context: lines, tables: tables,
                           warnings: warnings, figures: [figure], series: [series], metrics: metrics)
    }
}
