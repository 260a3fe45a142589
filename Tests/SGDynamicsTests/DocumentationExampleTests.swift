import Foundation
import Testing
import SGDynamics   // not @testable: the samples use the public API only, as a user's package would

// The code samples of the DocC articles in Sources/SGDynamics/SGDynamics.docc, compiled and run here
// so that they cannot drift from the library. Each test holds one sample verbatim (types at file scope,
// statements in the test body), followed by the property the article states about it.

// MARK: - GettingStarted.md

/// f(x) = ½ Σᵢ aᵢ (xᵢ − cᵢ)², a separable bowl with its minimum at c.
struct ShiftedBowl: Objective {
    let curvatures: [Double]   // aᵢ > 0
    let center: [Double]       // cᵢ

    var dimension: Int { center.count }
    var name: String { "shifted-bowl" }

    func value(_ x: [Double]) -> Double {
        var s = 0.0
        for i in 0..<dimension { let r = x[i] - center[i]; s += 0.5 * curvatures[i] * r * r }
        return s
    }

    func gradient(_ x: [Double], into g: inout [Double]) {
        for i in 0..<dimension { g[i] = curvatures[i] * (x[i] - center[i]) }
    }
}

/// fᵢ(x) = ½ (x − aᵢ)²: estimating the mean of the numbers aᵢ by minibatch SGD.
struct MeanEstimation: FiniteSumObjective {
    let data: [Double]

    var dimension: Int { 1 }
    var name: String { "mean-estimation" }
    var sampleCount: Int { data.count }

    func sampleValue(_ i: Int, _ x: [Double]) -> Double {
        0.5 * (x[0] - data[i]) * (x[0] - data[i])
    }

    func addSampleGradient(_ i: Int, _ x: [Double], scale: Double, into g: inout [Double]) {
        g[0] += scale * (x[0] - data[i])
    }
}

// MARK: - Conventions.md

/// fᵢ(x) = ½‖x‖² − gᵢᵀx, so ∇fᵢ(x) = x − gᵢ and the gradient noise is ḡ − gᵢ at every x.
struct FixedGradients: FiniteSumObjective {
    let vectors: [[Double]]   // the gᵢ

    var dimension: Int { vectors[0].count }
    var name: String { "fixed-gradients" }
    var sampleCount: Int { vectors.count }

    func sampleValue(_ i: Int, _ x: [Double]) -> Double {
        var s = 0.0
        for j in 0..<dimension { s += 0.5 * x[j] * x[j] - vectors[i][j] * x[j] }
        return s
    }

    func addSampleGradient(_ i: Int, _ x: [Double], scale: Double, into g: inout [Double]) {
        for j in 0..<dimension { g[j] += scale * (x[j] - vectors[i][j]) }
    }
}

// MARK: - Reproducibility.md

/// f(x) = ½‖x‖² with additive Gaussian gradient noise: ∇f_γ(x) = x − σγ, γ ~ N(0, I).
struct NoisyBowl: StochasticOracleObjective {
    let dimension: Int
    let sigma: Double

    var name: String { "noisy-bowl" }

    func value(_ x: [Double]) -> Double { 0.5 * x.reduce(0) { $0 + $1 * $1 } }

    func gradient(_ x: [Double], into g: inout [Double]) {
        for i in 0..<dimension { g[i] = x[i] }
    }

    // Every draw is read at its address (path, step, component); nothing is stored between calls.
    func stochasticGradient(_ x: [Double], rng: CounterRNG, path: Int, step: Int, draw: Int,
                            into g: inout [Double]) {
        for i in 0..<dimension {
            g[i] = x[i] - sigma * rng.gaussian(path: path, step: step, component: draw * dimension + i)
        }
    }

    func noiseCovariance(_ x: [Double]) -> Matrix {
        Matrix.diagonal([Double](repeating: sigma * sigma, count: dimension))
    }

    var noiseIsConstant: Bool { true }
}

@Suite("Documentation examples")
struct DocumentationExampleTests {

    // MARK: GettingStarted.md

    @Test("Getting started: GD on the user's ShiftedBowl converges to its center (|x − c| < 1e-8 after 200 steps)")
    func userObjectiveGradientDescent() {
        let bowl = ShiftedBowl(curvatures: [1, 4], center: [2, -1])
        let gd = GradientDescent(bowl, learningRate: 0.1)
        let path = gd.run(from: [0, 0], steps: 200)
        let last = path.points.last!                       // x₂₀₀
        let distance = zip(last, bowl.center).map { abs($0 - $1) }.max()!
        // max|1 − η aᵢ| = 0.9, so the distance is at most 0.9²⁰⁰ · 2 ≈ 1.4e-9.

        #expect(path.divergedAt == nil)
        #expect(path.times.last! == 200 * 0.1)             // t = kη
        #expect(distance < 1e-8)
    }

    @Test("Getting started: the ClosureObjective form gives the same values and gradients as the struct")
    func closureObjective() {
        let bowl = ShiftedBowl(curvatures: [1, 4], center: [2, -1])
        let sameBowl = ClosureObjective(
            name: "shifted-bowl", dimension: 2,
            value: { x in 0.5 * (x[0] - 2) * (x[0] - 2) + 2 * (x[1] + 1) * (x[1] + 1) },
            gradient: { x, g in g[0] = x[0] - 2; g[1] = 4 * (x[1] + 1) })

        for x in [[0.0, 0.0], [1.5, -3.0], [2.0, -1.0]] {
            #expect(abs(sameBowl.value(x) - bowl.value(x)) < 1e-14)
            #expect(sameBowl.gradient(x) == bowl.gradient(x))
        }
    }

    @Test("Getting started: GD vs gradient flow — the gap is O(η): it halves when η halves (ratio 2 ± 0.15), fitted order 1 ± 0.1")
    func gradientDescentAgainstGradientFlow() {
        let bowl = ShiftedBowl(curvatures: [1, 4], center: [2, -1])
        let eta = 0.05, horizon = 2.0
        let steps = Int((horizon / eta).rounded())
        let times = (0...steps).map { Double($0) * eta }          // t = kη
        let flow = DormandPrince54(rtol: 1e-12, atol: 1e-14)
            .solve(ODEProblem(model: GradientFlow(bowl), initialState: [0, 0], saveTimes: times))
        let iterates = GradientDescent(bowl, learningRate: eta).run(from: [0, 0], steps: steps).points
        var gap = 0.0
        for k in 0...steps {
            gap = max(gap, zip(iterates[k], flow.states[k]).map { abs($0 - $1) }.max()!)
        }

        let study = TrajectoryGap(horizon: 2).run(learningRates: [0.05, 0.025, 0.0125], start: [0, 0]) { eta in
            (GradientDescent(bowl, learningRate: eta), GradientFlow(bowl))
        }
        let gaps = study.rows.map { $0.gap! }      // nil only for a diverged run
        let fit = study.fit!                       // slope of log gap on log η, with a 95% interval

        #expect(flow.status == .success)
        #expect(abs(gap - gaps[0]) < 1e-9)         // the hand-made loop is what TrajectoryGap measures
        #expect(gaps[0] > 0.01)
        for i in 1..<gaps.count { #expect(abs(gaps[i - 1] / gaps[i] - 2) < 0.15) }
        #expect(abs(fit.order - 1) < 0.1)
    }

    @Test("Getting started: minibatch SGD ensemble on MeanEstimation — mean and variance at t = 5 match the exact recursion within 4 standard errors")
    func finiteSumEnsemble() {
        let samples = MeanEstimation(data: [-1, 0, 0.5, 2, 3.5])   // mean 1, population variance σ² = 2.5
        let batches = MinibatchGradient(samples, batchSize: 2, sampling: .withReplacement)
        let sgd = SGD(batches, learningRate: 0.1)
        let kernel = AlgorithmKernel(sgd, start: [0], steps: 50, saveEvery: 10, seed: 7)
        let result = Ensemble(paths: 4000).run(kernel, observables: [Observable("f") { samples.value($0) }])

        let last = result.moments.last!            // statistics at the last save point
        let meanX = last.mean[0]                   // E x₅₀ (value 0: the position)
        let meanXError = last.standardError(0)
        let varianceX = last.variance(0)
        let meanF = last.mean[1]                   // E f(x₅₀) (value 1: the first observable)

        // x_{k+1} = x_k − η(x_k − ā + ε_k), Var ε = σ²/b: E x_k = 1 − 0.9ᵏ,
        // Var x_k = η² (σ²/b) (1 − 0.81ᵏ)/(1 − 0.81).
        let k = 50.0
        let exactMean = 1 - pow(0.9, k)
        let exactVariance = 0.01 * 1.25 * (1 - pow(0.81, k)) / 0.19
        #expect(zip(result.saveTimes, [0.0, 1, 2, 3, 4, 5]).allSatisfy { abs($0 - $1) < 1e-12 })   // t = kη
        #expect(result.observableNames == ["f"])
        #expect(result.divergences.isEmpty && result.completePaths == 4000)
        #expect(abs(meanX - exactMean) < 4 * meanXError)
        // standard error of a Gaussian sample variance: v √(2/(n − 1))
        #expect(abs(varianceX - exactVariance) < 4 * exactVariance * (2.0 / 3999).squareRoot())
        // E f = ½ (E x − 1)² + ½ Var x + ½ σ²
        let exactF = 0.5 * (exactMean - 1) * (exactMean - 1) + 0.5 * exactVariance + 0.5 * 2.5
        #expect(abs(meanF - exactF) < 4 * last.standardError(1))
    }

    // MARK: Conventions.md

    @Test("Conventions: Σ of docs/THEORY.md §2.2's worked example and its 1/b and (n−b)/(b(n−1)) factors; SME-1 diffusion σσᵀ = η c Σ")
    func noiseCovarianceFactors() {
        let five = FixedGradients(vectors: [[1, 0], [2, 1], [-1, 3], [0.5, -2], [4, 1]])
        let sigma = GradientNoise.sampleCovariance(five, at: [0, 0])   // population covariance (divides by n)
        let c1 = Sampling.withReplacement.covarianceFactor(batchSize: 2, sampleCount: 5)     // 1/b = 1/2
        let c2 = Sampling.withoutReplacement.covarianceFactor(batchSize: 2, sampleCount: 5)  // (n−b)/(b(n−1)) = 3/8

        let batches = MinibatchGradient(five, batchSize: 2, sampling: .withoutReplacement)
        let sme = SME(of: SGD(batches, learningRate: 0.1), order: 1)
        let s = sme.diffusionMatrix([0, 0], t: 0)
        let diffusionCovariance = s * s.transposed                     // = η · c · Σ

        let expected = Matrix([[2.76, -0.38], [-0.38, 2.64]])
        #expect((sigma - expected).maxAbs < 1e-12)
        #expect(c1 == 0.5 && c2 == 0.375)
        #expect((c2 * sigma - Matrix([[1.035, -0.1425], [-0.1425, 0.99]])).maxAbs < 1e-12)
        #expect((diffusionCovariance - (0.1 * c2) * sigma).maxAbs < 1e-12)
        #expect(sme.timeIdentification == "t = kη")
    }

    @Test("Conventions: SME-2 drift of f = x⁴/4 at x = 1, η = 0.1 is −1.15 (docs/THEORY.md §4.3); time per step η, √η for regime B")
    func smeDriftAndTimeScales() {
        let quartic = Quartic(c: 0)                                    // f(x) = x⁴/4
        let sme2 = SME(ExactGradient(quartic), learningRate: 0.1, order: 2)
        var b = [0.0]
        sme2.drift([1], t: 0, into: &b)                                // −(f′ + (η/2) f″ f′)

        let f = NoisyQuadratic(hessian: .diagonal([1, 2]))
        let sgd = SGD(OracleGradient(f), learningRate: 0.04)
        let heavyBall = HeavyBall(OracleGradient(f), learningRate: 0.04, momentum: 0.9)
        let regimeB = UnderdampedMomentumSME(heavyBall: heavyBall)     // 1 − μ = λ_m √η

        #expect(abs(b[0] + 1.15) < 1e-12)
        #expect(sgd.timePerStep == 0.04)
        #expect(regimeB.timeIdentification == "t = k√η")
        #expect(abs(regimeB.friction - 0.1 / 0.2) < 1e-12)              // λ_m = (1 − μ)/√η
    }

    // MARK: MeasuringWeakError.md

    @Test("Weak error, exact: docs/THEORY.md §5.3's table to 5 digits; fitted orders 1 and 2 (SME-2: 2 ± 0.05)")
    func exactWeakErrorCurve() {
        let h = Matrix.diagonal([1, 2])
        let curve = QuadraticMoments.weakErrorCurve(hessian: h, from: [1, 1],
                                                    learningRates: [0.1, 0.05, 0.025, 0.0125], horizon: 1)
        let fit1 = OrderFit(steps: curve.map(\.learningRate), errors: curve.map(\.sme1))!
        let fit2 = OrderFit(steps: curve.map(\.learningRate), errors: curve.map(\.sme2))!

        let table: [(Double, Double)] = [(3.5498e-2, 2.1072e-2), (2.0198e-2, 5.1703e-3),
                                         (1.0621e-2, 1.2822e-3), (5.4419e-3, 3.1936e-4)]
        for (point, row) in zip(curve, table) {
            #expect(abs(point.sme1 / row.0 - 1) < 1e-4)
            #expect(abs(point.sme2 / row.1 - 1) < 1e-4)
        }
        #expect(fit1.order > 0.8 && fit1.order < 1.0)     // local orders 0.81, 0.93, 0.96 → 1
        #expect(abs(fit2.order - 2) < 0.05)
        #expect(fit1.localOrders.count == 3)
    }

    @Test("Weak error, exact: other test functions through QuadraticMoments and WeakError.exact; x₁⁴ gives order 2 for SME-2")
    func exactWeakErrorByHand() {
        func sme2Error(eta: Double) -> WeakError.Point {
            let f = NoisyQuadratic(hessian: .diagonal([1, 2]))
            let moments = QuadraticMoments(f, learningRate: eta)
            let n = moments.steps(horizon: 1)                           // ⌊T/η⌋
            let sgdLaws = moments.sgd(from: [1, 1], steps: n)           // N(m_k, S_k), k = 0…n
            let smeLaws = moments.sme(order: 2, from: [1, 1], steps: n) // laws of X at t = kη
            let g = TestFunction.fourthPower(0)                         // g(x) = x₁⁴
            return WeakError.exact(sgdLaws.map { moments.expectation(of: g, under: $0) },
                                   smeLaws.map { moments.expectation(of: g, under: $0) }, learningRate: eta)
        }
        let points = [0.1, 0.05, 0.025].map(sme2Error)
        let fit = OrderFit(steps: points.map(\.learningRate), errors: points.map(\.error))!

        #expect(points.allSatisfy { $0.lower == $0.error && $0.upper == $0.error && $0.paths == 0 })
        #expect(abs(fit.order - 2) < 0.15)
    }

    @Test("Weak error, Monte Carlo with common random numbers: every exact value lies in its 95% interval; the SME-2 fit is 2 ± 0.3")
    func monteCarloWeakError() {
        func monteCarloWeakError(eta: Double, paths: Int, seed: UInt64) -> [WeakError.Point] {
            let f = NoisyQuadratic(hessian: .diagonal([1, 2]))
            let x0 = [1.0, 1.0]
            let steps = Int((1 / eta).rounded())                     // T = 1
            var oracle = OracleGradient(f)
            oracle.noiseStream = RandomStream.brownian               // γ_k = ΔW_k/√η: common random numbers
            let sgd = AlgorithmKernel(SGD(oracle, learningRate: eta), start: x0, steps: steps, seed: seed)
            let smes = [1, 2].map { order in
                let sme = SME(OracleGradient(f), learningRate: eta, order: order)
                return SDEKernel(sme, solver: ExactLinearStep(sme, stepSize: eta), start: x0,
                                 stepSize: eta, steps: steps, seed: seed)
            }
            let g = TestFunction.objective.form(quadratic: (f.base.hessianMatrix, f.base.center))!
            let differences = [0, 1].map { m in
                Observable.difference("Δf SME-\(m + 1)", dimension: 2, against: m, form: g)
            }
            let result = Ensemble(paths: paths).run(PairedKernel(sgd, smes), observables: differences)
            return [0, 1].map { WeakError.paired(result, observable: $0, learningRate: eta) }
        }

        let etas = [0.1, 0.05, 0.025]
        let measured = etas.map { monteCarloWeakError(eta: $0, paths: 10_000, seed: 1) }
        let sme2 = measured.map { $0[1] }
        let fit2 = OrderFit(steps: etas, errors: sme2.map(\.error))!

        let exact = QuadraticMoments.weakErrorCurve(hessian: .diagonal([1, 2]), from: [1, 1],
                                                    learningRates: etas, horizon: 1)
        for (points, truth) in zip(measured, exact) {
            #expect(points[0].lower <= truth.sme1 && truth.sme1 <= points[0].upper)
            #expect(points[1].lower <= truth.sme2 && truth.sme2 <= points[1].upper)
            #expect(points[0].paths == 10_000)
        }
        #expect(abs(fit2.order - 2) < 0.3)
    }

    @Test("Weak error, finite sum: independent SGD and SME-1 ensembles (Euler–Maruyama, 4 substeps); the exact error lies in the interval, and requiredPaths sizes the next run")
    func independentEnsemblesWeakError() {
        let samples = MeanEstimation(data: [-1, 0, 0.5, 2, 3.5])
        let batches = MinibatchGradient(samples, batchSize: 2)
        let eta = 0.1, steps = 10, substeps = 4
        let g = Observable("x²", form: .squaredNorm)
        let ensemble = Ensemble(paths: 4000)
        let sgdRun = ensemble.run(AlgorithmKernel(SGD(batches, learningRate: eta), start: [0], steps: steps, seed: 1),
                                  observables: [g])
        let sme = SME(batches, learningRate: eta, order: 1)
        let smeRun = ensemble.run(SDEKernel(sme, solver: EulerMaruyama(), start: [0], stepSize: eta / Double(substeps),
                                            steps: steps * substeps, saveEvery: substeps, seed: 2),
                                  observables: [g])
        let point = WeakError.compare(sgdRun, smeRun, observable: 0, learningRate: eta)

        // Paths that keep 5 standard errors below a tenth of this error (docs/THEORY.md §5.4):
        let sd = point.standardError * Double(point.paths).squareRoot()
        let paths = WeakError.requiredPaths(standardDeviation: sd, expectedError: point.error, fraction: 0.1)

        // Exact E x² of both chains: SGD x' = 0.9x + 0.1 − 0.1ε (Var ε = 1.25); Euler–Maruyama on the
        // OU process at h = 0.025: X' = 0.975X + 0.025 + √(η σ²/b) ΔW.
        var worst = 0.0
        for k in 0...steps {
            let kk = Double(k), n = Double(k * substeps)
            let mSGD = 1 - pow(0.9, kk), vSGD = 0.01 * 1.25 * (1 - pow(0.81, kk)) / 0.19
            let mEM = 1 - pow(0.975, n), vEM = 0.1 * 1.25 * 0.025 * (1 - pow(0.975 * 0.975, n)) / (1 - 0.975 * 0.975)
            worst = max(worst, abs((mSGD * mSGD + vSGD) - (mEM * mEM + vEM)))
        }
        #expect(point.lower <= worst && worst <= point.upper)
        #expect(point.paths == 4000)
        #expect(paths > 4000)
    }

    // MARK: Reproducibility.md

    @Test("Reproducibility: a draw is a function of its address (seed, stream, path, step, component)")
    func counterRNGAddresses() {
        let rng = CounterRNG(seed: 2024)
        let a = rng.gaussian(path: 17, step: 3, component: 1)
        let b = CounterRNG(seed: 2024).gaussian(path: 17, step: 3, component: 1)        // same address
        let pair = rng.gaussianPair(path: 17, step: 3, block: 0)                         // components 0 and 1
        let batchStream = rng.withStream(RandomStream.batches).gaussian(path: 17, step: 3, component: 1)
        let nextStep = rng.gaussian(path: 17, step: 4, component: 1)

        #expect(a.bitPattern == b.bitPattern)
        #expect(a.bitPattern == pair.1.bitPattern)
        #expect(a != batchStream && a != nextStep)
    }

    @Test("Reproducibility: bitwise-identical statistics with 1 or 2 threads and with 3 shards merged")
    func threadsAndShards() throws {
        let f = NoisyQuadratic(hessian: .diagonal([1, 2]))
        let kernel = AlgorithmKernel(SGD(OracleGradient(f), learningRate: 0.05), start: [1, 1],
                                     steps: 40, saveEvery: 10, seed: 11)
        let g = [Observable("f", form: .quadratic(hessian: f.base.hessianMatrix, center: f.base.center))]
        var ensemble = Ensemble(paths: 3000, blockSize: 256, threads: 1)
        let oneThread = ensemble.run(kernel, observables: g, seedDescription: "seed 11")
        ensemble.threads = 2
        let twoThreads = ensemble.run(kernel, observables: g, seedDescription: "seed 11")
        var parts: [EnsembleResult] = []
        for i in [2, 0, 1] {                                  // shards may arrive in any order
            var part = ensemble
            part.shard = try Shard(index: i, count: 3)
            parts.append(part.run(kernel, observables: g, seedDescription: "seed 11"))
        }
        let merged = try EnsembleResult.merge(parts)
        // oneThread.moments == twoThreads.moments == merged.moments, bit for bit

        #expect(oneThread.moments == twoThreads.moments)
        #expect(merged.moments == oneThread.moments)
        #expect(try Shard(parsing: "1/3") == Shard(index: 1, count: 3))
    }

    @Test("Reproducibility: the user's NoisyBowl oracle gives the same ensemble on 1 and 2 threads, and its mean is (1 − η)ᵏ x₀ within 4 SE")
    func userOracleIsReproducible() {
        let bowl = NoisyBowl(dimension: 3, sigma: 0.5)
        let kernel = AlgorithmKernel(SGD(OracleGradient(bowl), learningRate: 0.1), start: [1, -1, 2],
                                     steps: 20, saveEvery: 20, seed: 5)
        let first = Ensemble(paths: 2000, threads: 1).run(kernel)
        let second = Ensemble(paths: 2000, threads: 2).run(kernel)
        // first.moments == second.moments

        #expect(first.moments == second.moments)
        let last = first.moments.last!
        for (i, x0) in [1.0, -1, 2].enumerated() {
            #expect(abs(last.mean[i] - pow(0.9, 20) * x0) < 4 * last.standardError(i))
        }
    }

    @Test("Reproducibility: common random numbers shrink the standard error of E f(x_k) − E f(X_kη) at least fivefold")
    func commonRandomNumbers() {
        let f = NoisyQuadratic(hessian: .diagonal([1, 2]))
        let eta = 0.1, steps = 10, x0 = [1.0, 1.0]
        let sme = SME(OracleGradient(f), learningRate: eta, order: 1)
        let model = { (seed: UInt64) in
            SDEKernel(sme, solver: ExactLinearStep(sme, stepSize: eta), start: x0, stepSize: eta, steps: steps, seed: seed)
        }
        let objective = ObservableForm.quadratic(hessian: f.base.hessianMatrix, center: f.base.center)
        let ensemble = Ensemble(paths: 5000)

        // Coupled: SGD's γ_k is the model's ΔW_k/√η (same seed, Brownian stream).
        var coupled = OracleGradient(f)
        coupled.noiseStream = RandomStream.brownian
        let paired = ensemble.run(
            PairedKernel(AlgorithmKernel(SGD(coupled, learningRate: eta), start: x0, steps: steps, seed: 3), model(3)),
            observables: [Observable.difference("Δf", dimension: 2, form: objective)])
        let withCRN = WeakError.paired(paired, observable: 0, learningRate: eta)

        // Independent: SGD's oracle stream and the model's Brownian path never meet.
        let g = [Observable("f", form: objective)]
        let sgdAlone = ensemble.run(AlgorithmKernel(SGD(OracleGradient(f), learningRate: eta), start: x0,
                                                    steps: steps, seed: 3), observables: g)
        let modelAlone = ensemble.run(model(4), observables: g)
        let withoutCRN = WeakError.compare(sgdAlone, modelAlone, observable: 0, learningRate: eta)

        #expect(withCRN.standardError * 5 < withoutCRN.standardError)
        #expect(withCRN.lower <= 0.035498 && 0.035498 <= withCRN.upper)   // docs/THEORY.md §5.3, η = 0.1
    }
}

// MARK: - RunningStudies.md

// Each sample runs a study as its `sgdyn` command does (the command is in the article next to the
// sample). Where the test says "the CLI printed", the value was read from the `result.json` of
// `.build/debug/sgdyn <command> --no-store --out DIR` (`.build/release/sgdyn` prints the same bits): the
// library and the CLI give the same numbers, bit for bit.

@Suite("RunningStudies.md samples")
struct RunningStudiesSamples {
    @Test("gap: the order of GD against gradient flow is about 1, with an interval that contains 1")
    func gap() throws {
        let gap = try GapStudy(.init(objective: .init(name: "quartic")))
        let result = try gap.run(StudyContext())
        let order = result.metric("order gf")!   // GD against gradient flow: ≈ 1.065, its 95% interval contains 1

        #expect(abs(order.value - 1.065) < 0.001 && order.interval!.contains(1))
    }

    @Test("flow: halving η halves the gap to gradient flow (ratio 2.2) and quarters the gap to the IGR flow (4.4); η > 2/λ_max diverges")
    func flow() throws {
        let flow = try FlowStudy(.init(objective: .init(name: "ill-quadratic"), learningRates: [0.04, 0.02, 0.21]))
        let result = try flow.run(StudyContext())
        let critical = result.metric("critical learning rate")!.value   // 2/λ_max = 0.2
        let gf = result.metric("euclidean gap gf at η=0.04")!.value / result.metric("euclidean gap gf at η=0.02")!.value     // ≈ 2.2: O(η)
        let igr = result.metric("euclidean gap igr at η=0.04")!.value / result.metric("euclidean gap igr at η=0.02")!.value  // ≈ 4.4: O(η²)
        let status = result.status               // .diverged: η = 0.21 > 2/λ_max, and result.warnings says so

        #expect(abs(critical - 0.2) < 1e-12)
        #expect(abs(gf - 2.22) < 0.01 && abs(igr - 4.41) < 0.01)
        #expect(status == .diverged)
        #expect(result.warnings.contains { $0.kind == .diverged && $0.message.contains("0.21") })
        // `sgdyn flow --etas 0.04,0.02,0.21 --no-store --out DIR` printed gap to GF 0.08934183307185328 at η = 0.04.
        #expect(result.metric("euclidean gap gf at η=0.04")!.value == 0.08934183307185328)
    }

    @Test("weak error, exact: SME-2 has fitted order 2.01")
    func weakError() throws {
        var configuration = WeakErrorStudy.Configuration()
        configuration.mode = .exact
        let result = try WeakErrorStudy(configuration).run(StudyContext())
        let order = result.metric("order SME-2")!.value   // ≈ 2.01 (docs/THEORY.md §5.3)

        #expect(abs(order - 2.014) < 0.001)
    }

    @Test("simulate: E x₁ at T = 1 is (1 − η)¹⁰ = 0.9¹⁰ within 2 standard errors; the rows are t = 0, 0.2, …, 1; the CLI's numbers")
    func simulate() throws {
        var configuration = SimulateStudy.Configuration()   // SGD on li-tai-e: H = diag(1, 2), x₀ = (1, 1), η = 0.1
        configuration.paths = 2000
        configuration.horizon = 1
        configuration.saves = 5
        let result = try SimulateStudy(configuration).run(StudyContext())
        let mean = result.metric("mean x1 at t=1")!         // E x₁ at the last save, t = T = 1, with its standard error
        let times = result.table("simulate")!.numbers("t")  // 0, 0.2, …, 1
        // Unbiased noise: E x_k = (I − ηH)ᵏ x₀, so E x₁ = 0.9¹⁰ = 0.3487 at T = 1 (docs/THEORY.md §5.3).

        #expect(abs(mean.value - pow(0.9, 10)) < 2 * mean.standardError!)
        #expect(times.count == 6 && zip(times, [0, 0.2, 0.4, 0.6, 0.8, 1]).allSatisfy { abs($0! - $1) < 1e-12 })
        // `sgdyn simulate --paths 2000 --horizon 1 --saves 5 --no-store --out DIR` printed E x1(T) = 0.3496809018146481.
        #expect(mean.value == 0.3496809018146481)
    }

    @Test("a configuration error names the parameter before any work is done")
    func configurationError() {
        var configuration = SimulateStudy.Configuration()
        configuration.learningRate = -0.1
        #expect { try SimulateStudy(configuration) } throws: { error in
            (error as? ConfigurationError)?.field == "learningRate"
        }
    }

    @Test("a run's identity: the spec names the study and holds the configuration with every default")
    func spec() throws {
        let spec = try GapStudy(.init(objective: .init(name: "quartic"))).spec()
        #expect(spec.study == "gap")
        #expect(spec.text.contains("\"quartic\"") && spec.hash.count == 64)
    }
}

// MARK: - DensityStudies.md

@Suite("DensityStudies.md samples")
struct DensityStudiesSamples {
    @Test("fokker-planck: Σ x²p of the double well's stationary law is docs/THEORY.md §7.4's 0.8405464652307093, and the law is the grid Gibbs law to round-off")
    func fokkerPlanck() throws {
        let result = try FokkerPlanckStudy(.init()).run(StudyContext())   // double well, D = 0.3, 121 nodes on [−3, 3]
        let secondMoment = result.metric("second moment")!.value          // 0.84054646523070…, docs/THEORY.md §7.4
        let toGibbs = result.metric("tv fp-stationary–gibbs")!.value       // ≈ 1e-15: the discrete equilibrium is e^{−f/D}/Z

        #expect(abs(secondMoment - 0.8405464652307093) < 1e-12)
        #expect(toGibbs < 1e-12)
    }

    @Test("master: the Bernoulli example's stationary variance is 1/3 (Uniform[−1, 1]), the Langevin model's 1/4")
    func master() throws {
        let result = try MasterStudy(.init()).run(StudyContext())   // Bernoulli example, ηλ = 0.5
        let laws = result.table("laws")!                           // master-equation, exact-discrete, langevin-gaussian, gibbs
        let variances = laws.numbers("variance")                   // ≈ 0.33336, 1/3, 0.25, 0.25
        let kurtosis = result.metric("excess kurtosis master")!     // ≈ −1.2, the uniform law's

        #expect(variances.count == 4)
        #expect(abs(variances[0]! - 1.0 / 3) < 1e-4 && variances[1]! == 1.0 / 3)
        #expect(abs(variances[2]! - 0.25) < 1e-12 && abs(variances[3]! - 0.25) < 1e-6)
        #expect(abs(kurtosis.value + 1.2) < 1e-3)
        #expect(abs(result.metric("variance ratio")!.value - 4.0 / 3) < 1e-12)   // 1/(1 − ηλ/2)
    }

    @Test("stationary: the ensemble's variance holds 1/3 within 2 SE; master 1/3, Langevin 1/4; the CLI's numbers")
    func stationary() throws {
        var configuration = StationaryStudy.Configuration()   // SGD on the Bernoulli example, ηλ = 0.5
        configuration.paths = 400
        configuration.burnIn = 50
        configuration.steps = 250
        let result = try StationaryStudy(configuration).run(StudyContext())
        let ensemble = result.metric("variance ensemble")!   // 0.3321 ± 0.0012, from the iterates
        let master = result.metric("variance master")!       // 0.33336, the master equation's law
        let langevin = result.metric("variance langevin")!   // 0.25, the Langevin model's

        #expect(abs(ensemble.value - 1.0 / 3) < 2 * ensemble.standardError!)
        #expect(abs(master.value - 1.0 / 3) < 1e-4)
        #expect(abs(langevin.value - 0.25) < 1e-9)
        // `sgdyn stationary --paths 400 --burn-in 50 --steps 250 --no-store --out DIR` printed 0.33213823486221156.
        #expect(ensemble.value == 0.33213823486221156)
    }
}

// MARK: - NoiseAndStabilityStudies.md

@Suite("NoiseAndStabilityStudies.md samples")
struct NoiseAndStabilityStudiesSamples {
    @Test("noise: E‖ξ_B‖² falls as 1/b (slope −1 in its interval) and Σ is aligned with H; the CLI's numbers")
    func noise() throws {
        var configuration = NoiseStudy.Configuration()
        configuration.problem = FiniteSumChoice(objective: .leastSquares)   // diabetes, at its minimum
        configuration.draws = 2000
        configuration.scalingDraws = 500
        let result = try NoiseStudy(configuration).run(StudyContext())
        let slope = result.metric("slope 1/b")!                // −0.99 [−1.02, −0.96]: Cov ξ_B = Σ/b
        let alignment = result.metric("cos sigma H")!.value     // 0.97

        #expect(slope.interval!.contains(-1))
        #expect(alignment > 0.95)
        // `sgdyn noise --objective least-squares --draws 2000 --scaling-draws 500 --no-store --out DIR`
        // printed the slope -0.9915580052031634.
        #expect(slope.value == -0.9915580052031634)
    }

    @Test("stability: η*_λmax ≤ η*_exact ≤ 2/a at b = 1, and η*_exact = 2/a at b = n without replacement")
    func stability() throws {
        var configuration = StabilityStudy.Configuration()
        configuration.example = .overparameterized   // least squares, n = 5 Gaussian samples in d = 10
        configuration.samples = 5
        configuration.dimension = 10
        let result = try StabilityStudy(configuration).run(StudyContext())
        let gd = result.metric("GD limit 2/a")!.value                                   // 0.504
        let exact = result.metric("eta* exact b=1 with-replacement")!.value              // 0.106
        let sufficient = result.metric("eta* lambda-max b=1 with-replacement")!.value    // 0.104
        let full = result.metric("eta* exact b=5 without-replacement")!.value            // = 2/a: c(n) = 0

        #expect(sufficient <= exact && exact <= gd)
        #expect(abs(full - gd) < 1e-12 * gd)
        #expect(abs(gd - 0.5042498151133726) < 1e-12)
    }
}

// MARK: - FormulaObjectives.md

@Suite("DocC: FormulaObjectives.md")
struct FormulaObjectivesArticleTests {
    @Test("the article's three samples print what it says")
    func samples() throws {
        let well = try ExpressionObjective("(x^2 - 1)^2 + a*y^2", parameters: ["a": 0.5])
        #expect(well.variables == ["x", "y"])
        #expect(well.gradient([2, 1]) == [24.0, 1.0])

        let line = try ExpressionFiniteSum("0.5*(w*x_i - y_i)^2",
                                           columns: [("x", [1, 2, 3]), ("y", [2, 4.1, 5.9])])
        #expect(line.sampleCount == 3 && line.dimension == 1)

        let liTaiE = try ExpressionOracle("0.5*(x - z1)^2 + (y - z2)^2 - 1.5", noise: ["z1", "z2"])
        #expect(liTaiE.noiseIsConstant)
        #expect(liTaiE.noiseCovariance([0, 0])[1, 1] == 4.0)
    }
}
