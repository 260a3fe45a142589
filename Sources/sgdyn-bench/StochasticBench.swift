import Foundation
import SGDynamics
import SGDynamicsReport

/// The ensemble workloads of issue 3 (W1, W2, W3, W9): path-steps per second on all threads, each
/// checked against exact values so speed never comes at the cost of a wrong answer.
struct StochasticBench {
    let threads: Int

    func timed<T>(_ body: () throws -> T) rethrows -> (T, Double) {
        let t0 = DispatchTime.now().uptimeNanoseconds
        let r = try body()
        return (r, Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9)
    }

    /// The result of the first of `reps` runs and the median of their times (the C baseline's run.sh
    /// also reports the median of 3).
    func timedMedian<T>(reps: Int = 3, _ body: () throws -> T) rethrows -> (T, Double) {
        let (first, t0) = try timed(body)
        var times = [t0]
        for _ in 1..<Swift.max(1, reps) { times.append(try timed(body).1) }
        times.sort()
        return (first, times[times.count / 2])
    }

    /// `|estimate − exact| ≤ 4 SE` as a table cell.
    func check(_ name: String, _ estimate: Double, _ exact: Double, _ se: Double) -> String {
        let z = abs(estimate - exact) / se
        return "\(name) \(fmt(estimate, 5)) vs \(fmt(exact, 5)) (\(String(format: "%.1f", z)) SE)" + (z <= 4 ? "" : " FAILED")
    }

    /// Runs the chosen workloads; returns path-steps per second by workload name ("W1", …).
    @discardableResult
    func run(_ workloads: Set<String>) throws -> [String: Double] {
        var rates: [String: Double] = [:]
        var table = TextGrid(["workload", "path-steps", "seconds", "path-steps/s", "required", "target", "check"])
        func row(_ name: String, _ steps: Double, _ secs: Double, _ req: Double, _ target: Double, _ check: String) {
            let rate = steps / secs
            table.add([name, fmt(steps, 3), String(format: "%.2f", secs), fmt(rate, 3) + (rate >= req ? "" : " (below)"),
                       fmt(req, 2), fmt(target, 2), check])
        }
        var ens = Ensemble(paths: 100_000, threads: threads)
        ens.keepBlocks = false

        // W1: dX = −X dt + √0.2 dW, X₀ = 1, dt = 0.01, 1000 steps. EM chain: mean aᴷ, var 0.2h(1−a²ᴷ)/(1−a²), a = 1 − h.
        let h = 0.01, k = 1000
        let a = 1 - h
        if workloads.contains("w1") {
        let w1 = SDEKernel(Langevin(Quadratic(diagonal: [1]), temperature: 0.1), solver: EulerMaruyama(), start: [1],
                           stepSize: h, steps: k, saveEvery: k, seed: 1)
        let (r1, s1) = timedMedian { ens.run(w1) }
        rates["W1"] = 1e8 / s1
        let m1 = pow(a, Double(k)), v1 = 0.2 * h * (1 - pow(a, 2 * Double(k))) / (1 - a * a)
        let f1 = r1.moments.last!
        row("W1 OU, Euler–Maruyama, 10⁵ paths × 1000 steps", 1e8, s1, 1e8, 2.5e8,
            check("mean", f1.mean[0], m1, (v1 / 1e5).squareRoot()) + "; " + check("var", f1.variance(0), v1, v1 * (2.0 / 1e5).squareRoot()))
        }
        if workloads.contains("w2") {

        // W2: dX = −∇U dt + dW, U = (x²−1)² + y²/2 (Langevin at T = 1/2), from (−1, 0). y is an OU chain.
        let w2 = SDEKernel(Langevin(DoubleWell(dimension: 2, height: 1), temperature: 0.5), solver: EulerMaruyama(),
                           start: [-1, 0], stepSize: h, steps: k, saveEvery: k, seed: 2)
        let (r2, s2) = timedMedian { ens.run(w2) }
        rates["W2"] = 1e8 / s2
        let v2 = h * (1 - pow(a, 2 * Double(k))) / (1 - a * a)
        let f2 = r2.moments.last!
        row("W2 2-D double well, Euler–Maruyama, 10⁵ × 1000", 1e8, s2, 5e7, 1.2e8,
            check("E y", f2.mean[1], 0, (v2 / 1e5).squareRoot()) + "; " + check("Var y", f2.variance(1), v2, v2 * (2.0 / 1e5).squareRoot())
            + "; E x = \(fmt(f2.mean[0], 3))")
        }
        if workloads.contains("w4") {

        // W4: W2's double well written as a formula (issue 11) and as a Swift closure with its gradient
        // (issue 14): the same ensemble, the same seed; each rate against W2's from this run.
        let formula = try ExpressionObjective("(x^2 - 1)^2 + 0.5*y^2")
        let w4 = SDEKernel(Langevin(formula, temperature: 0.5), solver: EulerMaruyama(),
                           start: [-1, 0], stepSize: h, steps: k, saveEvery: k, seed: 2)
        let (r4, s4) = timedMedian { ens.run(w4) }
        rates["W4"] = 1e8 / s4
        let closure = ClosureObjective(name: "double-well closure", dimension: 2, value: { x in
            let u = x[0] * x[0] - 1
            return u * u + 0.5 * x[1] * x[1]
        }, gradient: { x, g in
            g[0] = 4 * x[0] * (x[0] * x[0] - 1)
            g[1] = x[1]
        })
        let w4c = SDEKernel(Langevin(closure, temperature: 0.5), solver: EulerMaruyama(),
                            start: [-1, 0], stepSize: h, steps: k, saveEvery: k, seed: 2)
        let (r4c, s4c) = timed { ens.run(w4c) }
        rates["W4c"] = 1e8 / s4c
        let v2 = h * (1 - pow(a, 2 * Double(k))) / (1 - a * a)
        for (name, r, secs, key) in [("W4 W2 as a formula '(x^2 - 1)^2 + 0.5*y^2'", r4, s4, "W4"),
                                     ("W4c W2 as a Swift closure (gradient given)", r4c, s4c, "W4c")] {
            let f = r.moments.last!
            let ratio = rates["W2"].map { " ; \(String(format: "%.2f", rates[key]! / $0)) of W2" } ?? ""
            row(name, 1e8, secs, (rates["W2"] ?? 0) * 0.25, (rates["W2"] ?? 0) * 0.5,
                check("E y", f.mean[1], 0, (v2 / 1e5).squareRoot()) + "; " + check("Var y", f.variance(1), v2, v2 * (2.0 / 1e5).squareRoot())
                + "; E x = \(fmt(f.mean[0], 3))" + ratio)
        }
        }
        if workloads.contains("w3") {

        // W3: SME-1 of SGD (η = 0.05, b = 10 with replacement) on least squares n = 1000, d = 10, full Σ(θ) each step.
        let (ls, _) = LeastSquares.synthetic(n: 1000, d: 10, noise: 0.1, seed: 3)
        let eta = 0.05
        let sme = SME(MinibatchGradient(ls, batchSize: 10, sampling: .withReplacement), learningRate: eta)
        let zero = [Double](repeating: 0, count: 10)
        let w3 = SDEKernel(sme, solver: EulerMaruyama(), start: zero, stepSize: eta, steps: 100, saveEvery: 100, seed: 3)
        var ens3 = Ensemble(paths: 10_000, threads: threads)
        ens3.keepBlocks = false
        let (r3, s3) = timed { ens3.run(w3) }
        rates["W3"] = 1e6 / s3
        // Euler–Maruyama's mean of an affine drift follows SGD's exact mean recursion.
        let moments = try LeastSquaresMoments(ls, learningRate: eta, batchSize: 10)
        let exactMean = moments.sgd(from: zero, steps: 100).last!.mean
        let f3 = r3.moments.last!
        var worst = 0.0
        for i in 0..<10 { worst = max(worst, abs(f3.mean[i] - exactMean[i]) / f3.standardError(i)) }
        row("W3 SME-1 least squares (n 1000, d 10), 10⁴ × 100", 1e6, s3, 5e5, 1e6,
            "mean within \(String(format: "%.1f", worst)) SE of the exact mean" + (worst <= 4.5 ? "" : " FAILED"))
        }
        print("Ensemble workloads (Euler–Maruyama, float64, final-state statistics; \(threads) threads; W1, W2: median of 3 runs):")
        print(table.render())
        return rates
    }

    /// W9: the Li–Tai–E weak-error study, d = 2, η = 2⁻¹…2⁻⁷, T = 2, SGD + SME-1 + SME-2, 10⁶ paths per η.
    func w9() throws {
        let f = NoisyQuadratic(hessian: .diagonal([1, 2]))
        let etas = (1...7).map { pow(2.0, -Double($0)) }
        var ens = Ensemble(paths: 1_000_000, threads: threads)
        ens.keepBlocks = false
        ens.covarianceLimit = 0
        var src = OracleGradient(f)
        src.noiseStream = RandomStream.brownian
        let diffs = (0..<2).map { m in
            Observable.difference("Δf SME-\(m + 1)", dimension: 2, against: m,
                                  form: .quadratic(hessian: f.base.hessianMatrix, center: [0, 0]))
        }
        var table = TextGrid(["η", "steps", "SME-1 MC", "SME-1 exact", "SME-2 MC", "SME-2 exact", "seconds"])
        var total = 0.0
        var inside = true
        for eta in etas {
            let n = Int((2 / eta).rounded())
            let mom = QuadraticMoments(f, learningRate: eta)
            let exactSGD = mom.sgd(from: [1, 1], steps: n).map { mom.expectation(of: .objective, under: $0) }
            var cells = [fmt(eta), "\(n)"]
            let (_, secs) = timed {
                // SGD once, next to both SMEs, on the same draws (common random numbers)
                let models = [1, 2].map { order -> SDEKernel<SME<OracleGradient<NoisyQuadratic>>, ExactLinearStep> in
                    let sme = SME(OracleGradient(f), learningRate: eta, order: order)
                    return SDEKernel(sme, solver: ExactLinearStep(sme, stepSize: eta), start: [1, 1], stepSize: eta, steps: n, seed: 9)
                }
                let k = PairedKernel(AlgorithmKernel(SGD(src, learningRate: eta), start: [1, 1], steps: n, seed: 9), models)
                let result = ens.run(k, observables: diffs)
                for order in [1, 2] {
                    let mc = WeakError.paired(result, observable: order - 1, learningRate: eta)
                    let ex = WeakError.exact(exactSGD, mom.sme(order: order, from: [1, 1], steps: n).map {
                        mom.expectation(of: .objective, under: $0) }, learningRate: eta)
                    if ex.error < mc.lower || ex.error > mc.upper { inside = false }
                    cells += ["\(fmt(mc.error, 4)) [\(fmt(mc.lower, 3)), \(fmt(mc.upper, 3))]", fmt(ex.error, 4)]
                }
            }
            total += secs
            cells.append(String(format: "%.1f", secs))
            table.add(cells)
        }
        print("W9: Li–Tai–E weak error, 10⁶ paths per η, each path SGD + SME-1 + SME-2 on common random numbers (\(threads) threads):")
        print(table.render())
        print(String(format: "total %.1f s (required ≤ 60 s, target ≤ 30 s); exact errors %@ the 95%% intervals", total,
                     inside ? "inside" : "NOT all inside"))
    }
}
