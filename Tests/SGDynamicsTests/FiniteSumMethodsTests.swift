import Foundation
import Testing
@testable import SGDynamics

// The numerical pieces behind the noise and stability studies, each against a closed form.

@Suite("Minimizer search, noise replay and survival curves (docs/THEORY.md §2.2, §9, §10.2)")
struct FiniteSumMethodsTests {
    static let diabetes = LeastSquares(dataset: try! Dataset.builtIn("diabetes"))

    @Test("damped Newton from 0 reaches the least-squares minimizer H̄⁻¹c̄ to 1e-10 (relative) in at most 3 iterations, and stops")
    func newtonLeastSquares() throws {
        let f = Self.diabetes
        let exact = try f.minimizer
        let r = try DampedNewton().minimize(f, from: [Double](repeating: 0, count: f.dimension))
        #expect(r.converged && r.iterations <= 3, "\(r.iterations) iterations")
        let err = zip(r.x, exact).map { abs($0 - $1) }.max()!
        #expect(err <= 1e-10 * max(1, exact.map(abs).max()!), "max error \(err)")
        #expect(r.gradientNorm <= 1e-10 * Vec.norm(f.gradient([Double](repeating: 0, count: f.dimension))))
    }

    @Test("damped Newton on Rosenbrock from (−1.2, 1): backtracking reaches (1, 1) to 1e-8; with 0 iterations it stays at the start, not converged")
    func newtonRosenbrock() throws {
        let f = Rosenbrock()
        let r = try DampedNewton(maxIterations: 100).minimize(f, from: [-1.2, 1])
        #expect(r.converged && abs(r.x[0] - 1) < 1e-8 && abs(r.x[1] - 1) < 1e-8, "\(r)")
        let none = try DampedNewton(maxIterations: 0).minimize(f, from: [-1.2, 1])
        #expect(none.x == [-1.2, 1] && none.iterations == 0 && !none.converged)
        #expect(throws: ConfigurationError.self) { _ = try DampedNewton(relativeTolerance: .nan) }
    }

    @Test("MinimumSearch: the closed form when known; damped Newton on logistic regression to ‖∇f‖ ≤ 1e-10 ‖∇f(0)‖; GD above the Newton limit; GD that diverges throws")
    func minimumSearch() throws {
        let f = Self.diabetes
        let closed = try MinimumSearch().minimum(f, knownMinimizer: try f.minimizer, start: [])
        #expect(closed.method == .closedForm && closed.description == "the minimum (closed form)")
        let lr = try LogisticRegression(dataset: try Dataset.builtIn("breast_cancer"), regularization: 0.01)
        let zero = [Double](repeating: 0, count: lr.dimension)
        let newton = try MinimumSearch().minimum(lr, knownMinimizer: nil, start: zero)
        #expect(newton.converged && Vec.norm(lr.gradient(newton.x)) <= 1e-10 * max(1, Vec.norm(lr.gradient(zero))))
        #expect(newton.description.hasPrefix("the minimum (damped Newton, ") && newton.description.hasSuffix(" iterations)"))
        // f = ½(x² + 10y²) by GD at η = 1/λ_max = 0.1: y is exact after one step, x shrinks by 0.9 per step.
        var search = MinimumSearch(iterations: 200)
        search.newtonLimit = 0
        let q = Quadratic(diagonal: [1, 10])
        let gd = try search.minimum(q, knownMinimizer: nil, start: [1, 1])
        #expect(abs(gd.x[0] - pow(0.9, 200)) < 1e-12 && abs(gd.x[1]) < 1e-12)
        #expect(gd.description == "an approximate minimum (GD, 200 steps at η = 0.1)")
        search.learningRate = 0.5  // |1 − 10η| = 4: overflows within 1000 steps
        search.iterations = 1000
        #expect(throws: FiniteSumStudyError.self) { _ = try search.minimum(q, knownMinimizer: nil, start: [1, 1]) }
    }

    @Test("least squares at its minimum: the diagnostics' Σ equals the closed form (1/n) Σᵢ rᵢ² xᵢxᵢᵀ (tr, ‖·‖_F, top eigenvalues to 1e-10 relative)")
    func sigmaClosedForm() throws {
        let f = Self.diabetes
        let w = try f.minimizer
        let n = f.sampleCount, d = f.dimension
        var sigma = Matrix(rows: d, columns: d)
        for i in 0..<n {
            let x = (0..<d).map { f.design[i, $0] }
            let r = Vec.dot(x, w) - f.targets[i]
            for a in 0..<d { for b in 0..<d { sigma[a, b] += r * r * x[a] * x[b] / Double(n) } }
        }
        let diag = try GradientNoiseDiagnostics(batchSize: 8, draws: 1000, directions: 3, scalingBatchSizes: [1, 4], scalingDraws: 50, seed: 3)
        let r = try diag.run(f, at: w)
        func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-10 * abs(b) }
        #expect(close(r.spectrum.trace, sigma.trace) && close(r.spectrum.frobeniusNorm, sigma.frobeniusNorm))
        let top = Array(SymmetricEigen(sigma).values.reversed().prefix(3))
        for (a, b) in zip(r.spectrum.values, top) { #expect(close(a, b), "\(a) vs \(b)") }
        #expect(abs(r.covarianceFactor - 1.0 / 8) < 1e-15 && r.gradientNorm < 1e-9)
    }

    @Test("MinibatchNoiseReplay draws the diagnostics' own batches: the variance of vⱼᵀξ equals the diagnostics' to 1e-12; at b = n without replacement every ξ is 0 to round-off")
    func replay() throws {
        let f = Self.diabetes
        let w = try f.minimizer
        let diag = try GradientNoiseDiagnostics(batchSize: 4, draws: 1000, directions: 2, scalingBatchSizes: [1, 2], scalingDraws: 50, seed: 7)
        let r = try diag.run(f, at: w)
        let replay = MinibatchNoiseReplay(f, at: w, batchSize: 4, sampling: .withReplacement, draws: 1000, seed: 7, directions: r.spectrum.vectors)
        for (p, s) in zip(replay.projections, r.directions) {
            let mean = p.reduce(0, +) / Double(p.count)
            let variance = p.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(p.count - 1)
            #expect(abs(variance - s.variance) <= 1e-12 * s.variance, "\(variance) vs \(s.variance)")
        }
        // E‖ξ‖² = c(b) tr Σ: the replayed norms are the same draws, so their mean is within 4 SE of it.
        let sq = replay.squaredNorms, m = Double(sq.count)
        let mean = sq.reduce(0, +) / m, se = (sq.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (m - 1) / m).squareRoot()
        #expect(abs(mean - r.spectrum.trace / 4) <= 4 * se)
        let full = MinibatchNoiseReplay(f, at: w, batchSize: f.sampleCount, sampling: .withoutReplacement, draws: 5, seed: 7, directions: [])
        #expect(full.squaredNorms.allSatisfy { $0 < 1e-18 * r.spectrum.trace })
    }

    @Test("EmpiricalSurvival: S at the sorted values is (k + 1)/N exactly; non-positive values count in N but are not shown")
    func survival() {
        let c = EmpiricalSurvival.curve([4, 3, 2, 1])
        #expect(c.x == [4, 3, 2, 1] && c.y == [0.25, 0.5, 0.75, 1])
        let big = EmpiricalSurvival.curve((1...10_000).map(Double.init) + [0, -1])
        #expect(big.x.first == 10_000 && big.y.first == 1.0 / 10_002 && big.y.last == 10_000.0 / 10_002)
        #expect(big.x.count <= 301 && zip(big.x, big.x.dropFirst()).allSatisfy { $0 > $1 })
        #expect(EmpiricalSurvival.curve([1]).x.isEmpty)
    }

    @Test("rangeUnitVector is a unit vector orthogonal to the common null space of an over-parameterised minimum, and fixed by the seed")
    func rangeStart() throws {
        let (ls, w) = LeastSquares.synthetic(n: 3, d: 6, seed: 2)
        let st = try MeanSquareStability(ls, at: w)
        let e = st.rangeUnitVector(seed: 5)
        #expect(abs(Vec.norm(e) - 1) < 1e-14 && e == st.rangeUnitVector(seed: 5) && e != st.rangeUnitVector(seed: 6))
        // Hᵢ = xᵢxᵢᵀ: the null space is orthogonal to every row xᵢ, so e lies in their span: ‖e − P e‖ = 0.
        let eig = SymmetricEigen(st.meanHessian)
        for k in 0..<6 where eig.values[k] < 1e-10 {
            let v = (0..<6).map { eig.vectors[$0, k] }
            #expect(abs(Vec.dot(v, e)) < 1e-12)
        }
    }

    @Test("ParallelSlots.map places results by task index (same for 1 and 3 threads) and rethrows the first error by index")
    func parallelSlots() throws {
        let one = try ParallelSlots<Int>.map(count: 10, threads: 1) { $0 * $0 }
        let three = try ParallelSlots<Int>.map(count: 10, threads: 3) { $0 * $0 }
        #expect(one == (0..<10).map { $0 * $0 } && three == one)
        #expect(throws: FiniteSumStudyError("task 2")) {
            _ = try ParallelSlots<Int>.map(count: 6, threads: 2) { i in if i == 2 || i == 5 { throw FiniteSumStudyError("task \(i)") }; return i }
        }
    }
}
