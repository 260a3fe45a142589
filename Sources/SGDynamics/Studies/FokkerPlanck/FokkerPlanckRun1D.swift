import Foundation

/// The 1-D work of a ``FokkerPlanckStudy``: the stationary law against the Gibbs density, or a
/// transient by implicit Euler.
struct FokkerPlanckRun1D {
    let study: FokkerPlanckStudy
    let fp: FokkerPlanck1D

    func run(_ context: StudyContext) throws -> StudyResult {
        let s = study, c = s.configuration, g = fp.grid, f = s.problem.objective
        func n(_ v: Double, _ d: Int = 4) -> String { NumberText.short(v, d) }
        let peclet = fp.cellPeclet.map(abs).max() ?? 0
        var lines = s.intro + ["grid [\(n(g.lower, 6)), \(n(g.upper, 6))] with \(g.count) nodes, Δx = \(n(g.spacing, 4)); max cell Péclet |Δx·B/C| = \(n(peclet, 4))"]
        let gibbs = try s.gibbsTemperature.map { t in try DensityResultParts.renaming { try Density1D.gibbs(grid: g, temperature: t, potential: { f.value([$0]) }) } }
        let name = c.objective.rawValue
        if c.time != nil {
            let stat = try DensityResultParts.renaming { try fp.stationary(boundaryTolerance: nil) }
            let x0 = s.startPoint[0]
            let initial = c.startVariance > 0
                ? try DensityResultParts.renaming(["variance": "startVariance", "weights": "startVariance"]) { try Density1D.gaussian(grid: g, mean: x0, variance: c.startVariance) }
                : Density1D.pointMass(at: x0, grid: g)
            let steps = s.transientSteps
            let every = max(1, steps / c.saves)
            let label = "fokker-planck: \(steps) steps"
            let run = try DensityResultParts.renaming {
                defer { context.finishProgress(label) }
                return try fp.evolve(initial, timeStep: c.timeStep, steps: steps, saveEvery: every, progress: DensityResultParts.progress(context, label))
            }
            lines.append("transient from \(c.startVariance > 0 ? "N(\(n(x0, 6)), \(n(c.startVariance, 6)))" : "a point mass at \(n(x0, 6))") to T = \(n(Double(steps) * c.timeStep, 6)): \(steps) implicit Euler steps of Δt = \(n(c.timeStep, 4)); status \(run.status)")
            var warnings: [StudyWarning] = []
            if !run.status.isOK { warnings.append(StudyWarning(.note, "fokker-planck: \(run.status)")) }
            var table = ResultTable(name: "transient", title: "the density from the start", columns: [
                ResultColumn("t", digits: 5, isKey: true), ResultColumn("mass", digits: 15), ResultColumn("mean", digits: 6),
                ResultColumn("variance", digits: 6), ResultColumn("min mass", digits: 3), ResultColumn("boundary mass", digits: 3),
                ResultColumn("TV to stationary", digits: 4), ResultColumn("status", kind: .text)],
                notes: ["mass and positivity are exact for implicit Euler (M-matrix); the time error is O(Δt)."])
            let tvs = run.densities.map { DensityDistance.totalVariation($0, stat) }
            for (i, q) in run.densities.enumerated() {
                let st: String
                if case let .domainTooSmall(_, _, step) = run.status, run.steps[i] >= step { st = "domain too small" } else { st = "ok" }
                table.add([.number(run.times[i]), .number(q.totalMass), .number(q.mean), .number(q.variance), .number(q.minimumMass),
                           .number(q.boundaryMass), .number(tvs[i]), .text(st)])
            }
            let reading = FokkerPlanckStudy.transientReading(masses: run.densities.map(\.totalMass), minimum: run.minimumMass, tv: tvs, times: run.times)
            var cols = run.densities.enumerated().map { (key: "t=\(n(run.times[$0.offset], 5))", law: $0.element) }
            cols.append((key: "stationary", law: stat))
            let idx = Array(run.densities.indices.dropFirst())
            let pick = idx.count <= 6 ? idx : (0..<6).map { idx[($0 * (idx.count - 1)) / 5] }
            let range = Density1D.visibleRange(Array(run.densities.dropFirst()) + [stat])
            var curves = pick.map { DensityResultParts.curve("t = \(n(run.times[$0], 4))", run.densities[$0], range: range, width: 1.75) }
            curves.append(DensityResultParts.curve("stationary", stat, range: range, dash: .dashed, width: 2.5, color: "#000000"))
            if let gibbs { curves.append(DensityResultParts.curve("Gibbs e^(−f/D)", gibbs, range: range, dash: .dotted, width: 2.5, color: "#7f7f7f")) }
            let metrics = [
                StudyMetric(key: "mass drift", title: "largest |mass − 1| over the saves", value: run.densities.map { abs($0.totalMass - 1) }.max() ?? .nan),
                StudyMetric(key: "minimum mass", title: "smallest cell mass over the run", value: run.minimumMass),
                StudyMetric(key: "tv final–stationary", title: "total variation of the last density to the stationary law", value: tvs.last ?? .nan),
                StudyMetric(key: "steps", title: "implicit Euler steps", value: Double(steps)),
            ]
            return StudyResult(study: FokkerPlanckStudy.name, claim: FokkerPlanckStudy.transientClaim, reading: reading, context: lines,
                               tables: [table], warnings: warnings,
                               figures: [DensityResultParts.densityFigure("fokker-planck", title: "Fokker–Planck transient, \(name)", xLabel: "x", curves: curves)],
                               series: [DensityResultParts.densityTable("fokker-planck", title: "densities at the save times", cols)], metrics: metrics)
        }

        let stat = try DensityResultParts.renaming { try fp.stationary() }
        let residual = fp.apply(stat).map(abs).max() ?? 0
        lines.append("stationary law: A p = 0, Σ p = 1 (zero-flux recurrence); ‖A p‖_∞ = \(n(residual, 2))")
        var laws: [(key: String, law: Density1D)] = [("fp-stationary", stat)]
        if let gibbs { laws.append(("gibbs", gibbs)) }
        var table = ResultTable(name: "laws", title: "the stationary law", columns: [
            ResultColumn("law", kind: .text, isKey: true), ResultColumn("mass", digits: 15), ResultColumn("mean", digits: 6),
            ResultColumn("variance", digits: 10), ResultColumn("E x²", digits: 17), ResultColumn("excess kurtosis", digits: 6),
            ResultColumn("min mass", digits: 3), ResultColumn("boundary mass", digits: 3)],
            notes: ["E x² = Σ_j x_j² p_j over the cell masses\(c.objective == .doubleWell ? " (docs/THEORY.md §7.4 case 1, D = 0.3 on [−3, 3] with 121 nodes: 0.8405464652307093)" : "")."])
        for (key, q) in laws {
            table.add([.text(key), .number(q.totalMass), .number(q.mean), .number(q.variance), .number(q.secondMoment), .number(q.excessKurtosis),
                       .number(q.minimumMass), .number(q.boundaryMass)])
        }
        var tables = [table]
        var metrics = [
            StudyMetric(key: "second moment", title: "E x² = Σ x_j² p_j of the stationary law", value: stat.secondMoment),
            StudyMetric(key: "variance", title: "variance of the stationary law", value: stat.variance),
            StudyMetric(key: "residual", title: "‖A p‖_∞ of the stationary law", value: residual),
        ]
        let reading: String
        if let gibbs, let t = s.gibbsTemperature {
            let d = LawDistances(stat, gibbs)
            var dist = ResultTable(name: "distances", title: "distance to the Gibbs law", columns: DensityResultParts.distanceColumns(),
                                   notes: ["Gibbs density e^{−f/D}/Z on the grid, D = \(n(t, 6)); KL with ε = 1e-12 added to every cell."])
            dist.add([.text("fp-stationary"), .text("gibbs"), .number(d.tv), .number(d.kl), .number(d.w1)])
            tables.append(dist)
            metrics += DensityResultParts.distanceMetrics(d, "fp-stationary", "gibbs")
            reading = "Stationary law: mean \(n(stat.mean, 5)), variance \(n(stat.variance, 6)), E x² = \(n(stat.secondMoment, 10)), residual ‖A p‖_∞ = \(n(residual, 2)); distance to the grid Gibbs law at D = \(n(t, 4)): TV \(n(d.tv, 3)), KL \(n(d.kl, 3)), W1 \(n(d.w1, 3))"
                + (d.tv < 1e-9 ? ", round-off: the scheme's equilibrium is the Gibbs law." : ".")
        } else {
            reading = "Stationary law: mean \(n(stat.mean, 5)), variance \(n(stat.variance, 6)), excess kurtosis \(n(stat.excessKurtosis, 4)), residual ‖A p‖_∞ = \(n(residual, 2)); the diffusion is state dependent, so no Gibbs law is compared."
        }
        var curves = [DensityResultParts.curve("Fokker–Planck stationary law", stat, range: nil, width: 2.5)]
        if let gibbs { curves.append(DensityResultParts.curve("Gibbs e^(−f/D), D = \(n(s.gibbsTemperature!, 4))", gibbs, range: nil, dash: .dashed, width: 2.25)) }
        return StudyResult(study: FokkerPlanckStudy.name, claim: s.gibbsTemperature != nil ? FokkerPlanckStudy.gibbsClaim : FokkerPlanckStudy.stationaryClaim,
                           reading: reading, context: lines, tables: tables,
                           figures: [DensityResultParts.densityFigure("fokker-planck", title: "Stationary density, \(name) (\(c.model.rawValue))", xLabel: "x", curves: curves)],
                           series: [DensityResultParts.densityTable("fokker-planck", title: "densities on the grid",
                                                                    laws.map { (key: $0.key.replacingOccurrences(of: "-", with: "_"), law: $0.law) })],
                           metrics: metrics)
    }
}
