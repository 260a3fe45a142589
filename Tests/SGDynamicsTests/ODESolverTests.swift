import Foundation
import Testing
@testable import SGDynamics

/// ẋ = x cos t, x(0) = 1: x(t) = e^{sin t}. Non-autonomous, so time handling is tested too.
let sinModel = ClosureModel(dimension: 1) { x, t, out in out[0] = x[0] * cos(t) }

@Suite("ODE solvers")
struct ODESolverTests {
    @Test("RK4 has order 4 (±0.1) and Euler order 1 (±0.1) on ẋ = x cos t")
    func fixedStepOrders() {
        let exact = exp(sin(2.0))
        for (solver, order) in [(RungeKutta4() as any FixedStepODESolver, 4.0), (ExplicitEuler(), 1.0)] {
            let ns = order == 4 ? [10, 20, 40, 80] : [100, 200, 400, 800]
            let errs = ns.map { abs(solver.integrate(sinModel, from: [1], t1: 2, steps: $0)[0] - exact) }
            let fit = OrderFit(steps: ns.map { 2 / Double($0) }, errors: errs)!
            #expect(abs(fit.order - order) < 0.1, "\(solver.name): \(fit)")
        }
    }

    @Test("Dormand–Prince: global error below rtol over [0, 6], shrinking with rtol; dense output")
    func dormandPrince() {
        var worstErrors: [Double] = []
        let rtols = [1e-4, 1e-6, 1e-8, 1e-10]
        for rtol in rtols {
            let times = stride(from: 0.0, through: 6.0, by: 0.25).map { $0 }
            let sol = DormandPrince54(rtol: rtol, atol: rtol * 1e-2)
                .solve(ODEProblem(model: sinModel, initialState: [1], saveTimes: times))
            #expect(sol.status == .success)
            #expect(sol.times.count == times.count)
            let worst = zip(sol.times, sol.states).map { abs($1[0] - exp(sin($0))) / exp(sin($0)) }.max()!
            // The controller bounds the local error per step; here the global error stays below rtol.
            #expect(worst < rtol, "rtol = \(rtol): relative error \(worst) after \(sol.steps) steps")
            worstErrors.append(worst)
        }
        // Tightening the tolerance tightens the error (at rtol ≥ 1e-6 the 0.25 save spacing caps the step).
        let tight = Array(worstErrors.dropFirst())
        #expect(zip(tight, tight.dropFirst()).allSatisfy { $0 > 10 * $1 }, "\(tight)")
        // Dense output between steps: cubic Hermite, local error O(h⁴) on the solver's (large) steps.
        var dp = DormandPrince54(rtol: 1e-8, atol: 1e-10)
        dp.dense = true
        let sol = dp.solve(ODEProblem(model: sinModel, initialState: [1], saveTimes: [6]))
        let mids = stride(from: 0.05, to: 6, by: 0.1).map { abs(sol.denseOutput!.state(at: $0)[0] - exp(sin($0))) }
        #expect(mids.max()! < 1e-4)
    }

    @Test("Backward Euler is order 1 and stays stable on a stiff flow where explicit Euler blows up")
    func backwardEuler() {
        let stiff = GradientFlow(Quadratic(diagonal: [1, 1000]))
        let be = BackwardEuler().integrate(stiff, from: [1, 1], t1: 1, steps: 10)
        #expect(abs(be[0] - pow(1 / 1.1, 10)) < 1e-10 && abs(be[1]) < 1e-10)
        let fe = ExplicitEuler().integrate(stiff, from: [1, 1], t1: 1, steps: 10)
        #expect(abs(fe[1]) > 1e10)
        let ns = [50, 100, 200, 400]
        let errs = ns.map { abs(BackwardEuler().integrate(sinModel, from: [1], t1: 2, steps: $0)[0] - exp(sin(2.0))) }
        #expect(abs(OrderFit(steps: ns.map { 2 / Double($0) }, errors: errs)!.order - 1) < 0.1)
    }

    @Test("Nesterov ODE Ẍ + (3/t)Ẋ + λX = 0 matches X(t) = 2J₁(√λ t)/(√λ t) from t = 0")
    func nesterovBessel() {
        let lambda = 2.0
        let model = NesterovODE(Quadratic(diagonal: [lambda]))
        let times = stride(from: 0.5, through: 10, by: 0.5).map { $0 }
        let sol = DormandPrince54(rtol: 1e-11, atol: 1e-13)
            .solve(ODEProblem(model: model, initialState: model.initialState([1]), saveTimes: times))
        #expect(sol.status == .success)
        for (t, x) in zip(sol.times, sol.states) {
            let z = lambda.squareRoot() * t
            #expect(abs(x[0] - 2 * j1(z) / z) < 1e-8, "t = \(t)")
        }
        // RK4 from t = 0 with the limit drift: fourth-order accurate too.
        let x = RungeKutta4().integrate(model, from: [1, 0], t1: 4, steps: 400)[0]
        let z = lambda.squareRoot() * 4
        #expect(abs(x - 2 * j1(z) / z) < 1e-7)
    }

    @Test("Nesterov (Su–Boyd–Candès form) approaches its ODE at t = k√s as s → 0")
    func nesterovDiscrete() {
        let q = Quadratic(diagonal: [1])
        let study = TrajectoryGap(horizon: 5)
        let r = study.run(learningRates: [0.04, 0.01, 0.0025, 0.000625], start: [1]) {
            (NesterovSBC(q, stepSize: $0), NesterovODE(q))
        }
        #expect(r.rows.allSatisfy { $0.gap! < 0.3 })
        // gap ∝ √s, i.e. order 0.5 in s.
        #expect(abs(r.fit!.order - 0.5) < 0.1, "\(r.fit!)")
    }

    @Test("Heavy ball approaches the heavy-ball ODE at t = k√η with a = (1 − μ)/√η fixed")
    func heavyBallODE() {
        let q = Quadratic(diagonal: [1, 4])
        let a = 1.5
        let study = TrajectoryGap(horizon: 4)
        let r = study.run(learningRates: [0.01, 0.0025, 0.000625], start: [1, 1]) { eta in
            let hb = HeavyBall(ExactGradient(q), learningRate: eta, momentum: 1 - a * eta.squareRoot())
            return (TimeRescaled(hb, timePerStep: eta.squareRoot()), HeavyBallODE(of: hb, on: q))
        }
        #expect(r.fit!.order > 0.4, "\(r.fit!)")
        #expect(r.rows.last!.gap! < 0.05)
    }

    @Test("Natural-gradient flow for the Gaussian mean: μ(t) = m + (μ₀ − m)e^{−t}, independent of σ")
    func naturalGradient() {
        let sigma = 3.0, m = 2.0
        let nll = ClosureObjective(dimension: 1, value: { x in (x[0] - m) * (x[0] - m) / (2 * sigma * sigma) },
                                   gradient: { x, g in g[0] = (x[0] - m) / (sigma * sigma) })
        let ngd = NaturalGradient(nll, learningRate: 0.01, metricMatrix: { _ in Matrix([[1 / (sigma * sigma)]]) })
        let sol = DormandPrince54(rtol: 1e-10, atol: 1e-12)
            .solve(ODEProblem(model: NaturalGradientFlow(ngd), initialState: [0], saveTimes: [1]))
        #expect(abs(sol.final[0] - (m + (0 - m) * exp(-1))) < 1e-9)
        let gd = TrajectoryGap(horizon: 1).measure(ngd, NaturalGradientFlow(ngd), start: [0])
        #expect(gd.gap! < 0.01)
    }
}

