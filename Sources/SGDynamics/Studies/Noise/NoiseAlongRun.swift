import Foundation

/// ``NoiseStudy`` along a run: ``GradientNoiseDiagnostics`` at every K-th iterate of GD or SGD
/// (minibatches of the study's batch size and sampling) from the start, t = kη (docs/THEORY.md §2.2,
/// §3, §9). The learning rate defaults to 1/λ_max(∇²f(x₀)).
struct NoiseAlongRun<F: FiniteSumObjective> {
    let study: NoiseStudy
    let objective: F
    let every: Int

    static var claim: String {
        "Gaussian noise ⇒ excess kurtosis κ₁ = 0 and α = 2; E‖ξ_B‖² ∝ 1/b with replacement (slope −1); Σ ∝ H at a well-specified minimum (cos = 1)."
    }

    func short(_ v: Double, _ digits: Int = 4) -> String { NumberText.short(v, digits) }

    func result(_ context: StudyContext) throws -> StudyResult {
        let f = objective, c = study.configuration, start = study.start
        let lmax = f.hessianExtremeEigenvalues(at: start).largest
        let rate: Double
        if let eta = c.learningRate { rate = eta } else {
            guard lmax > 0, lmax.isFinite else {
                throw FiniteSumStudyError("λ_max(∇²f) at the start is \(short(lmax)); give the learning rate (learningRate, --eta)")
            }
            rate = 1 / lmax
        }
        let bound = DivergenceRule(bound: 1e6 * max(1, Vec.norm(start)))
        let name: String, tag: String
        let traj: GradientNoiseDiagnostics.TrajectoryDiagnostics
        let label = "noise along the run"
        let progress = context.ensembleProgress(label, total: c.steps / every + (c.steps % every == 0 ? 1 : 2), steps: c.draws)
        defer { context.finishProgress(label) }
        switch c.algorithm {
        case .gd:
            (name, tag) = ("GD", "GD")
            traj = try study.diagnostics.alongTrajectory(GradientDescent(f, learningRate: rate), on: f, start: start, steps: c.steps, every: every,
                                                         seed: c.seed, divergence: bound, threads: context.threads, keepCovariance: false,
                                                         progress: progress)
        case .sgd:
            (name, tag) = ("SGD (b = \(c.batch), \(c.sampling.rawValue))", "SGD b = \(c.batch)")
            let sgd = SGD(MinibatchGradient(f, batchSize: c.batch, sampling: c.sampling.sampling), learningRate: rate)
            traj = try study.diagnostics.alongTrajectory(sgd, on: f, start: start, steps: c.steps, every: every, seed: c.seed,
                                                         divergence: bound, threads: context.threads, keepCovariance: false, progress: progress)
        }
        try context.checkCancellation()
        let lines = [
            "Gradient noise of \(f.name) (n = \(f.sampleCount), d = \(f.dimension)\(c.problem.l2Text)) along \(name), η = \(short(rate)) (λ_max(∇²f(x₀)) = \(short(lmax)), ηλ_max = \(short(rate * lmax, 3))), every \(every) of \(c.steps) steps, t = kη",
            "Sampled noise ξ_B = g_B − ∇f: b = \(c.batch) \(c.sampling.rawValue), M = \(c.draws) draws per point, seed \(c.seed).",
            "Claims: \(Self.claim)",
        ]
        var warnings: [StudyWarning] = []
        if let k = traj.divergedAt {
            warnings.append(StudyWarning(.diverged, "the run diverged at step \(k) (‖x‖ > 10⁶ max(1, ‖x₀‖)); diagnostics stop there"))
        }
        return StudyResult(
            study: NoiseStudy.name, status: traj.divergedAt == nil ? .ok : .diverged, claim: Self.claim,
            reading: reading(traj, label: name), context: lines, tables: [table(traj)],
            findings: ["\(traj.points.count) points"], warnings: warnings,
            figures: [scalesFigure(traj, tag: tag, rate: rate), shapeFigure(traj, tag: tag, rate: rate)], series: [series(traj)],
            metrics: metrics(traj, rate: rate))
    }

    func table(_ traj: GradientNoiseDiagnostics.TrajectoryDiagnostics) -> ResultTable {
        var t = ResultTable(name: "noise-along", title: "Gradient noise along the run", columns: [
            ResultColumn("step", kind: .integer, isKey: true), ResultColumn("t"), ResultColumn("f", digits: 6), ResultColumn("gradient norm", title: "‖∇f‖", digits: 3),
            ResultColumn("trace sigma", title: "tr Σ"), ResultColumn("lambda1", title: "λ₁(Σ)"), ResultColumn("effective rank", title: "eff. rank", digits: 3),
            ResultColumn("cos", title: "cos(Σ,H)"), ResultColumn("cos se", title: "± SE", digits: 2),
            ResultColumn("kurtosis1", title: "κ₁", digits: 3), ResultColumn("kurtosis1 se", title: "± SE", digits: 2),
            ResultColumn("jb p1", title: "JB p₁", digits: 2), ResultColumn("alpha", title: "α̂", digits: 3),
            ResultColumn("alpha interval", title: "95% CI", kind: .interval, digits: 3),
            ResultColumn("slope", title: "1/b slope"), ResultColumn("slope halfwidth", title: "± 95%", digits: 2)])
        for p in traj.points {
            let r = p.result, d1 = r.directions.first, al = r.alignment, tail = r.tailIndex
            func num(_ v: Double?) -> ResultCell { v.map { .number($0) } ?? .missing }
            t.add([.integer(p.step), .number(p.time), .number(p.loss), .number(r.gradientNorm), .number(r.spectrum.trace),
                   num(r.spectrum.values.first), .number(r.spectrum.effectiveRank), num(al?.cosine),
                   al.map { $0.isExact ? .missing : .number($0.cosineStandardError) } ?? .missing,
                   num(d1?.excessKurtosis), num(d1?.kurtosisStandardError), num(d1?.pValue), num(tail?.alpha),
                   tail.map { .interval(low: $0.lower, high: $0.upper) } ?? .missing, num(r.scaling.fit?.order), num(r.scaling.fit?.halfWidth)])
        }
        t.notes = ["cos(Σ,H) without ± SE is exact; α̂ is missing where a draw of ξ_B is exactly zero."]
        return t
    }

    /// One row per recorded step, full precision (noise.csv).
    func series(_ traj: GradientNoiseDiagnostics.TrajectoryDiagnostics) -> ResultTable {
        let keys = ["step", "t", "loss", "gradient_norm", "trace_sigma", "lambda1_sigma", "effective_rank", "cos_sigma_h", "cos_sigma_h_se",
                    "trace_ratio", "kurtosis1", "kurtosis1_se", "jb_p1", "alpha", "alpha_lower", "alpha_upper", "slope", "slope_halfwidth"]
        var t = ResultTable(name: "noise", title: "gradient-noise diagnostics per recorded step",
                            columns: keys.map { ResultColumn($0, kind: $0 == "step" ? .integer : .number, isKey: $0 == "step") })
        for p in traj.points {
            let r = p.result, d1 = r.directions.first, al = r.alignment, tail = r.tailIndex
            let values: [Double] = [
                p.time, p.loss, r.gradientNorm, r.spectrum.trace, r.spectrum.values.first ?? .nan, r.spectrum.effectiveRank,
                al?.cosine ?? .nan, al?.cosineStandardError ?? .nan, al?.traceRatio ?? .nan, d1?.excessKurtosis ?? .nan,
                d1?.kurtosisStandardError ?? .nan, d1?.pValue ?? .nan, tail?.alpha ?? .nan, tail?.lower ?? .nan, tail?.upper ?? .nan,
                r.scaling.fit?.order ?? .nan, r.scaling.fit?.halfWidth ?? .nan]
            t.add([.integer(p.step)] + values.map { .number($0) })
        }
        return t
    }

    func reading(_ traj: GradientNoiseDiagnostics.TrajectoryDiagnostics, label: String) -> String {
        guard let first = traj.points.first?.result, let last = traj.points.last else { return "No point was recorded." }
        let l = last.result
        return "Along \(label) to step \(last.step): tr Σ went from \(short(first.spectrum.trace, 4)) to \(short(l.spectrum.trace, 4)), "
            + "cos(Σ, H) from \(first.alignment.map { short($0.cosine, 3) } ?? "-") to \(l.alignment.map { short($0.cosine, 3) } ?? "-"); "
            + "at the last point κ₁ = \(l.directions.first.map { "\(short($0.excessKurtosis, 3)) ± \(short($0.kurtosisStandardError, 2))" } ?? "-"), "
            + "α̂ = \(l.tailIndex.map { "\(short($0.alpha, 3)) [\(short($0.lower, 3)), \(short($0.upper, 3))]" } ?? "undefined"), "
            + "1/b slope \(l.scaling.fit.map { "\(short($0.order, 3)) ± \(short($0.halfWidth, 2))" } ?? "-")"
            + "\(traj.divergedAt.map { "; the run diverged at step \($0)" } ?? "")."
    }

    /// The learning rate, and the headline numbers at the first and the last recorded step.
    func metrics(_ traj: GradientNoiseDiagnostics.TrajectoryDiagnostics, rate: Double) -> [StudyMetric] {
        var m = [StudyMetric(key: "learning rate", title: "η of the run", value: rate)]
        var ends = traj.points.prefix(1).map { $0 }
        if let last = traj.points.last, traj.points.count > 1 { ends.append(last) }
        for p in ends {
            let r = p.result, k = p.step
            m.append(StudyMetric(key: "trace sigma at step \(k)", title: "tr Σ at step \(k)", value: r.spectrum.trace))
            if let a = r.alignment {
                m.append(StudyMetric(key: "cos sigma H at step \(k)", title: "cos(Σ, H) at step \(k)", value: a.cosine,
                                     standardError: a.isExact ? nil : a.cosineStandardError, expected: 1))
            }
            if let d1 = r.directions.first {
                m.append(StudyMetric(key: "kurtosis v1 at step \(k)", title: "κ₁ at step \(k)", value: d1.excessKurtosis,
                                     standardError: d1.kurtosisStandardError, expected: 0))
            }
            if let t = r.tailIndex {
                m.append(StudyMetric(key: "alpha at step \(k)", title: "α̂ at step \(k)", value: t.alpha, standardError: t.standardError,
                                     low: t.lower, high: t.upper, expected: 2))
            }
            if let fit = r.scaling.fit {
                m.append(StudyMetric(key: "slope 1/b at step \(k)", title: "1/b slope at step \(k)", value: fit.order,
                                     low: fit.halfWidth.isNaN ? nil : fit.order - fit.halfWidth, high: fit.halfWidth.isNaN ? nil : fit.order + fit.halfWidth,
                                     expected: r.scaling.predictedSlope))
            }
        }
        return m
    }

    func scalesFigure(_ traj: GradientNoiseDiagnostics.TrajectoryDiagnostics, tag: String, rate: Double) -> ResultFigure {
        let pts = traj.points
        let ks = pts.map { Double($0.step) }
        var fig = ResultFigure(name: "noise-along", title: "\(objective.name): noise size along \(tag), η = \(short(rate, 3))", xLabel: "step k",
                               yLabel: "value", yScale: .log)
        fig.series.append(FigureSeries(label: "tr Σ", x: ks, y: pts.map { $0.result.spectrum.trace }, marker: .circle))
        fig.series.append(FigureSeries(label: "λ₁(Σ)", x: ks, y: pts.map { $0.result.spectrum.values.first ?? .nan }, marker: .square))
        if pts.allSatisfy({ $0.result.alignment != nil }) {
            fig.series.append(FigureSeries(label: "tr H", x: ks, y: pts.map { $0.result.alignment!.hessianTrace }, marker: .triangle, dash: .dashed))
        }
        fig.series.append(FigureSeries(label: "f", x: ks, y: pts.map(\.loss), marker: .none, dash: .dotted))
        fig.series.append(FigureSeries(label: "‖∇f‖²", x: ks, y: pts.map { $0.result.gradientNorm * $0.result.gradientNorm }, marker: .none, dash: .dashed))
        fig.width = 760
        fig.height = 500
        return fig
    }

    func shapeFigure(_ traj: GradientNoiseDiagnostics.TrajectoryDiagnostics, tag: String, rate: Double) -> ResultFigure {
        let pts = traj.points
        let ks = pts.map { Double($0.step) }
        var fig = ResultFigure(name: "noise-along-shape", title: "\(objective.name): noise shape along \(tag), η = \(short(rate, 3))",
                               xLabel: "step k", yLabel: "value (Gaussian: α = 2, κ = 0)")
        let tails = pts.map { $0.result.tailIndex }
        fig.series.append(FigureSeries(label: "α̂ (95% band)", x: ks, y: tails.map { $0?.alpha ?? .nan }, marker: .circle,
                                       band: (lower: tails.map { $0?.lower ?? .nan }, upper: tails.map { $0.map { $0.upper.isFinite ? $0.upper : 4 } ?? .nan })))
        let k1 = pts.map { $0.result.directions.first }
        fig.series.append(FigureSeries(label: "excess kurtosis κ₁ (± 2 SE)", x: ks, y: k1.map { $0?.excessKurtosis ?? .nan },
                                       errors: k1.map { 2 * ($0?.kurtosisStandardError ?? .nan) }, marker: .square))
        fig.series.append(FigureSeries(label: "1/b slope", x: ks, y: pts.map { $0.result.scaling.fit?.order ?? .nan }, marker: .triangle, dash: .dashed))
        fig.guides = [.horizontal(2, label: "α = 2"), .horizontal(0, label: "κ = 0"), .horizontal(-1, label: "slope −1")]
        fig.width = 760
        fig.height = 500
        return fig
    }
}
