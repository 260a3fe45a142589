import Foundation
import Testing
@testable import SGDynamics

@Suite("Ensemble engine")
struct EnsembleTests {
    /// W1's Ornstein–Uhlenbeck process dX = −X dt + √0.2 dW as Langevin at T = 0.1.
    let ou = Langevin(Quadratic(diagonal: [1]), temperature: 0.1)

    func ouKernel(steps: Int = 50) -> SDEKernel<Langevin<Quadratic>, EulerMaruyama> {
        SDEKernel(ou, solver: EulerMaruyama(), start: [1], stepSize: 0.05, steps: steps, saveEvery: 10, seed: 9)
    }

    @Test("Same seed: bitwise-identical statistics with 1 and 2 threads, and with 1 vs 4 shards merged")
    func reproducible() throws {
        let sq = Observable("x²") { $0[0] * $0[0] }
        var e = Ensemble(paths: 5000, blockSize: 256, threads: 1)
        let one = e.run(ouKernel(), observables: [sq], seedDescription: "9")
        e.threads = 2
        let two = e.run(ouKernel(), observables: [sq], seedDescription: "9")
        #expect(one.moments == two.moments)
        var parts: [EnsembleResult] = []
        for i in [2, 0, 3, 1] {   // any order of arrival
            var s = Ensemble(paths: 5000, blockSize: 256, threads: 2)
            s.shard = try Shard(index: i, count: 4)
            parts.append(s.run(ouKernel(), observables: [sq], seedDescription: "9"))
        }
        let merged = try EnsembleResult.merge(parts)
        #expect(merged.moments == one.moments)
        // JSON round trip keeps every bit (shards travel as files).
        let data = try JSONEncoder().encode(parts[0])
        #expect(try JSONDecoder().decode(EnsembleResult.self, from: data) == parts[0])
    }

    @Test("Minibatch SGD and SVAG with reshuffling: bitwise identical with 1 or 2 threads and 1 or 3 shards",
          arguments: [Sampling.withReplacement, .withoutReplacement, .reshuffling])
    func reproducibleMinibatches(sampling: Sampling) throws {
        let (ls, _) = LeastSquares.synthetic(n: 40, d: 3, noise: 0.5, seed: 2)
        let src = MinibatchGradient(ls, batchSize: 4, sampling: sampling)
        let kernel = AlgorithmKernel(SVAG(src, learningRate: 0.05, amplification: 3), start: [0, 0, 0], steps: 60, saveEvery: 20, seed: 4)
        var e = Ensemble(paths: 700, blockSize: 64, threads: 1)
        let one = e.run(kernel)
        e.threads = 2
        #expect(e.run(kernel).moments == one.moments)
        var parts: [EnsembleResult] = []
        for i in 0..<3 { var s = e; s.shard = try Shard(index: i, count: 3); parts.append(s.run(kernel)) }
        #expect(try EnsembleResult.merge(parts).moments == one.moments)
    }

    @Test("Euler–Maruyama OU ensemble: mean and variance match the exact chain within 4 standard errors")
    func ouMoments() {
        let r = Ensemble(paths: 20_000).run(ouKernel(), seedDescription: "9")
        let h = 0.05, a = 1 - h
        for (j, m) in r.moments.enumerated() {
            let k = Double(j * 10)
            let mean = pow(a, k), v = 0.2 * h * (1 - pow(a, 2 * k)) / (1 - a * a)
            #expect(m.count == 20_000)
            if j == 0 { #expect(m.mean[0] == 1); continue }
            #expect(abs(m.mean[0] - mean) < 4 * (v / Double(m.count)).squareRoot())
            // sd of the sample variance of Gaussian data: v √(2/(n−1))
            #expect(abs(m.variance(0) - v) < 4 * v * (2.0 / Double(m.count - 1)).squareRoot())
        }
    }

    @Test("Merged moments equal direct two-pass moments (Welford + Chan merge)")
    func momentMerge() {
        var r = SplitMix64(seed: 4)
        let xs = (0..<1000).map { _ in [r.nextGaussian() * 3 + 1, r.nextGaussian()] }
        var a = MomentStatistic(values: 2, coDimension: 2), b = a, all = a
        for (i, x) in xs.enumerated() { if i < 377 { a.add(x) } else { b.add(x) }; all.add(x) }
        a.merge(b)
        let m0 = xs.map { $0[0] }.reduce(0, +) / 1000, m1 = xs.map { $0[1] }.reduce(0, +) / 1000
        let c01 = zip(xs.map { $0[0] - m0 }, xs.map { $0[1] - m1 }).map(*).reduce(0, +) / 999
        #expect(abs(a.mean[0] - m0) < 1e-12 && abs(a.mean[1] - m1) < 1e-12)
        #expect(abs(a.covariance[0, 1] - c01) < 1e-12 && abs(all.covariance[1, 0] - c01) < 1e-12)
        #expect(abs(a.variance(0) - all.variance(0)) < 1e-12)
    }

    @Test("Diverging paths are counted with their step and excluded, never averaged in")
    func divergence() {
        // SGD on the Li–Tai–E quadratic with ηλ_max = 2.2 > 2: every path diverges.
        let f = NoisyQuadratic(hessian: .diagonal([1, 11]))
        let k = AlgorithmKernel(SGD(OracleGradient(f), learningRate: 0.2), start: [1, 1], steps: 400, saveEvery: 100, seed: 1)
        let r = Ensemble(paths: 300).run(k)
        #expect(r.divergences.count == 300)
        #expect(r.divergences.allSatisfy { $0.step > 0 && $0.step <= 400 })
        #expect(r.moments.last!.count == 0)
        // Where paths remain, their statistics are finite (diverged values are never averaged in).
        #expect(r.moments.filter { $0.count > 0 }.allSatisfy { $0.mean.allSatisfy(\.isFinite) && $0.m2.allSatisfy(\.isFinite) })
        #expect(r.moments.first!.count == 300)
        #expect(r.divergenceSummary != nil)
        // A stable run reports none.
        let ok = Ensemble(paths: 300).run(AlgorithmKernel(SGD(OracleGradient(f), learningRate: 0.1), start: [1, 1], steps: 400, saveEvery: 100, seed: 1))
        #expect(ok.divergences.isEmpty && ok.moments.last!.count == 300)
    }

    @Test("Semidefinite factor: F Fᵀ = A for full-rank and rank-deficient covariances")
    func semidefiniteFactor() {
        var r = SplitMix64(seed: 2)
        for rank in [1, 3, 6] {
            var b = Matrix(rows: 6, columns: rank)
            for i in 0..<b.storage.count { b.storage[i] = r.nextGaussian() }
            let a = b * b.transposed
            var work = a, f = Matrix(rows: 6, columns: 6)
            var perm = [Int](repeating: 0, count: 6)
            Matrix.semidefiniteFactor(&work, into: &f, permutation: &perm)
            #expect((f * f.transposed - a).maxAbs < 1e-10 * a.maxAbs, "rank \(rank)")
        }
    }
}

@Suite("Vectorized draws")
struct VectorizedDrawTests {
    @Test("Four-step SIMD Philox normals equal the scalar draws bitwise, and so do Brownian increments")
    func simdMatchesScalar() {
        let rng = CounterRNG(seed: 0xDEAD_BEEF_1234, stream: RandomStream.brownian)
        var out = [Double](repeating: 0, count: 8 * 3)
        for (path, step) in [(0, 0), (7, 13), (123_456, 99_999), (1 << 33, 5)] {
            out.withUnsafeMutableBufferPointer { rng.gaussianSteps4(path: path, step: step, blocks: 3, into: $0.baseAddress!) }
            for q in 0..<4 { for b in 0..<3 {
                let (a, c) = rng.gaussianPair(path: path, step: step + q, block: b)
                #expect(out[q * 6 + 2 * b] == a && out[q * 6 + 2 * b + 1] == c)
            } }
        }
        // An SDE kernel (cached four-step draws) and the BrownianPath increments give the same path.
        let model = Langevin(Quadratic(diagonal: [1, 2, 3]), temperature: 0.5)
        let k = SDEKernel(model, solver: EulerMaruyama(), start: [1, 1, 1], stepSize: 0.01, steps: 11, saveEvery: 11, seed: 3)
        var w = k.makeWorkspace()
        var last: [Double] = []
        _ = k.simulate(path: 5, workspace: &w) { _, x in last = x }
        var x = [1.0, 1.0, 1.0], dW = [0.0, 0.0, 0.0]
        var work = SDEWork(dimension: 3, brownianDimension: 3)
        let bp = BrownianPath(seed: 3, fineStep: 0.01, dimension: 3)
        for s in 0..<11 {
            bp.increment(path: 5, fineStep: s, count: 1, into: &dW)
            EulerMaruyama().step(model, &x, t: Double(s) * 0.01, h: 0.01, dW: dW, work: &work)
        }
        #expect(x == last)
    }
}
