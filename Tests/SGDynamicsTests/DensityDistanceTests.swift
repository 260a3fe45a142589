import Foundation
import Testing
@testable import SGDynamics

@Suite("Density distances and grid laws")
struct DistanceDensityTests {
    let grid = try! Grid1D(lower: 0, upper: 10, count: 101)

    @Test("TV, W1 on point masses and shifted uniforms; KL closed forms with the stated regularisation")
    func distances() throws {
        let a = Density1D.pointMass(at: 2, grid: grid), b = Density1D.pointMass(at: 5.5, grid: grid)
        #expect(abs(DensityDistance.totalVariation(a, b) - 1) <= 1e-15)
        #expect(DensityDistance.totalVariation(a, a) == 0)
        #expect(abs(DensityDistance.wasserstein1(a, b) - 3.5) <= 1e-12)
        // Uniform on nodes 10…29 vs the same shifted by 7 nodes: W1 = 0.7, TV = 7/20.
        var u = [Double](repeating: 0, count: grid.count), v = u
        for j in 10..<30 { u[j] = 1; v[j + 7] = 1 }
        let pu = try Density1D(grid: grid, weights: u), pv = try Density1D(grid: grid, weights: v)
        #expect(abs(DensityDistance.wasserstein1(pu, pv) - 0.7) <= 1e-12)
        #expect(abs(DensityDistance.totalVariation(pu, pv) - 0.35) <= 1e-15)
        // KL((½, ½) ‖ (¼, ¾)) = ½ log 2 + ½ log(2/3); ε = 1e-12 changes it by O(Nε log ε) ≈ 1e-9.
        var p = [Double](repeating: 0, count: grid.count), q = p
        p[3] = 0.5; p[4] = 0.5; q[3] = 0.25; q[4] = 0.75
        let kl = DensityDistance.kullbackLeibler(Density1D(grid: grid, masses: p), Density1D(grid: grid, masses: q))
        #expect(abs(kl - (0.5 * log(2) + 0.5 * log(2.0 / 3))) <= 1e-9)
        #expect(DensityDistance.kullbackLeibler(pu, pu) == 0)
        // Disjoint supports: finite, about log(1/ε) = 27.6.
        let far = DensityDistance.kullbackLeibler(a, b)
        #expect(far.isFinite && abs(far - log(1e12)) <= 0.1)
    }

    @Test("Gibbs laws on grids: 1-D weights, 2-D separable potential has the 1-D Gibbs laws as marginals")
    func gibbsLaws() throws {
        let g = try Density1D.gibbs(grid: grid, temperature: 2, potential: { ($0 - 5) * ($0 - 5) / 2 })
        #expect(abs(g.masses[50] / g.masses[60] - exp(0.25)) <= 1e-14)
        let gx = try Grid1D(lower: -3, upper: 3, count: 31), gy = try Grid1D(lower: -2, upper: 4, count: 41)
        let g2 = try Density2D.gibbs(grid: Grid2D(x: gx, y: gy), temperature: 0.5, potential: { x, y in x * x + (y - 1) * (y - 1) / 2 })
        let mx = try Density1D.gibbs(grid: gx, temperature: 0.5, potential: { $0 * $0 })
        let my = try Density1D.gibbs(grid: gy, temperature: 0.5, potential: { ($0 - 1) * ($0 - 1) / 2 })
        #expect(Vec.distanceMax(g2.marginalX.masses, mx.masses) <= 1e-15)
        #expect(Vec.distanceMax(g2.marginalY.masses, my.masses) <= 1e-15)
        #expect(abs(g2.covariance[0, 1]) <= 1e-15)
        #expect(throws: ConfigurationError.self) { try Density1D.gibbs(grid: gx, temperature: 0, potential: { $0 }) }
    }
}
