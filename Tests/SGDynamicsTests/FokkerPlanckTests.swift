import Foundation
import Testing
@testable import SGDynamics

/// docs/THEORY.md §7.4 case 1: `L = x⁴/4 − x²/2`, `D = 0.3`, `x ∈ [−3, 3]`, 121 nodes (`Δx = 0.05`).
fileprivate let case1Grid = try! Grid1D(lower: -3, upper: 3, count: 121)
fileprivate func doubleWell(_ x: Double) -> Double { x * x * x * x / 4 - x * x / 2 }

@Suite("Fokker–Planck 1-D (Chang–Cooper)")
struct FokkerPlanck1DDensityTests {
    @Test("Grid nodes run from lower to upper inclusive; x = 0 and x = 1 are nodes 60 and 80 exactly")
    func gridNodes() throws {
        let g = case1Grid
        #expect(g.spacing == 0.05)
        #expect(g[0] == -3 && g[120] == 3 && g[60] == 0 && g[80] == 1)
        let h = try Grid1D(lower: -1, spacing: 0.5, count: 5)
        #expect(h.upper == 1 && h.nodes == [-1, -0.5, 0, 0.5, 1])
        let (i, w, out) = h.cloudInCell(0.25)
        #expect(i == 2 && abs(w - 0.5) < 1e-15 && !out)
        #expect(h.cloudInCell(-2).clamped && h.cloudInCell(2).clamped && !h.cloudInCell(1).clamped)
        #expect(throws: ConfigurationError.self) { try Grid1D(lower: 0, upper: 1, count: 2) }
        #expect(throws: ConfigurationError.self) { try Grid1D(lower: 1, upper: 0, count: 10) }
    }

    @Test("§7.4 case 1: ‖A g‖∞ ≤ 1e-13, stationary solve = Gibbs g, Σx²g and g(0), g(1) as in docs/THEORY.md")
    func gibbsCase1() throws {
        let fp = try FokkerPlanck1D(grid: case1Grid, diffusion: 0.3, potential: doubleWell)
        let g = try Density1D.gibbs(grid: case1Grid, temperature: 0.3, potential: doubleWell)
        #expect(Vec.maxAbs(fp.apply(g)) <= 1e-13)
        #expect(Vec.maxAbs(fp.generator.columnSums) <= 1e-13)
        let p = try fp.stationary()
        #expect(Vec.distanceMax(p.masses, g.masses) <= 1e-15)
        #expect(abs(p.totalMass - 1) <= 1e-15)
        var m2 = 0.0
        for j in 0..<case1Grid.count { m2 += case1Grid[j] * case1Grid[j] * g.masses[j] }
        #expect(abs(m2 - 0.8405464652307093) <= 1e-10)
        #expect(abs(g.masses[60] - 0.01023545748618989) <= 1e-10)
        #expect(abs(g.masses[80] - 0.02355154090798142) <= 1e-10)
        #expect(abs(p.masses[60] - 0.01023545748618989) <= 1e-10)
        #expect(abs(p.masses[80] - 0.02355154090798142) <= 1e-10)
    }

    @Test("§7.4 case 2: OU transient keeps mass 1 (1e-12) and p ≥ 0; mean and variance errors are first order in Δt")
    func ornsteinUhlenbeckOrder() throws {
        // dX = −θX dt + √(2D) dW, B_{j+½} = θ x_{j+½}; Δx = 0.01 so that the O(Δx²) space error is far
        // below the O(Δt) time error. Slope fitted over Δt = 0.04 … 0.005, tolerance 1 ± 0.15.
        let theta = 1.0, d = 0.5, horizon = 1.0
        let grid = try Grid1D(lower: -5, upper: 6, count: 1101)
        let fp = try FokkerPlanck1D(grid: grid, drift: { -theta * $0 }, diffusion: { _ in d })
        let p0 = try Density1D.gaussian(grid: grid, mean: 1, variance: 0.1)
        let m0 = p0.mean, v0 = p0.variance
        let mExact = m0 * exp(-theta * horizon)
        let vExact = v0 * exp(-2 * theta * horizon) + d / theta * (1 - exp(-2 * theta * horizon))
        let steps = [0.04, 0.02, 0.01, 0.005]
        var em = [Double](), ev = [Double]()
        for dt in steps {
            let n = Int((horizon / dt).rounded())
            let run = try fp.evolve(p0, timeStep: dt, steps: n)
            #expect(run.status == .ok)
            #expect(run.minimumMass >= 0)
            for q in run.densities { #expect(abs(q.totalMass - 1) <= 1e-12) }
            em.append(abs(run.final.mean - mExact))
            ev.append(abs(run.final.variance - vExact))
        }
        let fm = try #require(OrderFit(steps: steps, errors: em))
        let fv = try #require(OrderFit(steps: steps, errors: ev))
        #expect(abs(fm.order - 1) <= 0.15, "mean error order \(fm.order), errors \(em)")
        #expect(abs(fv.order - 1) <= 0.15, "variance error order \(fv.order), errors \(ev)")
    }

    @Test("§7.4 case 3: heat kernel (b = 0) variance v₀ + 2Dt exactly under implicit Euler, mean unchanged")
    func heatKernel() throws {
        // With B = 0, C = D the discrete Laplacian of x² is exactly 2, so implicit Euler moves the second
        // moment by exactly 2DΔt per step while no mass reaches the walls.
        let grid = try Grid1D(lower: -10, upper: 10, count: 401)
        let d = 0.2, dt = 0.05, steps = 40
        let fp = try FokkerPlanck1D(grid: grid, drift: { _ in 0 }, diffusion: { _ in d })
        let p0 = try Density1D.gaussian(grid: grid, mean: 0.3, variance: 0.2)
        let run = try fp.evolve(p0, timeStep: dt, steps: steps, saveEvery: 10)
        for (k, q) in zip(run.steps, run.densities) {
            #expect(abs(q.variance - (p0.variance + 2 * d * Double(k) * dt)) <= 1e-11)
            #expect(abs(q.mean - p0.mean) <= 1e-12)
        }
    }

    @Test("General drift and state-dependent D from a ClosureSDE: stationary ∝ (1+x²)^{−4}, second order in Δx")
    func multiplicativeNoiseModel() throws {
        // dX = −3X dt + √(1+x²) dW: D = (1+x²)/2, B = D' − b = 4x, zero flux ⇒ p ∝ (1+x²)^{−4}
        // (docs/THEORY.md §6.1). Equilibrium is exact only up to the O(Δx²) face quadrature (§7.3).
        let sde = ClosureSDE(dimension: 1, drift: { x, _, out in out[0] = -3 * x[0] },
                             diagonalDiffusion: { x, _, out in out[0] = (1 + x[0] * x[0]).squareRoot() })
        var errors = [Double]()
        for n in [501, 1001] {
            let grid = try Grid1D(lower: -10, upper: 10, count: n)
            let p = try FokkerPlanck1D(grid: grid, model: sde).stationary()
            let exact = try Density1D(grid: grid, weights: grid.nodes.map { pow(1 + $0 * $0, -4) })
            errors.append(Vec.distanceMax(p.densities, exact.densities))
        }
        let order = log2(errors[0] / errors[1])
        #expect(abs(order - 2) <= 0.1, "errors \(errors)")
        #expect(errors[1] <= 1e-3)
    }

    @Test("Langevin model of the library: stationary law = Gibbs e^{−f/T} up to O(Δx²)")
    func langevinModel() throws {
        let f = ClosureObjective(dimension: 1, value: { x in doubleWell(x[0]) },
                                 gradient: { x, g in g[0] = x[0] * x[0] * x[0] - x[0] })
        let model = Langevin(f, temperature: 0.3)
        let p = try FokkerPlanck1D(grid: case1Grid, model: model).stationary()
        let g = try Density1D.gibbs(grid: case1Grid, temperature: 0.3, potential: doubleWell)
        // b(x_{j+½}) = −L'(x_{j+½}) vs ΔL/Δx differ by L'''Δx²/24: relative density error about 1e-3 here.
        #expect(DensityDistance.totalVariation(p, g) <= 2e-3)
        #expect(DensityDistance.totalVariation(p, g) > 0)
    }

    @Test("Bad configurations throw errors naming the field; a too-small domain and a too-coarse grid are refused")
    func configurationErrors() throws {
        #expect(throws: ConfigurationError(field: "diffusion", "must be a positive finite number, got 0.0")) {
            try FokkerPlanck1D(grid: case1Grid, diffusion: 0, potential: doubleWell)
        }
        let fp = try FokkerPlanck1D(grid: case1Grid, diffusion: 0.3, potential: doubleWell)
        #expect(throws: ConfigurationError.self) { try fp.implicitEuler(timeStep: 0) }
        do {
            _ = try FokkerPlanck1D(grid: case1Grid, drift: { -$0 }, diffusion: { $0 > 2 ? 0 : 1 })
            Issue.record("D = 0 on part of the grid was accepted")
        } catch let e as ConfigurationError { #expect(e.field == "diffusion") }
        let twoD = ClosureSDE(dimension: 2, drift: { x, _, o in o[0] = -x[0]; o[1] = -x[1] },
                              additive: Matrix.identity(2))
        do {
            _ = try FokkerPlanck1D(grid: case1Grid, model: twoD)
            Issue.record("a 2-D model was accepted")
        } catch let e as ConfigurationError { #expect(e.field == "model") }
        // Domain too small: the double well at D = 0.3 on [−1, 1] leaves mass in the end cells.
        let small = try FokkerPlanck1D(grid: Grid1D(lower: -1, upper: 1, count: 41), diffusion: 0.3, potential: doubleWell)
        do {
            _ = try small.stationary()
            Issue.record("a domain too small for the support was accepted")
        } catch let e as ConfigurationError { #expect(e.field == "grid" && e.message.contains("too small")) }
        #expect(try small.stationary(boundaryTolerance: nil).totalMass > 0.999)
        // Too coarse: OU with D = 0.001 (sd 0.03) on Δx = 0.05.
        let narrow = try FokkerPlanck1D(grid: case1Grid, drift: { -$0 }, diffusion: { _ in 0.001 })
        do {
            _ = try narrow.stationary()
            Issue.record("an unresolved density was accepted")
        } catch let e as ConfigurationError { #expect(e.field == "grid" && e.message.contains("too coarse")) }
        // A transient that reaches the walls reports it.
        let run = try small.evolve(Density1D.gaussian(grid: small.grid, mean: 0, variance: 0.01), timeStep: 0.1, steps: 20)
        if case .domainTooSmall = run.status {} else { Issue.record("status \(run.status)") }
    }
}

@Suite("Fokker–Planck 2-D")
struct FokkerPlanck2DDensityTests {
    @Test("§7.4 case 4: 2-D Gibbs equilibrium to 1e-12, column sums vanish to 1e-13, implicit Euler keeps mass and sign")
    func gibbs2D() throws {
        let grid = Grid2D(x: try Grid1D(lower: -2.5, upper: 2.5, count: 51), y: try Grid1D(lower: -3.5, upper: 3.5, count: 41))
        let potential: (Double, Double) -> Double = { x, y in (x * x - 1) * (x * x - 1) / 4 + y * y / 2 }
        let d = 0.3
        let fp = try FokkerPlanck2D(grid: grid, diffusion: d, potential: potential)
        let g = try Density2D.gibbs(grid: grid, temperature: d, potential: potential)
        #expect(Vec.maxAbs(fp.generator.columnSums) <= 1e-13)
        #expect(Vec.maxAbs(fp.apply(g)) <= 1e-12)
        let p = try fp.stationary()
        #expect(Vec.distanceMax(p.masses, g.masses) <= 1e-12)
        #expect(p.minimumMass >= 0)
        // Transient from a point mass: mass 1 and p ≥ 0 at every step, and it relaxes to g.
        let run = try fp.evolve(Density2D.pointMass(at: 1, 0.5, grid: grid), timeStep: 0.5, steps: 60, saveEvery: 20)
        #expect(run.status == .ok && run.minimumMass >= 0)
        for q in run.densities { #expect(abs(q.totalMass - 1) <= 1e-12) }
        #expect(DensityDistance.totalVariation(run.final, g) <= 1e-3)
    }

    @Test("§7.4 case 5: 2-D OU stationary covariance = D A⁻¹ (to 1e-9: faces reproduce ΔL/Δx for a quadratic)")
    func ornsteinUhlenbeck2D() throws {
        // For b = −Az with symmetric A, b at the face midpoint equals −ΔL/Δx exactly (L = ½zᵀAz), so the
        // discrete equilibrium is the node-sampled Gaussian; its covariance differs from D A⁻¹ only by
        // aliasing e^{−2π²σ²/Δx²} (below 1e-100 here), truncation (about 1e-10) and round-off.
        let a = Matrix([[1, 0.5], [0.5, 1.5]]), d = 0.25
        let s = (2 * d).squareRoot()
        let sde = ClosureSDE(dimension: 2, drift: { z, _, o in
            o[0] = -(1 * z[0] + 0.5 * z[1]); o[1] = -(0.5 * z[0] + 1.5 * z[1])
        }, additive: Matrix([[s, 0], [0, s]]))
        let axis = try Grid1D(lower: -4, upper: 4, count: 51)
        let fp = try FokkerPlanck2D(grid: Grid2D(x: axis, y: axis), model: sde)
        #expect(!fp.hasCrossDiffusion)
        let p = try fp.stationary()
        let target = d * (try a.inverse())
        #expect((p.covariance - target).maxAbs <= 1e-9, "covariance \(p.covariance) vs \(target)")
        #expect(Vec.maxAbs(p.mean) <= 1e-12)
        #expect(p.minimumMass >= 0 && abs(p.totalMass - 1) <= 1e-13)
    }

    @Test("Cross diffusion (correlated noise): covariance → Lyapunov solution at second order, mass conserved")
    func correlatedNoise() throws {
        // dZ = −AZ dt + σ dW with D = ½σσᵀ non-diagonal: stationary S solves AS + SA = 2D. The cross terms
        // make the equilibrium exact only to O(Δx²): errors at Δ = 0.2 and 0.1 must fall by about 4 and
        // be below 2e-3 at Δ = 0.1.
        let a = Matrix([[1, 0.3], [0.3, 2]])
        let dm = Matrix([[0.3, 0.12], [0.12, 0.2]])
        let sigma = try (2 * dm).cholesky()
        let sde = ClosureSDE(dimension: 2, drift: { z, _, o in
            o[0] = -(1 * z[0] + 0.3 * z[1]); o[1] = -(0.3 * z[0] + 2 * z[1])
        }, additive: sigma)
        let target = try Lyapunov.continuous(A: a, C: 2 * dm)
        var errors = [Double]()
        for n in [31, 61] {
            let axis = try Grid1D(lower: -3, upper: 3, count: n)
            let fp = try FokkerPlanck2D(grid: Grid2D(x: axis, y: axis), model: sde)
            #expect(fp.hasCrossDiffusion)
            #expect(Vec.maxAbs(fp.generator.columnSums) <= 1e-12)
            let p = try fp.stationary()
            errors.append((p.covariance - target).maxAbs)
            if n == 31 {
                let run = try fp.evolve(Density2D.gaussian(grid: fp.grid, mean: [0.5, -0.5], covariance: Matrix.diagonal([0.05, 0.05])),
                                        timeStep: 0.1, steps: 20)
                for q in run.densities { #expect(abs(q.totalMass - 1) <= 1e-12) }
            }
        }
        #expect(errors[1] <= 2e-3, "errors \(errors)")
        #expect(abs(log2(errors[0] / errors[1]) - 2) <= 0.3, "errors \(errors)")
    }
}
