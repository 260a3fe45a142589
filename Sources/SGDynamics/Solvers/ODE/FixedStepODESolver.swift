/// A one-step ODE method with a fixed step size.
public protocol FixedStepODESolver: Sendable {
    var name: String { get }
    /// Global order of accuracy.
    var order: Int { get }
    /// Advance `x` from `t` to `t + h`; `work` holds preallocated stage buffers.
    func step<M: Model>(_ model: M, _ x: inout [Double], t: Double, h: Double, work: inout ODEWork)
}

/// Stage buffers for the ODE methods, allocated once per solve.
public struct ODEWork: Sendable {
    public var k: [[Double]]
    public var tmp: [Double]
    public var scratch = ModelScratch()
    /// `d × d` matrix and pivots for implicit methods (sized on first use).
    public var matrix = Matrix(rows: 0, columns: 0)
    public var pivots: [Int] = []
    /// Work vectors for finite-difference Jacobians (sized on first use).
    public var shifted: [Double] = [], plus: [Double] = [], minus: [Double] = []
    public init(dimension: Int, stages: Int = 7) {
        k = Array(repeating: [Double](repeating: 0, count: dimension), count: stages)
        tmp = [Double](repeating: 0, count: dimension)
    }
}

/// Explicit (forward) Euler, `x_{n+1} = x_n + h b(x_n, t_n)`. Order 1.
public struct ExplicitEuler: FixedStepODESolver {
    public init() {}
    public var name: String { "Euler" }
    public var order: Int { 1 }
    @inlinable
    public func step<M: Model>(_ model: M, _ x: inout [Double], t: Double, h: Double, work: inout ODEWork) {
        model.drift(x, t: t, into: &work.k[0], scratch: &work.scratch)
        for i in 0..<x.count { x[i] += h * work.k[0][i] }
    }
}

/// The classical fourth-order Runge–Kutta method. Order 4.
/// - Reference: Hairer, Nørsett & Wanner, *Solving ODEs I*, §II.1.
public struct RungeKutta4: FixedStepODESolver {
    public init() {}
    public var name: String { "RK4" }
    public var order: Int { 4 }
    @inlinable
    public func step<M: Model>(_ model: M, _ x: inout [Double], t: Double, h: Double, work: inout ODEWork) {
        let n = x.count
        model.drift(x, t: t, into: &work.k[0], scratch: &work.scratch)
        for i in 0..<n { work.tmp[i] = x[i] + 0.5 * h * work.k[0][i] }
        model.drift(work.tmp, t: t + 0.5 * h, into: &work.k[1], scratch: &work.scratch)
        for i in 0..<n { work.tmp[i] = x[i] + 0.5 * h * work.k[1][i] }
        model.drift(work.tmp, t: t + 0.5 * h, into: &work.k[2], scratch: &work.scratch)
        for i in 0..<n { work.tmp[i] = x[i] + h * work.k[2][i] }
        model.drift(work.tmp, t: t + h, into: &work.k[3], scratch: &work.scratch)
        for i in 0..<n {
            x[i] += h / 6 * (work.k[0][i] + 2 * work.k[1][i] + 2 * work.k[2][i] + work.k[3][i])
        }
    }
}

/// Backward (implicit) Euler, `x_{n+1} = x_n + h b(x_{n+1}, t_{n+1})`, solved by Newton's method with
/// the drift Jacobian (finite differences) to `‖δ‖∞ ≤ 1e-12 (1 + ‖x‖∞)`. Order 1, A- and L-stable:
/// for stiff gradient flows any `h > 0` is stable. The Jacobian and the solve use `ODEWork` buffers.
public struct BackwardEuler: FixedStepODESolver {
    public var maxNewtonIterations: Int
    public init(maxNewtonIterations: Int = 50) { self.maxNewtonIterations = maxNewtonIterations }
    public var name: String { "backward Euler" }
    public var order: Int { 1 }
    /// Buffers: `k[1]` keeps `x_n`, `k[0]` the drift, `tmp` the residual (then the Newton step),
    /// `shifted`/`plus`/`minus` the finite-difference Jacobian's work vectors, `matrix` `I − h J`. Allocates only on
    /// the first step (to size the matrix).
    public func step<M: Model>(_ model: M, _ x: inout [Double], t: Double, h: Double, work: inout ODEWork) {
        let n = x.count
        if work.matrix.rows != n {
            work.matrix = Matrix(rows: n, columns: n)
            work.pivots = [Int](repeating: 0, count: n)
            work.shifted = x; work.plus = x; work.minus = x
        }
        for i in 0..<n { work.k[1][i] = x[i] }
        // explicit predictor
        model.drift(x, t: t, into: &work.k[0], scratch: &work.scratch)
        for i in 0..<n { x[i] += h * work.k[0][i] }
        for _ in 0..<maxNewtonIterations {
            model.drift(x, t: t + h, into: &work.k[0], scratch: &work.scratch)
            for i in 0..<n { work.tmp[i] = x[i] - work.k[1][i] - h * work.k[0][i] }
            model.driftJacobian(x, t: t + h, into: &work.matrix, shifted: &work.shifted, plus: &work.plus,
                                minus: &work.minus, scratch: &work.scratch)
            for i in 0..<n * n { work.matrix.storage[i] *= -h }
            for i in 0..<n { work.matrix[i, i] += 1 }
            guard LUDecomposition.factorInPlace(&work.matrix, pivots: &work.pivots) else {
                for i in 0..<n { x[i] = .nan }
                return
            }
            LUDecomposition.solveInPlace(work.matrix, pivots: work.pivots, &work.tmp, work: &work.k[2])
            var step = 0.0, size = 0.0
            for i in 0..<n {
                x[i] -= work.tmp[i]
                step = Swift.max(step, Swift.abs(work.tmp[i])); size = Swift.max(size, Swift.abs(x[i]))
            }
            if step <= 1e-12 * (1 + size) { break }
        }
    }
}

extension FixedStepODESolver {
    /// Integrate with `substeps` equal steps between consecutive save times.
    public func solve<M: Model>(_ problem: ODEProblem<M>, substeps: Int = 1,
                                divergence: DivergenceRule = DivergenceRule()) -> ODESolution {
        var x = problem.initialState
        var t = problem.startTime
        var work = ODEWork(dimension: problem.model.dimension)
        var times: [Double] = [], states: [[Double]] = []
        var steps = 0
        for ts in problem.saveTimes {
            let span = ts - t
            if span > 0 {
                let h = span / Double(substeps)
                for j in 0..<substeps {
                    step(problem.model, &x, t: t + Double(j) * h, h: h, work: &work)
                    steps += 1
                }
                t = ts
                if divergence.hasDiverged(x) {
                    return ODESolution(times: times, states: states, status: .diverged(time: t), steps: steps,
                                       rejectedSteps: 0, driftEvaluations: steps * order)
                }
            }
            times.append(ts); states.append(x)
        }
        return ODESolution(times: times, states: states, status: .success, steps: steps, rejectedSteps: 0,
                           driftEvaluations: steps * (order == 4 ? 4 : 1))
    }

    /// Integrate from `t0` to `t1` with `n` equal steps and return the final state.
    public func integrate<M: Model>(_ model: M, from x0: [Double], t0: Double = 0, t1: Double, steps n: Int) -> [Double] {
        var x = x0
        var work = ODEWork(dimension: model.dimension)
        let h = (t1 - t0) / Double(n)
        for j in 0..<n { step(model, &x, t: t0 + Double(j) * h, h: h, work: &work) }
        return x
    }
}
