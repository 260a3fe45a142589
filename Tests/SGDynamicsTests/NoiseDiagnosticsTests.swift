import Foundation
import Testing
@testable import SGDynamics

// Gradient-noise diagnostics (docs/THEORY.md §2.1–2.2, §9): exact pieces against closed forms, sampled
// pieces within a stated number of standard errors at a fixed seed.

private func maxRelativeDifference(_ a: Matrix, _ b: Matrix) -> Double {
    (a - b).maxAbs / max(b.maxAbs, 1e-300)
}

/// Small, fast settings for the sampled parts.
private func quickDiagnostics(batchSize: Int = 4, sampling: Sampling = .withReplacement, draws: Int = 2000,
                              directions: Int = 3, scaling: [Int] = [1, 4, 16], denseLimit: Int = 500,
                              seed: UInt64 = 0) throws -> GradientNoiseDiagnostics {
    try GradientNoiseDiagnostics(batchSize: batchSize, sampling: sampling, draws: draws, directions: directions,
                                 scalingBatchSizes: scaling, scalingDraws: 500, tailBlockSize: 20, tailGroups: 10,
                                 hessianProbes: 200, denseLimit: denseLimit, seed: seed)
}

@Suite("Gradient-noise diagnostics: Σ, spectrum, Hessian alignment, shape, tails, 1/b scaling")
struct NoiseDiagnosticsTests {
    @Test("Least squares: Σ(x), its trace, Frobenius norm, spectrum and Hessian alignment match the exact polynomial Σ(θ) to 1e-10")
    func leastSquaresExact() throws {
        let (ls, wStar) = LeastSquares.synthetic(n: 50, d: 3, noise: 0.5, seed: 3)
        let x = wStar.map { $0 + 0.4 }
        let r = try quickDiagnostics().run(ls, at: x)
        let exact = try LeastSquaresMoments(ls, learningRate: 0.1, batchSize: 1).noiseCovariance(at: x)
        let sigma = try #require(r.covariance)
        #expect(maxRelativeDifference(sigma, exact) < 1e-10)
        #expect(abs(r.spectrum.trace - exact.trace) < 1e-10 * exact.trace)
        #expect(abs(r.spectrum.frobeniusNorm - exact.frobeniusNorm) < 1e-10 * exact.frobeniusNorm)
        let ev = SymmetricEigen(exact).values.reversed().map { $0 }
        for (a, b) in zip(r.spectrum.values, ev) { #expect(abs(a - b) < 1e-10 * ev[0]) }
        for (j, v) in r.spectrum.vectors.enumerated() {
            let sv = exact * v
            #expect(Vec.distance(sv, Vec.scaled(r.spectrum.values[j], v)) < 1e-10 * ev[0])
        }
        // ⟨Σ, H⟩_F / (‖Σ‖_F ‖H‖_F) and tr Σ / tr H with H = H̄.
        let h = ls.meanHessian
        var inner = 0.0
        for p in 0..<9 { inner += exact.storage[p] * h.storage[p] }
        let al = try #require(r.alignment)
        #expect(al.isExact)
        #expect(abs(al.cosine - inner / (exact.frobeniusNorm * h.frobeniusNorm)) < 1e-10)
        #expect(abs(al.traceRatio - exact.trace / h.trace) < 1e-10 * exact.trace / h.trace)
        #expect(abs(r.gradientNorm - Vec.norm(ls.gradient(x))) < 1e-10 * r.gradientNorm)
        // Sampled projections have variance c λⱼ (c = 1/4) within 4 SE.
        for s in r.directions {
            #expect(abs(s.variance - s.predictedVariance) < 4 * s.varianceStandardError)
        }
    }

    @Test("Matrix-free path (Lanczos on Σv = (1/n)Σ uᵢ(uᵢᵀv), Hutchinson) agrees with the dense path: spectrum to 1e-9, Hutchinson within 4 SE; Gram form when n ≤ d")
    func matrixFreeAgrees() throws {
        for (n, d, seed) in [(60, 4, 5), (6, 9, 6)] as [(Int, Int, UInt64)] {
            let (ls, wStar) = LeastSquares.synthetic(n: n, d: d, noise: 0.3, seed: seed)
            let x = wStar.map { $0 - 0.25 }
            let dense = try quickDiagnostics(draws: 1000).run(ls, at: x)
            let free = try quickDiagnostics(draws: 1000, denseLimit: 0).run(ls, at: x)
            #expect(free.covariance == nil && !free.spectrum.isDense)
            #expect(abs(free.spectrum.trace - dense.spectrum.trace) < 1e-12 * dense.spectrum.trace)
            #expect(abs(free.spectrum.frobeniusNorm - dense.spectrum.frobeniusNorm) < 1e-12 * dense.spectrum.frobeniusNorm)
            for (a, b) in zip(free.spectrum.values, dense.spectrum.values) {
                #expect(abs(a - b) < 1e-9 * dense.spectrum.values[0], "n = \(n), d = \(d)")
            }
            for res in free.spectrum.residuals { #expect(res < 1e-9 * dense.spectrum.values[0]) }
            let ad = try #require(dense.alignment), af = try #require(free.alignment)
            #expect(!af.isExact && af.probes == 200)
            #expect(abs(af.cosine - ad.cosine) < 4 * af.cosineStandardError, "n = \(n), d = \(d)")
            #expect(abs(af.traceRatio - ad.traceRatio) < 4 * af.traceRatioStandardError)
            #expect(abs(af.hessianTrace - ad.hessianTrace) < 4 * af.hessianTraceStandardError)
        }
    }

    @Test("1/b scaling with replacement: log–log slope of E‖ξ_B‖² within −1 ± 0.1, each b within 4 SE of tr Σ / b; without replacement within 4 SE of tr Σ (n−b)/(b(n−1))")
    func batchScaling() throws {
        let (ls, wStar) = LeastSquares.synthetic(n: 200, d: 4, noise: 1, seed: 11)
        let x = wStar.map { $0 + 0.3 }
        for sampling in [Sampling.withReplacement, .withoutReplacement] {
            let diag = try GradientNoiseDiagnostics(
                batchSize: 8, sampling: sampling, draws: 200, directions: 1, scalingBatchSizes: [1, 2, 4, 8, 16, 32, 64],
                scalingDraws: 2000, tailBlockSize: 10, tailGroups: 10, includeHessian: false, seed: 5)
            let r = try diag.run(ls, at: x)
            for row in r.scaling.rows {
                #expect(abs(row.ratio - 1) < 4 * row.ratioStandardError, "\(sampling) b = \(row.batchSize)")
            }
            let fit = try #require(r.scaling.fit)
            if sampling == .withReplacement {
                #expect(abs(fit.order + 1) < 0.1, "slope \(fit)")
                #expect(abs(r.scaling.predictedSlope! + 1) < 1e-12)
            } else {
                #expect(abs(fit.order - r.scaling.predictedSlope!) < 0.1, "slope \(fit) vs \(r.scaling.predictedSlope!)")
            }
        }
    }

    @Test("Gaussian noise (Li–Tai–E oracle quadratic, Σ = H²): excess kurtosis within 4 SE of 0, variance c λ within 4 SE, Jarque–Bera p > 10⁻⁴, α̂ interval near 2")
    func gaussianKurtosis() throws {
        let h = Matrix([[2, 0.5, 0], [0.5, 1, 0.2], [0, 0.2, 0.5]])
        let f = NoisyQuadratic(hessian: h)
        let diag = try GradientNoiseDiagnostics(batchSize: 4, draws: 20_000, directions: 3, scalingBatchSizes: [1, 4],
                                                scalingDraws: 500, tailBlockSize: 100, tailGroups: 10, seed: 21)
        let r = try diag.run(f, at: [0.3, -0.2, 0.1])
        #expect(maxRelativeDifference(r.covariance!, h * h) < 1e-14)
        #expect(r.directions.count == 3)
        for s in r.directions {
            #expect(abs(s.excessKurtosis) < 4 * s.kurtosisStandardError, "κ = \(s.excessKurtosis) ± \(s.kurtosisStandardError)")
            // The jackknife SE is close to the normal-theory √(24/M).
            #expect(abs(s.kurtosisStandardError / s.gaussianKurtosisStandardError - 1) < 0.25)
            #expect(abs(s.variance - s.predictedVariance) < 4 * s.varianceStandardError)
            #expect(s.pValue > 1e-4)
        }
        let tail = try #require(r.tailIndex)
        #expect(abs(tail.alpha - 2) < 4 * tail.standardError, "\(tail)")
        // Exact alignment: Σ = H², so ⟨Σ, H⟩ = tr H³.
        let al = try #require(r.alignment)
        let h3 = h * h * h
        #expect(abs(al.inner - h3.trace) < 1e-12 * h3.trace)
    }

    @Test("Two-point noise: b = 1 gives kurtosis (1−6p(1−p))/(p(1−p)) = 5.111 and |skew| = 2.667 (p = 0.1); b = 4 with replacement gives κ/4 and |skew|/2; each within 4 SE; Jarque–Bera rejects")
    func twoPointKurtosis() throws {
        // f_i(w) = ½(w − y_i)², y_i ∈ {0, 1} with 10 ones in 100: the noise −(y_i − ȳ) is two-point.
        let n = 100
        let y = (0..<n).map { $0 < 10 ? 1.0 : 0.0 }
        let ls = LeastSquares(A: Matrix(rows: n, columns: 1, repeating: 1), y: y)
        let p = 0.1
        let kappa = (1 - 6 * p * (1 - p)) / (p * (1 - p)), skew = (1 - 2 * p) / (p * (1 - p)).squareRoot()
        for b in [1, 4] {
            let diag = try GradientNoiseDiagnostics(batchSize: b, draws: 20_000, directions: 1, scalingBatchSizes: [1],
                                                    scalingDraws: 100, tailBlockSize: 100, tailGroups: 10, seed: 31)
            let r = try diag.run(ls, at: [0.3])
            let s = try #require(r.directions.first)
            #expect(abs(s.excessKurtosis - kappa / Double(b)) < 4 * s.kurtosisStandardError, "b = \(b): \(s.excessKurtosis)")
            #expect(abs(abs(s.skewness) - skew / Double(b).squareRoot()) < 0.1 * skew, "b = \(b): \(s.skewness)")
            #expect(s.pValue < 1e-10)
        }
    }

    @Test("MLP (finite-difference Hessian): the matrix-free path reproduces the dense top eigenvalues of Σ to 1e-8 and the Hessian cosine within 4 SE")
    func mlpMatrixFree() throws {
        var rng = SplitMix64(seed: 17)
        let n = 40, p = 3
        var feats = Matrix(rows: n, columns: p)
        for i in 0..<(n * p) { feats.storage[i] = rng.nextGaussian() }
        let labels = (0..<n).map { feats[$0, 0] + 0.5 * feats[$0, 1] > 0 ? 1 : 0 }
        let mlp = MLPClassifier(features: feats, labels: labels, classCount: 2, hiddenUnits: 4, regularization: 1e-3)
        let x = mlp.initialParameters(seed: 2)
        let dense = try quickDiagnostics(draws: 400, scaling: [1, 8]).run(mlp, at: x)
        let free = try quickDiagnostics(draws: 400, scaling: [1, 8], denseLimit: 10).run(mlp, at: x)
        #expect(mlp.dimension == 26 && free.covariance == nil)
        for (a, b) in zip(free.spectrum.values, dense.spectrum.values) { #expect(abs(a - b) < 1e-8 * dense.spectrum.values[0]) }
        let ad = try #require(dense.alignment), af = try #require(free.alignment)
        #expect(abs(af.cosine - ad.cosine) < 4 * af.cosineStandardError)
    }

    @Test("Along a GD run on least squares: a point every k steps, each Σ equal to the exact Σ(x_k) to 1e-10")
    func alongTrajectory() throws {
        let (ls, wStar) = LeastSquares.synthetic(n: 30, d: 2, noise: 0.2, seed: 8)
        let moments = try LeastSquaresMoments(ls, learningRate: 0.1, batchSize: 1)
        let diag = try quickDiagnostics(draws: 200, directions: 2, scaling: [1])
        let gd = GradientDescent(ls, learningRate: 0.1)
        let run = try diag.alongTrajectory(gd, on: ls, start: wStar.map { $0 + 1 }, steps: 10, every: 4)
        #expect(run.points.map(\.step) == [0, 4, 8, 10] && run.divergedAt == nil)
        let traj = gd.run(from: wStar.map { $0 + 1 }, steps: 10)
        for pt in run.points {
            let exact = moments.noiseCovariance(at: traj.points[pt.step])
            #expect(maxRelativeDifference(pt.result.covariance!, exact) < 1e-10)
            #expect(abs(pt.time - 0.1 * Double(pt.step)) < 1e-15)
        }
        #expect(run.points[0].loss > run.points[3].loss)
    }

    @Test("Bad configurations throw ConfigurationError naming the field")
    func configurationErrors() throws {
        func field(_ body: () throws -> Void) -> String? {
            do { try body() } catch let e as ConfigurationError { return e.field } catch {}
            return nil
        }
        #expect(field { _ = try GradientNoiseDiagnostics(batchSize: 0) } == "batchSize")
        #expect(field { _ = try GradientNoiseDiagnostics(sampling: .reshuffling) } == "sampling")
        #expect(field { _ = try GradientNoiseDiagnostics(draws: 50) } == "draws")
        #expect(field { _ = try GradientNoiseDiagnostics(scalingBatchSizes: []) } == "scalingBatchSizes")
        #expect(field { _ = try GradientNoiseDiagnostics(hessianProbes: 1) } == "hessianProbes")
        let (ls, _) = LeastSquares.synthetic(n: 10, d: 2, seed: 1)
        let d1 = try quickDiagnostics(batchSize: 11, sampling: .withoutReplacement, draws: 200, scaling: [1])
        #expect(field { _ = try d1.run(ls, at: [0, 0]) } == "batchSize")
        let d2 = try quickDiagnostics(batchSize: 2, sampling: .withoutReplacement, draws: 200, scaling: [1, 20])
        #expect(field { _ = try d2.run(ls, at: [0, 0]) } == "scalingBatchSizes")
        let gd = GradientDescent(ls, learningRate: 0.1)
        #expect(field { _ = try d2.alongTrajectory(gd, on: ls, start: [0, 0], steps: 3, every: 0) } == "every")
    }
}

@Suite("Per-sample Hessians (SampleHessianObjective)")
struct SampleHessianTests {
    @Test("Logistic regression and least squares: (1/n)Σ Hᵢ equals the exact Hessian to 1e-12; finite differences agree to 1e-6")
    func sampleHessians() throws {
        var rng = SplitMix64(seed: 4)
        var feats = Matrix(rows: 25, columns: 3)
        for i in 0..<75 { feats.storage[i] = rng.nextGaussian() }
        let labels = (0..<25).map { feats[$0, 0] - feats[$0, 2] > 0 ? 1.0 : 0.0 }
        let lr = try LogisticRegression(features: feats, labels: labels, regularization: 0.05)
        let x = [0.3, -0.7, 0.2]
        let (ls, _) = LeastSquares.synthetic(n: 25, d: 3, seed: 2)
        for (hs, fd, h) in [(lr.sampleHessians(at: x), lr.finiteDifferenceSampleHessians(at: x), lr.hessian(x)),
                            (ls.sampleHessians(at: x), ls.finiteDifferenceSampleHessians(at: x), ls.hessian(x))] {
            var mean = Matrix(rows: 3, columns: 3)
            for m in hs { mean = mean + (1 / 25.0) * m }
            #expect(maxRelativeDifference(mean, h) < 1e-12)
            for (a, b) in zip(hs, fd) { #expect((a - b).maxAbs < 1e-6 * max(1, a.maxAbs)) }
        }
    }
}
