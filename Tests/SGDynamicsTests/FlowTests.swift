import Foundation
import Testing
@testable import SGDynamics

/// The ill-conditioned quadratic of docs/THEORY.md §4.1: f = ½ xᵀ diag(1, 10) x, x₀ = (1, 1).
let illConditioned = Quadratic(diagonal: [1, 10])

@Suite("GD against gradient flow (docs/THEORY.md §4.1–4.2)")
struct FlowTests {
    @Test("Gradient flow at t = 1: exact solution and Dormand–Prince agree with (e⁻¹, e⁻¹⁰)")
    func gradientFlowValues() {
        let exact = QuadraticFlowSolution(illConditioned).state(at: 1, from: [1, 1])
        #expect(abs(exact[0] - 0.367879441) < 1e-9 && abs(exact[1] - 4.53999298e-5) < 1e-13)
        let sol = DormandPrince54(rtol: 1e-10, atol: 1e-14)
            .solve(ODEProblem(model: GradientFlow(illConditioned), initialState: [1, 1], saveTimes: [1]))
        #expect(sol.status == .success)
        #expect(Vec.distanceMax(sol.final, exact) < 1e-9)
    }

    @Test("GD iterates: 100 steps at η = 0.19 and 0.21, and 20 steps at η = 0.05")
    func gdValues() {
        let a = GradientDescent(illConditioned, learningRate: 0.19).run(from: [1, 1], steps: 100).points.last!
        #expect(abs(a[0] - 7.06e-10) < 0.01e-10 && abs(a[1] - 2.66e-5) < 0.01e-5)
        let b = GradientDescent(illConditioned, learningRate: 0.21).run(from: [1, 1], steps: 100).points.last!
        #expect(abs(b[1] - 1.378e4) < 1)
        let c = GradientDescent(illConditioned, learningRate: 0.05).run(from: [1, 1], steps: 20).points.last!
        #expect(abs(c[0] - 0.358485922) < 1e-9 && abs(c[1] - 9.53674316e-7) < 1e-15)
        #expect(abs(illConditioned.value(c) - 0.06425607828709914) < 1e-15)
    }

    @Test("Global error of GD against gradient flow on [0, 1]: the table of §4.1, order → 1")
    func globalErrorTable() {
        let study = TrajectoryGap(horizon: 1, norm: .max)
        let r = study.run(learningRates: [0.1, 0.05, 0.025, 0.0125], start: [1, 1]) { eta in
            (GradientDescent(illConditioned, learningRate: eta), GradientFlow(illConditioned))
        }
        let expected = [0.3678794, 0.1178794, 0.0514732, 0.0242705]
        for (row, e) in zip(r.rows, expected) { #expect(abs(row.gap! - e) < 1e-7, "η = \(row.learningRate)") }
        // The last local order tends to 1 (first entry is the stiff component jumping to 0).
        #expect(abs(r.fit!.localOrders.last! - 1) < 0.1)
    }

    @Test("IGR table of §4.2: gaps to 1e-6 relative, orders 1 and 2 within ±0.1")
    func igrTable() {
        let f = Quartic(c: 1)
        let etas = [0.1, 0.05, 0.025, 0.0125]
        let study = TrajectoryGap(horizon: 1, norm: .max)
        let gf = study.run(learningRates: etas, start: [1]) { (GradientDescent(f, learningRate: $0), GradientFlow(f)) }
        let igr = study.run(learningRates: etas, start: [1]) {
            (GradientDescent(f, learningRate: $0), ModifiedFlow(f, learningRate: $0))
        }
        let gfTable = [4.296e-2, 1.973e-2, 9.512e-3, 4.675e-3]
        let igrTable = [9.968e-3, 2.273e-3, 5.506e-4, 1.357e-4]
        for i in 0..<4 {
            #expect(abs(gf.rows[i].gap! / gfTable[i] - 1) < 1e-3)
            #expect(abs(igr.rows[i].gap! / igrTable[i] - 1) < 1e-3)
        }
        #expect(abs(gf.fit!.order - 1) < 0.1)
        #expect(abs(igr.fit!.order - 2) < 0.1)
        // Point values of §4.2.
        let xN = GradientDescent(f, learningRate: 0.1).run(from: [1], steps: 10).points.last![0]
        #expect(abs(xN - 0.239441349959) < 1e-11)
        let solver = DormandPrince54(rtol: 1e-12, atol: 1e-14)
        let gf1 = solver.solve(ODEProblem(model: GradientFlow(f), initialState: [1], saveTimes: [1])).final[0]
        #expect(abs(gf1 - 0.269404683507) < 1e-10)
        let igr1 = solver.solve(ODEProblem(model: ModifiedFlow(f, learningRate: 0.1), initialState: [1], saveTimes: [1])).final[0]
        #expect(abs(igr1 - 0.244106361586) < 1e-10)
    }

    @Test("Stability: GD on diag(1,10) stable at η = 0.19, detected as diverging at η = 0.21; 2/L = 0.2")
    func stability() {
        let r = StabilityLimit(steps: 1000).run(illConditioned, start: [1, 1], minimizer: [0, 0],
                                                learningRates: [0.1, 0.19, 0.21, 0.3])
        #expect(abs(r.criticalLearningRate - 0.2) < 1e-12)
        #expect(r.rows.first { $0.learningRate == 0.19 }!.divergedAt == nil)
        let unstable = r.rows.first { $0.learningRate == 0.21 }!
        #expect(unstable.divergedAt != nil)
        #expect(r.lastStable == 0.19 && r.firstUnstable == 0.21)
        // Measured per-step factor equals max|1 − ηλ| for a quadratic.
        let s = r.rows.first { $0.learningRate == 0.1 }!
        #expect(abs(s.rate - s.predictedRate) < 1e-3)
    }

    @Test("Convergence bounds of §4.1 hold for GD (η ≤ 1/L) and gradient flow; rate = max|1 − ηλ|")
    func convergenceBounds() {
        let r = ConvergenceRates.run(illConditioned, start: [1, 1], minimizer: [0, 0], learningRate: 0.1, steps: 200, every: 5)
        #expect(r.allBoundsHold)
        #expect(abs(r.measuredRate - 0.9) < 1e-3)
        #expect(abs(r.boundRate - 0.9) < 1e-12)
    }

    @Test("Backward-Euler flow: proximal point is O(η²) close to it and O(η) to gradient flow")
    func proximalFlow() {
        let f = Quartic(c: 1)
        let study = TrajectoryGap(horizon: 1)
        let etas = [0.1, 0.05, 0.025, 0.0125]
        let be = study.run(learningRates: etas, start: [1]) {
            (ProximalPoint(f, learningRate: $0), ModifiedFlow(f, learningRate: $0, kind: .proximalPoint))
        }
        let gf = study.run(learningRates: etas, start: [1]) { (ProximalPoint(f, learningRate: $0), GradientFlow(f)) }
        #expect(abs(be.fit!.order - 2) < 0.15)
        #expect(abs(gf.fit!.order - 1) < 0.1)
    }

    @Test("Proximal point on a quadratic is x_{k+1} = (I + ηA)⁻¹ x_k (Newton and fixed point)")
    func proximalQuadratic() {
        for solver in [ProximalPoint<Quadratic>.Solver.newton, .fixedPoint] {
            let x = ProximalPoint(illConditioned, learningRate: 0.05, solver: solver).run(from: [1, 1], steps: 3).points.last!
            #expect(abs(x[0] - pow(1 / 1.05, 3)) < 1e-12 && abs(x[1] - pow(1 / 1.5, 3)) < 1e-12)
        }
        // Unconditionally stable: η = 10 ≫ 2/L.
        let y = ProximalPoint(illConditioned, learningRate: 10).run(from: [1, 1], steps: 50)
        #expect(y.divergedAt == nil && Vec.maxAbs(y.points.last!) < 1e-10)
    }
}
