import Foundation

/// The work of a `WeakErrorStudy`: ensembles (or exact moments) per η and model, then the result.
struct WeakErrorRun {
    let study: WeakErrorStudy
    let context: StudyContext
    var warnings: [StudyWarning] = []
    var divergedPaths = 0

    init(study: WeakErrorStudy, context: StudyContext) {
        self.study = study
        self.context = context
    }

    var c: WeakErrorStudy.Configuration { study.configuration }

    /// The ensemble of one part (of `parts`) of the work at one η.
    func ensemble(_ eta: Double, steps: Int, part: Int = 0, parts: Int = 1) -> Ensemble {
        var e = Ensemble(paths: c.paths, threads: context.threads)
        e.keepBlocks = false
        e.covarianceLimit = 0   // only the test function's statistics are used
        e.progress = context.ensembleProgress(label(eta), offset: part * c.paths, total: parts * c.paths, steps: steps)
        return e
    }

    func label(_ eta: Double) -> String { "weak-error η = \(NumberText.short(eta))" }

    mutating func noteDivergence(_ eta: Double, _ name: String, _ r: EnsembleResult) {
        if let s = r.divergenceSummary {
            divergedPaths += r.divergences.count
            warnings.append(StudyWarning(.diverged, "η = \(NumberText.short(eta)), \(name): \(s)"))
        }
    }

    /// A weak error from exact expectations, or a non-finite one (and a warning) when they overflow.
    mutating func exactPoint(_ alg: [Double], _ model: [Double], eta: Double, name: String) -> WeakError.Point {
        if let k = (0..<min(alg.count, model.count)).first(where: { !alg[$0].isFinite || !model[$0].isFinite }) {
            warnings.append(StudyWarning(.diverged, "η = \(NumberText.short(eta)): the exact moments of the algorithm or \(name) are not finite from step \(k) on (overflow); no weak error there"))
            return WeakError.Point(learningRate: eta, error: .nan, lower: .nan, upper: .nan, time: Double(k) * eta, standardError: 0, paths: 0, seconds: 0)
        }
        return WeakError.exact(alg, model, learningRate: eta)
    }

    /// Independent ensembles: the algorithm once, then each model (seeds of their own); the weak
    /// error of each model from the two ensembles' means and standard errors.
    mutating func independent<A: PathKernel, M: PathKernel>(_ eta: Double, steps n: Int, algorithm: A, models: [M], orders: [Int],
                                                            test: WeakErrorTest) -> [WeakError.Point] {
        let parts = 1 + models.count
        let alg = ensemble(eta, steps: n, parts: parts).run(algorithm, observables: [test.observable])
        var points: [WeakError.Point] = []
        var results: [EnsembleResult] = []
        for (m, kernel) in models.enumerated() {
            let res = ensemble(eta, steps: n, part: 1 + m, parts: parts).run(kernel, observables: [test.observable])
            results.append(res)
            points.append(WeakError.compare(alg, res, observable: 0, learningRate: eta))
        }
        context.finishProgress(label(eta))
        noteDivergence(eta, "SGD", alg)
        for (m, res) in results.enumerated() { noteDivergence(eta, "SME-\(orders[m])", res) }
        return points
    }

    /// Heavy ball or Nesterov against the regime-A SME (docs/THEORY.md §4.4), exactly or by Monte Carlo.
    mutating func liTaiEMomentum(_ f: NoisyQuadratic, start: [Double], test: WeakErrorTest) throws -> StudyResult {
        let mu = c.momentum
        let method: QuadraticMoments.MomentumMethod = c.algorithm == .hb ? .heavyBall : .nesterov
        let name = c.algorithm == .hb ? "heavy ball" : "Nesterov"
        var row: [WeakError.Point] = []
        var how = ""
        let d = start.count
        for (i, eta) in c.learningRates.enumerated() {
            try context.checkCancellation()
            let n = study.steps[i]
            if c.mode != .mc {
                how = "exact Gaussian moments (no Monte Carlo)"
                let mom = QuadraticMoments(f, learningRate: eta, batchSize: c.batch)
                let alg = mom.momentum(method, momentum: mu, from: start, steps: n).map {
                    mom.expectation(of: test.kind, under: $0.marginal(0..<d)) }
                let sme = mom.momentumSME(momentum: mu, from: start, steps: n).map { mom.expectation(of: test.kind, under: $0) }
                row.append(exactPoint(alg, sme, eta: eta, name: "the SME"))
                continue
            }
            how = "Monte Carlo, \(c.paths) paths; the SME by its exact linear transition at step η; "
                + "the algorithm's γ_k and the SME's ΔW_k/√η are the same draws (common random numbers)"
            var source = OracleGradient(f)
            source.noiseStream = RandomStream.brownian
            let sme = SME(OracleGradient(f), learningRate: eta, order: 1, momentumScale: 1 / (1 - mu))
            let model = SDEKernel(sme, solver: ExactLinearStep(sme, stepSize: eta), start: start, stepSize: eta, steps: n, seed: c.seed)
            let diff = Observable.difference("Δ\(test.name)", dimension: d, form: test.kind.form(quadratic: (f.base.hessianMatrix, f.base.center))!)
            let res: EnsembleResult
            if method == .heavyBall {
                res = ensemble(eta, steps: n).run(PairedKernel(AlgorithmKernel(HeavyBall(source, learningRate: eta, momentum: mu), start: start,
                                                                               steps: n, seed: c.seed), model), observables: [diff])
            } else {
                res = ensemble(eta, steps: n).run(PairedKernel(AlgorithmKernel(Nesterov(source, learningRate: eta, momentum: mu), start: start,
                                                                               steps: n, seed: c.seed), model), observables: [diff])
            }
            context.finishProgress(label(eta))
            noteDivergence(eta, "\(name) paired with its SME", res)
            row.append(WeakError.paired(res, observable: 0, learningRate: eta))
        }
        return result(objective: "li-tai-e H = diag(\(c.diagonal.map { NumberText.short($0) }.joined(separator: ","))), \(name) μ = \(NumberText.short(mu)), b = \(c.batch)",
                      method: how, start: start, test: test, rows: [row], algorithmName: name, modelNames: ["SME-1 (regime A, η/(1−μ))"],
                      expected: [1],
                      claim: "At fixed μ, \(name) is weakly approximated at order 1 by SGD's SME with η/(1−μ) (docs/THEORY.md §4.4, regime A).")
    }

    /// Exact Gaussian moments of SGD and its SMEs for f = ½xᵀHx with additive noise Σ (an oracle
    /// formula whose moments close), as for the Li–Tai–E quadratic.
    mutating func exactQuadratic(_ q: (hessian: Matrix, noise: Matrix), start: [Double], test: WeakErrorTest, label: String) throws -> StudyResult {
        let orders = c.models.map(\.order)
        var rows: [[WeakError.Point]] = orders.map { _ in [] }
        for (i, eta) in c.learningRates.enumerated() {
            try context.checkCancellation()
            let n = study.steps[i]
            let moments = QuadraticMoments(hessian: q.hessian, noiseCovariance: (1 / Double(c.batch)) * q.noise, learningRate: eta)
            let sgd = moments.sgd(from: start, steps: n).map { moments.expectation(of: test.kind, under: $0) }
            for (m, order) in orders.enumerated() {
                let sme = moments.sme(order: order, from: start, steps: n).map { moments.expectation(of: test.kind, under: $0) }
                rows[m].append(exactPoint(sgd, sme, eta: eta, name: "SME-\(order)"))
            }
        }
        return result(objective: "\(label), b = \(c.batch)", method: "exact Gaussian moments (no Monte Carlo)", start: start, test: test,
                      rows: rows, expected: orders.map(Double.init))
    }

    mutating func liTaiE(_ f: NoisyQuadratic, start: [Double], test: WeakErrorTest) throws -> StudyResult {
        let orders = c.models.map(\.order)
        var rows: [[WeakError.Point]] = orders.map { _ in [] }
        var method = ""
        for (i, eta) in c.learningRates.enumerated() {
            try context.checkCancellation()
            let n = study.steps[i]
            if c.mode != .mc {
                method = "exact Gaussian moments (no Monte Carlo)"
                let moments = QuadraticMoments(f, learningRate: eta, batchSize: c.batch)
                let sgd = moments.sgd(from: start, steps: n).map { moments.expectation(of: test.kind, under: $0) }
                for (m, order) in orders.enumerated() {
                    let sme = moments.sme(order: order, from: start, steps: n).map { moments.expectation(of: test.kind, under: $0) }
                    rows[m].append(exactPoint(sgd, sme, eta: eta, name: "SME-\(order)"))
                }
                continue
            }
            let paired = c.batch == 1
            method = "Monte Carlo, \(c.paths) paths per ensemble; SMEs by their exact linear transition at step η"
                + (paired ? "; SGD's γ_k and the SMEs' ΔW_k/√η are the same draws (common random numbers), errors from paired differences" : "")
            var source = OracleGradient(f, batchSize: c.batch)
            if paired { source.noiseStream = RandomStream.brownian }
            let sgdKernel = AlgorithmKernel(SGD(source, learningRate: eta), start: start, steps: n, seed: c.seed)
            let kernels = orders.enumerated().map { m, order in
                let sme = SME(OracleGradient(f, batchSize: c.batch), learningRate: eta, order: order)
                return SDEKernel(sme, solver: ExactLinearStep(sme, stepSize: eta), start: start, stepSize: eta,
                                 steps: n, seed: paired ? c.seed : c.seed &+ UInt64(1 + m))
            }
            if paired {
                // one ensemble: SGD next to every SME on the same draws, one difference observable per model
                let form = test.kind.form(quadratic: (f.base.hessianMatrix, f.base.center))!
                let diffs = orders.indices.map { m in
                    Observable.difference("Δ\(test.observable.name) SME-\(orders[m])", dimension: start.count, against: m, form: form)
                }
                let res = ensemble(eta, steps: n).run(PairedKernel(sgdKernel, kernels), observables: diffs)
                context.finishProgress(label(eta))
                noteDivergence(eta, "SGD paired with its SMEs", res)
                for m in orders.indices { rows[m].append(WeakError.paired(res, observable: m, learningRate: eta)) }
                continue
            }
            for (m, p) in independent(eta, steps: n, algorithm: sgdKernel, models: kernels, orders: orders, test: test).enumerated() { rows[m].append(p) }
        }
        return result(objective: "li-tai-e H = diag(\(c.diagonal.map { NumberText.short($0) }.joined(separator: ","))), b = \(c.batch)",
                      method: method, start: start, test: test, rows: rows, expected: orders.map(Double.init))
    }

    mutating func finiteSum<F: FiniteSumObjective>(_ f: F, start: [Double], test: WeakErrorTest) throws -> StudyResult {
        try monteCarlo(MinibatchGradient(f, batchSize: c.batch, sampling: .withReplacement), start: start, test: test,
                       objective: "\(f.name) (n = \(f.sampleCount), d = \(f.dimension)), b = \(c.batch) with replacement")
    }

    /// A stochastic oracle written as a formula, by Monte Carlo (SMEs by Euler–Maruyama sub-steps).
    mutating func oracle<F: StochasticOracleObjective>(_ f: F, start: [Double], test: WeakErrorTest) throws -> StudyResult {
        try monteCarlo(OracleGradient(f, batchSize: c.batch), start: start, test: test,
                       objective: "\(f.name) (d = \(f.dimension)), b = \(c.batch) oracle draws per step")
    }

    /// SGD (or heavy ball, Nesterov) with the gradient `source` against its SMEs, independent ensembles.
    mutating func monteCarlo<S: StochasticGradient>(_ source: S, start: [Double], test: WeakErrorTest, objective: String) throws -> StudyResult {
        let orders = c.models.map(\.order)
        var rows: [[WeakError.Point]] = orders.map { _ in [] }
        let r = c.substeps
        let mu = c.momentum
        for (i, eta) in c.learningRates.enumerated() {
            try context.checkCancellation()
            let n = study.steps[i]
            // Heavy ball and Nesterov against the regime-A SME (η/(1−μ), docs/THEORY.md §4.4); SGD against SME-1/SME-2.
            let scale = c.algorithm == .sgd ? 1 : 1 / (1 - mu)
            let kernels = orders.enumerated().map { m, order in
                SDEKernel(SME(source, learningRate: eta, order: order, momentumScale: scale), solver: EulerMaruyama(), start: start,
                          stepSize: eta / Double(r), steps: n * r, saveEvery: r, seed: c.seed &+ UInt64(1 + m))
            }
            let points: [WeakError.Point]
            switch c.algorithm {
            case .sgd:
                points = independent(eta, steps: n, algorithm: AlgorithmKernel(SGD(source, learningRate: eta), start: start, steps: n, seed: c.seed),
                                     models: kernels, orders: orders, test: test)
            case .hb:
                points = independent(eta, steps: n, algorithm: AlgorithmKernel(HeavyBall(source, learningRate: eta, momentum: mu), start: start,
                                                                               steps: n, seed: c.seed), models: kernels, orders: orders, test: test)
            case .nag:
                points = independent(eta, steps: n, algorithm: AlgorithmKernel(Nesterov(source, learningRate: eta, momentum: mu), start: start,
                                                                               steps: n, seed: c.seed), models: kernels, orders: orders, test: test)
            }
            for (m, p) in points.enumerated() { rows[m].append(p) }
        }
        let method = "Monte Carlo, \(c.paths) paths per ensemble; SMEs by Euler–Maruyama at step η/\(r) (its O(η/\(r)) bias is below the model error measured)"
        guard c.algorithm != .sgd else {
            return result(objective: objective, method: method, start: start, test: test, rows: rows, expected: orders.map(Double.init))
        }
        let name = c.algorithm == .hb ? "heavy ball" : "Nesterov"
        return result(objective: objective + ", \(name) μ = \(NumberText.short(mu))", method: method, start: start, test: test, rows: rows,
                      algorithmName: name, modelNames: ["SME-1 (regime A, η/(1−μ))"], expected: [1],
                      claim: "At fixed μ, \(name) is weakly approximated at order 1 by SGD's SME with η/(1−μ) (docs/THEORY.md §4.4, regime A).")
    }

    /// The result: the table, fitted orders, warnings, figure and raw series.
    func result(objective: String, method: String, start: [Double], test: WeakErrorTest, rows: [[WeakError.Point]],
                algorithmName: String = "SGD", modelNames: [String]? = nil, expected: [Double],
                claim: String = "max_k |E g(x_k) − E g(X_kη)| = O(η) for SME-1 and O(η²) for SME-2 (Li, Tai & E; docs/THEORY.md §5.1).") -> StudyResult {
        let names = modelNames ?? c.models.map { "SME-\($0.order)" }
        let grid = c.learningRates
        var warnings = self.warnings
        // Above the stability limit the weak error measures divergence, not the model's error: such η stay out of the fit.
        let unstable = Set(grid.filter { study.isUnstable($0) })
        for eta in grid where unstable.contains(eta) {
            warnings.append(StudyWarning(.diverged, "η = \(NumberText.short(eta)) is at or above the stability limit (\(study.stabilityNote(eta))); it is left out of the order fit"))
        }
        let fits = rows.map { r in
            let usable = r.filter { $0.error.isFinite && !unstable.contains($0.learningRate) }
            return OrderFit(steps: usable.map(\.learningRate), errors: usable.map(\.error))
        }
        let monteCarlo = method.hasPrefix("Monte Carlo")

        var columns = [ResultColumn("eta", title: "η", digits: 6, isKey: true), ResultColumn("steps", kind: .integer)]
        for name in names {
            columns.append(ResultColumn("error \(name)", title: "err \(name)", digits: 5))
            columns.append(ResultColumn("interval \(name)", title: "95% interval (simultaneous over k)", kind: .interval, digits: 3))
        }
        var table = ResultTable(name: "weak-error", title: "Weak error of \(algorithmName) against its SMEs (g = \(test.name))", columns: columns)
        for (i, eta) in grid.enumerated() {
            var row: [ResultCell] = [.number(eta), .integer(study.steps[i])]
            for m in names.indices {
                let p = rows[m][i]
                if p.standardError.isNaN {
                    row += [.text("—"), .text("all paths diverged")]
                } else if !p.error.isFinite {
                    row += [.text("—"), .text(p.paths == 0 ? "moments not finite" : "not finite")]
                } else {
                    row.append(.number(p.error))
                    row.append(p.standardError == 0 && p.paths == 0 ? .text("exact") : .interval(low: p.lower, high: p.upper))
                }
            }
            table.add(row)
        }

        var series = ResultTable(name: "weak-error", title: "weak error per model and η", columns: [
            ResultColumn("model", kind: .text, isKey: true), ResultColumn("eta", isKey: true), ResultColumn("steps", kind: .integer),
            ResultColumn("error"), ResultColumn("lower95"), ResultColumn("upper95"), ResultColumn("time_of_max"),
            ResultColumn("max_standard_error"), ResultColumn("paths", kind: .integer)])
        for (m, r) in rows.enumerated() {
            for (i, p) in r.enumerated() {
                series.add([.text(names[m]), .number(p.learningRate), .integer(study.steps[i]), .number(p.error), .number(p.lower),
                            .number(p.upper), .number(p.time), .number(p.standardError), .integer(p.paths)])
            }
        }

        var metrics: [StudyMetric] = []
        for (m, fit) in fits.enumerated() {
            if let fit { metrics.append(fit.metric("order \(names[m])", title: "fitted order of \(names[m])", expected: expected[m])) }
            if NumberText.isPreAsymptotic(fit, expected: expected[m]) {
                warnings.append(StudyWarning(.preAsymptotic, "the order fitted for \(names[m]) misses \(NumberText.short(expected[m], 3)); the fit over the grid includes the pre-asymptotic range"))
            } else if NumberText.disagrees(fit, expected: expected[m]) {
                warnings.append(StudyWarning(.note, "the order of \(names[m]) disagrees with the expected \(NumberText.short(expected[m], 3)), also between the two smallest η"))
            }
            for p in rows[m] where p.error.isFinite && !p.standardError.isNaN {
                metrics.append(StudyMetric(key: "error \(names[m]) at η=\(p.learningRate)", title: "weak error of \(names[m]) at η = \(NumberText.short(p.learningRate))",
                                           value: p.error, standardError: p.paths > 0 ? p.standardError : nil,
                                           low: p.paths > 0 ? p.lower : nil, high: p.paths > 0 ? p.upper : nil))
            }
        }
        // Is the Monte Carlo error below the error measured?
        for (m, r) in rows.enumerated() {
            guard let last = r.last, last.standardError > 0, last.standardError.isFinite else { continue }
            if 5 * last.standardError > last.error {
                let predicted = fits[m].map { exp($0.intercept) * pow(last.learningRate, $0.order) } ?? last.error
                let need = WeakError.requiredPaths(standardDeviation: last.standardError * Double(last.paths).squareRoot(),
                                                   expectedError: max(predicted, 1e-300))
                warnings.append(StudyWarning(.monteCarloError, "at η = \(NumberText.short(last.learningRate)) the Monte Carlo error of \(names[m]) (5 SE = \(NumberText.short(5 * last.standardError, 3))) is not below the error measured (\(NumberText.short(last.error, 3))); use --paths ≥ \(need)\(c.objective == .liTaiE ? " or the exact mode" : "")"))
            }
        }

        var figure = ResultFigure(name: "weak-error", title: "Weak error vs η: \(algorithmName) and its SMEs (g = \(test.name))", xLabel: "η",
                                  yLabel: "max_k |E g(x_k) − E g(X_kη)|", xScale: .log, yScale: .log)
        for (m, r) in rows.enumerated() {
            let ok = r.filter { $0.error.isFinite && $0.error > 0 }
            let errs = ok.map { $0.standardError == 0 ? 0 : ($0.upper - $0.lower) / 2 }
            figure.series.append(FigureSeries(label: "\(names[m]) (order \(fits[m]?.description ?? "–"))", x: ok.map(\.learningRate), y: ok.map(\.error),
                                              errors: errs.allSatisfy { $0 == 0 } ? nil : errs, marker: m == 0 ? .circle : .square))
        }
        for (m, e) in Set(expected).sorted().enumerated() {
            if let p = rows.indices.first(where: { expected[$0] == e }).flatMap({ rows[$0].first(where: { $0.error.isFinite && $0.error > 0 }) }) {
                figure.guides.append(.slope(e, through: p.learningRate, p.error * (m == 0 ? 1.5 : 0.6), label: "slope \(NumberText.short(e, 2))"))
            }
        }

        let failed = rows.flatMap { $0 }.filter { $0.standardError.isNaN || !$0.error.isFinite }
        let noneUsable = rows.allSatisfy { $0.allSatisfy { $0.standardError.isNaN || !$0.error.isFinite } }
        var reading = NumberText.list(fits.indices.map { NumberText.order("\(names[$0]) matches \(algorithmName)", fits[$0], expected: expected[$0]) })
            + "; at η = \(NumberText.short(grid[0], 3)) the weak errors are " + NumberText.list(rows.indices.map { "\(NumberText.short(rows[$0][0].error, 3)) (\(names[$0]))" })
            + " (\(monteCarlo ? "Monte Carlo, \(c.paths) paths" : "exact moments"))."
        if noneUsable {
            reading = "No weak error could be measured: " + (monteCarlo ? "all paths diverged at every η." : "the exact moments are not finite at every η.")
        } else if !failed.isEmpty {
            reading = "At η = \(NumberText.list(Set(failed.map(\.learningRate)).sorted(by: >).map { NumberText.short($0, 3) })) no weak error could be measured (diverged or not finite). " + reading
        }
        let context = [
            "Weak error of \(algorithmName) against its SMEs on \(objective); g = \(test.name), T = \(NumberText.short(c.horizon)), x0 = (\(start.map { NumberText.short($0) }.joined(separator: ", ")))",
            "Claim: \(claim)",
            "Method: \(method).\n",
        ]
        let findings = fits.enumerated().map { m, fit in
            guard let fit else { return "fitted order \(names[m]): n/a (fewer than two usable points)" }
            return "fitted order \(names[m]): \(fit.description) (\(fit.halfWidth.isNaN ? "two points: no interval" : "95% interval"))   local orders: "
                + fit.localOrders.map { NumberText.short($0, 3) }.joined(separator: ", ")
        }
        let status: StudyStatus = noneUsable ? .failed : (divergedPaths > 0 || !failed.isEmpty || !unstable.isEmpty) ? .diverged : .ok
        return StudyResult(study: WeakErrorStudy.name, status: status,
                           claim: claim, reading: reading, context: context, tables: [table], findings: findings, warnings: warnings,
                           figures: [figure], series: [series], metrics: metrics)
    }
}
