import Foundation

/// The result of ``NoiseStudy`` at one point: the tables, findings, figures, raw series and metrics
/// of ``GradientNoiseDiagnostics/Result`` (docs/THEORY.md §2.2, §9), each section with its claim.
struct NoisePointReport<F: FiniteSumObjective> {
    let study: NoiseStudy
    let objective: F
    let x: [Double]
    let how: String
    let converged: Bool
    let result: GradientNoiseDiagnostics.Result

    static var claim: String {
        "Gaussian noise ⇒ excess kurtosis 0 along each eigenvector of Σ and tail index α = 2; E‖ξ_B‖² = c(b) tr Σ (∝ 1/b with replacement); Σ ∝ H at a well-specified minimum (cos(Σ, H) = 1)."
    }

    func studyResult() -> StudyResult {
        let f = objective, r = result, c = study.configuration
        let n = f.sampleCount, d = f.dimension
        let cText = r.sampling == .withReplacement ? "1/b" : "(n−b)/(b(n−1))"
        let context = [
            "Gradient noise of \(f.name) (n = \(n), d = \(d)\(c.problem.l2Text)) at \(how): f = \(short(f.value(x), 6)), ‖∇f‖ = \(short(r.gradientNorm, 3))",
            "Sampled noise ξ_B = g_B − ∇f: b = \(r.batchSize) \(r.sampling.rawValue), c(b) = \(cText) = \(short(r.covarianceFactor)), Cov ξ_B = c(b) Σ; M = \(r.draws) draws, seed \(c.seed).",
        ]
        var warnings: [StudyWarning] = []
        if !converged { warnings.append(StudyWarning(.note, "the minimizer search did not converge; the point is not a minimum")) }
        if let w = NoiseScalingVerdict(r.scaling, sampleCount: n).warning { warnings.append(w) }
        return StudyResult(
            study: NoiseStudy.name, claim: Self.claim, reading: reading(), context: context,
            tables: [covarianceTable(), shapeTable(), scalingTable()], findings: tailFindings() + scalingFindings(),
            warnings: warnings, figures: [spectrumFigure(), scalingFigure(), tailFigure()], series: [rawSeries()],
            metrics: metrics())
    }

    func short(_ v: Double, _ digits: Int = 4) -> String { NumberText.short(v, digits) }

    func signed(_ v: Double, _ digits: Int) -> String { (v >= 0 ? "+" : "") + short(v, digits) }

    // MARK: tables

    /// Σ's spectrum and its alignment with H.
    func covarianceTable() -> ResultTable {
        let r = result, d = objective.dimension
        var columns = [ResultColumn("quantity", kind: .text, isKey: true), ResultColumn("value"), ResultColumn("se", title: "± SE", digits: 2)]
        if !r.spectrum.isDense { columns.append(ResultColumn("residual", title: "‖Σv − λv‖", digits: 2)) }
        columns.append(ResultColumn("claim", title: "claim checked", kind: .text))
        var t = ResultTable(name: "covariance", title: "Noise covariance Σ and its alignment with the Hessian", columns: columns)
        func add(_ q: String, _ v: Double, _ se: Double?, residual: Double? = nil, _ claim: String) {
            var row: [ResultCell] = [.text(q), .number(v), se.map { .number($0) } ?? .missing]
            if !r.spectrum.isDense { row.append(residual.map { .number($0) } ?? .missing) }
            row.append(.text(claim))
            t.add(row)
        }
        for (j, lam) in r.spectrum.values.enumerated() {
            add("λ\(j + 1)(Σ)", lam, nil, residual: r.spectrum.isDense ? nil : r.spectrum.residuals[j], j == 0 ? "largest noise variance along one direction" : "")
        }
        add("tr Σ", r.spectrum.trace, nil, "total one-sample noise variance E‖∇fᵢ − ∇f‖²")
        add("effective rank tr Σ/λ₁", r.spectrum.effectiveRank, nil, "≪ d: noise concentrated in few directions (d = \(d))")
        if let a = r.alignment {
            let se: (Double) -> Double? = { a.isExact ? nil : $0 }
            add("cos(Σ, H)", a.cosine, se(a.cosineStandardError), "Σ ∝ H (Fisher = Hessian at a well-specified minimum): cos = 1")
            add("tr Σ / tr H", a.traceRatio, se(a.traceRatioStandardError), "noise 'temperature' if Σ ≈ (tr Σ/tr H)·H")
            add("tr H", a.hessianTrace, se(a.hessianTraceStandardError), a.isExact ? "exact Hessian" : "Hutchinson, \(a.probes) Rademacher probes")
        }
        t.notes = ["Above: the noise covariance Σ = (1/n) Σᵢ (∇fᵢ − ∇f)(∇fᵢ − ∇f)ᵀ"
                   + (r.spectrum.isDense ? " (dense eigensolver: exact)" : " (Lanczos on Σv; residual ‖Σv − λv‖ shown)")
                   + (r.alignment.map { $0.isExact ? "; H exact" : "; H by Hutchinson with standard errors" } ?? "") + "; no ± SE: exact."]
        return t
    }

    /// Moments and the Jarque–Bera test of the projections on the top eigenvectors.
    func shapeTable() -> ResultTable {
        let r = result
        var t = ResultTable(name: "shape", title: "Shape of the projections vⱼᵀξ_B on the top eigenvectors of Σ", columns: [
            ResultColumn("j", kind: .integer, isKey: true), ResultColumn("variance", title: "Var(vⱼᵀξ_B)"),
            ResultColumn("variance se", title: "± SE", digits: 2), ResultColumn("predicted variance", title: "c(b)λⱼ"),
            ResultColumn("skewness", title: "skew", digits: 3), ResultColumn("excess kurtosis", digits: 3),
            ResultColumn("kurtosis se", title: "± SE", digits: 2), ResultColumn("gaussian se", title: "Gaussian SE", digits: 2),
            ResultColumn("jarque-bera", title: "JB", digits: 3), ResultColumn("p", digits: 2),
            ResultColumn("verdict", title: "Gaussian (κ = 0, p ≥ 0.01)?", kind: .text)])
        for (j, s) in r.directions.enumerated() {
            let z = s.excessKurtosis / s.kurtosisStandardError
            let verdict: String
            if !s.excessKurtosis.isFinite { verdict = "undefined (zero noise)" }
            else if s.pValue >= 0.01 { verdict = "consistent (κ z = \(signed(z, 2)))" }
            else { verdict = "rejected: κ z = \(signed(z, 2))" + (abs(s.skewness) > 3 * (6 / Double(s.samples)).squareRoot() ? ", skewed" : "") }
            t.add([.integer(j + 1), .number(s.variance), .number(s.varianceStandardError), .number(s.predictedVariance), .number(s.skewness),
                   .number(s.excessKurtosis), .number(s.kurtosisStandardError), .number(s.gaussianKurtosisStandardError),
                   .number(s.jarqueBera), .number(s.pValue), .text(verdict)])
        }
        t.notes = ["Above: the shape of the projections vⱼᵀξ_B on the top eigenvectors of Σ. Claim: Gaussian noise ⇒ skewness 0, excess kurtosis 0 (Jarque–Bera p not small); Var = c(b)λⱼ exactly. p = 0: below 1e-300."]
        return t
    }

    /// E‖ξ_B‖² against c(b) tr Σ over the batch sizes.
    func scalingTable() -> ResultTable {
        let r = result
        var t = ResultTable(name: "scaling", title: "Batch scaling of E‖ξ_B‖²", columns: [
            ResultColumn("b", kind: .integer, isKey: true), ResultColumn("measured", title: "E‖ξ_B‖²"), ResultColumn("se", title: "± SE", digits: 2),
            ResultColumn("predicted", title: "c(b) tr Σ"), ResultColumn("ratio"), ResultColumn("ratio se", title: "± SE", digits: 2),
            ResultColumn("z", digits: 2)])
        for row in r.scaling.rows {
            let z = row.predicted > 0 ? (row.measured - row.predicted) / row.standardError : .nan
            t.add([.integer(row.batchSize), .number(row.measured), .number(row.standardError), .number(row.predicted), .number(row.ratio),
                   .number(row.ratioStandardError), z.isFinite ? .number(z) : .missing])
        }
        t.notes = ["Above: batch scaling. Claim: E‖ξ_B‖² = c(b) tr Σ, c(b) = "
                   + (r.sampling == .withReplacement ? "1/b with replacement (so E‖ξ_B‖² ∝ 1/b)." : "(n−b)/(b(n−1)) without replacement.")]
        return t
    }

    // MARK: findings and reading

    func tailFindings() -> [String] {
        guard let t = result.tailIndex else {
            return ["tail index α̂: undefined (a draw of ξ_B is exactly zero, e.g. b = n without replacement)"]
        }
        let verdict = t.lower <= 2 && 2 <= t.upper ? "consistent with α = 2"
            : (t.upper < 2 ? "interval below 2: tails heavier than Gaussian at this b and K" : "interval above 2: tails lighter than Gaussian at this b and K")
        return [
            "tail index α̂: \(short(t.alpha, 4)) (95% CI \(short(t.lower, 4)) … \(short(t.upper, 4)); K = \(t.sampleCount), K₁ = \(t.blockSize), \(t.groups) groups): \(verdict)",
            "  claim: Gaussian noise ⇒ α = 2; symmetric α-stable noise with α < 2 is heavy-tailed (Şimşekli, Sagun, Gürbüzbalaban 2019).",
            "  The estimator is exact for stable laws only; the noise of a finite sum is bounded (true α = 2), so α̂ ≠ 2 measures non-Gaussian shape at this K.",
        ]
    }

    func scalingFindings() -> [String] {
        let s = result.scaling
        guard let fit = s.fit else { return [] }
        let pred = s.predictedSlope.map { short($0, 4) } ?? "-"
        let verdict = NoiseScalingVerdict(s, sampleCount: objective.sampleCount)
        return ["1/b slope: \(short(fit.order, 4)) ± \(short(fit.halfWidth, 2)) (95% CI, \(fit.points) batch sizes), predicted \(pred)"
                + (s.sampling == .withReplacement ? " (E‖ξ_B‖² ∝ 1/b)" : " (slope of log c(b) on this grid)") + verdict.suffix]
    }

    func reading() -> String {
        let r = result, d = objective.dimension
        let gaussian = r.directions.filter { $0.pValue >= 0.01 }.count
        let alignment = r.alignment.map { ", cos(Σ, H) = \(short($0.cosine, 3))" } ?? ""
        let kappa = r.directions.first.map { ", κ₁ = \(short($0.excessKurtosis, 3)) ± \(short($0.kurtosisStandardError, 2))" } ?? ""
        let alpha = r.tailIndex.map { "\(short($0.alpha, 3)) [\(short($0.lower, 3)), \(short($0.upper, 3))]" } ?? "undefined"
        let slope = r.scaling.fit.map { f in
            "; 1/b slope \(short(f.order, 3)) ± \(short(f.halfWidth, 2))" + (r.scaling.predictedSlope.map { " (predicted \(short($0, 3)))" } ?? "")
        } ?? ""
        return "At \(how): tr Σ = \(short(r.spectrum.trace, 4)) with effective rank \(short(r.spectrum.effectiveRank, 3)) of d = \(d)\(alignment); "
            + "\(gaussian) of the top \(r.directions.count) directions look Gaussian (Jarque–Bera p ≥ 0.01)\(kappa); α̂ = \(alpha)\(slope)."
    }

    // MARK: metrics

    func metrics() -> [StudyMetric] {
        let r = result
        var m = [
            StudyMetric(key: "trace sigma", title: "tr Σ, the one-sample noise variance", value: r.spectrum.trace),
            StudyMetric(key: "lambda1 sigma", title: "λ₁(Σ)", value: r.spectrum.values.first ?? .nan),
            StudyMetric(key: "effective rank", title: "effective rank tr Σ/λ₁(Σ)", value: r.spectrum.effectiveRank),
            StudyMetric(key: "gradient norm", title: "‖∇f‖ at the point", value: r.gradientNorm),
        ]
        if let a = r.alignment {
            m.append(StudyMetric(key: "cos sigma H", title: "cos(Σ, H)", value: a.cosine, standardError: a.isExact ? nil : a.cosineStandardError, expected: 1))
            m.append(StudyMetric(key: "trace ratio", title: "tr Σ / tr H", value: a.traceRatio, standardError: a.isExact ? nil : a.traceRatioStandardError))
        }
        for (j, s) in r.directions.enumerated() {
            m.append(StudyMetric(key: "kurtosis v\(j + 1)", title: "excess kurtosis of v\(j + 1)ᵀξ_B", value: s.excessKurtosis,
                                 standardError: s.kurtosisStandardError, expected: 0))
        }
        if let t = r.tailIndex {
            m.append(StudyMetric(key: "alpha", title: "tail index α̂ of ξ_B", value: t.alpha, standardError: t.standardError,
                                 low: t.lower, high: t.upper, expected: 2))
        }
        for row in r.scaling.rows {
            m.append(StudyMetric(key: "mean square noise at b=\(row.batchSize)", title: "E‖ξ_B‖² at b = \(row.batchSize)", value: row.measured,
                                 standardError: row.standardError, expected: row.predicted))
        }
        if let fit = r.scaling.fit {
            let wide = fit.halfWidth.isNaN
            m.append(StudyMetric(key: "slope 1/b", title: "log–log slope of E‖ξ_B‖² in b", value: fit.order,
                                 low: wide ? nil : fit.order - fit.halfWidth, high: wide ? nil : fit.order + fit.halfWidth,
                                 expected: r.scaling.predictedSlope))
        }
        return m
    }

    // MARK: raw series

    /// Every number of the diagnostics, one per row (noise.csv).
    func rawSeries() -> ResultTable {
        let r = result
        var t = ResultTable(name: "noise", title: "gradient-noise diagnostics, one quantity per row", columns: [
            ResultColumn("section", kind: .text, isKey: true), ResultColumn("quantity", kind: .text, isKey: true),
            ResultColumn("index", kind: .integer, isKey: true), ResultColumn("value"), ResultColumn("standard_error"),
            ResultColumn("lower"), ResultColumn("upper"), ResultColumn("predicted")])
        func add(_ section: String, _ q: String, _ index: Int?, _ v: Double, se: Double? = nil, lower: Double? = nil, upper: Double? = nil, predicted: Double? = nil) {
            func cell(_ x: Double?) -> ResultCell { x.map { .number($0) } ?? .missing }
            t.add([.text(section), .text(q), index.map { .integer($0) } ?? .missing, .number(v), cell(se), cell(lower), cell(upper), cell(predicted)])
        }
        for (j, v) in r.spectrum.values.enumerated() { add("spectrum", "eigenvalue", j + 1, v) }
        add("spectrum", "trace", nil, r.spectrum.trace)
        add("spectrum", "effective_rank", nil, r.spectrum.effectiveRank)
        add("spectrum", "frobenius_norm", nil, r.spectrum.frobeniusNorm)
        if let a = r.alignment {
            add("alignment", "cosine_sigma_hessian", nil, a.cosine, se: a.cosineStandardError, predicted: 1)
            add("alignment", "trace_ratio", nil, a.traceRatio, se: a.traceRatioStandardError)
            add("alignment", "hessian_trace", nil, a.hessianTrace, se: a.hessianTraceStandardError)
        }
        for (j, s) in r.directions.enumerated() {
            add("direction", "variance", j + 1, s.variance, se: s.varianceStandardError, predicted: s.predictedVariance)
            add("direction", "skewness", j + 1, s.skewness, predicted: 0)
            add("direction", "excess_kurtosis", j + 1, s.excessKurtosis, se: s.kurtosisStandardError, predicted: 0)
            add("direction", "jarque_bera", j + 1, s.jarqueBera)
            add("direction", "jarque_bera_p", j + 1, s.pValue)
        }
        if let tail = r.tailIndex { add("tail", "alpha", nil, tail.alpha, se: tail.standardError, lower: tail.lower, upper: tail.upper, predicted: 2) }
        for row in r.scaling.rows {
            add("scaling", "mean_square_noise", row.batchSize, row.measured, se: row.standardError, predicted: row.predicted)
        }
        if let fit = r.scaling.fit {
            add("scaling", "slope", nil, fit.order, lower: fit.order - fit.halfWidth, upper: fit.order + fit.halfWidth,
                predicted: r.scaling.predictedSlope ?? .nan)
        }
        return t
    }

    // MARK: figures

    func spectrumFigure() -> ResultFigure {
        let r = result, f = objective
        var fig = ResultFigure(name: "noise-spectrum", title: "\(f.name): spectrum of the noise covariance Σ", xLabel: "index j",
                               yLabel: "eigenvalue", yScale: .log)
        if let sigma = r.covariance {
            let all = Array(SymmetricEigen(sigma).values.reversed())
            fig.series.append(FigureSeries(label: "λⱼ(Σ)", x: all.indices.map { Double($0 + 1) }, y: all, marker: .circle))
            if let a = r.alignment, a.isExact, f.dimension <= 500 {
                let h = SymmetricEigen(f.hessian(x)).values.reversed().map { $0 * a.traceRatio }
                fig.series.append(FigureSeries(label: "λⱼ(H) × tr Σ/tr H", x: h.indices.map { Double($0 + 1) }, y: h, marker: .square, dash: .dashed))
            }
        } else {
            fig.series.append(FigureSeries(label: "top λⱼ(Σ) (Lanczos)", x: r.spectrum.values.indices.map { Double($0 + 1) }, y: r.spectrum.values, marker: .circle))
        }
        fig.guides.append(.horizontal(r.spectrum.trace / Double(f.dimension), label: "tr Σ / d"))
        fig.width = 760
        fig.height = 500
        return fig
    }

    func scalingFigure() -> ResultFigure {
        let r = result, rows = r.scaling.rows
        let bs = rows.map { Double($0.batchSize) }
        var fig = ResultFigure(name: "noise-scaling", title: "\(objective.name): E‖ξ_B‖² against the batch size (\(r.sampling.rawValue))",
                               xLabel: "batch size b", yLabel: "E‖ξ_B‖²", xScale: .log, yScale: .log)
        let slope = r.scaling.fit.map { " (fit slope \(short($0.order, 3)))" } ?? ""
        fig.series.append(FigureSeries(label: "sampled ± 2 SE" + slope, x: bs, y: rows.map(\.measured), errors: rows.map { 2 * $0.standardError },
                                       marker: .circle, pointsOnly: true))
        fig.series.append(FigureSeries(label: "c(b) tr Σ (exact)", x: bs, y: rows.map(\.predicted), marker: .none, dash: .dashed))
        if let first = rows.first, first.measured > 0 {
            fig.guides.append(.slope(-1, through: Double(first.batchSize), first.measured * 1.6, label: "slope −1"))
        }
        fig.width = 760
        fig.height = 500
        return fig
    }

    /// Log–log survival of standardized projections and of the noise norm, with Gaussian references.
    func tailFigure() -> ResultFigure {
        let r = result, f = objective
        let d = f.dimension, m = r.draws
        var fig = ResultFigure(name: "noise-tail", title: "\(f.name): tails of the minibatch noise (b = \(r.batchSize))", xLabel: "r",
                               yLabel: "P(X > r)", xScale: .log, yScale: .log)
        // The diagnostics' own draws (same seed, path 0, step s), replayed.
        let replay = MinibatchNoiseReplay(f, at: x, batchSize: r.batchSize, sampling: r.sampling, draws: m, seed: study.diagnostics.seed,
                                          directions: Array(r.spectrum.vectors.prefix(3)))
        for (j, p) in replay.projections.enumerated() {
            let mu = p.reduce(0, +) / Double(m)
            let sd = (p.reduce(0) { $0 + ($1 - mu) * ($1 - mu) } / Double(m - 1)).squareRoot()
            guard sd > 0 else { continue }
            let (sx, sy) = EmpiricalSurvival.curve(p.map { abs($0 - mu) / sd })
            fig.series.append(FigureSeries(label: "|v\(j + 1)ᵀξ_B| / sd", x: sx, y: sy, marker: .none))
        }
        let grid = (0...80).map { 0.05 * pow(10, Double($0) / 40) }.filter { $0 <= 8 }
        fig.series.append(FigureSeries(label: "Gaussian: erfc(r/√2)", x: grid, y: grid.map { erfc($0 / 2.squareRoot()) }, marker: .none,
                                       dash: .dashed, color: "#000000"))
        let norms = replay.squaredNorms
        let rms = (norms.reduce(0, +) / Double(m)).squareRoot()
        if rms > 0 {
            let (nx, ny) = EmpiricalSurvival.curve(norms.map { $0.squareRoot() / rms })
            fig.series.append(FigureSeries(label: "‖ξ_B‖ / RMS", x: nx, y: ny, marker: .none, lineWidth: 2.5))
            if let sigma = r.covariance {
                // Gaussian with the same covariance c(b)Σ: ξ = √c V diag(√λ) z.
                let eig = SymmetricEigen(sigma)
                let rng = CounterRNG(seed: study.diagnostics.seed, stream: RandomStream.initial &+ 32)
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
                let (gx, gy) = EmpiricalSurvival.curve(g.map { $0.squareRoot() / grms })
                fig.series.append(FigureSeries(label: "‖ξ‖ / RMS, Gaussian with Cov c(b)Σ", x: gx, y: gy, marker: .none, dash: .dotted,
                                               color: "#7f7f7f", lineWidth: 2.5))
            }
        }
        fig.width = 760
        fig.height = 520
        return fig
    }
}
