import Foundation
import Testing
@testable import SGDynamics

/// The numerical pieces of the density studies and the studies `stationary`, `fokker-planck` and
/// `master` on their closed forms (docs/THEORY.md §6–§8).
@Suite("density studies and their methods")
struct DensityStudyTests {
    /// The Bernoulli example's chain at ηλ = r: θ' = (1 − r)θ ± r with probability ½ each.
    static func bernoulli(_ r: Double) -> AffineChain {
        AffineChain(slopes: [1 - r, 1 - r], shifts: [r, -r], probabilities: [0.5, 0.5])
    }

    @Test("Gauss–Hermite with m points integrates Z^k exactly for k ≤ 2m − 1 (E Z^{2j} = (2j − 1)!!), to 1e-12 of Σ w|z|^k")
    func gaussHermiteExactness() {
        for m in [1, 2, 3, 5, 8] {
            let rule = GaussHermite(points: m)
            #expect(abs(rule.weights.reduce(0, +) - 1) < 1e-14)
            for k in 0...(2 * m - 1) {
                let exact = k % 2 == 1 ? 0 : stride(from: k - 1, through: 1, by: -2).reduce(1.0) { $0 * Double($1) }
                let q = rule.expectation { pow($0, Double(k)) }
                let scale = max(1, rule.expectation { pow(abs($0), Double(k)) })   // round-off of the sum
                #expect(abs(q - exact) <= 1e-12 * scale, "m = \(m), k = \(k): \(q) vs \(exact)")
            }
        }
        let three = GaussHermite(points: 3)
        #expect(zip(three.nodes.sorted(), [-3.0.squareRoot(), 0, 3.0.squareRoot()]).allSatisfy { abs($0 - $1) < 1e-13 })
        #expect(zip(three.weights.sorted(), [1.0 / 6, 1.0 / 6, 2.0 / 3]).allSatisfy { abs($0 - $1) < 1e-13 })
    }

    @Test("the Bernoulli example's exact law: variance ηλ/(2 − ηλ), excess kurtosis −2(1−ρ²)/(1+ρ²), support [−1, 1] at ηλ = 0.5 (§8.4), to 1e-12")
    func bernoulliMoments() throws {
        for r in [0.1, 0.5, 1.2] {
            let s = try #require(Self.bernoulli(r).stationary())
            let rho = 1 - r
            #expect(abs(s.mean) < 1e-14)
            #expect(abs(s.variance - r / (2 - r)) < 1e-12)
            #expect(abs(s.excessKurtosis + 2 * (1 - rho * rho) / (1 + rho * rho)) < 1e-12)
        }
        let half = Self.bernoulli(0.5)
        #expect(abs(half.stationary()!.variance - 1.0 / 3) < 1e-12)
        let support = try #require(half.invariantInterval)
        #expect(abs(support.lowerBound + 1) < 1e-12 && abs(support.upperBound - 1) < 1e-12)
        #expect(Self.bernoulli(2.5).stationary() == nil && !Self.bernoulli(2.5).meanSquareStable)
    }

    @Test("affine-chain transient mean and variance equal the enumeration of all 3⁶ batch sequences, to 1e-12")
    func transientAgainstEnumeration() {
        // Three per-sample quadratics, batch size 1 with replacement: P(B = i) = 1/3.
        let h = [1.0, 2.0, 0.5], g = [1.0, -0.5, 2.0]
        let batches = try! MinibatchEnumeration(sampleCount: 3, batchSize: 1, sampling: .withReplacement)
        let chain = AffineChain(curvatures: h, targets: g, batches: batches, learningRate: 0.3)
        let x0 = 0.7, k = 6
        var values: [(Double, Double)] = [(x0, 1)]
        for _ in 0..<k {
            values = values.flatMap { x, w in (0..<chain.p.count).map { (chain.a[$0] * x + chain.b[$0], w * chain.p[$0]) } }
        }
        let mean = values.reduce(0) { $0 + $1.1 * $1.0 }
        let variance = values.reduce(0) { $0 + $1.1 * ($1.0 - mean) * ($1.0 - mean) }
        let t = chain.transient(from: x0, steps: [k])[0]
        #expect(abs(t.mean - mean) < 1e-12 && abs(t.variance - variance) < 1e-12, "\(t) vs (\(mean), \(variance))")
    }

    @Test("SGLD on ½λθ²: the affine chain's stationary variance is T/(λ(1 − ηλ/2)) and its law Gaussian (§6.2), to 1e-12")
    func sgldQuadratic() throws {
        let lambda = 2.0, eta = 0.1, T = 0.3
        let s = try #require(AffineChain(curvature: lambda, learningRate: eta, temperature: T).stationary())
        #expect(abs(s.variance - T / (lambda * (1 - eta * lambda / 2))) < 1e-12)
        #expect(abs(s.excessKurtosis) < 1e-10)
    }

    @Test("heavy ball with μ = 0 has SGD's exact variance; with μ > 0 the second-moment map is a contraction when stable, to 1e-10")
    func heavyBall() throws {
        let chain = Self.bernoulli(0.5)
        let zero = try #require(HeavyBallChain(chain: chain, momentum: 0).stationary())
        #expect(abs(zero.varX - 1.0 / 3) < 1e-10 && abs(zero.meanX) < 1e-12)
        let hb = HeavyBallChain(chain: chain, momentum: 0.3)
        #expect(hb.spectralRadius < 1)
        #expect(try #require(hb.stationary()).varX > 0)
    }

    @Test("SGLD's lattice noise: weights sum to 1 and the variance is s² to 1e-10; below one cell, Gauss–Hermite")
    func sgldNoise() {
        let lattice = SGLDNoise(learningRate: 0.1, temperature: 0.5, spacing: 0.05, quadrature: 40)
        #expect(lattice.isLattice)
        #expect(abs(lattice.weights.reduce(0, +) - 1) < 1e-14)
        let v = zip(lattice.points, lattice.weights).reduce(0) { $0 + $1.1 * $1.0 * $1.0 }
        #expect(abs(v - 1) < 1e-10, "E z² = \(v)")
        #expect(Double(lattice.points.count) == SGLDNoise.pointCount(learningRate: 0.1, temperature: 0.5, spacing: 0.05, quadrature: 40))
        let quadrature = SGLDNoise(learningRate: 0.01, temperature: 0.01, spacing: 0.1, quadrature: 12)
        #expect(!quadrature.isLattice && quadrature.points.count == 12)
    }

    @Test("the time-averaged ensemble is bitwise the same for 1 and 3 threads, and SGD's Bernoulli variance is 1/3 within 5 SE")
    func timeAveragedEnsemble() throws {
        let ls = DensityProblem.shiftedQuadratics(centers: [1, -1], curvatures: [1, 1], name: "bernoulli")
        let sgd = SGD(MinibatchGradient(ls, batchSize: 1, sampling: .withoutReplacement), learningRate: 0.5)
        let grid = try Grid1D(lower: -2, upper: 2, count: 201)
        let one = TimeAveragedEnsemble(paths: 64, burnIn: 20, steps: 200, seed: 3, threads: 1).run(sgd, grid: grid, reference: 0)
        let three = TimeAveragedEnsemble(paths: 64, burnIn: 20, steps: 200, seed: 3, threads: 3).run(sgd, grid: grid, reference: 0)
        #expect(one == three)
        #expect(one.diverged == 0 && one.outside == 0 && one.counts.reduce(0, +) == 64 * 200)
        #expect(one.varianceSE > 0 && abs(one.variance - 1.0 / 3) < 5 * one.varianceSE, "\(one.variance) ± \(one.varianceSE)")
    }

    @Test("MasterStudy on the Bernoulli example at ηλ = 0.5: variance 1/3 (grid, 1e-3; exact, 1e-12), excess kurtosis −1.2 (5e-3), Langevin 1/4")
    func masterStudy() throws {
        let r = try MasterStudy(.init()).run(StudyContext(threads: 1))
        #expect(r.status == .ok)
        #expect(abs(try #require(r.metric("variance master")).value - 1.0 / 3) < 1e-3)
        #expect(abs(try #require(r.metric("variance exact")).value - 1.0 / 3) < 1e-12)
        #expect(abs(try #require(r.metric("variance langevin")).value - 0.25) < 1e-12)
        #expect(abs(try #require(r.metric("excess kurtosis master")).value + 1.2) < 5e-3)
        #expect(try #require(r.metric("tv master–langevin")).value > 0.1)
        #expect(r.claim.contains("1/(1 − ηλ/2)") && r.table("master")?.columns.map(\.key) == ["x", "master_equation", "langevin_gaussian", "gibbs"])
        #expect(try StudyResult(json: r.jsonText()) == r)
    }

    @Test("MasterStudy transient from θ₀ = 1 follows the exact variance recursion (1e-3 on the grid); heavy ball's θ-variance matches the exact chain (1e-2 relative)")
    func masterTransientAndHeavyBall() throws {
        var c = MasterStudy.Configuration()
        c.steps = 40; c.saves = 4; c.start = 1
        let t = try MasterStudy(c).run(StudyContext())
        let final = try #require(t.metric("variance final"))
        #expect(abs(final.value - final.expected!) < 1e-3 && abs(final.expected! - 1.0 / 3) < 1e-6)
        var h = MasterStudy.Configuration()
        h.momentum = 0.3
        h.grid = [GridAxis(lower: -3, upper: 3, count: 61), GridAxis(lower: -2, upper: 2, count: 61)]
        let hb = try MasterStudy(h).run(StudyContext())
        let v = try #require(hb.metric("variance master"))
        #expect(abs(v.value - v.expected!) < 1e-2 * v.expected!, "\(v.value) vs \(v.expected!)")
        #expect(hb.figures.map(\.name) == ["master", "master-2d"] && hb.figures[1].heatmap != nil)
    }

    @Test("StationaryStudy on the Bernoulli example: master 1/3 (1e-3), ensemble within 5 SE, Langevin Fokker–Planck = Gibbs to 1e-12")
    func stationaryStudy() throws {
        var c = StationaryStudy.Configuration()
        c.paths = 100; c.burnIn = 20; c.steps = 100
        let r = try StationaryStudy(c).run(StudyContext(threads: 2))
        #expect(r.status == .ok)
        #expect(abs(try #require(r.metric("variance master")).value - 1.0 / 3) < 1e-3)
        let ens = try #require(r.metric("variance ensemble"))
        #expect(abs(ens.value - 1.0 / 3) < 5 * ens.standardError!)
        #expect(try #require(r.metric("tv langevin-fp–gibbs")).value < 1e-12)
        #expect(abs(try #require(r.metric("variance langevin")).value - 0.25) < 1e-6)
        #expect(r.figures.first?.bars.isEmpty == false)
        #expect(!r.context.joined().contains(" s;"), "no timings in a result")
    }

    @Test("SGLD on the double well: the master equation's law is near the Gibbs law at T_SGLD (TV < 0.1) with few paths")
    func stationarySGLD() throws {
        var c = StationaryStudy.Configuration()
        c.algorithm = .sgld
        c.objective = DensityObjectiveChoice(name: .doubleWell)
        c.paths = 50; c.burnIn = 20; c.steps = 50
        let r = try StationaryStudy(c).run(StudyContext(threads: 2))
        #expect(try #require(r.metric("tv sgld-master–gibbs")).value < 0.1)
        #expect(abs(try #require(r.metric("langevin temperature")).value - 0.1) < 1e-15)
    }

    @Test("FokkerPlanckStudy, §7.4 case 1: Σ x²p = 0.8405464652307093 (2e-15) and the Gibbs law to round-off; 2-D Gibbs to 1e-12")
    func fokkerPlanckStudy() throws {
        let r = try FokkerPlanckStudy(.init()).run(StudyContext())
        #expect(abs(try #require(r.metric("second moment")).value - 0.8405464652307093) <= 2e-15)
        #expect(try #require(r.metric("tv fp-stationary–gibbs")).value < 1e-13)
        var c = FokkerPlanckStudy.Configuration()
        c.objective = .doubleWell2D
        c.grid = [GridAxis(lower: -3, upper: 3, count: 41), GridAxis(lower: -3, upper: 3, count: 41)]
        let two = try FokkerPlanckStudy(c).run(StudyContext())
        #expect(try #require(two.metric("tv fp-stationary–gibbs")).value < 1e-12)
        #expect(two.figures.first?.heatmap != nil)
        var t = FokkerPlanckStudy.Configuration()
        t.time = 1; t.timeStep = 0.05; t.saves = 2; t.start = [-0.5]
        let transient = try FokkerPlanckStudy(t).run(StudyContext())
        #expect(try #require(transient.metric("mass drift")).value < 1e-12)
    }

    /// A bad configuration (by index) and the field its error must name.
    static func badConfiguration(_ i: Int) throws {
        var s = StationaryStudy.Configuration(), m = MasterStudy.Configuration(), f = FokkerPlanckStudy.Configuration()
        switch i {
        case 0: s.paths = 1; _ = try StationaryStudy(s)
        case 1: s.objective.etaLambda = 2.5; _ = try StationaryStudy(s)
        case 2: s.grid = [GridAxis(lower: -1.5, upper: 1.5, count: 4)]; _ = try StationaryStudy(s)
        case 3: m.objective = .init(name: .doubleWell); _ = try MasterStudy(m)
        case 4: m.grid = [GridAxis(lower: -0.5, upper: 0.5, count: 301)]; _ = try MasterStudy(m)
        case 5: f.model = .sme; _ = try FokkerPlanckStudy(f)
        case 6: f.timeStep = 0; _ = try FokkerPlanckStudy(f)
        default: f.grid = [GridAxis(lower: -3, upper: 3, count: 9_000_000)]; _ = try FokkerPlanckStudy(f)
        }
    }

    @Test("bad values are refused in init with the library's field names", arguments: [
        (0, "paths"), (1, "objective.etaLambda"), (2, "grid"), (3, "objective.name"), (4, "grid"), (5, "model"), (6, "timeStep"), (7, "grid"),
    ])
    func validation(index: Int, field: String) {
        do {
            try Self.badConfiguration(index)
            Issue.record("no error for \(field)")
        } catch let e as ConfigurationError {
            #expect(e.field == field, "\(e)")
        } catch {
            Issue.record("\(error)")
        }
    }
}
