/// The trajectory gap between a deterministic algorithm and a flow model over a learning-rate grid:
///
///     gap(η) = max_{0 ≤ k ≤ ⌊T/τ⌋} ‖x_k − X(k τ)‖,    τ = time per step (η, or √s for Nesterov)
///
/// with the fitted order of `gap ∝ η^p` and its 95% interval. Flows are solved by Dormand–Prince
/// 5(4) at `rtol = 1e-12`, `atol = 1e-14` (their error is far below the gaps measured), or exactly
/// when a closed form is supplied.
public struct TrajectoryGap: Sendable {
    /// The norm of `x_k − X(kτ)`.
    public enum Norm: String, Codable, Sendable, CaseIterable {
        /// Max-norm `maxᵢ |xᵢ|` (docs/THEORY.md §4.1 tables).
        case max
        /// Euclidean norm.
        case euclidean
    }

    /// The gap at one learning rate.
    public struct Row: Sendable {
        public var learningRate: Double
        public var steps: Int
        /// The gap; `nil` when the algorithm diverged.
        public var gap: Double?
        /// Time at which the largest gap occurred.
        public var timeOfGap: Double
        public var divergedAt: Int?
    }

    /// The gaps over the learning-rate grid and the fitted order of `gap ∝ η^p`.
    public struct Result: Sendable {
        public var algorithm: String
        public var model: String
        public var horizon: Double
        public var norm: Norm
        public var rows: [Row]
        /// Order fit over the non-diverged rows (nil with fewer than two).
        public var fit: OrderFit?
    }

    public var horizon: Double
    public var norm: Norm
    public var flowSolver: DormandPrince54

    public init(horizon: Double, norm: Norm = .max, flowSolver: DormandPrince54 = DormandPrince54(rtol: 1e-12, atol: 1e-14)) {
        self.horizon = horizon
        self.norm = norm
        self.flowSolver = flowSolver
    }

    func distance(_ a: [Double], _ b: [Double]) -> Double {
        norm == .max ? Vec.distanceMax(a, b) : Vec.distance(a, b)
    }

    /// Measure one algorithm/flow pair at one learning rate.
    public func measure<A: Algorithm, M: Model>(_ algorithm: A, _ model: M, start x0: [Double]) -> Row {
        let tau = algorithm.timePerStep
        let n = Int((horizon / tau * (1 + 1e-12)).rounded(.down))
        let traj = algorithm.run(from: x0, steps: n)
        if let k = traj.divergedAt {
            return Row(learningRate: algorithm.learningRate, steps: n, gap: nil, timeOfGap: Double(k) * tau, divergedAt: k)
        }
        let times = (0...n).map { Double($0) * tau }
        var initial = x0
        if model.dimension > x0.count { initial += [Double](repeating: 0, count: model.dimension - x0.count) }
        let sol = flowSolver.solve(ODEProblem(model: model, initialState: initial, saveTimes: times))
        var worst = 0.0, at = 0.0
        let pd = model.positionDimension
        for k in 0..<Swift.min(sol.states.count, traj.points.count) {
            let e = distance(traj.points[k], Array(sol.states[k][0..<pd]))
            if e > worst || !e.isFinite { worst = e; at = times[k] }
        }
        if sol.status != .success { worst = .nan }
        return Row(learningRate: algorithm.learningRate, steps: n, gap: worst, timeOfGap: at, divergedAt: nil)
    }

    /// Measure over a learning-rate grid; `pair(η)` builds the algorithm and its model at `η`.
    public func run<A: Algorithm, M: Model>(learningRates: [Double], start x0: [Double],
                                            pair: (Double) -> (A, M)) -> Result {
        var rows: [Row] = []
        var names = ("", "")
        for eta in learningRates {
            let (a, m) = pair(eta)
            names = (a.name, m.name)
            rows.append(measure(a, m, start: x0))
        }
        let ok = rows.filter { $0.gap != nil && $0.gap!.isFinite }
        let fit = OrderFit(steps: ok.map(\.learningRate), errors: ok.map { $0.gap! })
        return Result(algorithm: names.0, model: names.1, horizon: horizon, norm: norm, rows: rows, fit: fit)
    }
}
