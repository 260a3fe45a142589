import _Differentiation  // SIMD vector arithmetic on Lanes resolves through its AdditiveArithmetic conformance

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

    /// How many consecutive paths ``simulateGroup(firstPath:count:workspace:record:diverged:)`` advances
    /// together (1 unless the kernel runs paths in SIMD lanes).
    var groupWidth: Int { get }
    /// Simulate paths `firstPath ..< firstPath + count` (`count ≤ groupWidth`), with the same numbers as
    /// ``simulate(path:workspace:record:)`` on each path: `record(q, j, x)` for path `firstPath + q` at
    /// save point `j` (for each `j`, in increasing `q`), `diverged(q, step)` when that path diverges.
    func simulateGroup(firstPath: Int, count: Int, workspace: inout Workspace,
                       record: (Int, Int, [Double]) -> Void, diverged: (Int, Int) -> Void)
}

extension PathKernel {
    public var groupWidth: Int { 1 }

    @inlinable
    public func simulateGroup(firstPath: Int, count: Int, workspace: inout Workspace,
                              record: (Int, Int, [Double]) -> Void, diverged: (Int, Int) -> Void) {
        simulateEach(firstPath: firstPath, count: count, workspace: &workspace, record: record, diverged: diverged)
    }

    /// Paths one after the other with ``simulate(path:workspace:record:)``.
    @inlinable
    public func simulateEach(firstPath: Int, count: Int, workspace: inout Workspace,
                             record: (Int, Int, [Double]) -> Void, diverged: (Int, Int) -> Void) {
        for q in 0..<count {
            if let k = simulate(path: firstPath + q, workspace: &workspace, record: { j, x in record(q, j, x) }) {
                diverged(q, k)
            }
        }
    }
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
        /// Lane buffers (``Lanes``): state `d`, increments `m`, normals for `normalSteps` steps, solver work `4d`.
        public var lanes: [Lanes]
        public var rawDraws: [UInt64]
        public var rejectedDraws: [Int32]
    }

    public var positionDimension: Int { model.positionDimension }
    public var saveCount: Int { steps / saveEvery + 1 }
    public var saveTimes: [Double] { (0..<saveCount).map { Double($0 * saveEvery) * stepSize } }
    public func makeWorkspace() -> Workspace {
        Workspace(x: start, dW: [Double](repeating: 0, count: model.brownianDimension),
                  work: SDEWork(dimension: model.dimension, brownianDimension: model.brownianDimension),
                  position: [Double](repeating: 0, count: model.positionDimension),
                  normals: [Double](repeating: 0, count: 8 * ((model.brownianDimension + 1) / 2)), cachedFrom: -1,
                  lanes: [Lanes](repeating: Lanes(repeating: 0),
                                 count: 5 * model.dimension + (1 + Self.normalSteps) * model.brownianDimension),
                  rawDraws: [UInt64](repeating: 0, count: 4 * Self.normalSteps * model.brownianDimension),
                  rejectedDraws: [Int32](repeating: 0, count: 4 * Self.normalSteps * model.brownianDimension))
    }

    /// Steps of normals drawn per call in lane mode.
    @usableFromInline static var normalSteps: Int { 8 }

    /// Paths run in SIMD lanes when both the model's coefficients and the solver's step are vectorized.
    public var groupWidth: Int { model.hasLaneCoefficients && solver.hasLaneStep ? Lanes.width : 1 }

    @inlinable
    public func simulateGroup(firstPath p0: Int, count: Int, workspace w: inout Workspace,
                              record: (Int, Int, [Double]) -> Void, diverged: (Int, Int) -> Void) {
        guard groupWidth > 1 else {
            simulateEach(firstPath: p0, count: count, workspace: &w, record: record, diverged: diverged)
            return
        }
        let d = model.dimension, m = model.brownianDimension, pd = model.positionDimension
        let h = stepSize, sqrtH = stepSize.squareRoot()
        let bound2 = divergence.bound * divergence.bound
        var position = w.position
        for i in 0..<pd { position[i] = start[i] }
        for q in 0..<count { record(q, 0, position) }
        var alive: UInt8 = UInt8((1 << count) - 1)   // bit q: path p0 + q is still running
        let ns = Self.normalSteps
        w.lanes.withUnsafeMutableBufferPointer { buf in w.rawDraws.withUnsafeMutableBufferPointer { raw in
          w.rejectedDraws.withUnsafeMutableBufferPointer { rejected in
            let x = buf.baseAddress!, dW = x + d, normals = dW + m, work = normals + ns * m
            for i in 0..<d { x[i] = Lanes(repeating: start[i]) }
            var j = 1
            var t = 0.0
            for k in 0..<steps {
                let s = k % ns
                if s == 0 {
                    brownian.rng.gaussianLanes(firstPath: p0, step: k, steps: Swift.min(ns, steps - k), components: m,
                                               into: normals, raw: raw.baseAddress!, rejected: rejected.baseAddress!)
                }
                for c in 0..<m { dW[c] = sqrtH * normals[s * m + c] }
                solver.step(lanes: model, x, t: t, h: h, dW: dW, work: work)
                t = Double(k + 1) * h
                var r2 = Lanes(repeating: 0)
                for i in 0..<d { r2 += x[i] * x[i] }
                let ok = r2 .<= bound2
                if !all(ok) {
                    for q in 0..<count where alive & (1 << q) != 0 && !ok[q] {
                        alive &= ~(1 << q)
                        diverged(q, k + 1)
                    }
                    if alive == 0 { break }
                }
                if (k + 1) % saveEvery == 0 {
                    for q in 0..<count where alive & (1 << q) != 0 {
                        for i in 0..<pd { position[i] = x[i][q] }
                        record(q, j, position)
                    }
                    j += 1
                }
            }
        } } }
        w.position = position
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
