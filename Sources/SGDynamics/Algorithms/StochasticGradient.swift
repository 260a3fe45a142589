#if canImport(_Differentiation)
import _Differentiation  // SIMD vector arithmetic on Lanes resolves through its AdditiveArithmetic conformance
#endif

/// Reusable buffers for gradient estimates, allocated once per path.
public struct GradientScratch: Sendable {
    public var indices: [Int]
    public var pool: [Int]
    public var permutation: [Int]
    public var permutationEpoch: Int
    public var permutationPath: Int
    public var permutationStream: UInt32
    public var buffer: [Double]

    public init(dimension: Int, batchSize: Int = 0, sampleCount: Int = 0) {
        indices = [Int](repeating: 0, count: batchSize)
        pool = Array(0..<sampleCount)
        permutation = Array(0..<sampleCount)
        permutationEpoch = -1
        permutationPath = -1
        permutationStream = .max
        buffer = [Double](repeating: 0, count: dimension)
    }
}

/// A source of (stochastic) gradients `ĝ(x)` with `E ĝ(x) = ∇f(x)`.
///
/// Draws are addressed by (path, step, draw) through a ``CounterRNG``, so two runs with the same seed
/// see the same minibatches. `draw` separates independent estimates within one step (SVAG uses two).
public protocol StochasticGradient: Sendable {
    associatedtype Base: Objective
    var objective: Base { get }
    /// Whether estimates are random (false for the exact gradient).
    var isStochastic: Bool { get }
    /// The factor `c` with `Cov ĝ(x) = c Σ(x)`, where `Σ` is the one-sample noise covariance.
    var covarianceFactor: Double { get }
    func makeScratch() -> GradientScratch
    func estimate(_ x: [Double], step: Int, path: Int, draw: Int, rng: CounterRNG,
                  scratch: inout GradientScratch, into g: inout [Double])
    /// One-sample noise covariance `Σ(x)` (docs/THEORY.md §2.1); zero for the exact gradient.
    func noiseCovariance(_ x: [Double]) -> Matrix
    /// `Σ(x)` written into a preallocated `d × d` matrix (the default calls ``noiseCovariance(_:)``).
    func noiseCovariance(_ x: [Double], into m: inout Matrix)
    /// Whether `Σ(x)` does not depend on `x` (then models factor it once).
    var noiseIsConstant: Bool { get }
    /// Standard normals per step that ``estimate(lanes:normals:into:)`` consumes, or nil when the
    /// estimate cannot run in SIMD lanes (minibatch index sampling runs path by path).
    var laneNormals: Int? { get }
    /// The ``CounterRNG`` stream those normals come from.
    var laneNoiseStream: UInt32 { get }
    /// The estimate for `Lanes.width` paths given this step's normals; lane by lane bitwise equal to
    /// ``estimate(_:step:path:draw:rng:scratch:into:)`` with `draw` 0. Only called when ``laneNormals`` is set.
    func estimate(lanes x: UnsafePointer<Lanes>, normals: UnsafePointer<Lanes>, into g: UnsafeMutablePointer<Lanes>)
    /// Whether ``noiseCovariance(lanes:into:)`` is vectorized.
    var hasLaneNoiseCovariance: Bool { get }
    /// `Σ(x)` (before the batch factor) for `Lanes.width` points, `d·d` lane values row-major.
    func noiseCovariance(lanes x: UnsafePointer<Lanes>, into m: UnsafeMutablePointer<Lanes>)
}

extension StochasticGradient {
    public func noiseCovariance(_ x: [Double], into m: inout Matrix) { m = noiseCovariance(x) }
    public var noiseIsConstant: Bool { false }
    public var laneNormals: Int? { nil }
    public var laneNoiseStream: UInt32 { 0 }
    public var hasLaneNoiseCovariance: Bool { false }
    public func noiseCovariance(lanes x: UnsafePointer<Lanes>, into m: UnsafeMutablePointer<Lanes>) {
        let d = objective.dimension
        var c = Matrix(rows: d, columns: d)
        Lanes.perLane(x, inputCount: d, into: m, outputCount: d * d) { noiseCovariance($0, into: &c); $1 = c.storage }
    }
    public func estimate(lanes x: UnsafePointer<Lanes>, normals: UnsafePointer<Lanes>, into g: UnsafeMutablePointer<Lanes>) {
        preconditionFailure("this gradient estimate does not run in lanes; check laneNormals first")
    }
}

/// The exact gradient: SGD with this source is gradient descent.
public struct ExactGradient<Base: Objective>: StochasticGradient {
    public let objective: Base
    public init(_ objective: Base) { self.objective = objective }
    public var isStochastic: Bool { false }
    public var covarianceFactor: Double { 0 }
    public func makeScratch() -> GradientScratch { GradientScratch(dimension: objective.dimension) }
    @inlinable
    public func estimate(_ x: [Double], step: Int, path: Int, draw: Int, rng: CounterRNG,
                         scratch: inout GradientScratch, into g: inout [Double]) {
        objective.gradient(x, into: &g)
    }
    public func noiseCovariance(_ x: [Double]) -> Matrix {
        Matrix(rows: objective.dimension, columns: objective.dimension)
    }
    public var noiseIsConstant: Bool { true }
    @inlinable public var laneNormals: Int? { objective.hasLaneGradient ? 0 : nil }
    @inlinable
    public func estimate(lanes x: UnsafePointer<Lanes>, normals: UnsafePointer<Lanes>, into g: UnsafeMutablePointer<Lanes>) {
        objective.gradient(lanes: x, into: g)
    }
}

/// Minibatch gradients of a finite sum, `ĝ = (1/b) Σ_{i∈B} ∇fᵢ(x)`, with the chosen ``Sampling``.
public struct MinibatchGradient<Base: FiniteSumObjective>: StochasticGradient {
    public let objective: Base
    public let batchSize: Int
    public let sampling: Sampling

    public init(_ objective: Base, batchSize: Int, sampling: Sampling = .withReplacement) {
        precondition(batchSize >= 1, "batch size must be at least 1")
        precondition(sampling == .withReplacement || batchSize <= objective.sampleCount,
                     "batch size must not exceed the sample count without replacement")
        self.objective = objective
        self.batchSize = batchSize
        self.sampling = sampling
    }

    public var isStochastic: Bool { !(sampling != .withReplacement && batchSize == objective.sampleCount) }
    public var covarianceFactor: Double {
        sampling.covarianceFactor(batchSize: batchSize, sampleCount: objective.sampleCount)
    }

    public func makeScratch() -> GradientScratch {
        GradientScratch(dimension: objective.dimension, batchSize: batchSize, sampleCount: objective.sampleCount)
    }

    /// Fill `scratch.indices` with the batch of (path, step, draw).
    @inlinable
    public func drawBatch(step: Int, path: Int, draw: Int, rng: CounterRNG, scratch: inout GradientScratch) {
        let n = objective.sampleCount, b = batchSize
        let r = rng.withStream(RandomStream.batches &+ UInt32(truncatingIfNeeded: draw) &* 16)
        switch sampling {
        case .withReplacement:
            for j in 0..<b { scratch.indices[j] = r.index(n, path: path, step: step, component: j) }
        case .withoutReplacement:
            // Partial Fisher–Yates on the identity pool, then undone in reverse, so the pool is the
            // identity again for the next step: O(b) work, no allocation.
            for j in 0..<b {
                let t = j + r.index(n - j, path: path, step: step, component: j)
                scratch.pool.swapAt(j, t)
                scratch.indices[j] = t
            }
            for j in stride(from: b - 1, through: 0, by: -1) {
                let t = scratch.indices[j]
                let chosen = scratch.pool[j]
                scratch.pool.swapAt(j, t)
                scratch.indices[j] = chosen
            }
        case .reshuffling:
            let perEpoch = n / b
            let epoch = step / perEpoch
            let within = step % perEpoch
            if scratch.permutationEpoch != epoch || scratch.permutationPath != path || scratch.permutationStream != r.stream {
                for i in 0..<n { scratch.permutation[i] = i }
                let rp = r.withStream(r.stream &+ 8)
                for i in stride(from: n - 1, to: 0, by: -1) {
                    let t = rp.index(i + 1, path: path, step: epoch, component: i)
                    scratch.permutation.swapAt(i, t)
                }
                scratch.permutationEpoch = epoch
                scratch.permutationPath = path
                scratch.permutationStream = r.stream
            }
            for j in 0..<b { scratch.indices[j] = scratch.permutation[within * b + j] }
        }
    }

    @inlinable
    public func estimate(_ x: [Double], step: Int, path: Int, draw: Int, rng: CounterRNG,
                         scratch: inout GradientScratch, into g: inout [Double]) {
        drawBatch(step: step, path: path, draw: draw, rng: rng, scratch: &scratch)
        for j in 0..<g.count { g[j] = 0 }
        let w = 1.0 / Double(batchSize)
        for j in 0..<batchSize { objective.addSampleGradient(scratch.indices[j], x, scale: w, into: &g) }
    }

    /// Population covariance of the per-sample gradients at `x` (divides by `n`).
    public func noiseCovariance(_ x: [Double]) -> Matrix {
        var m = Matrix(rows: objective.dimension, columns: objective.dimension)
        objective.noiseCovariance(x, into: &m)
        return m
    }

    /// `Σ(x)` through the objective's own (possibly structured) evaluation.
    @inlinable
    public func noiseCovariance(_ x: [Double], into m: inout Matrix) { objective.noiseCovariance(x, into: &m) }
    @inlinable public var hasLaneNoiseCovariance: Bool { objective.hasLaneNoiseCovariance }
    @inlinable
    public func noiseCovariance(lanes x: UnsafePointer<Lanes>, into m: UnsafeMutablePointer<Lanes>) {
        objective.noiseCovariance(lanes: x, into: m)
    }
}

/// Minibatches of a stochastic oracle: the mean of `b` independent draws of `∇f_γ(x)`.
public struct OracleGradient<Base: StochasticOracleObjective>: StochasticGradient {
    public let objective: Base
    public let batchSize: Int
    /// The random stream of the first draw. Setting it to ``RandomStream/brownian`` makes SGD's noise
    /// `γ_k` equal to the normalized Brownian increment `ΔW_k/√h` of a model run with the same seed on
    /// the grid `h = η` (common random numbers).
    public var noiseStream: UInt32 = RandomStream.oracle
    public init(_ objective: Base, batchSize: Int = 1) {
        precondition(batchSize >= 1, "batch size must be at least 1")
        self.objective = objective
        self.batchSize = batchSize
    }
    public var isStochastic: Bool { true }
    public var covarianceFactor: Double { 1 / Double(batchSize) }
    public func makeScratch() -> GradientScratch { GradientScratch(dimension: objective.dimension) }

    @inlinable
    public func estimate(_ x: [Double], step: Int, path: Int, draw: Int, rng: CounterRNG,
                         scratch: inout GradientScratch, into g: inout [Double]) {
        let r = rng.withStream(noiseStream &+ UInt32(truncatingIfNeeded: draw) &* 16)
        if batchSize == 1 {
            objective.stochasticGradient(x, rng: r, path: path, step: step, draw: 0, into: &g)
            return
        }
        for j in 0..<g.count { g[j] = 0 }
        let w = 1.0 / Double(batchSize)
        for b in 0..<batchSize {
            objective.stochasticGradient(x, rng: r, path: path, step: step, draw: b, into: &scratch.buffer)
            for j in 0..<g.count { g[j] += w * scratch.buffer[j] }
        }
    }

    public func noiseCovariance(_ x: [Double]) -> Matrix { objective.noiseCovariance(x) }
    public var noiseIsConstant: Bool { objective.noiseIsConstant }
    /// Single-draw oracles with a lane form run in lanes, with `d` normals per step from ``noiseStream``.
    @inlinable public var laneNormals: Int? { batchSize == 1 && objective.hasLaneOracle ? objective.dimension : nil }
    @inlinable public var laneNoiseStream: UInt32 { noiseStream }
    @inlinable
    public func estimate(lanes x: UnsafePointer<Lanes>, normals: UnsafePointer<Lanes>, into g: UnsafeMutablePointer<Lanes>) {
        objective.stochasticGradient(lanes: x, normals: normals, into: g)
    }
}
