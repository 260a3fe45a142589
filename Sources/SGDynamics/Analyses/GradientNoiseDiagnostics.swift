import Foundation

/// Diagnostics of the gradient noise at a point `x` (docs/THEORY.md §2.1–2.2, §9): how large it is, its
/// shape, how it lines up with the curvature, whether it is Gaussian or heavy-tailed, and whether it
/// scales with the batch size as the sampling scheme says.
///
/// With per-sample gradients `gᵢ = ∇fᵢ(x)`, mean `ḡ`, centred `uᵢ = gᵢ − ḡ`:
///
///     Σ(x) = (1/n) Σᵢ uᵢ uᵢᵀ                                    one-sample noise covariance (§2.1)
///     ξ_B = g_B − ḡ,   Cov ξ_B = c(b) Σ,   c(b) = 1/b (with replacement),  (n−b)/(b(n−1)) (without)
///
/// * **Spectrum.** The top-`k` eigenpairs of `Σ`: dense (``SymmetricEigen`` of `Σ`) when
///   `d ≤ denseLimit`, otherwise Lanczos on the matrix-free product `Σv = (1/n) Σᵢ uᵢ (uᵢᵀ v)`
///   (`O(nd)` per product, with Ritz residuals). `tr Σ = (1/n)Σ‖uᵢ‖²` and
///   `‖Σ‖_F² = (1/n²) Σᵢⱼ (uᵢᵀuⱼ)²` are exact in both cases (the Gram form when `n ≤ d`).
/// * **Hessian alignment.** `cos(Σ, H) = ⟨Σ, H⟩_F / (‖Σ‖_F ‖H‖_F)` and `tr Σ / tr H`, `H = ∇²f(x)`.
///   Exact (from `d` Hessian-vector products) when dense; otherwise Hutchinson estimates with
///   Rademacher probes `z` (`E zzᵀ = I`): `tr H = E zᵀHz`, `‖H‖_F² = E ‖Hz‖²`,
///   `⟨Σ, H⟩_F = E (Σz)ᵀ(Hz)`, with jackknife (over probes) standard errors.
/// * **Shape.** For each top eigenvector `vⱼ`, the projections `vⱼᵀ ξ_B` of `M` sampled minibatch
///   noises: variance (against `c λⱼ`), skewness `S = m₃/m₂^{3/2}`, excess kurtosis `κ = m₄/m₂² − 3`
///   with a jackknife standard error, and the **Jarque–Bera** test `JB = M/6 (S² + κ²/4)`, whose
///   asymptotic null law is χ²(2), so its p-value is `exp(−JB/2)`.
/// * **Tails.** The tail index `α̂` of the noise vectors `ξ_B` (``TailIndexEstimate``, Euclidean norms of
///   vector block sums), with its interval from independent groups.
/// * **Batch scaling.** For each `b` in a grid, the sampled `E‖ξ_B‖²` (mean ± standard error) against
///   `tr Σ · c(b)`, and the fitted log–log slope of `E‖ξ_B‖²` against `b` (``OrderFit``, 95% interval),
///   `−1` with replacement.
///
/// Sampling uses ``MinibatchGradient``'s batch draws (counter-based, seed ``seed``): the main sample is
/// path 0, step `m` for draw `m`; batch size `grid[i]` of the scaling check is path `i + 1`.
/// Reshuffling is refused (its batches are dependent within an epoch, so the draws are not i.i.d.).
///
/// - Reference: Li, Tai, E (JMLR 2019) for `Σ`; Şimşekli, Sagun, Gürbüzbalaban (ICML 2019) for the tail
///   index; Jarque & Bera, Econ. Lett. 6 (1980) 255–259; Hutchinson, Commun. Stat. Simul. 18 (1989).
public struct GradientNoiseDiagnostics: Sendable {
    // MARK: result types

    /// The top of the spectrum of `Σ`.
    public struct Spectrum: Sendable {
        /// Top eigenvalues, descending (at most ``GradientNoiseDiagnostics/directions``).
        public var values: [Double]
        /// Unit eigenvectors, one per value.
        public var vectors: [[Double]]
        /// `‖Σvⱼ − λⱼvⱼ‖` (0 for the dense eigensolver).
        public var residuals: [Double]
        /// `tr Σ`.
        public var trace: Double
        /// `‖Σ‖_F`.
        public var frobeniusNorm: Double
        /// Whether the eigenpairs come from a dense eigensolver (true) or Lanczos (false).
        public var isDense: Bool
        /// Effective rank `tr Σ / λ_max`.
        public var effectiveRank: Double { values.first.map { $0 > 0 ? trace / $0 : .nan } ?? .nan }
    }

    /// How `Σ` lines up with the Hessian `H = ∇²f(x)`.
    public struct HessianAlignment: Sendable {
        /// `⟨Σ, H⟩_F / (‖Σ‖_F ‖H‖_F)`.
        public var cosine: Double
        public var cosineStandardError: Double
        /// `tr Σ / tr H`.
        public var traceRatio: Double
        public var traceRatioStandardError: Double
        /// `⟨Σ, H⟩_F = tr(ΣH)`.
        public var inner: Double
        public var hessianTrace: Double
        public var hessianTraceStandardError: Double
        public var hessianFrobeniusNorm: Double
        /// Exact (dense) or Hutchinson.
        public var isExact: Bool
        /// Number of Hutchinson probes (0 when exact).
        public var probes: Int
    }

    /// Sampled statistics of the noise projected on one eigenvector of `Σ`.
    public struct DirectionStatistics: Sendable {
        /// `λⱼ`, the eigenvalue of `Σ`.
        public var eigenvalue: Double
        /// `c(b) λⱼ`, the exact variance of the projection.
        public var predictedVariance: Double
        /// Sample variance of the projections (divides by `M − 1`) and its standard error.
        public var variance: Double
        public var varianceStandardError: Double
        /// `m₃ / m₂^{3/2}`.
        public var skewness: Double
        /// `m₄ / m₂² − 3` (0 for a Gaussian).
        public var excessKurtosis: Double
        /// Jackknife standard error of the excess kurtosis.
        public var kurtosisStandardError: Double
        /// `√(24/M)`, its standard error under normality.
        public var gaussianKurtosisStandardError: Double
        /// Jarque–Bera statistic `M/6 (S² + κ²/4)`.
        public var jarqueBera: Double
        /// `P(χ²₂ ≥ JB) = exp(−JB/2)`.
        public var pValue: Double
        public var samples: Int

        /// Moment statistics of the projections `p` (`M ≥ 4`).
        public init(eigenvalue: Double, predictedVariance: Double, projections p: [Double]) {
            let m = p.count
            precondition(m >= 4, "DirectionStatistics: need at least 4 samples")
            let fm = Double(m)
            let mean = p.reduce(0, +) / fm
            var a1 = 0.0, a2 = 0.0, a3 = 0.0, a4 = 0.0
            for v in p {
                let d = v - mean, d2 = d * d
                a1 += d; a2 += d2; a3 += d2 * d; a4 += d2 * d2
            }
            func shape(_ a1: Double, _ a2: Double, _ a3: Double, _ a4: Double, _ n: Double) -> (Double, Double, Double) {
                let s1 = a1 / n, s2 = a2 / n, s3 = a3 / n, s4 = a4 / n
                let m2 = s2 - s1 * s1
                let m3 = s3 - 3 * s1 * s2 + 2 * s1 * s1 * s1
                let m4 = s4 - 4 * s1 * s3 + 6 * s1 * s1 * s2 - 3 * s1 * s1 * s1 * s1
                return (m2, m3 / Foundation.pow(m2, 1.5), m4 / (m2 * m2) - 3)
            }
            let (m2, skew, kurt) = shape(a1, a2, a3, a4, fm)
            // Jackknife: leave-one-out power sums about the full-sample mean.
            var loo = [Double](repeating: 0, count: m)
            var looMean = 0.0
            for (i, v) in p.enumerated() {
                let d = v - mean, d2 = d * d
                loo[i] = shape(a1 - d, a2 - d2, a3 - d2 * d, a4 - d2 * d2, fm - 1).2
                looMean += loo[i]
            }
            looMean /= fm
            var jv = 0.0
            for v in loo { jv += (v - looMean) * (v - looMean) }
            // Variance of the sample variance: (m₄ − m₂²(M−3)/(M−1))/M.
            let m4 = (kurt + 3) * m2 * m2
            let variance = m2 * fm / (fm - 1)
            self.eigenvalue = eigenvalue
            self.predictedVariance = predictedVariance
            self.variance = variance
            self.varianceStandardError = (Swift.max(0, m4 - m2 * m2 * (fm - 3) / (fm - 1)) / fm).squareRoot()
            self.skewness = skew
            self.excessKurtosis = kurt
            self.kurtosisStandardError = (jv * (fm - 1) / fm).squareRoot()
            self.gaussianKurtosisStandardError = (24 / fm).squareRoot()
            let jb = fm / 6 * (skew * skew + kurt * kurt / 4)
            self.jarqueBera = jb
            self.pValue = Foundation.exp(-jb / 2)
            self.samples = m
        }
    }

    /// One batch size of the scaling check.
    public struct ScalingRow: Sendable {
        public var batchSize: Int
        /// Sampled `E‖ξ_B‖²` and its standard error.
        public var measured: Double
        public var standardError: Double
        /// `tr Σ · c(b)`.
        public var predicted: Double
        /// `measured / predicted` and its standard error (NaN when `predicted = 0`).
        public var ratio: Double
        public var ratioStandardError: Double
    }

    /// The `1/b` scaling check.
    public struct BatchScaling: Sendable {
        public var sampling: Sampling
        public var rows: [ScalingRow]
        /// Log–log fit of `E‖ξ_B‖²` against `b` (nil with fewer than two usable sizes).
        public var fit: OrderFit?
        /// The slope of `log c(b)` against `log b` over the same grid (−1 with replacement).
        public var predictedSlope: Double?
    }

    /// Everything measured at one point.
    public struct Result: Sendable {
        public var dimension: Int
        /// `n` for a finite sum, nil for a stochastic oracle.
        public var sampleCount: Int?
        public var batchSize: Int
        public var sampling: Sampling
        /// `c(b)` for the main batch size.
        public var covarianceFactor: Double
        /// `‖∇f(x)‖`.
        public var gradientNorm: Double
        /// `Σ(x)` when dense (`d ≤ denseLimit`), else nil.
        public var covariance: Matrix?
        public var spectrum: Spectrum
        /// Nil when ``GradientNoiseDiagnostics/includeHessian`` is false.
        public var alignment: HessianAlignment?
        /// One entry per top eigenvector.
        public var directions: [DirectionStatistics]
        /// Nil when the noise has zero-norm draws (e.g. `b = n` without replacement).
        public var tailIndex: TailIndexEstimate?
        public var scaling: BatchScaling
        /// Number of sampled minibatch noises behind ``directions`` and ``tailIndex``.
        public var draws: Int
    }

    /// Diagnostics at one iterate of a run.
    public struct TrajectoryPoint: Sendable {
        public var step: Int
        /// `t = k · timePerStep`.
        public var time: Double
        public var loss: Double
        public var result: Result
    }

    /// Diagnostics along a run.
    public struct TrajectoryDiagnostics: Sendable {
        public var points: [TrajectoryPoint]
        /// The step at which the run diverged (``DivergenceRule``), if it did.
        public var divergedAt: Int?
    }

    // MARK: configuration

    /// Batch size `b` of the sampled noise behind the shape and tail statistics.
    public var batchSize: Int
    public var sampling: Sampling
    /// Number `M` of sampled minibatch noises.
    public var draws: Int
    /// Number `k` of top eigenpairs of `Σ`.
    public var directions: Int
    /// Batch sizes of the scaling check.
    public var scalingBatchSizes: [Int]
    /// Draws per batch size in the scaling check.
    public var scalingDraws: Int
    /// `K₁` and the number of groups of the tail-index estimator.
    public var tailBlockSize: Int
    public var tailGroups: Int
    /// Whether to measure the alignment with the Hessian.
    public var includeHessian: Bool
    /// Hutchinson probes for the Hessian quantities when `d > denseLimit`.
    public var hessianProbes: Int
    /// Largest `d` for dense `Σ`, its eigendecomposition and the exact Hessian.
    public var denseLimit: Int
    /// Lanczos steps for the top eigenpairs when `d > denseLimit`.
    public var lanczosSteps: Int
    public var seed: UInt64

    /// Throws ``ConfigurationError`` naming the field for any invalid setting. Settings that depend
    /// on the objective (`b ≤ n` without replacement) are checked by `run(_:at:)`.
    public init(batchSize: Int = 32, sampling: Sampling = .withReplacement, draws: Int = 10_000,
                directions: Int = 5, scalingBatchSizes: [Int] = [1, 2, 4, 8, 16, 32, 64], scalingDraws: Int = 2000,
                tailBlockSize: Int = 100, tailGroups: Int = 10, includeHessian: Bool = true,
                hessianProbes: Int = 30, denseLimit: Int = 500, lanczosSteps: Int = 100, seed: UInt64 = 0) throws {
        guard batchSize >= 1 else {
            throw ConfigurationError(field: "batchSize", "must be at least 1, got \(batchSize)")
        }
        guard sampling != .reshuffling else {
            throw ConfigurationError(field: "sampling",
                "reshuffled batches are dependent within an epoch; use with-replacement or without-replacement")
        }
        guard directions >= 1 else {
            throw ConfigurationError(field: "directions", "must be at least 1, got \(directions)")
        }
        guard tailBlockSize >= 2 else {
            throw ConfigurationError(field: "tailBlockSize", "the block length K₁ must be at least 2, got \(tailBlockSize)")
        }
        guard tailGroups >= 2 else {
            throw ConfigurationError(field: "tailGroups", "must be at least 2, got \(tailGroups)")
        }
        guard draws >= Swift.max(8, tailBlockSize * tailGroups) else {
            throw ConfigurationError(field: "draws",
                "must be at least max(8, tailBlockSize · tailGroups) = \(Swift.max(8, tailBlockSize * tailGroups)), got \(draws)")
        }
        guard !scalingBatchSizes.isEmpty, scalingBatchSizes.allSatisfy({ $0 >= 1 }) else {
            throw ConfigurationError(field: "scalingBatchSizes", "must be a non-empty list of sizes ≥ 1, got \(scalingBatchSizes)")
        }
        guard scalingDraws >= 2 else {
            throw ConfigurationError(field: "scalingDraws", "must be at least 2, got \(scalingDraws)")
        }
        guard hessianProbes >= 2 else {
            throw ConfigurationError(field: "hessianProbes", "must be at least 2 (the standard error needs two), got \(hessianProbes)")
        }
        guard denseLimit >= 0 else {
            throw ConfigurationError(field: "denseLimit", "must be non-negative, got \(denseLimit)")
        }
        guard lanczosSteps >= 1 else {
            throw ConfigurationError(field: "lanczosSteps", "must be at least 1, got \(lanczosSteps)")
        }
        self.batchSize = batchSize
        self.sampling = sampling
        self.draws = draws
        self.directions = directions
        self.scalingBatchSizes = scalingBatchSizes
        self.scalingDraws = scalingDraws
        self.tailBlockSize = tailBlockSize
        self.tailGroups = tailGroups
        self.includeHessian = includeHessian
        self.hessianProbes = hessianProbes
        self.denseLimit = denseLimit
        self.lanczosSteps = lanczosSteps
        self.seed = seed
    }

    // MARK: finite sums

    /// Diagnostics of the minibatch noise of a finite sum at `x`.
    ///
    /// Stores the `n` per-sample gradients (`n d` numbers). Throws ``ConfigurationError`` when a batch
    /// size exceeds `n` without replacement.
    public func run<F: FiniteSumObjective>(_ f: F, at x: [Double]) throws -> Result {
        let n = f.sampleCount, d = f.dimension
        precondition(x.count == d, "GradientNoiseDiagnostics: x has \(x.count) entries, expected \(d)")
        if sampling == .withoutReplacement {
            for (field, b) in [("batchSize", [batchSize]), ("scalingBatchSizes", scalingBatchSizes)] {
                if let bad = b.first(where: { $0 > n }) {
                    throw ConfigurationError(field: field, "without replacement a batch holds at most n = \(n) samples, got \(bad)")
                }
            }
        }
        // Centred per-sample gradients uᵢ = gᵢ − ḡ, row-major n × d.
        var u = [Double](repeating: 0, count: n * d)
        var mean = [Double](repeating: 0, count: d)
        var row = [Double](repeating: 0, count: d)
        let inv = 1 / Double(n)
        for i in 0..<n {
            for j in 0..<d { row[j] = 0 }
            f.addSampleGradient(i, x, scale: 1, into: &row)
            for j in 0..<d { u[i * d + j] = row[j]; mean[j] += inv * row[j] }
        }
        for i in 0..<n { for j in 0..<d { u[i * d + j] -= mean[j] } }

        var traceSigma = 0.0
        for v in u { traceSigma += v * v }
        traceSigma *= inv
        let dense = d <= denseLimit
        var sigma: Matrix? = nil
        var frob2 = 0.0
        if dense || n > d {
            // Σ = (1/n) UᵀU (upper triangle, mirrored).
            var s = Matrix(rows: d, columns: d)
            u.withUnsafeBufferPointer { up in
                s.storage.withUnsafeMutableBufferPointer { sp in
                    for i in 0..<n {
                        let r = i * d
                        for a in 0..<d {
                            let ua = up[r + a]
                            if ua == 0 { continue }
                            for b in a..<d { sp[a * d + b] += ua * up[r + b] }
                        }
                    }
                    for a in 0..<d { for b in a..<d { sp[a * d + b] *= inv; sp[b * d + a] = sp[a * d + b] } }
                }
            }
            for v in s.storage { frob2 += v * v }
            if dense { sigma = s }
        } else {
            // ‖Σ‖_F² = (1/n²) Σᵢⱼ (uᵢᵀuⱼ)² from the Gram matrix (cheaper when n ≤ d).
            u.withUnsafeBufferPointer { up in
                for i in 0..<n {
                    for j in i..<n {
                        var s = 0.0
                        for c in 0..<d { s += up[i * d + c] * up[j * d + c] }
                        frob2 += (i == j ? 1 : 2) * s * s
                    }
                }
            }
            frob2 *= inv * inv
        }
        let uc = u
        let sigmaApply: (_ v: [Double], _ out: inout [Double]) -> Void = { v, out in
            for j in 0..<d { out[j] = 0 }
            uc.withUnsafeBufferPointer { up in
                out.withUnsafeMutableBufferPointer { op in
                    for i in 0..<n {
                        let r = i * d
                        var s = 0.0
                        for c in 0..<d { s += up[r + c] * v[c] }
                        s *= inv
                        for c in 0..<d { op[c] += s * up[r + c] }
                    }
                }
            }
        }
        let scheme = sampling
        var scratch = GradientScratch(dimension: d, batchSize: Swift.max(batchSize, scalingBatchSizes.max()!), sampleCount: n)
        let rng = CounterRNG(seed: seed)
        return try analyze(
            dimension: d, sampleCount: n, gradient: mean, sigma: sigma, sigmaApply: sigmaApply,
            traceSigma: traceSigma, frobeniusSigma: frob2.squareRoot(),
            factor: { sampling.covarianceFactor(batchSize: $0, sampleCount: n) },
            samplingUsed: sampling,
            hessianApply: { v, out in f.hessianVectorProduct(x, v, into: &out) },
            hessianDense: { f.hessian(x) },
            noise: { b, path, step, xi in
                let g = MinibatchGradient(f, batchSize: b, sampling: scheme)
                scratch.indices.removeAll(keepingCapacity: true)
                scratch.indices.append(contentsOf: repeatElement(0, count: b))
                g.drawBatch(step: step, path: path, draw: 0, rng: rng, scratch: &scratch)
                for j in 0..<d { xi[j] = 0 }
                let w = 1 / Double(b)
                uc.withUnsafeBufferPointer { up in
                    for q in 0..<b {
                        let r = scratch.indices[q] * d
                        for j in 0..<d { xi[j] += w * up[r + j] }
                    }
                }
            })
    }

    // MARK: stochastic oracles

    /// Diagnostics of the noise of a stochastic-oracle objective at `x`: `Σ(x)` is the oracle's exact
    /// ``StochasticOracleObjective/noiseCovariance(_:)``, minibatches are means of `b` i.i.d. draws
    /// (``OracleGradient``), so `c(b) = 1/b` and ``sampling`` is ignored.
    public func run<F: StochasticOracleObjective>(_ f: F, at x: [Double]) throws -> Result {
        let d = f.dimension
        precondition(x.count == d, "GradientNoiseDiagnostics: x has \(x.count) entries, expected \(d)")
        let s = f.noiseCovariance(x).symmetrized
        let gbar = f.gradient(x)
        let rng = CounterRNG(seed: seed)
        var scratch = GradientScratch(dimension: d)
        return try analyze(
            dimension: d, sampleCount: nil, gradient: gbar, sigma: d <= denseLimit ? s : nil,
            sigmaApply: { v, out in s.multiply(v, into: &out) },
            traceSigma: s.trace, frobeniusSigma: s.frobeniusNorm,
            factor: { 1 / Double($0) }, samplingUsed: .withReplacement,
            hessianApply: { v, out in f.hessianVectorProduct(x, v, into: &out) },
            hessianDense: { f.hessian(x) },
            noise: { b, path, step, xi in
                OracleGradient(f, batchSize: b).estimate(x, step: step, path: path, draw: 0, rng: rng,
                                                          scratch: &scratch, into: &xi)
                for j in 0..<d { xi[j] -= gbar[j] }
            })
    }

    // MARK: along a run

    /// Diagnostics at the iterates `x_0, x_k, x_{2k}, …` of `algorithm` (for example ``GradientDescent``
    /// or ``SGD``) on the finite sum `f`, run for `steps` iterations from `start` with `CounterRNG(seed:)`,
    /// path 0. Stops at divergence (``DivergenceRule``). The run comes first; the diagnostics of its
    /// recorded iterates are then computed on up to `threads` threads (each point's numbers do not
    /// depend on the count). With `keepCovariance` false the dense `Σ` of each point is dropped.
    /// `progress(done, total)` is called as the points' diagnostics finish.
    public func alongTrajectory<A: Algorithm, F: FiniteSumObjective>(
        _ algorithm: A, on f: F, start: [Double], steps: Int, every: Int, seed runSeed: UInt64 = 0,
        divergence: DivergenceRule = DivergenceRule(), threads: Int = 1, keepCovariance: Bool = true,
        progress: (@Sendable (_ done: Int, _ total: Int) -> Void)? = nil
    ) throws -> TrajectoryDiagnostics {
        guard steps >= 0 else { throw ConfigurationError(field: "steps", "must be non-negative, got \(steps)") }
        guard every >= 1 else { throw ConfigurationError(field: "every", "must be at least 1, got \(every)") }
        precondition(algorithm.dimension == f.dimension, "alongTrajectory: algorithm and objective dimensions differ")
        var state = algorithm.makeState(start: start)
        let rng = CounterRNG(seed: runSeed)
        var recorded: [(step: Int, x: [Double])] = []
        var divergedAt: Int? = nil
        var k = 0
        while true {
            if k % every == 0 || k == steps { recorded.append((k, state.position)) }
            if k == steps { break }
            algorithm.step(&state, rng: rng, path: 0)
            k += 1
            if divergence.hasDiverged(state.position) { divergedAt = k; break }
        }
        let positions = recorded.map(\.x)
        let counter = progress.map { report in ProgressCounter(total: positions.count) { report($0, $1) } }
        let results = try ParallelSlots<Result>.map(count: positions.count, threads: threads) { i in
            let r = try run(f, at: positions[i])
            counter?.advance(by: 1)
            return r
        }
        var points: [TrajectoryPoint] = []
        for (i, p) in recorded.enumerated() {
            var r = results[i]
            if !keepCovariance { r.covariance = nil }
            points.append(TrajectoryPoint(step: p.step, time: Double(p.step) * algorithm.timePerStep, loss: f.value(p.x), result: r))
        }
        return TrajectoryDiagnostics(points: points, divergedAt: divergedAt)
    }

    // MARK: core

    private func analyze(
        dimension d: Int, sampleCount: Int?, gradient: [Double], sigma: Matrix?,
        sigmaApply: (_ v: [Double], _ out: inout [Double]) -> Void,
        traceSigma: Double, frobeniusSigma: Double, factor: (Int) -> Double, samplingUsed: Sampling,
        hessianApply: (_ v: [Double], _ out: inout [Double]) -> Void, hessianDense: () -> Matrix,
        noise: (_ b: Int, _ path: Int, _ step: Int, _ xi: inout [Double]) -> Void
    ) throws -> Result {
        // Spectrum.
        let spectrum: Spectrum
        if let sigma {
            let eig = SymmetricEigen(sigma)
            let k = Swift.min(directions, d)
            var values: [Double] = [], vectors: [[Double]] = []
            for c in 0..<k {
                let col = d - 1 - c
                values.append(eig.values[col])
                vectors.append((0..<d).map { eig.vectors[$0, col] })
            }
            spectrum = Spectrum(values: values, vectors: vectors, residuals: [Double](repeating: 0, count: k),
                                trace: traceSigma, frobeniusNorm: frobeniusSigma, isDense: true)
        } else {
            let l = Lanczos.largestEigenpairs(dimension: d, count: directions, steps: lanczosSteps, seed: seed &+ 1,
                                              apply: sigmaApply)
            spectrum = Spectrum(values: l.values, vectors: l.vectors, residuals: l.residuals,
                                trace: traceSigma, frobeniusNorm: frobeniusSigma, isDense: false)
        }

        // Hessian alignment.
        var alignment: HessianAlignment? = nil
        if includeHessian {
            if let sigma {
                let h = hessianDense()
                var inner = 0.0, hf = 0.0
                for p in 0..<(d * d) { inner += sigma.storage[p] * h.storage[p]; hf += h.storage[p] * h.storage[p] }
                hf = hf.squareRoot()
                let tr = h.trace
                alignment = HessianAlignment(
                    cosine: inner / (frobeniusSigma * hf), cosineStandardError: 0,
                    traceRatio: traceSigma / tr, traceRatioStandardError: 0, inner: inner,
                    hessianTrace: tr, hessianTraceStandardError: 0, hessianFrobeniusNorm: hf, isExact: true, probes: 0)
            } else {
                alignment = hutchinson(dimension: d, traceSigma: traceSigma, frobeniusSigma: frobeniusSigma,
                                       sigmaApply: sigmaApply, hessianApply: hessianApply)
            }
        }

        // Main sample: projections, norms, block sums.
        let c = factor(batchSize)
        let k = spectrum.values.count
        let m = draws, k1 = tailBlockSize
        var proj = [[Double]](repeating: [Double](repeating: 0, count: m), count: k)
        var logNorm = [Double](repeating: 0, count: m)
        var blockLog: [Double] = []
        blockLog.reserveCapacity(m / k1)
        var xi = [Double](repeating: 0, count: d)
        var blockSum = [Double](repeating: 0, count: d)
        for s in 0..<m {
            noise(batchSize, 0, s, &xi)
            for j in 0..<k { proj[j][s] = Vec.dot(spectrum.vectors[j], xi) }
            logNorm[s] = 0.5 * Foundation.log(Vec.dot(xi, xi))
            for j in 0..<d { blockSum[j] += xi[j] }
            if (s + 1) % k1 == 0 {
                blockLog.append(0.5 * Foundation.log(Vec.dot(blockSum, blockSum)))
                for j in 0..<d { blockSum[j] = 0 }
            }
        }
        let directionStats = (0..<k).map {
            DirectionStatistics(eigenvalue: spectrum.values[$0], predictedVariance: c * spectrum.values[$0],
                                projections: proj[$0])
        }
        let tail = try? TailIndexEstimate(logMagnitudes: logNorm, blockLogMagnitudes: blockLog,
                                          blockSize: k1, groups: tailGroups)

        // Batch scaling.
        var rows: [ScalingRow] = []
        for (gi, b) in scalingBatchSizes.enumerated() {
            var mean = 0.0, m2 = 0.0
            for s in 0..<scalingDraws {
                noise(b, gi + 1, s, &xi)
                let e = Vec.dot(xi, xi)
                let delta = e - mean
                mean += delta / Double(s + 1)
                m2 += delta * (e - mean)
            }
            let se = (m2 / Double(scalingDraws - 1) / Double(scalingDraws)).squareRoot()
            let pred = traceSigma * factor(b)
            rows.append(ScalingRow(batchSize: b, measured: mean, standardError: se, predicted: pred,
                                   ratio: pred > 0 ? mean / pred : .nan, ratioStandardError: pred > 0 ? se / pred : .nan))
        }
        let bs = rows.map { Double($0.batchSize) }
        let scaling = BatchScaling(
            sampling: samplingUsed, rows: rows, fit: OrderFit(steps: bs, errors: rows.map(\.measured)),
            predictedSlope: OrderFit(steps: bs, errors: scalingBatchSizes.map { factor($0) })?.order)

        return Result(dimension: d, sampleCount: sampleCount, batchSize: batchSize, sampling: samplingUsed,
                      covarianceFactor: c, gradientNorm: Vec.norm(gradient), covariance: sigma, spectrum: spectrum,
                      alignment: alignment, directions: directionStats, tailIndex: tail, scaling: scaling, draws: m)
    }

    /// Hutchinson estimates with Rademacher probes; jackknife standard errors over probes.
    private func hutchinson(
        dimension d: Int, traceSigma: Double, frobeniusSigma: Double,
        sigmaApply: (_ v: [Double], _ out: inout [Double]) -> Void,
        hessianApply: (_ v: [Double], _ out: inout [Double]) -> Void
    ) -> HessianAlignment {
        let p = hessianProbes
        let rng = CounterRNG(seed: seed, stream: RandomStream.initial &+ 64)
        var z = [Double](repeating: 0, count: d), hz = z, sz = z
        var tr = [Double](repeating: 0, count: p), fr = tr, inn = tr
        for q in 0..<p {
            for j in 0..<d { z[j] = rng.uniform(path: 0, step: q, component: j) < 0.5 ? -1 : 1 }
            hessianApply(z, &hz)
            sigmaApply(z, &sz)
            tr[q] = Vec.dot(z, hz); fr[q] = Vec.dot(hz, hz); inn[q] = Vec.dot(sz, hz)
        }
        let fp = Double(p)
        let sTr = tr.reduce(0, +), sFr = fr.reduce(0, +), sIn = inn.reduce(0, +)
        func cosine(_ i: Double, _ f: Double) -> Double { i / (frobeniusSigma * f.squareRoot()) }
        let cos = cosine(sIn / fp, sFr / fp), ratio = traceSigma / (sTr / fp)
        var jc = [Double](repeating: 0, count: p), jr = jc
        for q in 0..<p {
            jc[q] = cosine((sIn - inn[q]) / (fp - 1), (sFr - fr[q]) / (fp - 1))
            jr[q] = traceSigma / ((sTr - tr[q]) / (fp - 1))
        }
        func jackknifeSE(_ v: [Double]) -> Double {
            let mv = v.reduce(0, +) / fp
            return (v.reduce(0) { $0 + ($1 - mv) * ($1 - mv) } * (fp - 1) / fp).squareRoot()
        }
        let trMean = sTr / fp
        let trSE = (tr.reduce(0) { $0 + ($1 - trMean) * ($1 - trMean) } / (fp - 1) / fp).squareRoot()
        return HessianAlignment(cosine: cos, cosineStandardError: jackknifeSE(jc), traceRatio: ratio,
                                traceRatioStandardError: jackknifeSE(jr), inner: sIn / fp, hessianTrace: trMean,
                                hessianTraceStandardError: trSE, hessianFrobeniusNorm: (sFr / fp).squareRoot(),
                                isExact: false, probes: p)
    }
}
