import Foundation
import Testing
@testable import SGDynamics

@Suite("Stochastic modified equations")
struct SMETests {
    let liTaiE = NoisyQuadratic(hessian: .diagonal([1, 2]))

    @Test("SME-2 drift: −1.15 for f = x⁴/4 at η = 0.1, x = 1 (docs/THEORY.md §4.3); −(H + (η/2)H²)x for a quadratic")
    func sme2Drift() {
        let sme = SME(ExactGradient(Quartic(c: 0)), learningRate: 0.1, order: 2)
        var b = [0.0]
        sme.drift([1], t: 0, into: &b)
        #expect(abs(b[0] + 1.15) < 1e-12)
        let q = SME(OracleGradient(liTaiE), learningRate: 0.1, order: 2)
        var b2 = [0.0, 0.0]
        q.drift([1, -2], t: 0, into: &b2)
        #expect(abs(b2[0] + 1.05) < 1e-12 && abs(b2[1] - 2 * (2 + 0.05 * 4)) < 1e-12)
    }

    @Test("Diffusion σσᵀ = η c Σ(x): constant (Li–Tai–E, b = 4), state-dependent (least squares), momentum regime A")
    func diffusion() throws {
        let a = SME(OracleGradient(liTaiE, batchSize: 4), learningRate: 0.05)
        let s = a.diffusionMatrix([0.3, 0.1], t: 0)
        #expect((s * s.transposed - (0.05 / 4) * Matrix.diagonal([1, 4])).maxAbs < 1e-14)
        let (ls, _) = LeastSquares.synthetic(n: 200, d: 4, noise: 0.3, seed: 3)
        let src = MinibatchGradient(ls, batchSize: 10, sampling: .withoutReplacement)
        let sme = SME(src, learningRate: 0.02)
        let theta = [0.2, -0.1, 0.5, 1.0]
        let sig = sme.diffusionMatrix(theta, t: 0)
        let target = (0.02 * (190.0 / (10 * 199))) * GradientNoise.sampleCovariance(ls, at: theta)
        #expect((sig * sig.transposed - target).maxAbs < 1e-12 * max(1, target.maxAbs))
        let hb = HeavyBall(OracleGradient(liTaiE), learningRate: 0.05, momentum: 0.8)
        let regimeA = SME(heavyBall: hb)
        var b = [0.0, 0.0]
        regimeA.drift([1, 1], t: 0, into: &b)
        #expect(abs(b[0] + 5) < 1e-12 && abs(b[1] + 10) < 1e-12)
        let sa = regimeA.diffusionMatrix([0, 0], t: 0)
        #expect((sa * sa.transposed - (0.05 * 25) * Matrix.diagonal([1, 4])).maxAbs < 1e-12)
    }

    @Test("Least-squares Σ(θ) from packed moment tensors equals the per-sample formula")
    func leastSquaresNoise() {
        let (ls, _) = LeastSquares.synthetic(n: 300, d: 6, noise: 0.2, seed: 8)
        var r = SplitMix64(seed: 1)
        var m = Matrix(rows: 6, columns: 6)
        for _ in 0..<5 {
            let th = (0..<6).map { _ in r.nextGaussian() }
            ls.noiseCovariance(th, into: &m)
            let direct = GradientNoise.sampleCovariance(ls, at: th)
            #expect((m - direct).maxAbs < 1e-10 * max(1, direct.maxAbs))
        }
    }

    @Test("Exact linear transition: SME-1/SME-2 of Li–Tai–E, one step, equals the exact moment map")
    func exactTransition() {
        for order in [1, 2] {
            let sme = SME(OracleGradient(liTaiE), learningRate: 0.1, order: order)
            let step = ExactLinearStep(sme, stepSize: 0.1)
            let mom = QuadraticMoments(liTaiE, learningRate: 0.1)
            let exact = mom.sme(order: order, from: [1, 1], at: 0.1)
            let mean = step.transition * [1.0, 1.0]
            #expect(Vec.distanceMax(mean, exact.mean) < 1e-13)
            #expect((step.noiseFactor * step.noiseFactor.transposed - exact.covariance).maxAbs < 1e-13)
        }
    }

    @Test("SME-1 ensemble by its exact transition matches the exact mean and variance within 4 standard errors")
    func smeEnsemble() {
        let sme = SME(OracleGradient(liTaiE), learningRate: 0.1)
        let kernel = SDEKernel(sme, solver: ExactLinearStep(sme, stepSize: 0.1), start: [1, 1], stepSize: 0.1, steps: 20,
                               saveEvery: 5, seed: 4)
        let r = Ensemble(paths: 20_000).run(kernel)
        let mom = QuadraticMoments(liTaiE, learningRate: 0.1)
        for (j, t) in r.saveTimes.enumerated() where j > 0 {
            let e = mom.sme(order: 1, from: [1, 1], at: t)
            for i in 0..<2 {
                let v = e.covariance[i, i]
                #expect(abs(r.moments[j].mean[i] - e.mean[i]) < 4 * (v / 20_000).squareRoot())
                #expect(abs(r.moments[j].variance(i) - v) < 4 * v * (2.0 / 19_999).squareRoot())
            }
        }
    }

    @Test("Monte Carlo weak error with common random numbers agrees with the exact error within 4 standard errors")
    func weakErrorMonteCarlo() {
        let eta = 0.1, n = 10
        var src = OracleGradient(liTaiE)
        src.noiseStream = RandomStream.brownian
        let f = liTaiE
        let diff = Observable("Δf") { v in f.value(Array(v[0..<2])) - f.value(Array(v[2..<4])) }
        let fAlg = Observable("f(x)") { v in f.value(Array(v[0..<2])) }
        let mom = QuadraticMoments(liTaiE, learningRate: eta)
        let exactSGD = mom.sgd(from: [1, 1], steps: n).map { mom.expectation(of: .objective, under: $0) }
        for order in [1, 2] {
            let sme = SME(OracleGradient(liTaiE), learningRate: eta, order: order)
            let k = PairedKernel(AlgorithmKernel(SGD(src, learningRate: eta), start: [1, 1], steps: n, seed: 6),
                                 SDEKernel(sme, solver: ExactLinearStep(sme, stepSize: eta), start: [1, 1], stepSize: eta, steps: n, seed: 6))
            let r = Ensemble(paths: 20_000).run(k, observables: [diff, fAlg])
            let mc = WeakError.paired(r, observable: 0, learningRate: eta)
            // Common random numbers: the paired difference varies far less than f itself (an
            // unpaired difference would have √2 times the sd of f).
            let last = r.moments[n]
            #expect(last.variance(4).squareRoot() < 0.3 * last.variance(5).squareRoot(),
                    "sd Δf \(last.variance(4).squareRoot()) vs sd f \(last.variance(5).squareRoot())")
            let exactSME = mom.sme(order: order, from: [1, 1], steps: n).map { mom.expectation(of: .objective, under: $0) }
            let ex = WeakError.exact(exactSGD, exactSME, learningRate: eta)
            #expect(abs(mc.error - ex.error) < 4 * mc.standardError, "SME-\(order): MC \(mc.error) vs exact \(ex.error)")
        }
    }
}
