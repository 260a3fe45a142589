/// The transfer operator (master equation, docs/THEORY.md §8.2–§8.3) of a 2-D chain with finitely many
/// minibatches, `z_{k+1} = T_B(z_k)`, `B ~ P(B)`, on a ``Grid2D`` by bilinear cloud-in-cell deposit:
/// the mass `P(B) p_k` of node `(x_i, y_j)` goes to `T_B(x_i, y_j) = (u, v)` and is split between the
/// four surrounding nodes with weights `(1−w_x)(1−w_y), w_x(1−w_y), (1−w_x)w_y, w_x w_y`.
///
/// As in ``TransferOperator1D``: `P` is sparse and column-stochastic (mass and positivity exact),
/// coordinates leaving the domain are clamped to the nearer edge and reported
/// (``clampedProbability``, statuses), the deposit has an `O(Δx² + Δy²)` interpolation bias, and time
/// is `t = k η`. The state may be a 2-D parameter (``init(grid:objective:learningRate:batchSize:sampling:maximumBatches:seed:)``)
/// or position and velocity of heavy ball in 1-D (``heavyBall(grid:objective:learningRate:momentum:batchSize:sampling:maximumBatches:seed:)``).
public struct TransferOperator2D: Sendable {
    public let grid: Grid2D
    /// The column-stochastic matrix `P` (`P[k', k]` = probability of moving from cell `k` to cell `k'`).
    public let matrix: SparseMatrix
    /// Per cell, the probability that one step leaves the domain in either coordinate.
    public let clampedProbability: [Double]
    /// `η`, for `t = k η`.
    public let timePerStep: Double
    /// The minibatches, when built from a finite-sum objective.
    public let batches: MinibatchEnumeration?

    init(grid: Grid2D, probabilities: [Double], timePerStep: Double, batches: MinibatchEnumeration?,
         targets: (_ i: Int, _ j: Int, _ u: inout [Double], _ v: inout [Double]) -> Void) throws {
        let nb = probabilities.count
        var u = [Double](repeating: 0, count: nb), v = u
        var builder = SparseColumnBuilder(rows: grid.count)
        var clamped = [Double](repeating: 0, count: grid.count)
        for k in 0..<grid.count {
            let (i, j) = grid.cell(k)
            targets(i, j, &u, &v)
            for b in 0..<nb {
                guard !u[b].isNaN, !v[b].isNaN else {
                    throw ConfigurationError(field: "map", "T_B(x, y) is NaN for batch \(b) at (\(grid.x[i]), \(grid.y[j]))")
                }
                let (ix, wx, ox) = grid.x.cloudInCell(u[b])
                let (iy, wy, oy) = grid.y.cloudInCell(v[b])
                let pb = probabilities[b]
                if ox || oy { clamped[k] += pb }
                builder.add(grid.index(ix, iy), pb * (1 - wx) * (1 - wy))
                builder.add(grid.index(ix + 1, iy), pb * wx * (1 - wy))
                builder.add(grid.index(ix, iy + 1), pb * (1 - wx) * wy)
                builder.add(grid.index(ix + 1, iy + 1), pb * wx * wy)
            }
            builder.finishColumn(normalizingTo: 1)
        }
        self.grid = grid
        self.matrix = builder.matrix(columns: grid.count)
        self.clampedProbability = clamped
        self.timePerStep = timePerStep
        self.batches = batches
    }

    /// From per-batch maps `T_B` (`map(k, x, y) = T_{B_k}(x, y)`) with probabilities `P(B_k)`.
    ///
    /// Throws ``ConfigurationError`` unless the probabilities are finite, non-negative and sum to 1
    /// within `10⁻⁹`, `timePerStep > 0`, and no `T_B` value is NaN.
    public init(grid: Grid2D, probabilities: [Double], timePerStep: Double = 1,
                map: (_ batch: Int, _ x: Double, _ y: Double) -> (x: Double, y: Double)) throws {
        let prob = try TransferOperator1D.checkedProbabilities(probabilities)
        guard timePerStep.isFinite, timePerStep > 0 else {
            throw ConfigurationError(field: "timePerStep", "must be a positive finite number, got \(timePerStep)")
        }
        try self.init(grid: grid, probabilities: prob, timePerStep: timePerStep, batches: nil) { i, j, u, v in
            let x = grid.x[i], y = grid.y[j]
            for k in 0..<u.count { let t = map(k, x, y); u[k] = t.x; v[k] = t.y }
        }
    }

    /// SGD on a two-dimensional finite-sum objective, `T_B(θ) = θ − η ∇f_B(θ)`, over the minibatches of
    /// ``MinibatchEnumeration`` (exact or sampled; ``batches`` says which).
    ///
    /// Throws ``ConfigurationError`` unless `objective.dimension == 2` and `η > 0`, and as
    /// ``MinibatchEnumeration/init(sampleCount:batchSize:sampling:maximumBatches:seed:)``.
    public init<F: FiniteSumObjective>(grid: Grid2D, objective: F, learningRate eta: Double, batchSize: Int = 1,
                                       sampling: Sampling = .withoutReplacement, maximumBatches: Int = 100_000,
                                       seed: UInt64 = 0) throws {
        guard objective.dimension == 2 else {
            throw ConfigurationError(field: "objective", "must be two-dimensional for a 2-D transfer operator; \(objective.name) has dimension \(objective.dimension)")
        }
        guard eta.isFinite, eta > 0 else {
            throw ConfigurationError(field: "learningRate", "must be a positive finite number, got \(eta)")
        }
        let batches = try MinibatchEnumeration(sampleCount: objective.sampleCount, batchSize: batchSize,
                                               sampling: sampling, maximumBatches: maximumBatches, seed: seed)
        let n = objective.sampleCount
        var sg = [Double](repeating: 0, count: 2 * n)
        var x = [0.0, 0.0], g = [0.0, 0.0]
        let scale = eta / Double(batchSize)
        try self.init(grid: grid, probabilities: batches.probabilities, timePerStep: eta, batches: batches) { i, j, u, v in
            x[0] = grid.x[i]; x[1] = grid.y[j]
            for s in 0..<n {
                g[0] = 0; g[1] = 0
                objective.addSampleGradient(s, x, scale: 1, into: &g)
                sg[2 * s] = g[0]; sg[2 * s + 1] = g[1]
            }
            for k in 0..<batches.count {
                var a = 0.0, b = 0.0
                for s in batches.batch(k) { a += sg[2 * s]; b += sg[2 * s + 1] }
                u[k] = x[0] - scale * a
                v[k] = x[1] - scale * b
            }
        }
    }

    /// Heavy ball (momentum SGD, docs/THEORY.md §3, velocity form) on a one-dimensional finite-sum objective,
    /// as a chain in `(x, v)` — `grid.x` is the position axis, `grid.y` the velocity axis:
    ///
    ///     v' = μ v − η ∇f_B(x),   x' = x + v'
    ///
    /// Throws ``ConfigurationError`` unless `objective.dimension == 1`, `η > 0`, `0 ≤ μ < 1`, and as
    /// ``MinibatchEnumeration/init(sampleCount:batchSize:sampling:maximumBatches:seed:)``.
    public static func heavyBall<F: FiniteSumObjective>(grid: Grid2D, objective: F, learningRate eta: Double,
                                                        momentum mu: Double, batchSize: Int = 1,
                                                        sampling: Sampling = .withoutReplacement,
                                                        maximumBatches: Int = 100_000, seed: UInt64 = 0) throws -> TransferOperator2D {
        guard objective.dimension == 1 else {
            throw ConfigurationError(field: "objective", "must be one-dimensional for heavy ball in (x, v); \(objective.name) has dimension \(objective.dimension)")
        }
        guard eta.isFinite, eta > 0 else {
            throw ConfigurationError(field: "learningRate", "must be a positive finite number, got \(eta)")
        }
        guard mu.isFinite, mu >= 0, mu < 1 else {
            throw ConfigurationError(field: "momentum", "must be in [0, 1), got \(mu)")
        }
        let batches = try MinibatchEnumeration(sampleCount: objective.sampleCount, batchSize: batchSize,
                                               sampling: sampling, maximumBatches: maximumBatches, seed: seed)
        let n = objective.sampleCount
        // The gradients depend on the position only: per-sample gradients at every x node, once.
        var sg = [Double](repeating: 0, count: n * grid.x.count)
        var x = [0.0], g = [0.0]
        for i in 0..<grid.x.count {
            x[0] = grid.x[i]
            for s in 0..<n {
                g[0] = 0
                objective.addSampleGradient(s, x, scale: 1, into: &g)
                sg[i * n + s] = g[0]
            }
        }
        let scale = eta / Double(batchSize)
        return try TransferOperator2D(grid: grid, probabilities: batches.probabilities, timePerStep: eta,
                                      batches: batches) { i, j, u, v in
            let pos = grid.x[i], vel = grid.y[j]
            for k in 0..<batches.count {
                var a = 0.0
                for s in batches.batch(k) { a += sg[i * n + s] }
                let vNew = mu * vel - scale * a
                v[k] = vNew
                u[k] = pos + vNew
            }
        }
    }

    /// `max_k c_k`: the worst-case probability that one step leaves the domain.
    public var maximumClampedProbability: Double { clampedProbability.max() ?? 0 }

    /// `q ← P p` (no allocation).
    public func step(_ p: [Double], into q: inout [Double]) { matrix.multiply(p, into: &q) }

    /// `p_k = P^k p_0`, saving every `saveEvery` steps (and the last), `t_k = k η`; clamped mass reported
    /// as in ``TransferOperator1D/evolve(_:steps:saveEvery:clampTolerance:progress:)``.
    public func evolve(_ initial: Density2D, steps: Int, saveEvery: Int = 1,
                       clampTolerance: Double = 1e-12,
                       progress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws -> DensityEvolution<Density2D> {
        guard initial.grid == grid else {
            throw ConfigurationError(field: "initial", "must live on the operator's grid \(grid), got \(initial.grid)")
        }
        let g = grid
        return try TransferIteration.evolve(matrix, clamped: clampedProbability, initial: initial, steps: steps,
                                            saveEvery: saveEvery, timePerStep: timePerStep,
                                            clampTolerance: clampTolerance, progress: progress) { Density2D(grid: g, masses: $0) }
    }

    /// The stationary law by power iteration, as ``TransferOperator1D/stationary(from:tolerance:maximumIterations:clampTolerance:progress:)``.
    public func stationary(from initial: Density2D? = nil, tolerance: Double = 1e-14,
                           maximumIterations: Int = 100_000, clampTolerance: Double = 1e-12,
                           progress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws -> StationaryLaw<Density2D> {
        if let initial, initial.grid != grid {
            throw ConfigurationError(field: "initial", "must live on the operator's grid \(grid), got \(initial.grid)")
        }
        let start = initial?.masses ?? [Double](repeating: 1, count: grid.count)
        let g = grid
        return try TransferIteration.stationary(matrix, clamped: clampedProbability, initial: start, tolerance: tolerance,
                                                maximumIterations: maximumIterations, clampTolerance: clampTolerance,
                                                progress: progress) {
            Density2D(grid: g, masses: $0)
        }
    }
}
