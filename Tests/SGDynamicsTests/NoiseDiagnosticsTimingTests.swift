import Foundation
import Testing
@testable import SGDynamics

// Timing of the diagnostics on the bundled data sets. Long: runs only with SGDYN_LONG=1, meant for
// `swift test -c release --filter NoiseDiagnosticsTimingTests`.

private let longEnabled = ProcessInfo.processInfo.environment["SGDYN_LONG"] == "1"

private func seconds(_ body: () throws -> Void) rethrows -> Double {
    let t0 = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
}

@Suite("Noise diagnostics timing (SGDYN_LONG=1)", .enabled(if: longEnabled))
struct NoiseDiagnosticsTimingTests {
    @Test("Logistic regression on breast_cancer (n = 569, d = 31): noise diagnostics and Wu–Ma–E stability at the regularised minimum, each well under a minute")
    func breastCancer() throws {
        let lr = try LogisticRegression(dataset: try Dataset.builtIn("breast_cancer"), regularization: 1e-2)
        // Newton's method to the minimizer (exact Hessian).
        var w = [Double](repeating: 0, count: lr.dimension)
        for _ in 0..<30 {
            let step = try lr.hessian(w).solve(lr.gradient(w))
            for j in 0..<w.count { w[j] -= step[j] }
        }
        #expect(Vec.norm(lr.gradient(w)) < 1e-10)
        let diag = try GradientNoiseDiagnostics()
        var result: GradientNoiseDiagnostics.Result?
        let tDiag = try seconds { result = try diag.run(lr, at: w) }
        let r = try #require(result)
        print(String(format: "breast_cancer diagnostics: %.3f s", tDiag))
        print("  tr Σ = \(r.spectrum.trace), top λ = \(r.spectrum.values), effective rank = \(r.spectrum.effectiveRank)")
        if let a = r.alignment { print("  cos(Σ, H) = \(a.cosine), tr Σ / tr H = \(a.traceRatio)") }
        for s in r.directions {
            print(String(format: "  λ = %.4g: var %.4g (pred %.4g), skew %.3f, κ = %.3f ± %.3f, JB = %.1f, p = %.2g",
                         s.eigenvalue, s.variance, s.predictedVariance, s.skewness, s.excessKurtosis,
                         s.kurtosisStandardError, s.jarqueBera, s.pValue))
        }
        if let t = r.tailIndex { print("  tail: \(t)") }
        for row in r.scaling.rows {
            print(String(format: "  b = %3d: E‖ξ‖² = %.5g ± %.2g, predicted %.5g", row.batchSize, row.measured, row.standardError, row.predicted))
        }
        if let f = r.scaling.fit { print("  slope \(f)") }
        #expect(tDiag < 30)

        var st: MeanSquareStability?
        let tBuild = try seconds { st = try MeanSquareStability(lr, at: w) }
        let stability = try #require(st)
        var rows: [MeanSquareStability.Row] = []
        let tTable = try seconds { rows = try stability.table(batchSizes: [1, 8, 32, 128]) }
        print(String(format: "breast_cancer stability: build %.3f s, table %.3f s; a = %.4g, s = %.4g, 2/a = %.4g",
                     tBuild, tTable, stability.sharpness, stability.nonUniformity, 2 / stability.sharpness))
        for row in rows {
            print(String(format: "  b = %3d %@: η*_exact = %.5g, η*_λmax = %.5g", row.batchSize, row.sampling.rawValue,
                         row.exact, row.lambdaMax))
            #expect(row.lambdaMax <= row.exact * (1 + 1e-9))
        }
        var ens: [MeanSquareStability.EnsembleRow] = []
        // η* for b = 8 with replacement; linearised SGD at 0.8η* and 1.2η*.
        let eta = try #require(rows.first { $0.batchSize == 8 && $0.sampling == .withReplacement }).exact
        let tEns = try seconds {
            ens = try stability.ensemble(learningRates: [0.8 * eta, 1.2 * eta], batchSize: 8, sampling: .withReplacement,
                                         paths: 500, steps: 100, seed: 1)
        }
        for e in ens {
            print(String(format: "  η = %.4g: ρ(T) = %.5f, E‖e_K‖² = %.4g ± %.2g (exact %.4g), typical growth %.5f, diverged %.3f",
                         e.learningRate, e.spectralRadius, e.meanSquare, e.standardError, e.exactMeanSquare,
                         exp(e.meanLogGrowthPerStep), e.fractionDiverged))
        }
        print(String(format: "  ensemble: %.3f s", tEns))
        #expect(tBuild + tTable + tEns < 30)
    }

    @Test("MLP on digits (d = 1210, matrix-free Σ and Hutchinson): diagnostics time")
    func digitsMLP() throws {
        let mlp = try MLPClassifier(dataset: try Dataset.builtIn("digits"), hiddenUnits: 16, regularization: 1e-4)
        let x = mlp.initialParameters(seed: 1)
        let diag = try GradientNoiseDiagnostics()
        var result: GradientNoiseDiagnostics.Result?
        let t = try seconds { result = try diag.run(mlp, at: x) }
        let r = try #require(result)
        print(String(format: "digits MLP (d = %d) diagnostics: %.3f s", r.dimension, t))
        print("  top λ = \(r.spectrum.values), residuals = \(r.spectrum.residuals)")
        if let a = r.alignment { print("  cos(Σ, H) = \(a.cosine) ± \(a.cosineStandardError), tr Σ / tr H = \(a.traceRatio) ± \(a.traceRatioStandardError)") }
        for s in r.directions { print(String(format: "  κ = %.3f ± %.3f, p = %.2g", s.excessKurtosis, s.kurtosisStandardError, s.pValue)) }
        if let tail = r.tailIndex { print("  tail: \(tail)") }
        if let f = r.scaling.fit { print("  slope \(f)") }
        #expect(t < 60)
    }
}
