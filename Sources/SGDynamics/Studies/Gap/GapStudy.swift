import Foundation

/// The trajectory gap between a deterministic algorithm and its flow models over a learning-rate
/// grid, with the fitted order of `gap ∝ η^p` (docs/THEORY.md §4.1–§4.2, §4.7):
///
///     gap(η) = max_{0 ≤ k ≤ ⌊T/τ⌋} ‖x_k − X(kτ)‖
///
/// Expected orders: GD–gradient flow 1, GD–IGR flow 2, proximal point–gradient flow 1, proximal
/// point–backward-Euler flow 2, Nesterov–its ODE ½ (τ = √s).
///
///     let r = try GapStudy(.init(objective: .init(name: "quartic"))).run(StudyContext())
///     r.metric("order gf")?.value   // ≈ 1.06
public struct GapStudy: Study {
    public static let name = "gap"

    public enum AlgorithmName: String, Codable, Sendable, CaseIterable {
        case gd, pp, nesterov
        public var title: String { ["gd": "GD", "pp": "proximal point", "nesterov": "Nesterov (Su–Boyd–Candès)"][rawValue]! }
    }

    public enum ModelName: String, Codable, Sendable, CaseIterable {
        case gf, igr, be, nesterovODE = "nesterov-ode"
    }

    public struct Configuration: StudyConfiguration {
        public var objective: ObjectiveChoice
        public var algorithm: AlgorithmName
        public var models: [ModelName]
        public var learningRates: [Double]
        public var horizon: Double
        public var norm: TrajectoryGap.Norm

        public init(objective: ObjectiveChoice = ObjectiveChoice(name: "ill-quadratic"), algorithm: AlgorithmName = .gd,
                    models: [ModelName] = [.gf, .igr], learningRates: [Double] = [0.1, 0.05, 0.025, 0.0125],
                    horizon: Double = 1, norm: TrajectoryGap.Norm = .max) {
            self.objective = objective
            self.algorithm = algorithm
            self.models = models
            self.learningRates = learningRates
            self.horizon = horizon
            self.norm = norm
        }

        public func inputFiles() -> [String] { objective.inputFiles }
    }

    /// The order of each algorithm/model pair the theory predicts.
    public static func expectedOrder(_ a: AlgorithmName, _ m: ModelName) -> Double? {
        ["gd/gf": 1, "gd/igr": 2, "gd/be": 1, "pp/gf": 1, "pp/be": 2, "pp/igr": 1, "nesterov/nesterov-ode": 0.5]["\(a.rawValue)/\(m.rawValue)"]
    }

    public let configuration: Configuration
    let entry: CatalogObjective
    let start: [Double]

    public init(_ configuration: Configuration) throws {
        // The grid runs from the largest η down, so that local orders and "the two smallest η" mean what they say.
        var c = configuration
        c.learningRates.sort(by: >)
        guard c.horizon > 0, c.horizon.isFinite else { throw ConfigurationError(field: "horizon", "must be a positive number, got \(c.horizon)") }
        guard !c.learningRates.isEmpty, c.learningRates.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw ConfigurationError(field: "learningRates", "learning rates must be positive and finite, got \(c.learningRates)")
        }
        guard !c.models.isEmpty else { throw ConfigurationError(field: "models", "give at least one of gf, igr, be, nesterov-ode") }
        guard Set(c.models).count == c.models.count else { throw ConfigurationError(field: "models", "each model once, got \(c.models.map(\.rawValue))") }
        guard Set(c.learningRates).count == c.learningRates.count else {
            throw ConfigurationError(field: "learningRates", "each learning rate once, got \(c.learningRates)")
        }
        for m in c.models where (c.algorithm == .nesterov) != (m == .nesterovODE) {
            throw ConfigurationError(field: "models", "the Nesterov ODE pairs only with the nesterov algorithm (and nesterov only with nesterov-ode)")
        }
        for eta in c.learningRates {
            let tau = c.algorithm == .nesterov ? eta.squareRoot() : eta
            // Blame the horizon when even the coarsest step needs too many steps, else this η.
            let coarsest = c.learningRates.max()!
            let blamed = c.horizon / (c.algorithm == .nesterov ? coarsest.squareRoot() : coarsest) > 1e7 ? "horizon" : "learningRates"
            guard try stepCount(horizon: c.horizon, step: tau, field: blamed) >= 1 else {
                throw ConfigurationError(field: "horizon", "T = \(NumberText.short(c.horizon)) is shorter than one step (τ = \(NumberText.short(tau))); make T ≥ τ")
            }
        }
        (entry, start) = try c.objective.resolve()
        c.objective.start = start   // the default filled in: the same run has one spec
        let steps = c.learningRates.map { c.horizon / (c.algorithm == .nesterov ? $0.squareRoot() : $0) }.reduce(0, +)
        try FormulaObjectives.checkWork(entry.objective, gradients: steps * 14, field: "horizon")   // the algorithm and two flows (RK steps)
        self.configuration = c
    }

    /// The algorithm's iterates and the flow's states at every step are kept while a gap is
    /// measured: about 2 × steps × d numbers for the finest η.
    public var estimatedBytes: Double {
        let d = Double(entry.objective.dimension) * (configuration.algorithm == .nesterov ? 2 : 1)
        let steps = configuration.learningRates.map { configuration.horizon / (configuration.algorithm == .nesterov ? $0.squareRoot() : $0) + 1 }.max() ?? 0
        return steps * d * 8 * 4
    }

    public func run(_ context: StudyContext) throws -> StudyResult {
        let f: any Objective = entry.objective
        return try measure(f, context)
    }

    func measure<F: Objective>(_ f: F, _ context: StudyContext) throws -> StudyResult {
        let c = configuration
        let grid = c.learningRates
        let gap = TrajectoryGap(horizon: c.horizon, norm: c.norm)
        var results: [(ModelName, TrajectoryGap.Result)] = []  // fits replaced below (stable η only)
        for m in c.models {
            try context.checkCancellation()
            let r: TrajectoryGap.Result
            switch (c.algorithm, m) {
            case (.nesterov, _):
                r = gap.run(learningRates: grid, start: start) { (NesterovSBC(f, stepSize: $0), NesterovODE(f)) }
            case (.pp, _):
                r = gap.run(learningRates: grid, start: start) { eta in (ProximalPoint(f, learningRate: eta), Self.flow(m, f, eta)) }
            case (.gd, _):
                r = gap.run(learningRates: grid, start: start) { eta in (GradientDescent(f, learningRate: eta), Self.flow(m, f, eta)) }
            }
            results.append((m, r))
        }
        let title = c.algorithm.title
        let expected = results.map { Self.expectedOrder(c.algorithm, $0.0) }
        var warnings: [StudyWarning] = []
        // GD is unstable near the minimizer for η ≥ 2/λ_max: there the gap measures divergence, not
        // the discretization, so such η stay out of the order fit.
        var unstable = Set<Double>()
        if c.algorithm == .gd, let xStar = entry.minimizer {
            let lmax = f.hessianExtremeEigenvalues(at: xStar).largest
            if lmax > 0 {
                for eta in grid where eta * lmax >= 2 {
                    unstable.insert(eta)
                    warnings.append(StudyWarning(.diverged, "η = \(NumberText.short(eta)) is at or above 2/λ_max = \(NumberText.short(2 / lmax)): GD is unstable at the minimizer; left out of the order fit"))
                }
            }
        }
        results = results.map { m, r in
            var r = r
            let ok = r.rows.filter { $0.gap != nil && $0.gap!.isFinite && !unstable.contains($0.learningRate) }
            r.fit = OrderFit(steps: ok.map(\.learningRate), errors: ok.map { $0.gap! })
            return (m, r)
        }

        var columns = [ResultColumn("eta", title: "η", digits: 6, isKey: true), ResultColumn("steps", kind: .integer)]
        columns += results.map { ResultColumn("gap \($0.0.rawValue)", title: "gap to \($0.1.model)") }
        columns += results.map { ResultColumn("local order \($0.0.rawValue)", title: "local order (\($0.0.rawValue))", digits: 3) }
        var table = ResultTable(name: "gap", title: "Trajectory gap of \(title) against its flows", columns: columns)
        for (i, eta) in grid.enumerated() {
            var row: [ResultCell] = [.number(eta), .integer(results[0].1.rows[i].steps)]
            for (_, r) in results {
                let rw = r.rows[i]
                if let k = rw.divergedAt { row.append(.text("diverged at step \(k)")) }
                else if let g = rw.gap, g.isFinite { row.append(.number(g)) }
                else { row.append(.text("flow solver failed")) }
            }
            for (_, r) in results {
                let ok = r.rows.filter { $0.gap != nil && $0.gap!.isFinite && !unstable.contains($0.learningRate) }
                let j = ok.firstIndex { $0.learningRate == eta }
                if let j, j > 0, let fit = r.fit, j - 1 < fit.localOrders.count { row.append(.number(fit.localOrders[j - 1])) } else { row.append(.missing) }
            }
            table.add(row)
        }

        var series = ResultTable(name: "gap", title: "gap per model and η", columns: [
            ResultColumn("model", kind: .text, isKey: true), ResultColumn("eta", isKey: true), ResultColumn("steps", kind: .integer),
            ResultColumn("gap"), ResultColumn("diverged_at", kind: .integer)])
        for (_, r) in results {
            for rw in r.rows {
                series.add([.text(r.model), .number(rw.learningRate), .integer(rw.steps), rw.gap.map { .number($0) } ?? .missing,
                            rw.divergedAt.map { .integer($0) } ?? .missing])
            }
        }

        var figure = ResultFigure(name: "gap", title: "\(title) on \(f.name): trajectory gap vs η", xLabel: "η",
                                  yLabel: "max_k ‖x_k − X(kτ)‖", xScale: .log, yScale: .log)
        for (_, r) in results {
            let ok = r.rows.filter { $0.gap != nil && $0.gap!.isFinite }
            figure.series.append(FigureSeries(label: "\(r.model) (order \(r.fit?.description ?? "–"))", x: ok.map(\.learningRate), y: ok.map { $0.gap! }))
        }
        if let first = results.first?.1.rows.first(where: { $0.gap != nil && $0.gap!.isFinite }), let g = first.gap {
            let guides = Set(expected.compactMap { $0 }).sorted()
            for (k, s) in (guides.isEmpty ? [1.0] : guides).enumerated() {
                figure.guides.append(.slope(s, through: first.learningRate, g * (k == 0 ? 1.6 : 0.4), label: "slope \(NumberText.short(s, 2))"))
            }
        }

        var metrics: [StudyMetric] = []
        var status = StudyStatus.ok
        for ((m, r), e) in zip(results, expected) {
            if let fit = r.fit { metrics.append(fit.metric("order \(m.rawValue)", title: "fitted order of the gap to \(r.model)", expected: e)) }
            if NumberText.isPreAsymptotic(r.fit, expected: e) {
                warnings.append(StudyWarning(.preAsymptotic, "the order fitted against \(r.model) misses \(NumberText.short(e!, 3)); the fit includes the pre-asymptotic range"))
            } else if NumberText.disagrees(r.fit, expected: e) {
                warnings.append(StudyWarning(.note, "the order against \(r.model) disagrees with the expected \(NumberText.short(e!, 3)), also between the two smallest η"))
            }
            for rw in r.rows {
                if let gapValue = rw.gap, gapValue.isFinite { metrics.append(StudyMetric(key: "gap \(m.rawValue) at η=\(rw.learningRate)", title: "gap to \(r.model) at η = \(NumberText.short(rw.learningRate))", value: gapValue)) }
            }
            let failedSolves = r.rows.filter { $0.divergedAt == nil && !($0.gap?.isFinite ?? false) }
            if !failedSolves.isEmpty {
                status = .diverged
                warnings.append(StudyWarning(.diverged, "the solver of \(r.model) failed at η = " + NumberText.list(failedSolves.map { NumberText.short($0.learningRate) }) + "; no gap there"))
            }
            let diverged = r.rows.filter { $0.divergedAt != nil }
            if !diverged.isEmpty {
                status = .diverged
                warnings.append(StudyWarning(.diverged, "\(title) diverged at η = " + NumberText.list(diverged.map { "\(NumberText.short($0.learningRate)) (step \($0.divergedAt!))" }) + " against \(r.model)"))
            }
        }
        if !unstable.isEmpty { status = .diverged }
        if results.allSatisfy({ $0.1.rows.allSatisfy { !($0.gap?.isFinite ?? false) } }) { status = .failed }

        let claim = "\(title)'s trajectory gap max_k ‖x_k − X(kτ)‖ shrinks like η^p as η → 0: "
            + NumberText.list(zip(results, expected).map { "p = \($1.map { NumberText.short($0, 2) } ?? "?") against \($0.1.model)" }) + "."
        let reading = "Over η = \(grid.map { NumberText.short($0, 3) }.joined(separator: ", ")): "
            + NumberText.list(zip(results, expected).map { r, e in
                r.1.fit.map { $0.order <= 0 } == true
                    ? "the gap to \(r.1.model) does not shrink as η → 0 (fitted order \(r.1.fit!.description))"
                    : NumberText.order("the gap to \(r.1.model) shrinks", r.1.fit, expected: e)
            }) + "."
        return StudyResult(
            study: Self.name, status: status, claim: claim, reading: reading,
            context: ["\(title) on \(f.name) from x0 = (\(start.map { NumberText.short($0) }.joined(separator: ", "))), T = \(NumberText.short(c.horizon)), \(c.norm.rawValue)-norm gap"],
            tables: [table],
            findings: results.map { r in
                "fitted order vs \(r.1.model): " + (r.1.fit.map { $0.description + ($0.halfWidth.isNaN ? " (two points: no interval)" : " (95% interval)") } ?? "not enough stable points")
            },
            warnings: warnings, figures: [figure], series: [series], metrics: metrics)
    }

    static func flow<F: Objective>(_ m: ModelName, _ f: F, _ eta: Double) -> AnyFlow {
        switch m {
        case .igr: return AnyFlow(ModifiedFlow(f, learningRate: eta))
        case .be: return AnyFlow(ModifiedFlow(f, learningRate: eta, kind: .proximalPoint))
        default: return AnyFlow(GradientFlow(f))
        }
    }
}

/// A flow model chosen by name at run time (outside hot loops).
public struct AnyFlow: Model {
    let base: any Model
    public init(_ base: any Model) { self.base = base }
    public var name: String { base.name }
    public var dimension: Int { base.dimension }
    public var positionDimension: Int { base.positionDimension }
    public var timeIdentification: String { base.timeIdentification }
    public func drift(_ x: [Double], t: Double, into b: inout [Double]) { base.drift(x, t: t, into: &b) }
    public func drift(_ x: [Double], t: Double, into b: inout [Double], scratch: inout ModelScratch) {
        base.drift(x, t: t, into: &b, scratch: &scratch)
    }
}
