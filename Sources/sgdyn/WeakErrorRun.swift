import Foundation
import SGDynamics
import SGDynamicsReport

/// The orchestration of `sgdyn weak-error`: ensembles (or exact moments) per η and model, the table,
/// the files.
struct WeakErrorRun {
    let command: WeakErrorCommand
    let grid: [Double]
    let orders: [Int]
    let start: [Double]
    let test: (name: String, observable: Observable, kind: TestFunction)

    var ensemble: Ensemble {
        var e = Ensemble(paths: command.paths, threads: command.threads)
        e.keepBlocks = false
        e.covarianceLimit = 0   // only the test function's statistics are used
        return e
    }

    /// The ensemble, reporting to `bar` as part `part` of the ensembles at one η.
    func monitoredEnsemble(_ bar: ProgressBar, part: Int = 0) -> Ensemble {
        var e = ensemble
        e.progress = bar.callback(offset: part * command.paths)
        return e
    }

    /// The progress bar of the `ensembles` ensembles of `steps` steps run at one η.
    func bar(_ eta: Double, steps: Int, ensembles: Int = 1) -> ProgressBar {
        ProgressBar("weak-error η = \(fmt(eta))", paths: command.paths, steps: steps, ensembles: ensembles)
    }

    func steps(_ eta: Double) -> Int { Int((command.horizon / eta * (1 + 1e-12)).rounded(.down)) }

    /// Heavy ball or Nesterov against the regime-A SME (THEORY.md §4.4), exactly or by Monte Carlo.
    func liTaiEMomentum(_ f: NoisyQuadratic) throws {
        let mu = command.momentum
        let method: QuadraticMoments.MomentumMethod = command.algorithm == "hb" ? .heavyBall : .nesterov
        let label = command.algorithm == "hb" ? "heavy ball" : "Nesterov"
        var row: [WeakError.Point] = []
        var how = ""
        let d = start.count
        for eta in grid {
            let n = steps(eta)
            let t0 = Date()
            if command.mode != "mc" {
                how = "exact Gaussian moments (no Monte Carlo)"
                let mom = QuadraticMoments(f, learningRate: eta, batchSize: command.batch)
                let alg = mom.momentum(method, momentum: mu, from: start, steps: n).map {
                    mom.expectation(of: test.kind, under: $0.marginal(0..<d)) }
                let sme = mom.momentumSME(momentum: mu, from: start, steps: n).map { mom.expectation(of: test.kind, under: $0) }
                row.append(WeakError.exact(alg, sme, learningRate: eta, seconds: Date().timeIntervalSince(t0)))
                continue
            }
            how = "Monte Carlo, \(command.paths) paths; the SME by its exact linear transition at step η; "
                + "the algorithm's γ_k and the SME's ΔW_k/√η are the same draws (common random numbers)"
            var source = OracleGradient(f)
            source.noiseStream = RandomStream.brownian
            let sme = SME(OracleGradient(f), learningRate: eta, order: 1, momentumScale: 1 / (1 - mu))
            let model = SDEKernel(sme, solver: ExactLinearStep(sme, stepSize: eta), start: start, stepSize: eta, steps: n,
                                  seed: command.seed)
            let diff = Observable.difference("Δ\(test.name)", dimension: d, form: test.kind.form(quadratic: (f.base.hessianMatrix, f.base.center))!)
            let res: EnsembleResult
            let progress = bar(eta, steps: n)
            if method == .heavyBall {
                res = monitoredEnsemble(progress).run(PairedKernel(AlgorithmKernel(HeavyBall(source, learningRate: eta, momentum: mu), start: start,
                                                                          steps: n, seed: command.seed), model), observables: [diff])
            } else {
                res = monitoredEnsemble(progress).run(PairedKernel(AlgorithmKernel(Nesterov(source, learningRate: eta, momentum: mu), start: start,
                                                                          steps: n, seed: command.seed), model), observables: [diff])
            }
            progress.finish()
            warnDivergence(res)
            row.append(WeakError.paired(res, observable: 0, learningRate: eta, seconds: Date().timeIntervalSince(t0)))
        }
        try report(objective: "li-tai-e H = diag(\(command.diagonal)), \(label) μ = \(fmt(mu)), b = 1", method: how, rows: [row],
                   algorithmName: label, modelNames: ["SME-1 (regime A, η/(1−μ))"],
                   claim: "Claim (THEORY.md §4.4, regime A): at fixed μ, \(label) is weakly approximated at order 1 by SGD's SME with η/(1−μ).")
    }

    func liTaiE(_ f: NoisyQuadratic) throws {
        if command.algorithm != "sgd" { return try liTaiEMomentum(f) }
        let useExact = command.mode != "mc"
        var rows: [[WeakError.Point]] = orders.map { _ in [] }
        var method = ""
        for eta in grid {
            let n = steps(eta)
            let t0 = Date()
            if useExact {
                method = "exact Gaussian moments (no Monte Carlo)"
                let moments = QuadraticMoments(f, learningRate: eta, batchSize: command.batch)
                let sgd = moments.sgd(from: start, steps: n).map { moments.expectation(of: test.kind, under: $0) }
                for (m, order) in orders.enumerated() {
                    let sme = moments.sme(order: order, from: start, steps: n).map { moments.expectation(of: test.kind, under: $0) }
                    rows[m].append(WeakError.exact(sgd, sme, learningRate: eta, seconds: Date().timeIntervalSince(t0)))
                }
                continue
            }
            let paired = command.batch == 1
            method = "Monte Carlo, \(command.paths) paths per ensemble; SMEs by their exact linear transition at step η"
                + (paired ? "; SGD's γ_k and the SMEs' ΔW_k/√η are the same draws (common random numbers), errors from paired differences" : "")
            var source = OracleGradient(f, batchSize: command.batch)
            if paired { source.noiseStream = RandomStream.brownian }
            let sgdKernel = AlgorithmKernel(SGD(source, learningRate: eta), start: start, steps: n, seed: command.seed)
            let kernels = orders.enumerated().map { m, order in
                let sme = SME(OracleGradient(f, batchSize: command.batch), learningRate: eta, order: order)
                return SDEKernel(sme, solver: ExactLinearStep(sme, stepSize: eta), start: start, stepSize: eta,
                                 steps: n, seed: paired ? command.seed : command.seed &+ UInt64(1 + m))
            }
            if paired {
                // one ensemble: SGD next to every SME on the same draws, one difference observable per model
                let d = start.count
                let g = test.observable
                let form = test.kind.form(quadratic: (f.base.hessianMatrix, f.base.center))!
                let diffs = orders.indices.map { m in
                    Observable.difference("Δ\(g.name) SME-\(orders[m])", dimension: d, against: m, form: form)
                }
                let progress = bar(eta, steps: n)
                let res = monitoredEnsemble(progress).run(PairedKernel(sgdKernel, kernels), observables: diffs)
                progress.finish()
                warnDivergence(res)
                let share = Date().timeIntervalSince(t0) / Double(orders.count)
                for m in orders.indices {
                    rows[m].append(WeakError.paired(res, observable: m, learningRate: eta, seconds: share))
                }
                continue
            }
            let progress = bar(eta, steps: n, ensembles: 1 + kernels.count)
            let alg = monitoredEnsemble(progress).run(sgdKernel, observables: [test.observable])
            var results: [EnsembleResult] = []
            for (m, kernel) in kernels.enumerated() {
                let res = monitoredEnsemble(progress, part: 1 + m).run(kernel, observables: [test.observable])
                results.append(res)
                rows[m].append(WeakError.compare(alg, res, observable: 0, learningRate: eta, seconds: Date().timeIntervalSince(t0)))
            }
            progress.finish()
            for res in results { warnDivergence(alg, res) }
        }
        try report(objective: "li-tai-e H = diag(\(command.diagonal)), b = \(command.batch)", method: method, rows: rows)
    }

    func finiteSum<F: FiniteSumObjective>(_ f: F) throws {
        var rows: [[WeakError.Point]] = orders.map { _ in [] }
        let r = command.substeps
        for eta in grid {
            let n = steps(eta)
            let t0 = Date()
            let source = MinibatchGradient(f, batchSize: command.batch, sampling: .withReplacement)
            let progress = bar(eta, steps: n, ensembles: 1 + orders.count)
            let alg = monitoredEnsemble(progress).run(AlgorithmKernel(SGD(source, learningRate: eta), start: start, steps: n, seed: command.seed),
                                             observables: [test.observable])
            var results: [EnsembleResult] = []
            for (m, order) in orders.enumerated() {
                let sme = SME(source, learningRate: eta, order: order)
                let kernel = SDEKernel(sme, solver: EulerMaruyama(), start: start, stepSize: eta / Double(r), steps: n * r,
                                       saveEvery: r, seed: command.seed &+ UInt64(1 + m))
                let res = monitoredEnsemble(progress, part: 1 + m).run(kernel, observables: [test.observable])
                results.append(res)
                rows[m].append(WeakError.compare(alg, res, observable: 0, learningRate: eta, seconds: Date().timeIntervalSince(t0)))
            }
            progress.finish()
            for res in results { warnDivergence(alg, res) }
        }
        try report(objective: "\(f.name) (n = \(f.sampleCount), d = \(f.dimension)), b = \(command.batch) with replacement",
                   method: "Monte Carlo, \(command.paths) paths per ensemble; SMEs by Euler–Maruyama at step η/\(r) (its O(η/\(r)) bias is below the model error measured)",
                   rows: rows)
    }

    func warnDivergence(_ results: EnsembleResult...) {
        for r in results { if let s = r.divergenceSummary { FileHandle.standardError.write(Data("warning: \(s)\n".utf8)) } }
    }

    func report(objective: String, method: String, rows: [[WeakError.Point]], algorithmName: String = "SGD",
                modelNames: [String]? = nil,
                claim: String = "Claim (Li, Tai & E): max_k |E g(x_k) − E g(X_kη)| = O(η) for SME-1 and O(η²) for SME-2.") throws {
        let names = modelNames ?? orders.map { "SME-\($0)" }
        let fits = rows.map { r in OrderFit(steps: r.map(\.learningRate), errors: r.map(\.error)) }
        print("Weak error of \(algorithmName) against its SMEs on \(objective); g = \(test.name), T = \(fmt(command.horizon)), x0 = (\(start.map { fmt($0) }.joined(separator: ", ")))")
        print(claim)
        StudyRecording.claim(ReadingText.claim(claim))
        print("Method: \(method).\n")
        var table = TextTable(["η", "steps"] + names.flatMap { ["err \($0)", "95% interval (simultaneous over k)"] } + ["seconds"])
        for (i, eta) in grid.enumerated() {
            var row = [fmt(eta), "\(steps(eta))"]
            for m in 0..<orders.count {
                let p = rows[m][i]
                row.append(fmt(p.error, 5))
                row.append(p.standardError.isNaN ? "all paths diverged" : p.standardError == 0 && p.paths == 0 ? "exact" : "[\(fmt(p.lower, 3)), \(fmt(p.upper, 3))]")
            }
            row.append(String(format: "%.2f", rows.map { $0[i].seconds }.reduce(0, +)))
            table.add(row)
        }
        print(table.render())
        for (m, fit) in fits.enumerated() {
            let local = fit.map { $0.localOrders.map { fmt($0, 3) }.joined(separator: ", ") } ?? ""
            print("fitted order \(names[m]): \(fit.map { "\($0.description) (95% interval)" } ?? "n/a")   local orders: \(local)")
        }
        let expected = fits.indices.map { m in modelNames == nil ? Double(orders[m]) : 1 }
        StudyRecording.reading(ReadingText.list(fits.indices.map { ReadingText.order("\(names[$0]) matches \(algorithmName)", fits[$0], expected: expected[$0]) })
            + "; at η = \(fmt(grid[0], 3)) the weak errors are " + ReadingText.list(rows.indices.map { "\(fmt(rows[$0][0].error, 3)) (\(names[$0]))" })
            + " (\(method.hasPrefix("Monte Carlo") ? "Monte Carlo, \(command.paths) paths" : "exact moments")).")
        // Is the Monte Carlo error below the error measured?
        for (m, r) in rows.enumerated() {
            guard let last = r.last, last.standardError > 0 else { continue }
            if 5 * last.standardError > last.error {
                let predicted = fits[m].map { exp($0.intercept) * pow(last.learningRate, $0.order) } ?? last.error
                let need = WeakError.requiredPaths(standardDeviation: last.standardError * Double(last.paths).squareRoot(),
                                                   expectedError: max(predicted, 1e-300))
                print("warning: at η = \(fmt(last.learningRate)) the Monte Carlo error of \(names[m]) (5 SE = \(fmt(5 * last.standardError, 3))) is not below the error measured (\(fmt(last.error, 3))); use --paths ≥ \(need) or the exact mode")
            }
        }

        var csv = TextTable(["model", "eta", "steps", "error", "lower95", "upper95", "time_of_max", "max_standard_error", "paths", "seconds"])
        for (m, r) in rows.enumerated() {
            for (i, p) in r.enumerated() {
                csv.add([names[m], "\(p.learningRate)", "\(steps(grid[i]))", "\(p.error)", "\(p.lower)", "\(p.upper)", "\(p.time)",
                         "\(p.standardError)", "\(p.paths)", "\(p.seconds)"])
            }
        }
        var files: [String] = []
        if let p = try command.output.write(csv.csv(), to: "weak-error.csv") { files.append(p) }
        let json: [String: Any] = [
            "study": "weak-error", "objective": objective, "test_function": test.name, "horizon": command.horizon,
            "method": method, "x0": start, "seed": Int(command.seed),
            "models": orders.indices.map { m -> [String: Any] in
                ["model": names[m], "order": fits[m]?.order ?? Double.nan, "order_halfwidth_95": fits[m]?.halfWidth ?? Double.nan,
                 "points": rows[m].map { ["eta": $0.learningRate, "error": $0.error, "lower95": $0.lower, "upper95": $0.upper,
                                          "time_of_max": $0.time, "paths": $0.paths, "seconds": $0.seconds] }]
            },
        ]
        if let p = try command.output.write(jsonString(json), to: "weak-error.json") { files.append(p) }
        var plot = LinePlot(title: "Weak error vs η: \(algorithmName) and its SMEs (g = \(test.name))", xLabel: "η",
                            yLabel: "max_k |E g(x_k) − E g(X_kη)|", xScale: .log, yScale: .log)
        for (m, r) in rows.enumerated() {
            let label = "\(names[m]) (order \(fits[m]?.description ?? "–"))"
            let errs = r.map { $0.standardError == 0 ? 0 : ($0.upper - $0.lower) / 2 }
            plot.add(Series(label: label, x: r.map(\.learningRate), y: r.map(\.error),
                            errors: errs.allSatisfy { $0 == 0 } ? nil : errs, marker: m == 0 ? .circle : .square))
        }
        if let p1 = rows.first?.first { plot.addReferenceSlope(1, through: (x: p1.learningRate, y: p1.error * 1.5), label: "slope 1") }
        if rows.count > 1, let p2 = rows[1].first { plot.addReferenceSlope(2, through: (x: p2.learningRate, y: p2.error * 0.6), label: "slope 2") }
        if let p = try command.output.write(plot.render(), to: "weak-error.svg") { files.append(p) }
        if !files.isEmpty { print("wrote " + files.joined(separator: ", ")) }
    }
}
