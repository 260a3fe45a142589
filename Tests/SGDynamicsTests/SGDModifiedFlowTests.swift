import Foundation
import Testing
@testable import SGDynamics

/// docs/THEORY.md §4.2 (Smith, Dherin, Barrett & De): the SGD modified flow against one epoch of SGD.
@Suite("SGD modified flow (Smith et al.)")
struct SGDModifiedFlowTests {
    /// C_i = ½ a_i w² as least squares on x_i = √a_i, y_i = 0.
    let a = [0.5, 1.0, 1.5, 2.0]
    var objective: LeastSquares { LeastSquares(A: Matrix(a.map { [$0.squareRoot()] }), y: [0, 0, 0, 0]) }

    @Test("Drift: −C̃′ for C̃ = ½w²(ā + (ε/2)(ā² + κ Var a)), κ = (N−B)/(B(N−1)) (closed form, B = 1 and 2)")
    func driftClosedForm() throws {
        let mean = a.reduce(0, +) / 4, varA = a.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 4
        for b in [1, 2] {
            let flow = try SGDModifiedFlow(objective, learningRate: 0.1, batchSize: b)
            let kappa = Double(4 - b) / (Double(b) * 3)
            var out = [0.0]
            flow.drift([0.7], t: 0, into: &out)
            let exact = -0.7 * (mean + 0.05 * (mean * mean + kappa * varA))
            #expect(abs(out[0] - exact) <= 1e-8 * abs(exact))
            #expect(abs(flow.modifiedLoss([0.7]) - 0.5 * 0.49 * (mean + 0.05 * (mean * mean + kappa * varA))) <= 1e-12)
        }
    }

    @Test("One epoch of reshuffled SGD (B = 1): error order 3 against the SGD modified flow, 2 against IGR and gradient flow (±0.2)")
    func epochOrders() throws {
        let f = objective
        var eSGD: [Double] = [], eIGR: [Double] = [], eGF: [Double] = []
        let steps = [0.1, 0.05, 0.025, 0.0125]
        for e in steps {
            let sgd = SGD(MinibatchGradient(f, batchSize: 1, sampling: .reshuffling), learningRate: e)
            let wN = sgd.run(from: [1], steps: 4, rng: CounterRNG(seed: 11)).points.last![0]
            #expect(abs(wN - a.reduce(1.0) { $0 * (1 - e * $1) }) <= 1e-14)   // any order of the four samples
            let T = 4 * e, rk = RungeKutta4()
            eSGD.append(abs(wN - rk.integrate(try SGDModifiedFlow(f, learningRate: e, batchSize: 1), from: [1], t1: T, steps: 200)[0]))
            eIGR.append(abs(wN - rk.integrate(ModifiedFlow(f, learningRate: e), from: [1], t1: T, steps: 200)[0]))
            eGF.append(abs(wN - rk.integrate(GradientFlow(f), from: [1], t1: T, steps: 200)[0]))
        }
        let s = try #require(OrderFit(steps: steps, errors: eSGD)), i = try #require(OrderFit(steps: steps, errors: eIGR))
        let g = try #require(OrderFit(steps: steps, errors: eGF))
        #expect(abs(s.order - 3) <= 0.2, "SGD modified flow: \(s)")
        #expect(abs(i.order - 2) <= 0.2, "IGR flow: \(i)")
        #expect(abs(g.order - 2) <= 0.2, "gradient flow: \(g)")
        #expect(eSGD.last! < eIGR.last! / 10)
    }

    @Test("Bad configuration names the field")
    func badInput() {
        #expect(throws: ConfigurationError.self) { try SGDModifiedFlow(objective, learningRate: -1, batchSize: 1) }
        #expect(throws: ConfigurationError.self) { try SGDModifiedFlow(objective, learningRate: 0.1, batchSize: 5) }
    }
}
