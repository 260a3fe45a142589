import Foundation

/// Adaptive Dormand–Prince 5(4) with error control on `atol + rtol·max(|x|, |x_new|)` and dense output.
///
/// Fifth-order solution, embedded fourth-order error estimate, first-same-as-last. Step sizes follow
/// `h ← h · min(5, max(0.2, 0.9 · err^{−1/5}))`. The solver steps exactly onto each save time, so
/// saved states carry the full fifth-order accuracy. With `dense = true` it also keeps every step for
/// ``DenseOutput``: cubic Hermite interpolation of each step's end values and slopes (local error
/// `O(h⁴)`), for plotting a solution at arbitrary times.
/// - Reference: Dormand & Prince, J. Comput. Appl. Math. 6 (1980); Hairer, Nørsett & Wanner,
///   *Solving ODEs I*, §II.4–II.6.
public struct DormandPrince54: Sendable {
    public var relativeTolerance: Double
    public var absoluteTolerance: Double
    public var maxSteps: Int
    public var initialStep: Double?
    /// Keep every accepted step for ``DenseOutput`` interpolation.
    public var dense: Bool = false

    public init(rtol: Double = 1e-8, atol: Double = 1e-10, maxSteps: Int = 1_000_000, initialStep: Double? = nil) {
        relativeTolerance = rtol
        absoluteTolerance = atol
        self.maxSteps = maxSteps
        self.initialStep = initialStep
    }

    // Butcher tableau (Dormand & Prince 1980).
    static let c: [Double] = [0, 1.0 / 5, 3.0 / 10, 4.0 / 5, 8.0 / 9, 1, 1]
    static let a: [[Double]] = [
        [],
        [1.0 / 5],
        [3.0 / 40, 9.0 / 40],
        [44.0 / 45, -56.0 / 15, 32.0 / 9],
        [19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729],
        [9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656],
        [35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84],
    ]
    /// 5th-order weights minus 4th-order weights.
    static let e: [Double] = [71.0 / 57600, 0, -71.0 / 16695, 71.0 / 1920, -17253.0 / 339200, 22.0 / 525, -1.0 / 40]

    public func solve<M: Model>(_ problem: ODEProblem<M>, divergence: DivergenceRule = DivergenceRule()) -> ODESolution {
        let model = problem.model
        let n = model.dimension
        var x = problem.initialState
        var t = problem.startTime
        var k = Array(repeating: [Double](repeating: 0, count: n), count: 7)
        var xs = [Double](repeating: 0, count: n)
        var xNew = [Double](repeating: 0, count: n)
        var scratch = ModelScratch()
        var times: [Double] = [], states: [[Double]] = []
        var saveIndex = 0
        var denseSteps: [DenseStep] = []
        let saves = problem.saveTimes
        while saveIndex < saves.count && saves[saveIndex] <= t { times.append(saves[saveIndex]); states.append(x); saveIndex += 1 }
        guard saveIndex < saves.count else {
            return ODESolution(times: times, states: states, status: .success, steps: 0, rejectedSteps: 0, driftEvaluations: 0)
        }
        let tEnd = saves.last!
        model.drift(x, t: t, into: &k[0], scratch: &scratch)
        var evals = 1
        var h = initialStep ?? initialStepGuess(x: x, f0: k[0], span: tEnd - t)
        var accepted = 0, rejected = 0
        var lastFreeStep = h
        while t < tEnd {
            if accepted + rejected >= maxSteps || h < 1e-14 * Swift.max(1, Swift.abs(t)) {
                return ODESolution(times: times, states: states, status: .stepLimit(time: t), steps: accepted,
                                   rejectedSteps: rejected, driftEvaluations: evals)
            }
            // Step exactly onto the next save time, so saved states are step ends (no interpolation).
            let nextSave = saves[saveIndex]
            var hitsSave = false
            if t + h >= nextSave { h = nextSave - t; hitsSave = true }
            for s in 1..<7 {
                for i in 0..<n {
                    var acc = x[i]
                    for j in 0..<s { acc += h * DormandPrince54.a[s][j] * k[j][i] }
                    xs[i] = acc
                }
                model.drift(xs, t: t + DormandPrince54.c[s] * h, into: &k[s], scratch: &scratch)
                evals += 1
            }
            // Stage 7's argument (xs) is the fifth-order solution.
            var errSum = 0.0
            for i in 0..<n {
                xNew[i] = xs[i]
                var ei = 0.0
                for j in 0..<7 { ei += DormandPrince54.e[j] * k[j][i] }
                ei *= h
                let sc = absoluteTolerance + relativeTolerance * Swift.max(Swift.abs(x[i]), Swift.abs(xNew[i]))
                errSum += (ei / sc) * (ei / sc)
            }
            let err = (errSum / Double(n)).squareRoot()
            if !err.isFinite {
                h *= 0.25; rejected += 1
                if divergence.hasDiverged(xNew) && h < 1e-10 {
                    return ODESolution(times: times, states: states, status: .diverged(time: t), steps: accepted,
                                       rejectedSteps: rejected, driftEvaluations: evals)
                }
                continue
            }
            if err <= 1 {
                if dense { denseSteps.append(DenseStep(t0: t, h: h, x0: x, f0: k[0], x1: xNew, f1: k[6])) }
                let tNew = hitsSave ? nextSave : t + h
                while saveIndex < saves.count && saves[saveIndex] <= tNew {
                    times.append(saves[saveIndex]); states.append(xNew); saveIndex += 1
                }
                t = tNew
                swap(&x, &xNew)      // no copy: the buffers trade places
                k.swapAt(0, 6)      // first-same-as-last: the last stage's slope starts the next step
                accepted += 1
                if divergence.hasDiverged(x) {
                    return ODESolution(times: times, states: states, status: .diverged(time: t), steps: accepted,
                                       rejectedSteps: rejected, driftEvaluations: evals)
                }
                let grow = Swift.min(5, Swift.max(0.2, 0.9 * pow5inv(err)))
                // After a step shortened to hit a save time, do not let the short step shrink the next.
                h = hitsSave ? Swift.max(h * grow, lastFreeStep) : h * grow
                if !hitsSave { lastFreeStep = h }
            } else {
                rejected += 1
                h *= Swift.max(0.2, 0.9 * pow5inv(err))
            }
        }
        var out = ODESolution(times: times, states: states, status: .success, steps: accepted, rejectedSteps: rejected,
                              driftEvaluations: evals)
        out.denseOutput = dense ? DenseOutput(steps: denseSteps) : nil
        return out
    }

    @inline(__always)
    func pow5inv(_ err: Double) -> Double { err == 0 ? 10 : Foundation.pow(err, -0.2) }

    func initialStepGuess(x: [Double], f0: [Double], span: Double) -> Double {
        let d0 = Vec.maxAbs(x), d1 = Vec.maxAbs(f0)
        var h = (d0 < 1e-5 || d1 < 1e-5) ? 1e-6 : 0.01 * d0 / d1
        h = Swift.min(h, span)
        return Swift.max(h, 1e-10 * Swift.max(span, 1))
    }
}

/// One accepted step of an adaptive solve, with end values and slopes.
public struct DenseStep: Sendable {
    public var t0: Double, h: Double
    public var x0: [Double], f0: [Double], x1: [Double], f1: [Double]
}

/// Continuous output of an adaptive solve by cubic Hermite interpolation on each step.
public struct DenseOutput: Sendable {
    public let steps: [DenseStep]

    /// The interpolated state at `t` (clamped to the solved interval).
    public func state(at t: Double) -> [Double] {
        guard !steps.isEmpty else { return [] }
        var lo = 0, hi = steps.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if steps[mid].t0 <= t { lo = mid } else { hi = mid - 1 }
        }
        let s = steps[lo]
        let theta = Swift.min(1, Swift.max(0, (t - s.t0) / s.h))
        return DenseOutput.hermite(x0: s.x0, f0: s.f0, x1: s.x1, f1: s.f1, h: s.h, theta: theta)
    }

    /// Cubic Hermite interpolant on one step, `θ ∈ [0, 1]`.
    static func hermite(x0: [Double], f0: [Double], x1: [Double], f1: [Double], h: Double, theta: Double) -> [Double] {
        let t2 = theta * theta, t3 = t2 * theta
        let h00 = 2 * t3 - 3 * t2 + 1, h10 = t3 - 2 * t2 + theta
        let h01 = -2 * t3 + 3 * t2, h11 = t3 - t2
        var out = x0
        for i in 0..<x0.count { out[i] = h00 * x0[i] + h10 * h * f0[i] + h01 * x1[i] + h11 * h * f1[i] }
        return out
    }
}
