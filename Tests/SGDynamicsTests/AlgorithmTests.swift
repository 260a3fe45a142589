import Foundation
import Testing
@testable import SGDynamics

/// A finite sum with constant per-sample gradients gᵢ: fᵢ(x) = gᵢᵀx, so the minibatch gradient is
/// exactly the minibatch mean of docs/THEORY.md §2.2.
struct LinearSum: FiniteSumObjective {
    let g: [[Double]]
    var dimension: Int { g[0].count }
    var name: String { "linear-sum" }
    var sampleCount: Int { g.count }
    func sampleValue(_ i: Int, _ x: [Double]) -> Double { Vec.dot(g[i], x) }
    func addSampleGradient(_ i: Int, _ x: [Double], scale: Double, into out: inout [Double]) {
        for j in 0..<out.count { out[j] += scale * g[i][j] }
    }
}

let section22 = LinearSum(g: [[1, 0], [2, 1], [-1, 3], [0.5, -2], [4, 1]])

@Suite("Discrete algorithms")
struct AlgorithmTests {
    @Test("§2.2 worked example: Σ, and minibatch covariances with and without replacement")
    func minibatchCovariance() {
        let sigma = GradientNoise.sampleCovariance(section22, at: [0, 0])
        #expect((sigma - Matrix([[2.76, -0.38], [-0.38, 2.64]])).maxAbs < 1e-12)
        let with = GradientNoise.minibatchCovariance(sigma, batchSize: 2, sampleCount: 5, sampling: .withReplacement)
        #expect((with - Matrix([[1.38, -0.19], [-0.19, 1.32]])).maxAbs < 1e-12)
        let without = GradientNoise.minibatchCovariance(sigma, batchSize: 2, sampleCount: 5, sampling: .withoutReplacement)
        #expect((without - Matrix([[1.035, -0.1425], [-0.1425, 0.99]])).maxAbs < 1e-12)
    }

    @Test("Sampled minibatches have mean (1.3, 0.6) and the §2.2 covariances within 4 standard errors",
          arguments: [Sampling.withReplacement, .withoutReplacement, .reshuffling])
    func sampledMinibatches(sampling: Sampling) {
        let src = MinibatchGradient(section22, batchSize: 2, sampling: sampling)
        var scratch = src.makeScratch()
        var g = [0.0, 0.0]
        let rng = CounterRNG(seed: 7)
        let n = 40_000
        var s = [0.0, 0.0], s2 = [0.0, 0.0, 0.0]
        for p in 0..<n {
            src.estimate([0, 0], step: 0, path: p, draw: 0, rng: rng, scratch: &scratch, into: &g)
            s[0] += g[0]; s[1] += g[1]
            s2[0] += g[0] * g[0]; s2[1] += g[0] * g[1]; s2[2] += g[1] * g[1]
        }
        let m = s.map { $0 / Double(n) }
        let c00 = s2[0] / Double(n) - m[0] * m[0], c11 = s2[2] / Double(n) - m[1] * m[1]
        let target = sampling == .withReplacement ? (1.38, 1.32) : (1.035, 0.99)
        #expect(abs(m[0] - 1.3) < 4 * (target.0 / Double(n)).squareRoot())
        #expect(abs(m[1] - 0.6) < 4 * (target.1 / Double(n)).squareRoot())
        // sd of a sample variance ≈ var·√(2/n) for near-Gaussian data; use a generous √(4/n)·var bound
        #expect(abs(c00 - target.0) < 4 * target.0 * (4.0 / Double(n)).squareRoot())
        #expect(abs(c11 - target.1) < 4 * target.1 * (4.0 / Double(n)).squareRoot())
    }

    @Test("Without replacement draws distinct indices; reshuffling uses every index once per epoch")
    func samplingInvariants() {
        let f = LinearSum(g: (0..<10).map { [Double($0)] })
        let wo = MinibatchGradient(f, batchSize: 7, sampling: .withoutReplacement)
        var s = wo.makeScratch()
        for step in 0..<200 {
            wo.drawBatch(step: step, path: 0, draw: 0, rng: CounterRNG(seed: 1), scratch: &s)
            #expect(Set(s.indices).count == 7)
            #expect(s.pool == Array(0..<10))
        }
        let rr = MinibatchGradient(f, batchSize: 5, sampling: .reshuffling)
        var t = rr.makeScratch()
        var seen: [Int] = []
        for step in 0..<2 {
            rr.drawBatch(step: step, path: 3, draw: 0, rng: CounterRNG(seed: 1), scratch: &t)
            seen += t.indices
        }
        #expect(seen.sorted() == Array(0..<10))
    }

    @Test("Heavy ball velocity form equals Polyak's form x_{k+1} = x_k − η∇f + μ(x_k − x_{k−1})")
    func heavyBallPolyak() {
        let q = Quadratic(diagonal: [1, 10])
        let hb = HeavyBall(ExactGradient(q), learningRate: 0.05, momentum: 0.7).run(from: [1, 1], steps: 30).points
        var prev = [1.0, 1.0], x = [1.0, 1.0]
        for k in 1...30 {
            let g = q.gradient(x)
            let next = (0..<2).map { x[$0] - 0.05 * g[$0] + 0.7 * (x[$0] - prev[$0]) }
            prev = x; x = next
            #expect(Vec.distanceMax(x, hb[k]) < 1e-13)
        }
    }

    @Test("Nesterov (Sutskever) on a 1-D quadratic is the AR(2) x_{k+1} = (1+μ)(1−ηλ)x_k − μ(1−ηλ)x_{k−1}")
    func nesterovAR2() {
        let lambda = 3.0, eta = 0.1, mu = 0.6
        let pts = Nesterov(ExactGradient(Quadratic(diagonal: [lambda])), learningRate: eta, momentum: mu)
            .run(from: [1], steps: 20).points.map { $0[0] }
        for k in 1..<20 {
            let pred = (1 + mu) * (1 - eta * lambda) * pts[k] - mu * (1 - eta * lambda) * pts[k - 1]
            #expect(abs(pts[k + 1] - pred) < 1e-13)
        }
    }

    @Test("SVAG coefficients: a₁ + a₂ = 1, a₁² + a₂² = l; l = 1 is SGD")
    func svag() {
        for l in [1.0, 2, 4, 16.5] {
            let (a1, a2) = SVAG(OracleGradient(NoisyQuadratic(hessian: .identity(2))), learningRate: 0.1, amplification: l).coefficients
            #expect(abs(a1 + a2 - 1) < 1e-14 && abs(a1 * a1 + a2 * a2 - l) < 1e-12)
        }
        let f = NoisyQuadratic(hessian: .diagonal([1, 2]))
        let a = SVAG(OracleGradient(f), learningRate: 0.1, amplification: 1).run(from: [1, 1], steps: 10, rng: CounterRNG(seed: 3))
        let b = SGD(OracleGradient(f), learningRate: 0.1).run(from: [1, 1], steps: 10, rng: CounterRNG(seed: 3))
        #expect(a.points.last! == b.points.last!)
    }

    @Test("SGD on the Li–Tai–E quadratic: E f(x_1) = 1.09 at η = 0.1 (docs/THEORY.md §5.3) within 4 SE")
    func sgdOneStep() {
        let f = NoisyQuadratic(hessian: .diagonal([1, 2]))
        let sgd = SGD(OracleGradient(f), learningRate: 0.1)
        let n = 50_000
        var s = 0.0, s2 = 0.0
        for p in 0..<n {
            var st = sgd.makeState(start: [1, 1])
            sgd.step(&st, rng: CounterRNG(seed: 11), path: p)
            let v = f.value(st.position)
            s += v; s2 += v * v
        }
        let m = s / Double(n), sd = (s2 / Double(n) - m * m).squareRoot()
        #expect(abs(m - 1.09) < 4 * sd / Double(n).squareRoot())
    }

    @Test("SGLD with the exact gradient on f = P x²/2: stationary variance 1/(P(1 − ηP/2)) at T = 1 (§6.2)")
    func sgldBias() {
        // Welling–Teh mapping: η = ε/2, T = 1 gives the §6.2 chain θ' = (1 − εP/2)θ + √ε ξ.
        let p = 2.0, eps = 0.2
        let sgld = SGLD(ExactGradient(Quadratic(diagonal: [p])), learningRate: eps / 2, temperature: 1)
        let paths = 4000, burn = 200
        var s2 = 0.0, s4 = 0.0
        for path in 0..<paths {
            let x = sgld.run(from: [0], steps: burn, every: burn, rng: CounterRNG(seed: 5), path: path).points.last![0]
            s2 += x * x; s4 += x * x * x * x
        }
        let v = s2 / Double(paths), sd = ((s4 / Double(paths) - v * v) / Double(paths)).squareRoot()
        let exact = 1 / (p * (1 - eps * p / 4))
        #expect(abs(v - exact) < 4 * sd)
    }
}
