import Foundation
import Testing
@testable import SGDynamics

/// `f_i(θ) = ½ λ (θ − s_i)²` (docs/THEORY.md §8.4 with `s = (−1, +1)`).
fileprivate struct ShiftedQuadratics: FiniteSumObjective {
    let centres: [Double]
    let curvature: Double
    var dimension: Int { 1 }
    var name: String { "shifted quadratics" }
    var sampleCount: Int { centres.count }
    func sampleValue(_ i: Int, _ x: [Double]) -> Double { 0.5 * curvature * (x[0] - centres[i]) * (x[0] - centres[i]) }
    func addSampleGradient(_ i: Int, _ x: [Double], scale: Double, into g: inout [Double]) {
        g[0] += scale * curvature * (x[0] - centres[i])
    }
}

/// `f_i(θ) = ½|θ − s_i|²` with `s_i` the four corners `(±1, ±1)`.
fileprivate struct Corners: FiniteSumObjective {
    let s: [[Double]] = [[-1, -1], [1, -1], [-1, 1], [1, 1]]
    var dimension: Int { 2 }
    var name: String { "corners" }
    var sampleCount: Int { 4 }
    func sampleValue(_ i: Int, _ x: [Double]) -> Double {
        0.5 * ((x[0] - s[i][0]) * (x[0] - s[i][0]) + (x[1] - s[i][1]) * (x[1] - s[i][1]))
    }
    func addSampleGradient(_ i: Int, _ x: [Double], scale: Double, into g: inout [Double]) {
        g[0] += scale * (x[0] - s[i][0]); g[1] += scale * (x[1] - s[i][1])
    }
}

@Suite("Transfer operator (master equation)")
struct TransferOperatorDensityTests {
    @Test("§8.4 Bernoulli convolution at ηλ = 0.5, Δθ = 0.01: Uniform[−1, 1] (variance 0.333350, kurtosis −1.1999)")
    func bernoulliConvolution() throws {
        let grid = try Grid1D(lower: -1.5, upper: 1.5, count: 301)
        let op = try TransferOperator1D(grid: grid, objective: ShiftedQuadratics(centres: [-1, 1], curvature: 1),
                                        learningRate: 0.5)
        #expect(op.batches?.kind == .exact(count: 2))
        #expect(op.maximumClampedProbability == 0)
        #expect(Vec.maxAbs(op.matrix.columnSums.map { $0 - 1 }) <= 1e-15)
        let law = try op.stationary()
        #expect(law.status == .ok, "\(law.status)")
        let p = law.density
        #expect(abs(p.totalMass - 1) <= 1e-12)
        #expect(abs(p.variance - 0.333350) <= 5e-7, "variance \(p.variance)")
        #expect(abs(p.variance - 1.0 / 3) <= 2e-5)
        #expect(abs(p.excessKurtosis + 1.2) <= 1e-3, "kurtosis \(p.excessKurtosis)")
        #expect(abs(p.excessKurtosis - (-1.1999)) <= 1e-4)
        // A 1e-3 tolerance at Δθ = 0.01 would do; the grid chain is in fact flat to round-off there.
        for j in 0..<grid.count where abs(grid[j]) < 0.9 {
            #expect(abs(p.masses[j] / grid.spacing - 0.5) <= 1e-12)
        }
        #expect(1 - p.mass(in: -1.01...1.01) <= 1e-12)
        // The OU/Langevin prediction would be variance 0.25: far off.
        #expect(abs(p.variance - 0.25) > 0.08)
        // Transient: mass is conserved to 1e-12 at every step.
        let run = try op.evolve(try Density1D(grid: grid, weights: [Double](repeating: 1, count: grid.count)), steps: 500, saveEvery: 50)
        #expect(run.status == .ok && run.minimumMass >= 0 && run.maximumBoundaryMass == 0)
        for q in run.densities { #expect(abs(q.totalMass - 1) <= 1e-12) }
    }

    @Test("§8.2 flat direction f_B = c_B θ: Var θ_k = k η² Var c_B plus the stated cloud-in-cell bias k E[w(1−w)] Δθ²")
    func flatDirection() throws {
        // c = (1, −1, ½, −½), b = 2 without replacement: 6 batches, Var c_B = (n−b)/(b(n−1)) Var c = 0.625/3.
        // Each step shifts every node by −η c_B; the deposit keeps the mean and adds w_B(1−w_B)Δθ², w_B the
        // fractional part of the shift in grid units (the same at every node), so exactly
        //     Var θ_k = k (η² Var c_B + E_B[w_B(1−w_B)] Δθ²)
        // and the relative bias against k η² Var c_B is E[w(1−w)]Δθ²/(η² Var c_B) ≈ 0.8% here.
        let objective = LinearSum(g: [[1], [-1], [0.5], [-0.5]])
        let eta = 0.1
        let grid = try Grid1D(lower: -2, upper: 2, count: 401)
        let op = try TransferOperator1D(grid: grid, objective: objective, learningRate: eta, batchSize: 2)
        let batches = try #require(op.batches)
        #expect(batches.kind == .exact(count: 6))
        var varC = 0.0, bias = 0.0
        for k in 0..<batches.count {
            let c = batches.batch(k).reduce(0.0) { $0 + objective.g[$1][0] } / 2
            varC += batches.probabilities[k] * c * c
            let s = abs(eta * c) / grid.spacing
            let w = s - s.rounded(.down)
            bias += batches.probabilities[k] * w * (1 - w) * grid.spacing * grid.spacing
        }
        #expect(abs(varC - 0.625 / 3) <= 1e-15)
        let run = try op.evolve(Density1D.pointMass(at: 0, grid: grid), steps: 20, saveEvery: 5)
        #expect(run.status == .ok && run.maximumBoundaryMass == 0)
        for (k, q) in zip(run.steps, run.densities) where k > 0 {
            let kd = Double(k)
            #expect(abs(q.variance - kd * (eta * eta * varC + bias)) <= 1e-12)
            #expect(abs(q.variance / (kd * eta * eta * varC) - 1) <= bias / (eta * eta * varC) + 1e-12)
            #expect(abs(q.mean) <= 1e-13)
            #expect(abs(q.totalMass - 1) <= 1e-13)
        }
        #expect(abs(run.times.last! - 20 * eta) <= 1e-15)
    }

    @Test("Minibatch enumeration: subsets, multinomial multisets, sampled batches above the limit")
    func minibatchEnumeration() throws {
        let without = try MinibatchEnumeration(sampleCount: 5, batchSize: 2)
        #expect(without.kind == .exact(count: 10))
        #expect(without.probabilities.allSatisfy { abs($0 - 0.1) < 1e-15 })
        let with = try MinibatchEnumeration(sampleCount: 3, batchSize: 2, sampling: .withReplacement)
        #expect(with.kind == .exact(count: 6))
        #expect(with.indices == [0, 0, 0, 1, 0, 2, 1, 1, 1, 2, 2, 2])
        let expected = [1.0, 2, 2, 1, 2, 1].map { $0 / 9 }
        #expect(Vec.distanceMax(with.probabilities, expected) <= 1e-15)
        let sampled = try MinibatchEnumeration(sampleCount: 10, batchSize: 5, maximumBatches: 100, seed: 7)
        #expect(sampled.kind == .sampled(count: 100, population: 252, seed: 7))
        for k in 0..<sampled.count { #expect(Set(sampled.batch(k)).count == 5) }
        #expect(throws: ConfigurationError.self) { try MinibatchEnumeration(sampleCount: 4, batchSize: 2, sampling: .reshuffling) }
        #expect(throws: ConfigurationError.self) { try MinibatchEnumeration(sampleCount: 4, batchSize: 5) }
    }

    @Test("A domain that the maps leave is reported (clamped mass), and bad probabilities throw")
    func clampingAndErrors() throws {
        let grid = try Grid1D(lower: -1, upper: 1, count: 101)
        // Drift to the right by 0.1 per step: mass piles up at the upper end.
        let op = try TransferOperator1D(grid: grid, probabilities: [0.5, 0.5]) { k, x in x + (k == 0 ? 0.05 : 0.15) }
        #expect(op.maximumClampedProbability == 1)
        let run = try op.evolve(Density1D.pointMass(at: 0, grid: grid), steps: 20)
        if case let .domainTooSmall(mass, _, step) = run.status { #expect(mass > 0 && step > 0) } else {
            Issue.record("status \(run.status)")
        }
        for q in run.densities { #expect(abs(q.totalMass - 1) <= 1e-13) }
        do {
            _ = try TransferOperator1D(grid: grid, probabilities: [0.5, 0.6]) { _, x in x }
            Issue.record("probabilities summing to 1.1 were accepted")
        } catch let e as ConfigurationError { #expect(e.field == "probabilities") }
        // A periodic chain (reflection x ↦ −x) does not converge under plain power iteration: reported.
        let flip = try TransferOperator1D(grid: grid, probabilities: [1]) { _, x in -x }
        let law = try flip.stationary(from: Density1D.pointMass(at: 0.5, grid: grid), maximumIterations: 50)
        if case .notConverged(let it, _) = law.status { #expect(it == 50) } else { Issue.record("status \(law.status)") }
    }

    @Test("2-D SGD on four shifted quadratics at η = 0.5: Uniform[−1, 1]², covariance diag(1/3, 1/3) up to the deposit bias")
    func productBernoulli() throws {
        // f_i(θ) = ½|θ − s_i|², s_i = (±1, ±1), b = 1: T_i(θ) = θ/2 + s_i/2, two independent §8.4 chains.
        // Bias per axis: E[w(1−w)]Δ²/(1 − ρ²) = (1/8)(0.05)²/(3/4) ≈ 4.2e-4 (w ∈ {0, ½} on this grid).
        let corners = Corners()
        let axis = try Grid1D(lower: -1.5, upper: 1.5, count: 61)
        let op = try TransferOperator2D(grid: Grid2D(x: axis, y: axis), objective: corners, learningRate: 0.5)
        #expect(op.batches?.kind == .exact(count: 4))
        let law = try op.stationary()
        #expect(law.status == .ok, "\(law.status)")
        let c = law.density.covariance
        let bias = 0.125 * 0.05 * 0.05 / 0.75
        #expect(abs(c[0, 0] - (1.0 / 3 + bias)) <= 1e-6 && abs(c[1, 1] - (1.0 / 3 + bias)) <= 1e-6, "\(c)")
        #expect(abs(c[0, 1]) <= 1e-14)
        #expect(abs(law.density.totalMass - 1) <= 1e-12)
    }

    @Test("Heavy ball on the §8.4 quadratics in (x, v): stationary Var x → (1+μ)ησ²/((1−μ)λ(2(1+μ)−ηλ)) (§6.4)")
    func heavyBall() throws {
        // λ = 1, s = ±1 (σ² = 1), η = 0.5, μ = 0.5: Var x = 0.6. Bilinear deposit bias O(Δ²): tolerance 2e-3.
        let grid = Grid2D(x: try Grid1D(lower: -2.5, upper: 2.5, count: 101), y: try Grid1D(lower: -2, upper: 2, count: 81))
        let op = try TransferOperator2D.heavyBall(grid: grid, objective: ShiftedQuadratics(centres: [-1, 1], curvature: 1),
                                                  learningRate: 0.5, momentum: 0.5)
        #expect(Vec.maxAbs(op.matrix.columnSums.map { $0 - 1 }) <= 1e-15)
        let law = try op.stationary(tolerance: 1e-12)
        #expect(law.status == .ok, "\(law.status)")
        let cov = law.density.covariance
        #expect(abs(cov[0, 0] - 0.6) <= 2e-3, "Var x = \(cov[0, 0])")
        #expect(abs(law.density.totalMass - 1) <= 1e-12)
    }
}
