import Foundation

/// ``StabilityStudy`` at a minimum: the Wu–Ma–E limits per batch size and sampling
/// (docs/THEORY.md §10.2; ``MeanSquareStability``), and the optional linearised-SGD check, whose
/// learning rates run in parallel on the context's threads (each rate's paths are the same for any
/// thread count).
struct MeanSquareStabilityRun<F: SampleHessianObjective> {
    let study: StabilityStudy
    let objective: F
    let x: [Double]
    let how: String
    let converged: Bool

    static var claims: String {
        "η*_λmax ≤ η*_exact ≤ 2/a (the λ_max criterion is sufficient, ρ(T) ≤ 1 exact); η*_exact = 2/a when c(b) = 0 (b = n without replacement); necessary: s ≤ (1/η)/√c(b)."
    }

    func short(_ v: Double, _ digits: Int = 4) -> String { NumberText.short(v, digits) }

    func result(_ context: StudyContext) throws -> StudyResult {
        let f = objective, c = study.configuration
        let n = f.sampleCount
        let grid = StabilityStudy.batchGrid(c.batchSizes, n: n)
        let checkB = c.checkBatch ?? grid.min()!
        let st: MeanSquareStability
        do { st = try MeanSquareStability(f, at: x) } catch let e as ConfigurationError {
            throw FiniteSumStudyError("at \(how): \(e.message)")
        }
        let a = st.sharpness, s = st.nonUniformity, gd = 2 / a
        let gradNorm = Vec.norm(f.gradient(x))
        let l2 = c.example == nil ? c.problem.l2Text : ""
        var lines = [
            "Mean-square stability of SGD (Wu–Ma–E) for \(f.name) (n = \(n), d = \(f.dimension)\(l2)) at \(how), ‖∇f‖ = \(short(gradNorm, 3))",
            "sharpness a = λ_max(H) = \(short(a, 6)), non-uniformity s = λ_max(Σ_H)^½ = \(short(s, 6)), GD limit 2/a = \(short(gd, 6)); criteria act on r = \(st.reducedDimension) of d = \(st.dimension) directions"
                + (st.reducedDimension < st.dimension ? " (the common null space of every Hᵢ is neutral)" : ""),
        ]
        lines.append("Claims: \(Self.claims)")
        var warnings: [StudyWarning] = []
        if !converged { warnings.append(StudyWarning(.note, "the minimizer search did not converge; the point is not a minimum")) }
        if !st.closedFormApplies { warnings.append(StudyWarning(.note, "H is singular or indefinite on the kept space; η* comes from bisection on ρ(T) = 1")) }
        if gradNorm > 1e-6 * max(1, a) {
            warnings.append(StudyWarning(.note, "∇f(x) ≠ 0, so x is not a stationary point; the criteria describe the linearisation at x only"))
        }
        let rows = try st.table(batchSizes: grid)
        try context.checkCancellation()

        var checkRows: [MeanSquareStability.EnsembleRow] = []
        var etaCheck = Double.nan
        let checkSampling = c.sampling.sampling
        if c.checkPaths > 0 {
            etaCheck = try st.criticalLearningRate(batchSize: checkB, sampling: checkSampling)
            let e0 = st.rangeUnitVector(seed: c.seed)
            let rates = c.checkFactors.map { $0 * etaCheck }
            let total = rates.count * c.checkPaths
            let label = "linearised SGD"
            let report = context.ensembleProgress(label, total: total, steps: c.checkSteps)
            let done = ProgressCounter(total: total) { d, t in report?(d, t) }
            checkRows = try ParallelSlots<MeanSquareStability.EnsembleRow>.map(count: rates.count, threads: context.threads) { i in
                if context.isCancelled() { throw StudyCancelled() }
                let row = try st.ensemble(learningRates: [rates[i]], batchSize: checkB, sampling: checkSampling, paths: c.checkPaths,
                                          steps: c.checkSteps, start: e0, seed: c.seed)[0]
                done.advance(by: c.checkPaths)
                return row
            }
            context.finishProgress(label)
        }
        let ordered = rows.filter { $0.lambdaMax <= $0.exact * (1 + 1e-9) && $0.exact <= gd * (1 + 1e-9) }.count
        let smallest = rows.min { $0.exact < $1.exact }
        let reading = "Sharpness a = \(short(a, 5)), so GD's limit is 2/a = \(short(gd, 5)); the ordering η*_λmax ≤ η*_exact ≤ 2/a holds for \(ordered) of \(rows.count) batch sizes"
            + (smallest.map { ", the smallest η*_exact is \(short($0.exact, 5)) (\(short($0.exact / gd, 3)) × 2/a) at b = \($0.batchSize) \($0.sampling.rawValue)" } ?? "")
            + (checkRows.isEmpty ? "." : "; the linearised-SGD check agrees with ρ(T) < 1 ⇔ decay at \(checkRows.filter { $0.predictedStable == ($0.exactMeanSquare < 1) }.count) of \(checkRows.count) learning rates.")

        var tables = [limitsTable(rows, gd: gd)]
        var series = [limitsSeries(rows, gd: gd)]
        if !checkRows.isEmpty {
            tables.append(checkTable(checkRows, eta: etaCheck, batch: checkB))
            series.append(checkSeries(checkRows, eta: etaCheck, batch: checkB))
        }
        return StudyResult(
            study: StabilityStudy.name, claim: "Mean-square stability of SGD (Wu–Ma–E): " + Self.claims, reading: reading,
            context: lines, tables: tables, warnings: warnings, figures: [figure(rows, gd: gd)], series: series,
            metrics: metrics(st, rows, checkRows, eta: etaCheck))
    }

    static func ordered(_ r: MeanSquareStability.Row, gd: Double) -> Bool { r.lambdaMax <= r.exact * (1 + 1e-9) && r.exact <= gd * (1 + 1e-9) }

    func limitsTable(_ rows: [MeanSquareStability.Row], gd: Double) -> ResultTable {
        var t = ResultTable(name: "stability", title: "Largest stable learning rates per batch size (Wu–Ma–E)", columns: [
            ResultColumn("b", kind: .integer, isKey: true), ResultColumn("sampling", kind: .text, isKey: true), ResultColumn("c(b)"),
            ResultColumn("eta exact", title: "η*_exact (ρ(T)=1)", digits: 6), ResultColumn("eta lambda-max", title: "η*_λmax", digits: 6),
            ResultColumn("eta gd", title: "2/a", digits: 6), ResultColumn("ratio", title: "η*_exact·a/2", digits: 5),
            ResultColumn("ordered", title: "λmax ≤ exact ≤ 2/a?", kind: .text)])
        for r in rows {
            let atGD = abs(r.exact - gd) <= 1e-9 * gd
            t.add([.integer(r.batchSize), .text(r.sampling.rawValue), .number(r.covarianceFactor), .number(r.exact), .number(r.lambdaMax),
                   .number(gd), .number(r.exact / gd), .text(Self.ordered(r, gd: gd) ? (atGD ? "yes (= 2/a)" : "yes") : "NO")])
        }
        return t
    }

    /// stability.csv.
    func limitsSeries(_ rows: [MeanSquareStability.Row], gd: Double) -> ResultTable {
        var t = ResultTable(name: "stability", title: "largest stable η per batch size and sampling", columns: [
            ResultColumn("batch_size", kind: .integer, isKey: true), ResultColumn("sampling", kind: .text, isKey: true),
            ResultColumn("covariance_factor"), ResultColumn("eta_exact"), ResultColumn("eta_lambda_max"), ResultColumn("eta_gd"),
            ResultColumn("ratio_to_gd")])
        for r in rows {
            t.add([.integer(r.batchSize), .text(r.sampling.rawValue), .number(r.covarianceFactor), .number(r.exact), .number(r.lambdaMax),
                   .number(gd), .number(r.exact / gd)])
        }
        return t
    }

    func checkTable(_ rows: [MeanSquareStability.EnsembleRow], eta: Double, batch: Int) -> ResultTable {
        let c = study.configuration
        var t = ResultTable(name: "stability-check", title: "Linearised SGD against the exact second moment", columns: [
            ResultColumn("eta", title: "η", digits: 5, isKey: true), ResultColumn("eta ratio", title: "η/η*", digits: 3),
            ResultColumn("rho", title: "ρ(T)", digits: 6), ResultColumn("stable", title: "stable?", kind: .text),
            ResultColumn("mean square", title: "E‖e_K‖² (sampled)"), ResultColumn("se", title: "± SE", digits: 2),
            ResultColumn("exact", title: "tr T^K (exact)"), ResultColumn("growth", title: "growth/step sampled", digits: 5),
            ResultColumn("exact growth", title: "exact", digits: 5), ResultColumn("typical growth", title: "typical exp E log", digits: 5),
            ResultColumn("diverged", digits: 3)])
        for r in rows {
            t.add([.number(r.learningRate), .number(r.learningRate / eta), .number(r.spectralRadius), .text(r.predictedStable ? "yes" : "no"),
                   .number(r.meanSquare), .number(r.standardError), .number(r.exactMeanSquare), .number(r.measuredGrowthPerStep),
                   .number(pow(r.exactMeanSquare, 1 / Double(r.steps))), .number(exp(r.meanLogGrowthPerStep)), .number(r.fractionDiverged)])
        }
        t.notes = [
            "Above: linearised SGD e_{k+1} = (I − ηH_{B_k}) e_k from a random unit e₀ in range(H), b = \(batch) \(c.sampling.rawValue), \(c.checkPaths) paths × K = \(c.checkSteps) steps; η*_exact = \(short(eta, 6)).",
            "Claim: E‖e_K‖² = tr T^K(e₀e₀ᵀ) exactly, growing like ρ(T)^K: it decays iff ρ(T) < 1 (η < η*). The sampled mean is heavy-tailed above η*: compare with the exact value; for small K the fast modes' transient can hide ρ(T) (raise the check steps).",
        ]
        return t
    }

    /// stability-check.csv.
    func checkSeries(_ rows: [MeanSquareStability.EnsembleRow], eta: Double, batch: Int) -> ResultTable {
        let keys = ["learning_rate", "eta_star", "spectral_radius", "mean_square", "standard_error", "exact_mean_square", "growth_per_step",
                    "mean_log_growth_per_step", "fraction_diverged", "paths", "steps", "batch_size"]
        var t = ResultTable(name: "stability-check", title: "linearised-SGD check per learning rate",
                            columns: keys.map { ResultColumn($0, kind: ["paths", "steps", "batch_size"].contains($0) ? .integer : .number, isKey: $0 == "learning_rate") })
        for r in rows {
            t.add([r.learningRate, eta, r.spectralRadius, r.meanSquare, r.standardError, r.exactMeanSquare, r.measuredGrowthPerStep,
                   r.meanLogGrowthPerStep, r.fractionDiverged].map { .number($0) } + [.integer(r.paths), .integer(r.steps), .integer(batch)])
        }
        return t
    }

    func metrics(_ st: MeanSquareStability, _ rows: [MeanSquareStability.Row], _ check: [MeanSquareStability.EnsembleRow], eta: Double) -> [StudyMetric] {
        var m = [
            StudyMetric(key: "sharpness", title: "sharpness a = λ_max(H)", value: st.sharpness),
            StudyMetric(key: "non-uniformity", title: "non-uniformity s = λ_max(Σ_H)^½", value: st.nonUniformity),
            StudyMetric(key: "GD limit 2/a", title: "gradient descent's limit 2/a", value: 2 / st.sharpness),
            StudyMetric(key: "samples", title: "samples n", value: Double(st.sampleCount)),
            StudyMetric(key: "reduced dimension", title: "directions r the criteria act on", value: Double(st.reducedDimension)),
        ]
        for r in rows {
            let tag = "b=\(r.batchSize) \(r.sampling.rawValue)"
            m.append(StudyMetric(key: "eta* exact \(tag)", title: "η*_exact at b = \(r.batchSize), \(r.sampling.rawValue)", value: r.exact,
                                 expected: r.covarianceFactor == 0 ? r.gradientDescentLimit : nil))
            m.append(StudyMetric(key: "eta* lambda-max \(tag)", title: "η*_λmax at b = \(r.batchSize), \(r.sampling.rawValue)", value: r.lambdaMax))
        }
        for r in check {
            let tag = "at η/η*=\(NumberText.short(r.learningRate / eta, 3))"
            m.append(StudyMetric(key: "mean square \(tag)", title: "sampled E‖e_K‖² \(tag)", value: r.meanSquare, standardError: r.standardError,
                                 expected: r.exactMeanSquare))
            m.append(StudyMetric(key: "rho \(tag)", title: "ρ(T) \(tag)", value: r.spectralRadius))
        }
        return m
    }

    func figure(_ rows: [MeanSquareStability.Row], gd: Double) -> ResultFigure {
        var fig = ResultFigure(name: "stability", title: "\(objective.name): largest stable η (Wu–Ma–E)", xLabel: "batch size b", yLabel: "η*",
                               xScale: .log, yScale: .log)
        for sp in [Sampling.withReplacement, .withoutReplacement] {
            let rs = rows.filter { $0.sampling == sp }
            guard !rs.isEmpty else { continue }
            let bs = rs.map { Double($0.batchSize) }
            let with = sp == .withReplacement
            let tag = with ? "with repl." : "without repl."
            fig.series.append(FigureSeries(label: "ρ(T) = 1, \(tag)", x: bs, y: rs.map(\.exact), marker: with ? .circle : .square, dash: with ? .solid : .dashed))
            fig.series.append(FigureSeries(label: "λ_max criterion, \(tag)", x: bs, y: rs.map(\.lambdaMax), marker: with ? .triangle : .diamond, dash: .dotted))
        }
        fig.guides.append(.horizontal(gd, label: "GD: 2/a = \(short(gd, 3))"))
        fig.width = 760
        fig.height = 500
        return fig
    }
}
