/// The exact law of a 1-D stochastic-gradient chain with finitely many minibatches: the master
/// equation / Perron–Frobenius transfer operator of docs/THEORY.md §8.2–§8.3,
///
///     θ_{k+1} = T_B(θ_k),  B ~ P(B),      p_{k+1}(θ') = Σ_B P(B) ∫ δ(θ' − T_B(θ)) p_k(θ) dθ,
///
/// discretised on a ``Grid1D`` by cloud-in-cell deposit: the mass `P(B) p_j` of node `j` goes to
/// `y = T_B(x_j)` and is split linearly between the nodes `i, i+1` around `y`, weights `1 − w, w`,
/// `w = (y − x_i)/Δx`. The result is a sparse column-stochastic matrix `P` (``matrix``), so
/// `p_{k+1} = P p_k` preserves mass and positivity exactly (up to the round-off of the sums).
///
/// - Domain: a point leaving `[lower, upper]` is clamped to the nearer end. ``clampedProbability``
///   gives, per node, the probability of that; the evolutions and the stationary law report the clamped
///   mass, and a status ``DensityStatus/domainTooSmall(mass:tolerance:step:)`` when it is not negligible.
///   Best is a domain invariant under every `T_B`.
/// - Bias: the deposit adds `w(1 − w)Δx²` variance per step (`≤ Δx²/4`, about `Δx²/6` on average) and
///   keeps the mean exactly (away from the ends): an `O(Δx²)` interpolation bias.
/// - Time: `t = k η` (``timePerStep`` `= η`).
public struct TransferOperator1D: Sendable {
    public let grid: Grid1D
    /// The column-stochastic matrix `P` (`P[i, j]` = probability of moving from node `j` to node `i`).
    public let matrix: SparseMatrix
    /// `c_j = Σ_B P(B) [T_B(x_j) ∉ [lower, upper]]`.
    public let clampedProbability: [Double]
    /// `η`, for `t = k η`.
    public let timePerStep: Double
    /// The minibatches, when built from a finite-sum objective.
    public let batches: MinibatchEnumeration?

    init(grid: Grid1D, probabilities: [Double], timePerStep: Double, batches: MinibatchEnumeration?,
         targets: (_ node: Int, _ out: inout [Double]) -> Void) throws {
        let nb = probabilities.count
        var y = [Double](repeating: 0, count: nb)
        var builder = SparseColumnBuilder(rows: grid.count)
        var clamped = [Double](repeating: 0, count: grid.count)
        for j in 0..<grid.count {
            targets(j, &y)
            for k in 0..<nb {
                guard !y[k].isNaN else {
                    throw ConfigurationError(field: "map", "T_B(x) is NaN for batch \(k) at x = \(grid[j])")
                }
                let (i, w, out) = grid.cloudInCell(y[k])
                let pk = probabilities[k]
                if out { clamped[j] += pk }
                builder.add(i, pk * (1 - w))
                builder.add(i + 1, pk * w)
            }
            builder.finishColumn(normalizingTo: 1)
        }
        self.grid = grid
        self.matrix = builder.matrix(columns: grid.count)
        self.clampedProbability = clamped
        self.timePerStep = timePerStep
        self.batches = batches
    }

    /// From per-batch maps `T_B` (`map(k, x) = T_{B_k}(x)`) with probabilities `P(B_k)`.
    ///
    /// Throws ``ConfigurationError`` unless the probabilities are finite, non-negative and sum to 1
    /// within `10⁻⁹` (they are then renormalised), `timePerStep > 0`, and every `T_B(x_j)` is not NaN.
    public init(grid: Grid1D, probabilities: [Double], timePerStep: Double = 1,
                map: (_ batch: Int, _ x: Double) -> Double) throws {
        let prob = try TransferOperator1D.checkedProbabilities(probabilities)
        guard timePerStep.isFinite, timePerStep > 0 else {
            throw ConfigurationError(field: "timePerStep", "must be a positive finite number, got \(timePerStep)")
        }
        try self.init(grid: grid, probabilities: prob, timePerStep: timePerStep, batches: nil) { j, out in
            let x = grid[j]
            for k in 0..<out.count { out[k] = map(k, x) }
        }
    }

    /// SGD on a one-dimensional finite-sum objective, `T_B(θ) = θ − η ∇f_B(θ)`,
    /// `∇f_B = (1/b) Σ_{i∈B} ∇f_i`, over the minibatches of ``MinibatchEnumeration`` (exact when there are
    /// at most `maximumBatches`, else that many sampled; ``batches`` says which).
    ///
    /// Throws ``ConfigurationError`` unless `objective.dimension == 1` and `η > 0`, and as
    /// ``MinibatchEnumeration/init(sampleCount:batchSize:sampling:maximumBatches:seed:)``.
    public init<F: FiniteSumObjective>(grid: Grid1D, objective: F, learningRate eta: Double, batchSize: Int = 1,
                                       sampling: Sampling = .withoutReplacement, maximumBatches: Int = 100_000,
                                       seed: UInt64 = 0) throws {
        guard objective.dimension == 1 else {
            throw ConfigurationError(field: "objective", "must be one-dimensional for a 1-D transfer operator; \(objective.name) has dimension \(objective.dimension)")
        }
        guard eta.isFinite, eta > 0 else {
            throw ConfigurationError(field: "learningRate", "must be a positive finite number, got \(eta)")
        }
        let batches = try MinibatchEnumeration(sampleCount: objective.sampleCount, batchSize: batchSize,
                                               sampling: sampling, maximumBatches: maximumBatches, seed: seed)
        var sampleGradients = [Double](repeating: 0, count: objective.sampleCount)
        var x = [0.0], g = [0.0]
        let scale = eta / Double(batchSize)
        try self.init(grid: grid, probabilities: batches.probabilities, timePerStep: eta, batches: batches) { j, out in
            x[0] = grid[j]
            for i in 0..<objective.sampleCount {
                g[0] = 0
                objective.addSampleGradient(i, x, scale: 1, into: &g)
                sampleGradients[i] = g[0]
            }
            for k in 0..<batches.count {
                var s = 0.0
                for i in batches.batch(k) { s += sampleGradients[i] }
                out[k] = x[0] - scale * s
            }
        }
    }

    static func checkedProbabilities(_ p: [Double]) throws -> [Double] {
        guard !p.isEmpty else { throw ConfigurationError(field: "probabilities", "must list at least one batch") }
        var s = 0.0
        for (k, v) in p.enumerated() {
            guard v.isFinite, v >= 0 else {
                throw ConfigurationError(field: "probabilities", "must be finite and non-negative; P(B_\(k)) = \(v)")
            }
            s += v
        }
        guard abs(s - 1) <= 1e-9 else {
            throw ConfigurationError(field: "probabilities", "must sum to 1 (within 1e-9), got \(s)")
        }
        return p.map { $0 / s }
    }

    /// `max_j c_j`: the worst-case probability that one step leaves the domain.
    public var maximumClampedProbability: Double { clampedProbability.max() ?? 0 }

    /// `q ← P p` (no allocation).
    public func step(_ p: [Double], into q: inout [Double]) { matrix.multiply(p, into: &q) }

    /// `p_k = P^k p_0` for `steps` steps, saving every `saveEvery` steps (and the last), `t_k = k η`.
    /// ``DensityEvolution/maximumBoundaryMass`` is the largest mass clamped in one step; the status flags
    /// the first step where it exceeds `clampTolerance`. `progress`, when given, gets `(k, steps)` every
    /// `⌈steps/1000⌉` steps and after the last; it changes no number.
    public func evolve(_ initial: Density1D, steps: Int, saveEvery: Int = 1,
                       clampTolerance: Double = 1e-12,
                       progress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws -> DensityEvolution<Density1D> {
        guard initial.grid == grid else {
            throw ConfigurationError(field: "initial", "must live on the operator's grid \(grid), got \(initial.grid)")
        }
        let g = grid
        return try TransferIteration.evolve(matrix, clamped: clampedProbability, initial: initial, steps: steps,
                                            saveEvery: saveEvery, timePerStep: timePerStep,
                                            clampTolerance: clampTolerance, progress: progress) { Density1D(grid: g, masses: $0) }
    }

    /// The stationary law (Perron vector, eigenvalue 1) by power iteration `p ← P p / Σ(P p)` from
    /// `initial` (default: uniform) until `‖p_{k+1} − p_k‖₁ < tolerance` (default `10⁻¹⁴`), at most
    /// `maximumIterations` (default `10⁵`; status ``DensityStatus/notConverged(iterations:change:)`` if hit;
    /// a periodic chain never converges this way). Status ``DensityStatus/domainTooSmall(mass:tolerance:step:)``
    /// if the clamped mass per step under the result exceeds `clampTolerance`. `progress`, when given, gets
    /// `(iterations, maximumIterations)` every 100 iterations and once at the end (then `done` is the
    /// number of iterations used, below `total` when the iteration converged).
    public func stationary(from initial: Density1D? = nil, tolerance: Double = 1e-14,
                           maximumIterations: Int = 100_000, clampTolerance: Double = 1e-12,
                           progress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws -> StationaryLaw<Density1D> {
        if let initial, initial.grid != grid {
            throw ConfigurationError(field: "initial", "must live on the operator's grid \(grid), got \(initial.grid)")
        }
        let start = initial?.masses ?? [Double](repeating: 1, count: grid.count)
        let g = grid
        return try TransferIteration.stationary(matrix, clamped: clampedProbability, initial: start, tolerance: tolerance,
                                                maximumIterations: maximumIterations, clampTolerance: clampTolerance,
                                                progress: progress) {
            Density1D(grid: g, masses: $0)
        }
    }
}
