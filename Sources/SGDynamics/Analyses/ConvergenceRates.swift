import Foundation

/// Measured convergence of GD and gradient flow against the bounds of docs/THEORY.md §4.1, for an
/// objective that is `μ`-strongly convex and `L`-smooth near its minimizer:
///
///     GD, η ≤ 1/L, convex:        f(x_k) − f* ≤ ‖x₀ − x*‖² / (2ηk)
///     GD, μ-strongly convex:      ‖x_k − x*‖² ≤ (1 − ημ)^k ‖x₀ − x*‖²
///     GF, convex:                 f(x(t)) − f* ≤ ‖x₀ − x*‖² / (2t)
///     GF, μ-strongly convex/PL:   f(x(t)) − f* ≤ e^{−2μt} (f(x₀) − f*)
///
/// Each row gives the measured quantity and the bound at the same `k` (or `t = kη`), and whether the
/// bound holds (to a relative slack of 1e-9 for round-off). The GD bounds are checked only when
/// `η ≤ 1/L`, where they are theorems.
public struct ConvergenceRates: Sendable {
    /// Measured quantities and their bounds at step `k` (GD) and time `t = kη` (gradient flow).
    public struct Row: Sendable {
        public var step: Int
        public var time: Double
        public var gdDistanceSquared: Double
        public var gdDistanceBound: Double
        public var gdGap: Double
        public var gdGapBound: Double
        public var flowGap: Double
        public var flowConvexBound: Double
        public var flowPLBound: Double
    }
    /// The rows, the constants `μ` and `L` at the minimizer, and whether every bound held.
    public struct Result: Sendable {
        public var mu: Double
        public var L: Double
        public var rows: [Row]
        /// Every bound held at every recorded step.
        public var allBoundsHold: Bool
        /// Measured linear rate of `‖x_k − x*‖` per step over the second half of the run, and the exact rate `max|1 − ηλ|`.
        public var measuredRate: Double
        public var boundRate: Double
    }

    public static func run<F: Objective>(_ f: F, start x0: [Double], minimizer xStar: [Double],
                                         learningRate eta: Double, steps: Int, every: Int = 1) -> Result {
        let ev = SymmetricEigen(f.hessian(xStar)).values
        let mu = ev.first ?? 0, L = ev.last ?? 0
        let fStar = f.value(xStar)
        let d0 = Vec.distance(x0, xStar)
        let gd = GradientDescent(f, learningRate: eta).run(from: x0, steps: steps, every: every)
        let times = gd.times
        let flow = DormandPrince54(rtol: 1e-11, atol: 1e-14)
            .solve(ODEProblem(model: GradientFlow(f), initialState: x0, saveTimes: times))
        var rows: [Row] = []
        var holds = true
        for (i, x) in gd.points.enumerated() where i < flow.states.count {
            let k = i * every
            let t = times[i]
            let dist2 = Foundation.pow(Vec.distance(x, xStar), 2)
            let distBound = Foundation.pow(1 - eta * mu, Double(k)) * d0 * d0
            let gap = f.value(x) - fStar
            let gapBound = k == 0 ? .infinity : d0 * d0 / (2 * eta * Double(k))
            let fg = f.value(flow.states[i]) - fStar
            let fConvex = t == 0 ? .infinity : d0 * d0 / (2 * t)
            let fPL = Foundation.exp(-2 * mu * t) * (f.value(x0) - fStar)
            let slack = 1 + 1e-9
            if eta <= 1 / L && (dist2 > distBound * slack + 1e-300 || gap > gapBound * slack + 1e-300) { holds = false }
            if fg > fConvex * slack + 1e-300 || fg > fPL * slack + 1e-15 { holds = false }
            rows.append(Row(step: k, time: t, gdDistanceSquared: dist2, gdDistanceBound: distBound, gdGap: gap,
                            gdGapBound: gapBound, flowGap: fg, flowConvexBound: fConvex, flowPLBound: fPL))
        }
        // Asymptotic rate from the second half of the run, where the slowest mode dominates.
        let iLast = gd.points.count - 1, iMid = iLast / 2
        let span = Double(Swift.max(1, (iLast - iMid) * every))
        let measured = Foundation.pow(Vec.distance(gd.points[iLast], xStar) / Vec.distance(gd.points[iMid], xStar), 1 / span)
        let bound = ev.map { Swift.abs(1 - eta * $0) }.max() ?? 0
        return Result(mu: mu, L: L, rows: rows, allBoundsHold: holds, measuredRate: measured, boundRate: bound)
    }
}
