import Foundation
import Testing
@testable import SGDynamics

/// docs/THEORY.md §6.3: the exact stationary variance of discrete SGD on a quadratic with additive noise,
/// reproduced by Monte Carlo (lane ensembles), against the SME-1 / Langevin prediction.
@Suite("Stationary variance of SGD (§6.3) by Monte Carlo")
struct StationaryVarianceTests {
    /// (η, λ, σ) and the table's discrete Var_∞ and SDE value ησ²/(2λ).
    static let table: [(Double, Double, Double, Double, Double)] = [
        (0.1, 1, 1, 0.052631578947368425, 0.05),
        (0.5, 1, 1, 0.3333333333333333, 0.25),
        (1.0, 1.5, 2, 5.333333333333333, 1.3333333333),
        (0.01, 10, 0.5, 1.3157894736842105e-4, 1.25e-4),
        (0.19, 10, 1, 0.18999999999999984, 0.0095),
    ]

    @Test("1-D table: sample variance of 8000 SGD paths within 4 SE of the exact transient variance")
    func oneDimensional() throws {
        let paths = 8000, steps = 200
        for (eta, lambda, sigma, tableVar, sdeVar) in Self.table {
            let exact = eta * sigma * sigma / (lambda * (2 - eta * lambda))
            #expect(abs(exact - tableVar) <= 1e-13 * tableVar)
            #expect(abs(eta * sigma * sigma / (2 * lambda) - sdeVar) <= 1e-9 * sdeVar)
            let rho = 1 - eta * lambda
            let transient = exact * (1 - pow(rho, 2 * Double(steps)))   // from x₀ = 0
            let f = try AdditiveNoiseQuadratic(curvature: lambda, noise: sigma)
            let kernel = AlgorithmKernel(SGD(OracleGradient(f), learningRate: eta), start: [0], steps: steps, saveEvery: steps, seed: 63)
            #expect(kernel.groupWidth == 4)
            let r = Ensemble(paths: paths, blockSize: 1000).run(kernel)
            let v = r.moments.last!.variance(0)
            let se = transient * (2.0 / Double(paths - 1)).squareRoot()   // Gaussian stationary law
            #expect(abs(v - transient) <= 4 * se, "η = \(eta), λ = \(lambda), σ = \(sigma): \(v) vs \(transient) (SE \(se))")
            // where the discrete and SDE values differ by more than 8 SE, the sample rules out the SDE
            if abs(exact - sdeVar) > 8 * se { #expect(abs(v - sdeVar) > 4 * se) }
        }
    }

    @Test("2-D: sample covariance within 4 SE of the discrete Lyapunov solution S = MSMᵀ + η²C")
    func twoDimensional() throws {
        let a = Matrix([[2, 0.5], [0.5, 1]]), c = Matrix([[1, 0.3], [0.3, 0.5]]), eta = 0.2
        let f = try AdditiveNoiseQuadratic(hessian: a, noiseCovariance: c)
        let m = Matrix.identity(2) - eta * a
        let s = try Lyapunov.discrete(M: m, Q: (eta * eta) * c)
        let paths = 8000
        let r = Ensemble(paths: paths, blockSize: 1000).run(
            AlgorithmKernel(SGD(OracleGradient(f), learningRate: eta), start: [0, 0], steps: 150, saveEvery: 150, seed: 64))
        let last = r.moments.last!
        for i in 0..<2 { for j in 0..<2 {
            let est = last.covariance[i, j]
            let se = ((s[i, i] * s[j, j] + s[i, j] * s[i, j]) / Double(paths - 1)).squareRoot()
            #expect(abs(est - s[i, j]) <= 4 * se, "S[\(i),\(j)] = \(est) vs \(s[i, j])")
        } }
    }

    @Test("Bad configuration names the field")
    func badInput() {
        #expect(throws: ConfigurationError.self) { try AdditiveNoiseQuadratic(curvature: 1, noise: -1) }
        #expect(throws: ConfigurationError.self) { try AdditiveNoiseQuadratic(hessian: .identity(2), noiseCovariance: .identity(3)) }
    }
}
