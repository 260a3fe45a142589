/// One path of an ensemble: how to simulate it and which positions to report at the save points.
///
/// A kernel is a pure function of the path index (randomness comes from counter-based draws keyed by
/// the path), so any split of paths over threads or shards gives the same numbers.
public protocol PathKernel: Sendable {
    associatedtype Workspace
    /// Length of the reported position.
    var positionDimension: Int { get }
    /// Number of save points (including the start).
    var saveCount: Int { get }
    /// Model time of each save point.
    var saveTimes: [Double] { get }
    func makeWorkspace() -> Workspace
    /// Simulate path `path`, calling `record(j, x)` at save point `j`. Returns the step at which the
    /// path diverged (non-finite, or beyond the bound; checked every step, counted in the kernel's own
    /// steps, i.e. solver steps for an SDE), after which nothing more is recorded.
    func simulate(path: Int, workspace: inout Workspace, record: (Int, [Double]) -> Void) -> Int?
}

/// A discrete algorithm as an ensemble kernel: `steps` iterations, saved every `saveEvery` steps.
public struct AlgorithmKernel<A: Algorithm>: PathKernel {
    public let algorithm: A
    public let start: [Double]
    public let steps: Int
    public let saveEvery: Int
    public let rng: CounterRNG
    public let divergence: DivergenceRule

    public init(_ algorithm: A, start: [Double], steps: Int, saveEvery: Int = 1, seed: UInt64,
                divergence: DivergenceRule = DivergenceRule()) {
        precondition(steps >= 0 && saveEvery >= 1)
        self.algorithm = algorithm
        self.start = start
        self.steps = steps
        self.saveEvery = saveEvery
        self.rng = CounterRNG(seed: seed)
        self.divergence = divergence
    }

    public var positionDimension: Int { start.count }
    public var saveCount: Int { steps / saveEvery + 1 }
    public var saveTimes: [Double] { (0..<saveCount).map { Double($0 * saveEvery) * algorithm.timePerStep } }
    public func makeWorkspace() -> AlgorithmState { algorithm.makeState(start: start) }

    @inlinable
    public func simulate(path: Int, workspace s: inout AlgorithmState, record: (Int, [Double]) -> Void) -> Int? {
        algorithm.reset(&s, start: start)
        record(0, s.position)
        var j = 1
        for k in 1...Swift.max(steps, 1) where steps > 0 {
            algorithm.step(&s, rng: rng, path: path)
            if divergence.hasDiverged(s.position) { return k }
            if k % saveEvery == 0 {
                record(j, s.position)
                j += 1
            }
        }
        return nil
    }
}

/// An SDE model as an ensemble kernel: fixed steps `h` with the given solver, Brownian increments
/// from a ``BrownianPath`` on the grid `h` (the same seed and `h` give the same noise to every model:
/// common random numbers), saved every `saveEvery` steps.
public struct SDEKernel<M: StochasticModel, S: SDESolver>: PathKernel {
    public let model: M
    public let solver: S
    public let start: [Double]
    public let stepSize: Double
    public let steps: Int
    public let saveEvery: Int
    public let brownian: BrownianPath
    public let divergence: DivergenceRule

    public init(_ model: M, solver: S, start: [Double], stepSize h: Double, steps: Int, saveEvery: Int = 1,
                seed: UInt64, divergence: DivergenceRule = DivergenceRule()) {
        precondition(h > 0 && steps >= 0 && saveEvery >= 1)
        precondition(start.count == model.dimension, "start has the wrong dimension for \(model.name)")
        self.model = model
        self.solver = solver
        self.start = start
        self.stepSize = h
        self.steps = steps
        self.saveEvery = saveEvery
        self.brownian = BrownianPath(seed: seed, fineStep: h, dimension: model.brownianDimension)
        self.divergence = divergence
    }

    public struct Workspace {
        public var x: [Double]
        public var dW: [Double]
        public var work: SDEWork
        public var position: [Double]
        /// Standard normals of four consecutive steps (filled four Philox evaluations at a time).
        public var normals: [Double]
        public var cachedFrom: Int
    }

    public var positionDimension: Int { model.positionDimension }
    public var saveCount: Int { steps / saveEvery + 1 }
    public var saveTimes: [Double] { (0..<saveCount).map { Double($0 * saveEvery) * stepSize } }
    public func makeWorkspace() -> Workspace {
        Workspace(x: start, dW: [Double](repeating: 0, count: model.brownianDimension),
                  work: SDEWork(dimension: model.dimension, brownianDimension: model.brownianDimension),
                  position: [Double](repeating: 0, count: model.positionDimension),
                  normals: [Double](repeating: 0, count: 8 * ((model.brownianDimension + 1) / 2)), cachedFrom: -1)
    }

    @inlinable
    public func simulate(path: Int, workspace w: inout Workspace, record: (Int, [Double]) -> Void) -> Int? {
        let pd = model.positionDimension
        for i in 0..<start.count { w.x[i] = start[i] }
        for i in 0..<pd { w.position[i] = w.x[i] }
        record(0, w.position)
        var j = 1
        var t = 0.0
        let m = model.brownianDimension, blocks = (m + 1) / 2, width = 2 * blocks
        let sqrtH = stepSize.squareRoot()
        w.cachedFrom = -1
        for k in 0..<steps {
            // ΔW_k = √h ξ(path, k): the same numbers as `brownian.increment(path:fineStep:count: 1)`,
            // produced four steps at a time.
            if w.cachedFrom < 0 || k - w.cachedFrom >= 4 {
                w.normals.withUnsafeMutableBufferPointer { brownian.rng.gaussianSteps4(path: path, step: k, blocks: blocks, into: $0.baseAddress!) }
                w.cachedFrom = k
            }
            let q = (k - w.cachedFrom) * width
            for j in 0..<m { w.dW[j] = sqrtH * w.normals[q + j] }
            solver.step(model, &w.x, t: t, h: stepSize, dW: w.dW, work: &w.work)
            t = Double(k + 1) * stepSize
            if divergence.hasDiverged(w.x) { return k + 1 }
            if (k + 1) % saveEvery == 0 {
                for i in 0..<pd { w.position[i] = w.x[i] }
                record(j, w.position)
                j += 1
            }
        }
        return nil
    }
}

/// Two kernels run on the same path index, reported side by side: the position is `(x, X)`. With
/// both kernels drawing from the same counters (common random numbers) the per-path difference of a
/// test function has a much smaller variance than two independent ensembles, and its standard error
/// is computed from the paired differences. Both kernels must have the same save points.
public struct PairedKernel<A: PathKernel, B: PathKernel>: PathKernel {
    public let first: A
    public let second: B
    public init(_ first: A, _ second: B) {
        precondition(first.saveTimes.count == second.saveTimes.count
                     && zip(first.saveTimes, second.saveTimes).allSatisfy { Swift.abs($0 - $1) <= 1e-9 * Swift.max(1, Swift.abs($0)) },
                     "paired kernels need the same save times (same time identification)")
        self.first = first
        self.second = second
    }
    public struct Workspace {
        public var a: A.Workspace
        public var b: B.Workspace
        /// Positions of the first kernel at every save point.
        public var saved: [Double]
        public var row: [Double]
        public var reached: Int
    }
    public var positionDimension: Int { first.positionDimension + second.positionDimension }
    public var saveCount: Int { first.saveCount }
    public var saveTimes: [Double] { first.saveTimes }
    public func makeWorkspace() -> Workspace {
        Workspace(a: first.makeWorkspace(), b: second.makeWorkspace(),
                  saved: [Double](repeating: 0, count: first.saveCount * first.positionDimension),
                  row: [Double](repeating: 0, count: positionDimension), reached: 0)
    }
    @inlinable
    public func simulate(path: Int, workspace w: inout Workspace, record: (Int, [Double]) -> Void) -> Int? {
        let d1 = first.positionDimension, d2 = second.positionDimension
        var reached = 0
        let divA = first.simulate(path: path, workspace: &w.a) { j, x in
            for i in 0..<d1 { w.saved[j * d1 + i] = x[i] }
            reached = j + 1
        }
        var divergedAt = divA
        let divB = second.simulate(path: path, workspace: &w.b) { j, x in
            guard j < reached else { return }
            for i in 0..<d1 { w.row[i] = w.saved[j * d1 + i] }
            for i in 0..<d2 { w.row[d1 + i] = x[i] }
            record(j, w.row)
        }
        if let k = divB { divergedAt = Swift.min(divergedAt ?? k, k) }
        return divergedAt
    }
}
