import Foundation

/// Gradient descent at several learning rates next to gradient flow and its IGR modified flow
/// (docs/THEORY.md §4.1–§4.2, §10.1):
///
///     x_{k+1} = x_k − η∇f(x_k)   (forward Euler for ẋ = −∇f, t = kη)
///     IGR flow ẋ = −∇(f + (η/4)‖∇f‖²), followed by GD to O(η²)
///
/// GD is stable near a minimizer for η < 2/λ_max. By default η = 0.5, 0.95 and 1.05 × 2/λ_max (λ_max
/// at the minimizer, or at x0 when the minimizer is unknown): one stable, one near the limit, one
/// unstable. The result has the table of the paths, the iterates as a raw series, and a picture
/// (contours of f with −∇f and the paths in 2-D; f − f* against t otherwise).
public struct FlowStudy: Study {
    public static let name = "flow"

    public struct Configuration: StudyConfiguration {
        public var objective: ObjectiveChoice
        /// Learning rates (nil: 0.5, 0.95, 1.05 × 2/λ_max).
        public var learningRates: [Double]?
        /// Time horizon T; GD runs ⌊T/η⌋ steps.
        public var horizon: Double

        public init(objective: ObjectiveChoice = ObjectiveChoice(name: "ill-quadratic"), learningRates: [Double]? = nil, horizon: Double = 3) {
            self.objective = objective
            self.learningRates = learningRates
            self.horizon = horizon
        }
        public func inputFiles() -> [String] { objective.inputFiles }
    }

    public let configuration: Configuration
    let entry: CatalogObjective
    let start: [Double]

    public init(_ configuration: Configuration) throws {
        var c = configuration
        guard c.horizon > 0, c.horizon.isFinite else { throw ConfigurationError(field: "horizon", "must be a positive number, got \(c.horizon)") }
        if let etas = c.learningRates {
            guard !etas.isEmpty, etas.allSatisfy({ $0 > 0 && $0.isFinite }) else {
                throw ConfigurationError(field: "learningRates", "learning rates must be positive, got \(etas.map { NumberText.short($0) }.joined(separator: ","))")
            }
        }
        (entry, start) = try c.objective.resolve()
        c.objective.start = start   // the default filled in: the same run has one spec
        for eta in c.learningRates ?? [] { _ = try Self.checkSteps(c.horizon, eta) }
        self.configuration = c
    }

    /// Every iterate of every path is kept (the table, the picture, the series): steps × d numbers
    /// per learning rate, several times over (trajectory, series cells, figure). With the default
    /// learning rates (unknown until λ_max is computed) the estimate takes η = 2/λ_max ≥ T/10⁴.
    public var estimatedBytes: Double {
        let d = Double(entry.objective.dimension)
        let steps = (configuration.learningRates ?? [configuration.horizon / 10_000]).map { configuration.horizon / $0 + 1 }.reduce(0, +)
        return steps * (d + 4) * 8 * 6 + 401 * d * 8 * 8
    }

    /// GD runs ⌊T/η⌋ steps, and its stability is judged over max(⌊T/η⌋, 10⁴): at most 10⁷.
    static func checkSteps(_ horizon: Double, _ eta: Double) throws -> Int {
        try stepCount(horizon: max(horizon / eta, 10_000) * eta, step: eta, limit: 10_000_000, field: "horizon")
    }

    /// λ_max at the minimizer (or x0) and the learning rates: the given ones, else 0.5, 0.95 and
    /// 1.05 × 2/λ_max. (Computed when the study runs: for a large model it is real work.)
    func plan() throws -> (lambdaMax: Double, grid: [Double]) {
        let (lmax, _) = entry.objective.hessianExtremeEigenvalues(at: entry.minimizer ?? start)
        guard lmax > 0, lmax.isFinite else {
            throw ConfigurationError(field: "objective", "the Hessian at the reference point has no positive eigenvalue (λ_max = \(NumberText.short(lmax))); no stability limit to report")
        }
        let grid = configuration.learningRates ?? [0.5 * 2 / lmax, 0.95 * 2 / lmax, 1.05 * 2 / lmax]
        var steps = 0.0
        for eta in grid { steps += Double(try Self.checkSteps(configuration.horizon, eta)) }
        try FormulaObjectives.checkWork(entry.objective, gradients: steps * 3, field: "horizon")   // GD, its long run, the flows
        return (lmax, grid)
    }

    public func run(_ context: StudyContext) throws -> StudyResult {
        let f: any Objective = entry.objective
        return try measure(f, context)
    }

    struct Measured { var eta: Double; var gf: Double; var igr: Double; var diverged: Int? }

    func measure<F: Objective>(_ f: F, _ context: StudyContext) throws -> StudyResult {
        let (lambdaMax, grid) = try plan()
        let horizon = configuration.horizon
        let reference = entry.minimizer ?? start
        let critical = 2 / lambdaMax
        let d = f.dimension
        var measured: [Measured] = []
        var table = ResultTable(name: "flow", title: "GD next to gradient flow and the IGR flow", columns: [
            ResultColumn("path", kind: .text, isKey: true), ResultColumn("eta", title: "η", kind: .text, isKey: true),
            ResultColumn("steps", kind: .text), ResultColumn("f_end", title: "f(end)"), ResultColumn("distance", title: "‖x_end − x*‖"),
            ResultColumn("gap_gf", title: "gap to GF"), ResultColumn("gap_igr", title: "gap to IGR"), ResultColumn("status", kind: .text)],
            notes: ["gap = max over k ≤ T/η of ‖x_k − X(kη)‖ (Euclidean); T = \(NumberText.short(horizon))."])
        var series = ResultTable(name: "flow", title: "every iterate and flow point", columns:
            [ResultColumn("path", kind: .text, isKey: true), ResultColumn("eta", isKey: true), ResultColumn("k", kind: .integer, isKey: true), ResultColumn("t")]
            + (0..<d).map { ResultColumn("x\($0)") } + [ResultColumn("f")])
        var gdPaths: [(label: String, eta: Double, points: [[Double]])] = []
        var metrics: [StudyMetric] = [StudyMetric(key: "critical learning rate", title: "2/λ_max", value: critical)]
        var warnings: [StudyWarning] = []
        let gap = TrajectoryGap(horizon: horizon, norm: .euclidean)
        for eta in grid {
            try context.checkCancellation()
            let gd = GradientDescent(f, learningRate: eta)
            let n = Int((horizon / eta * (1 + 1e-12)).rounded(.down))
            let traj = gd.run(from: start, steps: n, divergence: DivergenceRule(bound: 1e6 * max(1, Vec.norm(start))))
            var gapGF = Double.nan, gapIGR = Double.nan
            if traj.divergedAt == nil {
                gapGF = gap.measure(gd, GradientFlow(f), start: start).gap ?? .nan
                gapIGR = gap.measure(gd, ModifiedFlow(f, learningRate: eta), start: start).gap ?? .nan
            }
            let end = traj.points.last!
            // Divergence is judged on a longer run than the plotted horizon (up to 10⁴ steps).
            let longRun = StabilityLimit(steps: max(n, 10_000)).run(f, start: start, minimizer: reference, learningRates: [eta]).rows[0]
            let rate = NumberText.short(longRun.predictedRate, 3)
            // Without a known minimizer the reference point is x0: no linear rate "at x*" is claimed.
            let known = entry.minimizer != nil
            let status = longRun.divergedAt.map { known ? "diverges: ‖x−x*‖ > 10⁶·‖x0−x*‖ at step \($0)" : "diverges: ‖x − x0‖ > 10⁶ at step \($0) (no minimizer known)" }
                ?? (!known ? "no divergence in \(max(n, 10_000)) steps (no minimizer known, so no linear rate)"
                    : longRun.predictedRate < 1 ? "stable (linear rate max|1 − ηλ| = \(rate) at x*)"
                    : "no divergence in \(max(n, 10_000)) steps, but linearly unstable at x* (max|1 − ηλ| = \(rate))")
            let dist = entry.minimizer.map { Vec.distance(end, $0) } ?? .nan
            measured.append(Measured(eta: eta, gf: gapGF, igr: gapIGR, diverged: longRun.divergedAt))
            table.add([.text("GD"), .text(NumberText.short(eta)), .text("\(traj.points.count - 1)"), .number(f.value(end)), .number(dist),
                       .number(gapGF), .number(gapIGR), .text(status)])
            for (k, x) in traj.points.enumerated() {
                series.add([.text("GD"), .number(eta), .integer(k), .number(Double(k) * eta)] + x.map { .number($0) } + [.number(f.value(x))])
            }
            gdPaths.append(("GD η = \(NumberText.short(eta, 3))" + (longRun.divergedAt != nil ? " (diverges)" : ""), eta, traj.points))
            if let k = longRun.divergedAt {
                warnings.append(StudyWarning(.diverged, "GD with η = \(NumberText.short(eta)) diverges (‖x − x*‖ > 10⁶·‖x0 − x*‖ at step \(k))"))
            } else if gapGF.isFinite && gapIGR.isFinite {
                metrics.append(StudyMetric(key: "euclidean gap gf at η=\(eta)", title: "Euclidean gap of GD to gradient flow at η = \(NumberText.short(eta))", value: gapGF))
                metrics.append(StudyMetric(key: "euclidean gap igr at η=\(eta)", title: "Euclidean gap of GD to the IGR flow at η = \(NumberText.short(eta))", value: gapIGR))
            }
        }
        // Flows on a fine time grid for the picture and the table.
        let flowTimes = (0...400).map { horizon * Double($0) / 400 }
        let solver = DormandPrince54(rtol: 1e-10, atol: 1e-12)
        let gf = solver.solve(ODEProblem(model: GradientFlow(f), initialState: start, saveTimes: flowTimes))
        let igrEta = grid.min()!
        let igr = solver.solve(ODEProblem(model: ModifiedFlow(f, learningRate: igrEta), initialState: start, saveTimes: flowTimes))
        for (label, sol) in [("gradient flow", gf), ("IGR flow η = \(NumberText.short(igrEta, 3))", igr)] {
            let end = sol.final
            let dist = entry.minimizer.map { Vec.distance(end, $0) } ?? .nan
            let status = sol.status == .success ? "solved (Dormand–Prince, rtol 1e-10)" : "solver stopped: \(sol.status)"
            table.add([.text(label), .text("-"), .text("t = \(NumberText.short(horizon))"), .number(f.value(end)), .number(dist), .missing, .missing, .text(status)])
            for (t, x) in zip(sol.times, sol.states) {
                series.add([.text(label), .missing, .missing, .number(t)] + x.map { .number($0) } + [.number(f.value(x))])
            }
        }
        let claim = "GD is forward Euler for gradient flow (gap O(η)) and follows the IGR flow to O(η²); it diverges for η > 2/λ_max."
        return StudyResult(
            study: Self.name, status: warnings.isEmpty ? .ok : .diverged, claim: claim, reading: reading(measured, critical: critical),
            context: ["Objective \(f.name) (d = \(d)), x0 = (\(start.map { NumberText.short($0) }.joined(separator: ", "))), λ_max = \(NumberText.short(lambdaMax)) at \(entry.minimizer == nil ? "x0" : "the minimizer"), 2/λ_max = \(NumberText.short(critical))",
                      "Claim: \(claim)\n"],
            tables: [table], warnings: warnings,
            figures: [picture(f, gdPaths: gdPaths, gf: gf, igr: igr, igrEta: igrEta, critical: critical)],
            series: [series], metrics: metrics)
    }

    /// One paragraph from the measured gaps and divergences.
    func reading(_ m: [Measured], critical: Double) -> String {
        let parts = m.map { r in
            r.diverged.map { "η = \(NumberText.short(r.eta, 3)) diverges (step \($0))" }
                ?? "at η = \(NumberText.short(r.eta, 3)) GD stays within \(NumberText.short(r.gf, 3)) of gradient flow and \(NumberText.short(r.igr, 3)) of the IGR flow"
        }
        let stable = m.filter { $0.diverged == nil && $0.gf.isFinite && $0.igr.isFinite }
        var text = "2/λ_max = \(NumberText.short(critical, 4)); " + NumberText.list(parts) + ". "
        text += m.allSatisfy({ ($0.diverged != nil) == ($0.eta > critical) })
            ? "GD diverged exactly at the learning rates above 2/λ_max."
            : "Divergence does not follow the 2/λ_max line on this grid (see the status column)."
        if !stable.isEmpty {
            text += stable.allSatisfy({ $0.igr < $0.gf }) ? " The IGR flow is closer to GD than gradient flow at every stable η."
                : " The IGR flow is not closer than gradient flow at every stable η."
        }
        return text
    }

    func picture<F: Objective>(_ f: F, gdPaths: [(label: String, eta: Double, points: [[Double]])], gf: ODESolution, igr: ODESolution,
                               igrEta: Double, critical: Double) -> ResultFigure {
        if f.dimension == 2, let window = entry.window {
            var fig = ResultFigure(name: "flow", title: "\(f.name): GD vs gradient flow (2/λ_max = \(NumberText.short(critical, 3)))",
                                   xLabel: "x₁", yLabel: "x₂")
            fig.contour = FigureGrid(x: window.x, y: window.y, nodes: 121, 121, valueLabel: "f") { x, y in f.value([x, y]) }
            let u = FigureGrid(x: window.x, y: window.y, nodes: 41, 41, valueLabel: "−∂f/∂x₁") { x, y in -f.gradient([x, y])[0] }
            let v = FigureGrid(x: window.x, y: window.y, nodes: 41, 41, valueLabel: "−∂f/∂x₂") { x, y in -f.gradient([x, y])[1] }
            fig.arrows = FigureArrows(u: u, v: v)
            fig.logColour = entry.logColour
            fig.equalAspect = true
            fig.width = 760
            fig.height = 620
            for p in gdPaths {
                fig.series.append(FigureSeries(label: p.label, x: p.points.map { $0[0] }, y: p.points.map { $0[1] }, lineWidth: 1.6))
            }
            fig.series.append(FigureSeries(label: "gradient flow", x: gf.states.map { $0[0] }, y: gf.states.map { $0[1] }, marker: .none,
                                           color: "#00e5ff", lineWidth: 2.5))
            fig.series.append(FigureSeries(label: "IGR flow η = \(NumberText.short(igrEta, 3))", x: igr.states.map { $0[0] }, y: igr.states.map { $0[1] },
                                           marker: .none, color: "#ff4fa3", lineWidth: 2))
            return fig
        }
        let fStar = entry.minimizer.map { f.value($0) }
        let shift = fStar ?? 0
        var fig = ResultFigure(name: "flow", title: "\(f.name): f − f* along GD and the flows", xLabel: "t = kη",
                               yLabel: fStar == nil ? "f" : "f − f*", xScale: .linear, yScale: fStar == nil ? .linear : .log)
        fig.width = 760
        fig.height = 520
        for p in gdPaths {
            fig.series.append(FigureSeries(label: p.label, x: p.points.indices.map { Double($0) * p.eta }, y: p.points.map { f.value($0) - shift }))
        }
        fig.series.append(FigureSeries(label: "gradient flow", x: gf.times, y: gf.states.map { f.value($0) - shift }, marker: .none, lineWidth: 2.5))
        fig.series.append(FigureSeries(label: "IGR flow η = \(NumberText.short(igrEta, 3))", x: igr.times, y: igr.states.map { f.value($0) - shift },
                                       marker: .none, dash: .dashed))
        return fig
    }
}
