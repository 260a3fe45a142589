import Foundation

/// Stability of gradient descent near a minimum (docs/THEORY.md §10.1): GD on a quadratic is stable iff
/// `0 < η < 2/λ_max`. This study runs GD over an η grid, detects divergence (which step, and the
/// measured growth factor per step), and compares with `2/λ_max` of the Hessian at a reference point.
public struct StabilityLimit: Sendable {
    /// The outcome of GD at one learning rate: divergence, measured and predicted rate per step.
    public struct Row: Sendable {
        public var learningRate: Double
        public var divergedAt: Int?
        /// `(‖x_K − x*‖/‖x_0 − x*‖)^{1/K}`, the measured contraction (or growth) factor per step.
        public var rate: Double
        /// `max_i |1 − ηλ_i|` at the reference point: the exact linear rate for quadratics.
        public var predictedRate: Double
        public var predictedStable: Bool
    }
    /// The rows over the η grid with the predicted critical learning rate `2/λ_max`.
    public struct Result: Sendable {
        public var lambdaMax: Double
        public var lambdaMin: Double
        /// `2/λ_max`.
        public var criticalLearningRate: Double
        public var rows: [Row]
        /// Largest η in the grid that did not diverge, and smallest that did.
        public var lastStable: Double?
        public var firstUnstable: Double?
    }

    public var steps: Int
    /// Growth of `‖x − x*‖` by this factor (or a non-finite value) counts as divergence.
    public var growthBound: Double

    public init(steps: Int = 1000, growthBound: Double = 1e6) {
        self.steps = steps
        self.growthBound = growthBound
    }

    public func run<F: Objective>(_ objective: F, start x0: [Double], minimizer xStar: [Double],
                                  learningRates: [Double]) -> Result {
        let h = objective.hessian(xStar)
        let ev = SymmetricEigen(h).values
        let lmax = ev.last ?? 0, lmin = ev.first ?? 0
        let e0 = Swift.max(Vec.distance(x0, xStar), 1e-300)
        var rows: [Row] = []
        for eta in learningRates.sorted() {
            let gd = GradientDescent(objective, learningRate: eta)
            var s = gd.makeState(start: x0)
            var diverged: Int? = nil
            var k = 0
            while k < steps {
                gd.step(&s, rng: CounterRNG(seed: 0), path: 0)
                k += 1
                let e = Vec.distance(s.position, xStar)
                if !e.isFinite || e > growthBound * Swift.max(1, e0) { diverged = k; break }
            }
            let eK = Vec.distance(s.position, xStar)
            let rate = eK.isFinite && eK > 0 ? Foundation.pow(eK / e0, 1 / Double(k)) : (eK == 0 ? 0 : .infinity)
            let pr = ev.map { Swift.abs(1 - eta * $0) }.max() ?? 0
            rows.append(Row(learningRate: eta, divergedAt: diverged, rate: rate, predictedRate: pr,
                            predictedStable: pr < 1))
        }
        let lastStable = rows.filter { $0.divergedAt == nil }.map(\.learningRate).max()
        let firstUnstable = rows.filter { $0.divergedAt != nil }.map(\.learningRate).min()
        return Result(lambdaMax: lmax, lambdaMin: lmin, criticalLearningRate: 2 / lmax, rows: rows,
                      lastStable: lastStable, firstUnstable: firstUnstable)
    }
}
