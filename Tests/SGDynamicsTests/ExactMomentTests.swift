import Foundation
import Testing
@testable import SGDynamics

// Exact (no Monte Carlo) moments: Lyapunov solvers, SGD/SME/momentum on quadratics, least squares.
// Every expected number is a closed form or a table entry of docs/THEORY.md.

private func relativeError(_ a: Double, _ b: Double) -> Double { abs(a - b) / max(abs(b), 1e-300) }

/// A random `n × n` matrix with i.i.d. N(0, 1) entries from a fixed seed.
private func gaussianMatrix(_ n: Int, seed: UInt64) -> Matrix {
    var r = SplitMix64(seed: seed)
    var a = Matrix(rows: n, columns: n)
    for i in 0..<(n * n) { a.storage[i] = r.nextGaussian() }
    return a
}

private func randomSPD(_ n: Int, seed: UInt64) -> Matrix {
    let g = gaussianMatrix(n, seed: seed)
    return (g * g.transposed + Matrix.identity(n)).symmetrized
}

@Suite("Exact moments: Lyapunov solvers and spectral radius (docs/THEORY.md §6.3, §10.1)")
struct ExactMomentLyapunovTests {
    @Test("Discrete Lyapunov S = MSMᵀ + Q on random stable non-symmetric M (ρ ≤ ‖M‖_F = 0.95): residual < 1e-10")
    func discreteResidual() throws {
        for (n, seed) in [(1, 1), (2, 2), (4, 3), (7, 4)] as [(Int, UInt64)] {
            var m = gaussianMatrix(n, seed: seed)
            m = (0.95 / m.frobeniusNorm) * m
            let q = randomSPD(n, seed: seed + 100)
            let s = try Lyapunov.discrete(M: m, Q: q)
            let residual = s - m * s * m.transposed - q
            #expect(residual.maxAbs < 1e-10 * max(1, s.maxAbs), "n = \(n)")
            #expect(s.isSymmetric(tolerance: 1e-10 * max(1, s.maxAbs)))
            #expect(SymmetricEigen(s).values.first! > 0, "Q ≻ 0 and ρ(M) < 1 give S ≻ 0")
        }
    }

    @Test("Continuous Lyapunov AS + SAᵀ = C on random non-symmetric A with Re λ > 0: residual < 1e-10")
    func continuousResidual() throws {
        for (n, seed) in [(1, 11), (3, 12), (5, 13), (8, 14)] as [(Int, UInt64)] {
            let g = gaussianMatrix(n, seed: seed)
            let a = g + (g.frobeniusNorm + 0.5) * Matrix.identity(n)
            let c = randomSPD(n, seed: seed + 100)
            let s = try Lyapunov.continuous(A: a, C: c)
            let residual = a * s + s * a.transposed - c
            #expect(residual.maxAbs < 1e-10 * max(1, c.maxAbs), "n = \(n)")
        }
    }

    @Test("Unstable systems throw: ρ(M) ≥ 1, and A with an eigenvalue of non-positive real part")
    func unstableThrows() {
        let rotation = Matrix([[cos(0.3), -sin(0.3)], [sin(0.3), cos(0.3)]])
        #expect(throws: LinearAlgebraError.self) { try Lyapunov.discrete(M: 1.05 * rotation, Q: .identity(2)) }
        #expect(throws: LinearAlgebraError.self) { try Lyapunov.discrete(M: .identity(2), Q: .identity(2)) }
        #expect(throws: LinearAlgebraError.self) {
            try Lyapunov.continuous(A: Matrix([[1, 5], [0, -0.1]]), C: .identity(2))
        }
        #expect(throws: LinearAlgebraError.self) { try Lyapunov.continuous(A: Matrix([[0, 1], [-1, 0]]), C: .identity(2)) }
        #expect(throws: LinearAlgebraError.self) { try Lyapunov.discrete(M: .identity(2), Q: .identity(3)) }
        do {
            _ = try Lyapunov.discrete(M: 1.05 * rotation, Q: .identity(2))
        } catch {
            #expect("\(error)".contains("unstable"))
        }
    }

    @Test("Spectral radius (Gelfand): complex pair 0.7, Jordan block 0.5, companion matrix roots (0.9, −0.95, 0.3)")
    func spectralRadius() {
        let rotation = Matrix([[cos(1.1), -sin(1.1)], [sin(1.1), cos(1.1)]])
        #expect(abs(Lyapunov.spectralRadius(0.7 * rotation) - 0.7) < 1e-13)
        #expect(abs(Lyapunov.spectralRadius(Matrix([[0.5, 1], [0, 0.5]])) - 0.5) < 1e-12)
        // x³ − (r₁+r₂+r₃)x² + (r₁r₂+r₁r₃+r₂r₃)x − r₁r₂r₃ for r = 0.9, −0.95, 0.3.
        let r = [0.9, -0.95, 0.3]
        let e1 = r[0] + r[1] + r[2], e2 = r[0] * r[1] + r[0] * r[2] + r[1] * r[2], e3 = r[0] * r[1] * r[2]
        let companion = Matrix([[e1, -e2, e3], [1, 0, 0], [0, 1, 0]])
        #expect(abs(Lyapunov.spectralRadius(companion) - 0.95) < 1e-12)
        #expect(Lyapunov.spectralRadius(Matrix([[0, 1], [0, 0]])) == 0)
    }
}

@Suite("Exact moments: SGD, SME-1/2 and momentum on quadratics (docs/THEORY.md §5.3, §6.3, §6.4, §10.1)")
struct ExactMomentQuadraticTests {
    static let h = Matrix.diagonal([1, 2])
    static let x0 = [1.0, 1.0]

    @Test("§5.3 table: E f(x_k) of SGD, SME-1, SME-2 at η = 0.1, H = diag(1, 2), x₀ = (1, 1), to 1e-10")
    func liTaiETable() {
        let q = QuadraticMoments.liTaiE(hessian: Self.h, learningRate: 0.1)
        let table: [(k: Int, sgd: Double, sme1: Double, sme2: Double)] = [
            (0, 1.5, 1.5, 1.5),
            (1, 1.09, 1.1171851491441167, 1.0861987683297847),
            (2, 0.8123, 0.8477980895724281, 0.8046734269817675),
            (5, 0.3980340899, 0.4215444894693866, 0.3820857820706373),
            (10, 0.2052640333850207, 0.2057683345372518, 0.1841924176946856),
            (20, 0.1445465250514161, 0.1340018448372610, 0.1219963956537775),
        ]
        let sgd = q.sgd(from: Self.x0, steps: 20)
        let sme1 = q.sme(order: 1, from: Self.x0, steps: 20)
        let sme2 = q.sme(order: 2, from: Self.x0, steps: 20)
        for row in table {
            #expect(abs(q.expectation(of: .objective, under: sgd[row.k]) - row.sgd) < 1e-10, "SGD k = \(row.k)")
            #expect(abs(q.expectation(of: .objective, under: sme1[row.k]) - row.sme1) < 1e-10, "SME-1 k = \(row.k)")
            #expect(abs(q.expectation(of: .objective, under: sme2[row.k]) - row.sme2) < 1e-10, "SME-2 k = \(row.k)")
            // The direct evaluation at t = kη agrees with the grid recursion.
            let direct = q.sme(order: 2, from: Self.x0, at: 0.1 * Double(row.k))
            #expect(abs(q.expectation(of: .objective, under: direct) - row.sme2) < 1e-12)
            // Hellwig's closed form for SME-1: ½ x₀ᵀHe^{−2Ht}x₀ + (η/4) Σ λ² (1 − e^{−2λt}).
            let t = 0.1 * Double(row.k)
            let hellwig = 0.5 * (exp(-2 * t) + 2 * exp(-4 * t)) + 0.025 * ((1 - exp(-2 * t)) + 4 * (1 - exp(-4 * t)))
            #expect(abs(hellwig - row.sme1) < 1e-15)
        }
    }

    @Test("§5.3 weak errors (T = 1, g = f) to 1e-4 relative; SME-2 local orders 2.03, 2.01, 2.01 ± 0.01")
    func weakErrorTable() {
        let table: [(eta: Double, sme1: Double, sme2: Double)] = [
            (0.1, 3.5498e-2, 2.1072e-2), (0.05, 2.0198e-2, 5.1703e-3),
            (0.025, 1.0621e-2, 1.2822e-3), (0.0125, 5.4419e-3, 3.1936e-4),
        ]
        let curve = QuadraticMoments.weakErrorCurve(hessian: Self.h, from: Self.x0,
                                                    learningRates: table.map(\.eta), horizon: 1)
        for (row, point) in zip(table, curve) {
            #expect(point.learningRate == row.eta)
            #expect(relativeError(point.sme1, row.sme1) < 1e-4, "SME-1 η = \(row.eta): \(point.sme1)")
            #expect(relativeError(point.sme2, row.sme2) < 1e-4, "SME-2 η = \(row.eta): \(point.sme2)")
        }
        let local2 = (1..<curve.count).map { log2(curve[$0 - 1].sme2 / curve[$0].sme2) }
        for (got, want) in zip(local2, [2.03, 2.01, 2.01]) { #expect(abs(got - want) <= 0.01, "\(local2)") }
        let local1 = (1..<curve.count).map { log2(curve[$0 - 1].sme1 / curve[$0].sme1) }
        for (got, want) in zip(local1, [0.81, 0.93, 0.96]) { #expect(abs(got - want) <= 0.01, "\(local1)") }
        // Pitfall: the error at the single time t = 1 cancels for SME-1 (5.0e-4 at η = 0.1).
        let q = QuadraticMoments.liTaiE(hessian: Self.h, learningRate: 0.1)
        let atOne = abs(q.expectation(of: .objective, under: q.sgd(from: Self.x0, steps: 10)[10])
            - q.expectation(of: .objective, under: q.sme(order: 1, from: Self.x0, at: 1)))
        #expect(abs(atOne - 5.0e-4) < 0.05e-4)
    }

    @Test("SME-2 is weak order 2 for g = x₁⁴ (Gaussian fourth moment 3s² + 6μ²s + μ⁴): local orders 2 ± 0.1")
    func fourthPowerOrder() {
        let curve = QuadraticMoments.weakErrorCurve(hessian: Self.h, from: Self.x0,
                                                    learningRates: [0.05, 0.025, 0.0125], horizon: 1,
                                                    test: .fourthPower(0))
        for i in 1..<curve.count {
            #expect(abs(log2(curve[i - 1].sme2 / curve[i].sme2) - 2) < 0.1)
            #expect(abs(log2(curve[i - 1].sme1 / curve[i].sme1) - 1) < 0.2)
        }
    }

    @Test("§6.3 1-D stationary variance: all five rows to 1e-12 relative; SME-1 ησ²/(2λ), SME-2 ησ²/(λ(2+ηλ))")
    func oneDimensionalStationaryVariance() throws {
        let rows: [(eta: Double, lambda: Double, sigma: Double, discrete: Double, sde: Double, ratio: Double)] = [
            (0.1, 1, 1, 0.052631578947368425, 0.05, 1.0526316),
            (0.5, 1, 1, 0.3333333333333333, 0.25, 1.3333333),
            (1.0, 1.5, 2, 5.333333333333333, 1.3333333333, 4),
            (0.01, 10, 0.5, 1.3157894736842105e-4, 1.25e-4, 1.0526316),
            (0.19, 10, 1, 0.18999999999999984, 0.0095, 20),
        ]
        for r in rows {
            let q = QuadraticMoments(hessian: Matrix([[r.lambda]]), noiseCovariance: Matrix([[r.sigma * r.sigma]]),
                                     learningRate: r.eta)
            let discrete = try q.sgdStationaryCovariance()[0, 0]
            #expect(relativeError(discrete, r.discrete) < 1e-12, "\(r)")
            let closedForm = r.eta * r.sigma * r.sigma / (r.lambda * (2 - r.eta * r.lambda))
            #expect(relativeError(discrete, closedForm) < 1e-12)
            let sme1 = try q.smeStationaryCovariance(order: 1)[0, 0]
            #expect(relativeError(sme1, r.eta * r.sigma * r.sigma / (2 * r.lambda)) < 1e-12)
            #expect(relativeError(sme1, r.sde) < 1e-10)
            #expect(abs(discrete / sme1 - r.ratio) < 1e-7)
            let sme2 = try q.smeStationaryCovariance(order: 2)[0, 0]
            #expect(relativeError(sme2, r.eta * r.sigma * r.sigma / (r.lambda * (2 + r.eta * r.lambda))) < 1e-12)
            #expect(abs(sme2 - discrete) > abs(sme1 - discrete), "SME-2 is further from SGD than SME-1 (§4.3)")
            // Transient: Var_k = Var_∞ (1 − (1−ηλ)^{2k}).
            let law = q.sgd(from: [1], steps: 7)
            for k in [1, 3, 7] {
                let want = r.discrete * (1 - pow(1 - r.eta * r.lambda, 2 * Double(k)))
                #expect(abs(law[k].covariance[0, 0] - want) < 1e-12 * max(1, r.discrete))
                #expect(abs(law[k].mean[0] - pow(1 - r.eta * r.lambda, Double(k))) < 1e-14)
            }
        }
    }

    @Test("§6.4 HB and NAG stationary variance formulas = fixed point of the (x, v) recursion (1e-10 relative)")
    func momentumStationaryVariance() throws {
        let cases: [(eta: Double, lambda: Double, mu: Double, sigma: Double)] = [
            (0.1, 1, 0.5, 1), (0.05, 2, 0.9, 0.7), (0.3, 1.5, 0.3, 2), (0.01, 10, 0.99, 1), (0.2, 1, 0, 1),
        ]
        for c in cases {
            let q = QuadraticMoments(hessian: Matrix([[c.lambda]]), noiseCovariance: Matrix([[c.sigma * c.sigma]]),
                                     learningRate: c.eta)
            let s2 = c.sigma * c.sigma, el = c.eta * c.lambda, mu = c.mu
            let hb = (1 + mu) * c.eta * s2 / ((1 - mu) * c.lambda * (2 * (1 + mu) - el))
            let nag = (1 + mu - mu * el) * c.eta * s2
                / (c.lambda * (1 - mu + mu * el) * (2 * (1 + mu) - el * (1 + 2 * mu)))
            let hbS = try q.momentumStationaryCovariance(.heavyBall, momentum: mu)
            let nagS = try q.momentumStationaryCovariance(.nesterov, momentum: mu)
            #expect(relativeError(hbS[0, 0], hb) < 1e-10, "HB \(c)")
            #expect(relativeError(nagS[0, 0], nag) < 1e-10, "NAG \(c)")
            // The AR(2) form γ₀ = (1−φ₂) s / ((1+φ₂)((1−φ₂)² − φ₁²)), s = η²σ².
            func ar2(_ p1: Double, _ p2: Double) -> Double {
                (1 - p2) * c.eta * c.eta * s2 / ((1 + p2) * ((1 - p2) * (1 - p2) - p1 * p1))
            }
            #expect(relativeError(ar2(1 + mu - el, -mu), hb) < 1e-10)
            #expect(relativeError(ar2((1 + mu) * (1 - el), -mu * (1 - el)), nag) < 1e-10)
            // HB / regime-A SME ratio is exactly 1/(1 − ηλ/(2(1+μ))) (§4.4).
            let regimeA = c.eta * s2 / (2 * c.lambda * (1 - mu))
            #expect(relativeError(hb / regimeA, 1 / (1 - el / (2 * (1 + mu)))) < 1e-12)
        }
        // The exact recursion converges to that fixed point (μ = 0.5, ηλ = 0.1).
        let q = QuadraticMoments(hessian: Matrix([[1]]), noiseCovariance: Matrix([[1]]), learningRate: 0.1)
        for method in QuadraticMoments.MomentumMethod.allCases {
            let last = q.momentum(method, momentum: 0.5, from: [1], steps: 1500).last!
            let fixed = try q.momentumStationaryCovariance(method, momentum: 0.5)
            #expect((last.covariance - fixed).maxAbs < 1e-12, "\(method)")
            #expect(abs(last.mean[0]) < 1e-12 && last.marginal(0..<1).dimension == 1)
        }
    }

    @Test("§10.1 stability boundaries: SGD ηλ < 2, HB ηλ < 2(1+μ), NAG ηλ < 2(1+μ)/(1+2μ) (ρ(T) crosses 1)")
    func stabilityBoundaries() {
        for mu in [0.0, 0.3, 0.6, 0.9] {
            let boundaries: [(QuadraticMoments.MomentumMethod, Double)] = [
                (.heavyBall, 2 * (1 + mu)), (.nesterov, 2 * (1 + mu) / (1 + 2 * mu)),
            ]
            for (method, critical) in boundaries {
                let below = QuadraticMoments(hessian: Matrix([[1]]), noiseCovariance: Matrix([[1]]),
                                             learningRate: critical * (1 - 1e-6))
                let above = QuadraticMoments(hessian: Matrix([[1]]), noiseCovariance: Matrix([[1]]),
                                             learningRate: critical * (1 + 1e-6))
                #expect(Lyapunov.spectralRadius(below.momentumTransition(method, momentum: mu)) < 1, "\(method) μ = \(mu)")
                #expect(Lyapunov.spectralRadius(above.momentumTransition(method, momentum: mu)) > 1, "\(method) μ = \(mu)")
                #expect(throws: LinearAlgebraError.self) { try above.momentumStationaryCovariance(method, momentum: mu) }
                #expect((try? below.momentumStationaryCovariance(method, momentum: mu)) != nil)
            }
        }
        let h = Matrix([[3, 1], [1, 2]])
        let lmax = SymmetricEigen(h).values.last!
        let stable = QuadraticMoments.liTaiE(hessian: h, learningRate: 1.99 / lmax)
        let unstable = QuadraticMoments.liTaiE(hessian: h, learningRate: 2.01 / lmax)
        #expect((try? stable.sgdStationaryCovariance()) != nil)
        #expect(throws: LinearAlgebraError.self) { try unstable.sgdStationaryCovariance() }
    }

    @Test("Non-commuting H and C: SME-1/2 covariance at t = 0.7 equals RK4 (h = 1e-3) of Ṡ = −AS − SAᵀ + ηC to 1e-10")
    func nonCommutingCovariance() throws {
        let h = Matrix([[2, 0.5], [0.5, 1]])
        let c = Matrix([[1, -0.3], [-0.3, 0.5]])
        #expect((h * c - c * h).maxAbs > 0.1)
        let eta = 0.1
        let q = QuadraticMoments(hessian: h, noiseCovariance: c, learningRate: eta)
        for order in [1, 2] {
            let a = q.smeDrift(order: order)
            func rhs(_ s: Matrix) -> Matrix { eta * c - a * s - s * a.transposed }
            func mrhs(_ m: [Double]) -> [Double] { (a * m).map { -$0 } }
            var s = Matrix(rows: 2, columns: 2)
            var m = [1.0, -2.0]
            let dt = 1e-3
            for _ in 0..<700 {
                let k1 = rhs(s), k2 = rhs(s + (dt / 2) * k1), k3 = rhs(s + (dt / 2) * k2), k4 = rhs(s + dt * k3)
                s = s + (dt / 6) * (k1 + 2 * k2 + 2 * k3 + k4)
                let l1 = mrhs(m), l2 = mrhs(Vec.add(m, Vec.scaled(dt / 2, l1)))
                let l3 = mrhs(Vec.add(m, Vec.scaled(dt / 2, l2))), l4 = mrhs(Vec.add(m, Vec.scaled(dt, l3)))
                for i in 0..<2 { m[i] += dt / 6 * (l1[i] + 2 * l2[i] + 2 * l3[i] + l4[i]) }
            }
            let exact = q.sme(order: order, from: [1, -2], at: 0.7)
            #expect((exact.covariance - s).maxAbs < 1e-10, "order \(order)")
            #expect(Vec.distanceMax(exact.mean, m) < 1e-10)
            // Long times (split and squared Van Loan steps) reach the Lyapunov solution.
            let late = q.sme(order: order, from: [1, -2], at: 60)
            let stationary = try q.smeStationaryCovariance(order: order)
            #expect((late.covariance - stationary).maxAbs < 1e-13)
            #expect((a * stationary + stationary * a.transposed - eta * c).maxAbs < 1e-14)
        }
    }

    @Test("Test functions: names, Monte Carlo evaluation, Gaussian expectations")
    func testFunctions() {
        #expect(TestFunction.objective.name == "f")
        #expect(TestFunction.coordinate(0).name == "x₁")
        #expect(TestFunction.squaredNorm.description == "‖x‖²")
        #expect(TestFunction.fourthPower(0).name == "x₁⁴")
        #expect(TestFunction.coordinate(11).name == "x₁₂")
        let f = Quadratic(diagonal: [1, 2])
        #expect(TestFunction.objective.evaluate([1, 1], objective: f) == 1.5)
        #expect(TestFunction.fourthPower(1).evaluate([1, -2], objective: f) == 16)
        #expect(TestFunction.squaredNorm.evaluate([3, 4], objective: f) == 25)
        let s = Matrix([[2, 0.3], [0.3, 1]])
        let m = [0.5, -1.0]
        #expect(TestFunction.fourthPower(0).gaussianExpectation(mean: m, covariance: s) == 0.0625 + 3 + 12)
        #expect(abs(TestFunction.squaredNorm.gaussianExpectation(mean: m, covariance: s) - 4.25) < 1e-15)
        #expect(abs(TestFunction.objective.gaussianExpectation(mean: m, covariance: s, quadraticHessian: .diagonal([1, 2]))
            - 0.5 * (2.25 + 2 * 2)) < 1e-15)
    }
}

@Suite("Exact moments: least squares (docs/THEORY.md §2.2, §6.5, §10.2)")
struct ExactMomentLeastSquaresTests {
    /// A tiny non-realizable problem, n = 5, d = 2.
    static let tiny = LeastSquares(A: Matrix([[1, 0], [2, 1], [-1, 3], [0.5, -2], [4, 1]]),
                                   y: [1, -1, 2, 0.5, 3])

    /// One step of docs/THEORY.md §6.5 by brute force over explicit batches (independent of the library's
    /// tensors): M' = E[(I−ηH_B)M(I−ηH_B)] + η E[(I−ηH_B) m c_Bᵀ + c_B mᵀ(I−ηH_B)] + η² E[c_B c_Bᵀ].
    static func bruteForceStep(_ f: LeastSquares, _ law: LeastSquaresMoments.Moments, eta: Double,
                               batches: [[Int]]) -> LeastSquaresMoments.Moments {
        let d = f.dimension
        var mean = [Double](repeating: 0, count: d)
        var second = Matrix(rows: d, columns: d)
        let w = 1 / Double(batches.count)
        for batch in batches {
            var hb = Matrix(rows: d, columns: d)
            var cb = [Double](repeating: 0, count: d)
            for i in batch {
                let x = (0..<d).map { f.design[i, $0] }
                hb = hb + (1 / Double(batch.count)) * Matrix.outer(x, x)
                cb = Vec.add(cb, Vec.scaled(f.targets[i] / Double(batch.count), x))
            }
            let a = Matrix.identity(d) - eta * hb
            mean = Vec.add(mean, Vec.scaled(w, Vec.add(a * law.mean, Vec.scaled(eta, cb))))
            let am = a * law.mean
            let term = a * law.secondMoment * a + eta * (Matrix.outer(am, cb) + Matrix.outer(cb, am))
                + (eta * eta) * Matrix.outer(cb, cb)
            second = second + w * term
        }
        return LeastSquaresMoments.Moments(mean: mean, secondMoment: second)
    }

    static func allBatches(n: Int, b: Int, replacement: Bool) -> [[Int]] {
        if b == 0 { return [[]] }
        let shorter = allBatches(n: n, b: b - 1, replacement: replacement)
        var out: [[Int]] = []
        for s in shorter {
            for i in 0..<n where replacement || (s.last.map { i > $0 } ?? true) { out.append(s + [i]) }
        }
        return out
    }

    @Test("n = 5, d = 2, b = 2: closed-form recursion = enumeration = brute-force batches, 10 steps, to 1e-12")
    func recursionMatchesEnumeration() throws {
        let f = Self.tiny
        let eta = 0.05
        for sampling in [Sampling.withReplacement, .withoutReplacement] {
            let closed = try LeastSquaresMoments(f, learningRate: eta, batchSize: 2, sampling: sampling)
            let enumerated = try LeastSquaresMoments(f, learningRate: eta, batchSize: 2, sampling: sampling,
                                                     batchExpectation: .enumeration)
            #expect((closed.batchHH - enumerated.batchHH).maxAbs < 1e-12)
            #expect((closed.batchHc - enumerated.batchHc).maxAbs < 1e-12)
            #expect((closed.batchCC - enumerated.batchCC).maxAbs < 1e-12)
            let batches = Self.allBatches(n: 5, b: 2, replacement: sampling == .withReplacement)
            #expect(batches.count == (sampling == .withReplacement ? 25 : 10))
            let a = closed.sgd(from: [0.3, -0.7], steps: 10)
            let b = enumerated.sgd(from: [0.3, -0.7], steps: 10)
            var brute = LeastSquaresMoments.Moments(point: [0.3, -0.7])
            for k in 0...10 {
                if k > 0 { brute = Self.bruteForceStep(f, brute, eta: eta, batches: batches) }
                #expect(Vec.distanceMax(a[k].mean, b[k].mean) < 1e-12 && Vec.distanceMax(a[k].mean, brute.mean) < 1e-12)
                #expect((a[k].secondMoment - b[k].secondMoment).maxAbs < 1e-12, "\(sampling) k = \(k)")
                #expect((a[k].secondMoment - brute.secondMoment).maxAbs < 1e-12, "\(sampling) k = \(k)")
            }
            // The minibatch gradient covariance at w = 0 has the §2.2 factor: Cov g_B = c Σ(0).
            let c = sampling.covarianceFactor(batchSize: 2, sampleCount: 5)
            #expect(abs(c - (sampling == .withReplacement ? 0.5 : 0.375)) < 1e-15)
            let covGB = enumerated.batchCC - Matrix.outer(f.meanCrossTerm, f.meanCrossTerm)
            #expect((covGB - c * GradientNoise.sampleCovariance(f, at: [0, 0])).maxAbs < 1e-12)
        }
    }

    @Test("§2.2 worked example by enumeration: g = rows of the tiny design (y = −1, w = 0), b = 2")
    func minibatchWorkedExample() throws {
        // ∇fᵢ(0) = −xᵢyᵢ = xᵢ, so the per-example gradients are g = [[1,0],[2,1],[−1,3],[0.5,−2],[4,1]].
        let f = LeastSquares(A: Self.tiny.design, y: [-1, -1, -1, -1, -1])
        let sigma = GradientNoise.sampleCovariance(f, at: [0, 0])
        #expect((sigma - Matrix([[2.76, -0.38], [-0.38, 2.64]])).maxAbs < 1e-12)
        let expected: [(Sampling, Matrix)] = [
            (.withReplacement, Matrix([[1.38, -0.19], [-0.19, 1.32]])),
            (.withoutReplacement, Matrix([[1.035, -0.1425], [-0.1425, 0.99]])),
        ]
        for (sampling, cov) in expected {
            let m = try LeastSquaresMoments(f, learningRate: 0.1, batchSize: 2, sampling: sampling,
                                            batchExpectation: .enumeration)
            // g_B = −c_B at w = 0: E g_B = −c̄ = (1.3, 0.6), Cov g_B = E[c_B c_Bᵀ] − c̄c̄ᵀ.
            #expect(Vec.distanceMax(f.meanCrossTerm, [-1.3, -0.6]) < 1e-15)
            let covGB = m.batchCC - Matrix.outer(f.meanCrossTerm, f.meanCrossTerm)
            #expect((covGB - cov).maxAbs < 1e-12, "\(sampling)")
            #expect((m.noiseCovariance(at: [0, 0]) - sigma).maxAbs < 1e-12)
        }
    }

    @Test("Full batch without replacement is deterministic GD: M = m mᵀ; b = 1 both ways agree")
    func edgeBatchSizes() throws {
        let f = Self.tiny
        let full = try LeastSquaresMoments(f, learningRate: 0.05, batchSize: 5, sampling: .withoutReplacement)
        let laws = full.sgd(from: [1, 1], steps: 5)
        var w = [1.0, 1.0]
        for k in 1...5 {
            let g = f.gradient(w)
            w = Vec.add(w, Vec.scaled(-0.05, g))
            #expect(Vec.distanceMax(laws[k].mean, w) < 1e-13)
            #expect(laws[k].covariance.maxAbs < 1e-12)
        }
        let one = try LeastSquaresMoments(f, learningRate: 0.05, batchSize: 1, sampling: .withReplacement)
        let oneWithout = try LeastSquaresMoments(f, learningRate: 0.05, batchSize: 1, sampling: .withoutReplacement)
        let l1 = one.sgd(from: [1, 1], steps: 4).last!, l2 = oneWithout.sgd(from: [1, 1], steps: 4).last!
        #expect((l1.secondMoment - l2.secondMoment).maxAbs < 1e-13)
        #expect(throws: ConfigurationError.self) {
            try LeastSquaresMoments(f, learningRate: 0.05, batchSize: 2, sampling: .reshuffling)
        }
        #expect(throws: ConfigurationError.self) {
            try LeastSquaresMoments(f, learningRate: 0.05, batchSize: 6, sampling: .withoutReplacement)
        }
        #expect(throws: ConfigurationError.self) {
            try LeastSquaresMoments(f, learningRate: 0.05, batchSize: 40, batchExpectation: .enumeration)
        }
    }

    @Test("Σ(θ) from moment tensors (O(d⁴)) = direct per-sample formula to 1e-10")
    func noiseCovariancePolynomial() throws {
        let (f, wStar) = LeastSquares.synthetic(n: 40, d: 3, noise: 0.3, seed: 7)
        let moments = try LeastSquaresMoments(f, learningRate: 0.01, batchSize: 4)
        for theta in [[0.0, 0, 0], wStar, [1.5, -2, 0.25], [10, 3, -7]] {
            let fast = moments.noiseCovariance(at: theta)
            let direct = GradientNoise.sampleCovariance(f, at: theta)
            #expect((fast - direct).maxAbs < 1e-10 * max(1, direct.maxAbs), "θ = \(theta)")
        }
    }

    @Test("§10.2 in 1-D: ρ(T) = 1 − 2ηa + η²E[H_B²] and equals 1 at η* = 2a/E[H_B²]; λ_max(Q) bounds ρ(T) in 2-D")
    func meanSquareStability() throws {
        let f = LeastSquares(A: Matrix([[1], [2], [3], [0.5]]), y: [1, 2, 3, 0.5])
        let n = 4.0, b = 2
        let a = (1 + 4 + 9 + 0.25) / n
        let fourth = (1 + 16 + 81 + 0.0625) / n
        for sampling in [Sampling.withReplacement, .withoutReplacement] {
            let c = sampling.covarianceFactor(batchSize: b, sampleCount: 4)
            let ehb2 = c * fourth + (1 - c) * a * a
            let etaStar = 2 * a / ehb2
            for eta in [0.5 * etaStar, etaStar, 1.2 * etaStar] {
                let m = try LeastSquaresMoments(f, learningRate: eta, batchSize: b, sampling: sampling)
                #expect(abs(m.meanSquareSpectralRadius - abs(1 - 2 * eta * a + eta * eta * ehb2)) < 1e-12)
            }
            #expect(abs(try LeastSquaresMoments(f, learningRate: etaStar, batchSize: b, sampling: sampling)
                .meanSquareSpectralRadius - 1) < 1e-12)
            #expect(etaStar < 2 / a)
        }
        // Wu–Ma–E sufficient condition: ρ(T) ≤ λ_max((I−ηH)² + η² Var(H_B)) in d = 2.
        let g = Self.tiny
        for eta in [0.02, 0.1, 0.2] {
            let m = try LeastSquaresMoments(g, learningRate: eta, batchSize: 2, sampling: .withoutReplacement)
            let ih = Matrix.identity(2) - eta * g.meanHessian
            var second = Matrix(rows: 2, columns: 2)
            for i in 0..<5 {
                let x = [g.design[i, 0], g.design[i, 1]]
                let hi = Matrix.outer(x, x)
                second = second + 0.2 * (hi * hi)
            }
            let varHB = m.covarianceFactor * (second - g.meanHessian * g.meanHessian)
            let bound = SymmetricEigen(ih * ih + (eta * eta) * varHB).values.last!
            #expect(m.meanSquareSpectralRadius <= bound + 1e-12)
        }
    }

    @Test("Realizable case: stationary moments are (w*, w* w*ᵀ); unstable η throws")
    func realizableStationary() throws {
        let (f, wStar) = LeastSquares.synthetic(n: 12, d: 2, noise: 0, seed: 3)
        let m = try LeastSquaresMoments(f, learningRate: 0.05, batchSize: 3, sampling: .withoutReplacement)
        #expect(m.isMeanSquareStable)
        let s = try m.stationaryMoments()
        #expect(Vec.distanceMax(s.mean, wStar) < 1e-10)
        #expect((s.secondMoment - Matrix.outer(wStar, wStar)).maxAbs < 1e-10)
        // Non-realizable: the fixed point is reached by iterating the recursion.
        let g = try LeastSquaresMoments(Self.tiny, learningRate: 0.05, batchSize: 2)
        let fixed = try g.stationaryMoments()
        let last = g.sgd(from: [0, 0], steps: 3000).last!
        #expect((last.secondMoment - fixed.secondMoment).maxAbs < 1e-10)
        #expect(abs(g.step(fixed).secondMoment.maxAbs - fixed.secondMoment.maxAbs) < 1e-12)
        let unstable = try LeastSquaresMoments(f, learningRate: 5, batchSize: 3)
        #expect(!unstable.isMeanSquareStable)
        #expect(throws: LinearAlgebraError.self) { try unstable.stationaryMoments() }
    }

    @Test("SME-1 moment ODE: generator at t = 0 gives the drift with the direct Σ(θ₀); matches RK4; weak order ≈ 1")
    func sme1Moments() throws {
        let f = Self.tiny
        let eta = 0.02
        let m = try LeastSquaresMoments(f, learningRate: eta, batchSize: 2, sampling: .withoutReplacement)
        // d/dt M at a point mass = −H̄M − MH̄ + c̄θᵀ + θc̄ᵀ + η c Σ(θ) (direct per-sample Σ); six points
        // pin down the constant, linear and quadratic parts of the generator.
        for point in [[0.0, 0], [1, 0], [0, 1], [1, 1], [2, -3], [0.4, -1.1]] {
            let du = m.sme1Generator * m.pack(.init(point: point))
            let mm = Matrix.outer(point, point), hb = f.meanHessian, cb = f.meanCrossTerm
            let want = (Matrix.outer(cb, point) + Matrix.outer(point, cb)) - hb * mm - mm * hb
                + (eta * m.covarianceFactor) * GradientNoise.sampleCovariance(f, at: point)
            #expect((m.unpack(du).secondMoment - want).maxAbs < 1e-12 * max(1, want.maxAbs), "θ = \(point)")
            #expect(Vec.distanceMax(m.unpack(du).mean, Vec.scaled(-1, f.gradient(point))) < 1e-13)
        }
        let theta = [0.4, -1.1]
        let u0 = m.pack(.init(point: theta))
        // The exponential agrees with RK4 on u̇ = 𝒢u (h = 1e-3, t = 0.5).
        var u = u0
        let g = m.sme1Generator
        let dt = 1e-3
        for _ in 0..<500 {
            let k1 = g * u, k2 = g * Vec.add(u, Vec.scaled(dt / 2, k1))
            let k3 = g * Vec.add(u, Vec.scaled(dt / 2, k2)), k4 = g * Vec.add(u, Vec.scaled(dt, k3))
            for i in 0..<u.count { u[i] += dt / 6 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]) }
        }
        let exact = m.sme1(from: theta, at: 0.5)
        #expect((exact.secondMoment - m.unpack(u).secondMoment).maxAbs < 1e-10)
        let grid = m.sme1(from: theta, steps: 25)
        #expect((grid[25].secondMoment - exact.secondMoment).maxAbs < 1e-12)
        // Weak error of SME-1 against SGD for g = f on T = 1 halves with η once η ≤ 0.01 (at η = 0.04,
        // 0.02 it is still pre-asymptotic: 0.019, 0.025): local orders 0.87, 0.94, so 1 ± 0.2.
        var errors: [Double] = []
        for e in [0.01, 0.005, 0.0025] {
            let mo = try LeastSquaresMoments(f, learningRate: e, batchSize: 1)
            let steps = Int((1 / e).rounded())
            let sgd = mo.sgd(from: theta, steps: steps), sme = mo.sme1(from: theta, steps: steps)
            errors.append(zip(sgd, sme).map {
                abs(mo.expectation(of: .objective, under: $0.0)! - mo.expectation(of: .objective, under: $0.1)!)
            }.max()!)
        }
        for i in 1..<errors.count { #expect(abs(log2(errors[i - 1] / errors[i]) - 1) < 0.2, "\(errors)") }
        // E f from two moments equals the sample mean of f at a point mass.
        #expect(abs(m.expectation(of: .objective, under: .init(point: theta))! - f.value(theta)) < 1e-13)
        #expect(m.expectation(of: .fourthPower(0), under: .init(point: theta)) == nil)
    }
}
