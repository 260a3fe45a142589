#if canImport(_Differentiation)
import _Differentiation  // SIMD vector arithmetic on Lanes resolves through its AdditiveArithmetic conformance
#endif
import CSGDynamicsKernels

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

    /// The same paths as ``simulateGroup(firstPath:count:workspace:record:diverged:)``, recorded four at a
    /// time: `record(j, x, mask)` gives the positions at save point `j` as `positionDimension` lane vectors
    /// (lane `q` is path `firstPath + q`) and the paths to record as the bits of `mask` (a path that
    /// diverged is left out from then on). The pointer is valid during the call only.
    ///
    /// `tape`, when given, holds normals that other kernels of the same group may have drawn already
    /// (``LaneNormalTape``); a kernel that draws its noise in lanes reads from and fills it.
    func simulateLanes(firstPath: Int, count: Int, workspace: inout Workspace, tape: LaneNormalTape?,
                       record: (Int, UnsafePointer<Lanes>, UInt8) -> Void, diverged: (Int, Int) -> Void)

    /// How many paths one call of ``simulateLanes(firstPath:count:workspace:tape:record:diverged:)``
    /// may advance when the caller allows it (``Lanes/width`` unless the kernel fuses several groups
    /// of four, a multiple of it). With `count > Lanes.width` the paths form groups of four
    /// (`firstPath + 4g …`), `record(j, x, mask)` is called for the groups in increasing `g` at each save
    /// point `j` (a group with no path left is not recorded), and `diverged(q, k)` counts `q` from
    /// `firstPath`. Per save point the groups are thus recorded in the order of separate calls.
    var laneBatch: Int { get }
}

extension PathKernel {
    public var groupWidth: Int { 1 }
    public var laneBatch: Int { Lanes.width }

    @inlinable
    public func simulateGroup(firstPath: Int, count: Int, workspace: inout Workspace,
                              record: (Int, Int, [Double]) -> Void, diverged: (Int, Int) -> Void) {
        simulateEach(firstPath: firstPath, count: count, workspace: &workspace, record: record, diverged: diverged)
    }

    /// Lane recording for kernels that advance paths one at a time: the paths run one after the other
    /// and their saved positions are regrouped into lanes (not a hot path: kernels with lanes override it).
    @inlinable
    public func simulateLanes(firstPath: Int, count: Int, workspace: inout Workspace, tape: LaneNormalTape?,
                              record: (Int, UnsafePointer<Lanes>, UInt8) -> Void, diverged: (Int, Int) -> Void) {
        let pd = positionDimension, saves = saveCount
        var rows = [Lanes](repeating: Lanes(repeating: 0), count: Swift.max(1, saves * pd))
        var masks = [UInt8](repeating: 0, count: saves)
        simulateEach(firstPath: firstPath, count: count, workspace: &workspace, record: { q, j, x in
            for i in 0..<pd { rows[j * pd + i][q] = x[i] }
            masks[j] |= UInt8(1) << q
        }, diverged: diverged)
        rows.withUnsafeBufferPointer { r in
            for j in 0..<saves where masks[j] != 0 { record(j, r.baseAddress! + j * pd, masks[j]) }
        }
    }

    /// ``simulateGroup(firstPath:count:workspace:record:diverged:)`` for a kernel whose lane loop is
    /// ``simulateLanes(firstPath:count:workspace:tape:record:diverged:)``: each recorded lane becomes one
    /// call `record(q, j, x)`, in increasing `q` for each `j`.
    @inlinable
    public func simulateGroupFromLanes(firstPath: Int, count: Int, workspace: inout Workspace,
                                       record: (Int, Int, [Double]) -> Void, diverged: (Int, Int) -> Void) {
        let pd = positionDimension
        var position = [Double](repeating: 0, count: pd)
        simulateLanes(firstPath: firstPath, count: count, workspace: &workspace, tape: nil, record: { j, x, mask in
            for q in 0..<Lanes.width where mask & (1 << q) != 0 {
                for i in 0..<pd { position[i] = x[i][q] }
                record(q, j, position)
            }
        }, diverged: diverged)
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
        precondition(start.count == algorithm.dimension, "start has \(start.count) coordinates, \(algorithm.name) has dimension \(algorithm.dimension)")
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

    /// Per-thread buffers: the algorithm's state and the lane buffers, allocated once per worker.
    public struct Workspace {
        public var state: AlgorithmState
        /// Lane buffers: position `d`, work `2d`, normals for ``LaneBuffers/normalSteps`` steps.
        public var lanes: LaneBuffers
    }
    public func makeWorkspace() -> Workspace {
        Workspace(state: algorithm.makeState(start: start),
                  lanes: LaneBuffers(vectors: 3 * start.count, normalsPerStep: algorithm.laneNormals ?? 0))
    }

    /// Paths run in SIMD lanes when the algorithm supports it (its randomness is a fixed number of
    /// normals per step, e.g. SGD with a Gaussian oracle, or none).
    public var groupWidth: Int { algorithm.laneNormals != nil ? Lanes.width : 1 }

    @inlinable
    public func simulateGroup(firstPath p0: Int, count: Int, workspace w: inout Workspace,
                              record: (Int, Int, [Double]) -> Void, diverged: (Int, Int) -> Void) {
        if algorithm.laneNormals == nil {
            simulateEach(firstPath: p0, count: count, workspace: &w, record: record, diverged: diverged)
        } else {
            simulateGroupFromLanes(firstPath: p0, count: count, workspace: &w, record: record, diverged: diverged)
        }
    }

    @inlinable
    public func simulateLanes(firstPath p0: Int, count: Int, workspace w: inout Workspace, tape: LaneNormalTape?,
                              record: (Int, UnsafePointer<Lanes>, UInt8) -> Void, diverged: (Int, Int) -> Void) {
        guard let m = algorithm.laneNormals else { preconditionFailure("\(algorithm.name) has no lane step") }
        let d = start.count
        let bound2 = divergence.bound * divergence.bound
        let noise = rng.withStream(algorithm.laneNoiseStream)
        var alive: UInt8 = UInt8((1 << count) - 1)
        let ns = LaneBuffers.normalSteps
        let taped = tape?.draws(noise, firstPath: p0, steps: steps, components: m)
        w.lanes.run { x, normals, raw, rejected in
            let work = x + d
            for i in 0..<d { x[i] = Lanes(repeating: start[i]) }
            record(0, x, alive)
            var j = 1
            var s = ns - 1, untilSave = saveEvery   // step within the drawn normals; steps to the next save
            for k in 0..<steps {
                s += 1
                if s == ns { s = 0 }
                let z: UnsafePointer<Lanes>
                if let taped { z = taped + k * m } else {
                    if s == 0 && m > 0 {
                        noise.gaussianLanes(firstPath: p0, step: k, steps: Swift.min(ns, steps - k), components: m,
                                            into: normals, raw: raw, rejected: rejected)
                    }
                    z = UnsafePointer(normals + s * m)
                }
                algorithm.step(lanes: x, normals: z, work: work)
                var r2 = Lanes(repeating: 0)
                for i in 0..<d { r2 += x[i] * x[i] }
                let ok = (r2 .< .infinity) .& .!(r2 .> bound2)   // DivergenceRule: finite and ≤ bound²
                if !all(ok) {
                    for q in 0..<count where alive & (1 << q) != 0 && !ok[q] {
                        alive &= ~(1 << q)
                        diverged(q, k + 1)
                    }
                    if alive == 0 { break }
                }
                untilSave -= 1
                if untilSave == 0 {
                    untilSave = saveEvery
                    record(j, x, alive)
                    j += 1
                }
            }
        }
    }

    @inlinable
    public func simulate(path: Int, workspace w: inout Workspace, record: (Int, [Double]) -> Void) -> Int? {
        simulate(path: path, state: &w.state, record: record)
    }

    @inlinable
    func simulate(path: Int, state s: inout AlgorithmState, record: (Int, [Double]) -> Void) -> Int? {
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
    /// The model's fused Euler–Maruyama step when the solver is ``EulerMaruyama`` and the model has one
    /// (``FusedEulerMaruyamaModel``): lanes then run in the C kernel, 64 paths per call.
    public let fused: FusedEulerMaruyama?

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
        if S.self == EulerMaruyama.self, let f = (model as? any FusedEulerMaruyamaModel)?.fusedEulerMaruyama,
           f.dimension == model.dimension, model.brownianDimension == model.dimension, model.positionDimension <= model.dimension {
            fused = f
        } else {
            fused = nil
        }
    }

    /// Per-thread buffers: state, Brownian increments, solver work, cached normals and lane buffers.
    public struct Workspace {
        public var x: [Double]
        public var dW: [Double]
        public var work: SDEWork
        public var position: [Double]
        /// Standard normals of four consecutive steps (filled four Philox evaluations at a time).
        public var normals: [Double]
        public var cachedFrom: Int
        /// Lane buffers: state `d`, increments `m`, solver work `4d`; normals for several steps.
        public var lanes: LaneBuffers
        /// The fused kernel's states (`d` lane vectors per group of four paths) and live/dead lanes per group.
        public var batch: [Lanes]
        public var alive: [UInt8]
        public var dead: [UInt8]
    }

    public var positionDimension: Int { model.positionDimension }
    public var saveCount: Int { steps / saveEvery + 1 }
    public var saveTimes: [Double] { (0..<saveCount).map { Double($0 * saveEvery) * stepSize } }
    public func makeWorkspace() -> Workspace {
        Workspace(x: start, dW: [Double](repeating: 0, count: model.brownianDimension),
                  work: SDEWork(dimension: model.dimension, brownianDimension: model.brownianDimension),
                  position: [Double](repeating: 0, count: model.positionDimension),
                  normals: [Double](repeating: 0, count: 8 * ((model.brownianDimension + 1) / 2)), cachedFrom: -1,
                  lanes: LaneBuffers(vectors: 5 * model.dimension + model.brownianDimension,
                                     normalsPerStep: model.brownianDimension),
                  batch: [Lanes](repeating: Lanes(repeating: 0), count: fused == nil ? 1 : FusedEulerMaruyama.maximumGroups * model.dimension),
                  alive: [UInt8](repeating: 0, count: FusedEulerMaruyama.maximumGroups),
                  dead: [UInt8](repeating: 0, count: FusedEulerMaruyama.maximumGroups))
    }

    /// Paths run in SIMD lanes when both the model's coefficients and the solver's step are vectorized.
    public var groupWidth: Int { fused != nil || solver.lanesSupported(for: model) ? Lanes.width : 1 }

    /// 64 paths per call with the fused kernel, else one group of four.
    public var laneBatch: Int { fused != nil ? FusedEulerMaruyama.maximumGroups * Lanes.width : Lanes.width }

    @inlinable
    public func simulateGroup(firstPath p0: Int, count: Int, workspace w: inout Workspace,
                              record: (Int, Int, [Double]) -> Void, diverged: (Int, Int) -> Void) {
        if groupWidth > 1 {
            simulateGroupFromLanes(firstPath: p0, count: count, workspace: &w, record: record, diverged: diverged)
        } else {
            simulateEach(firstPath: p0, count: count, workspace: &w, record: record, diverged: diverged)
        }
    }

    @inlinable
    public func simulateLanes(firstPath p0: Int, count: Int, workspace w: inout Workspace, tape: LaneNormalTape?,
                              record: (Int, UnsafePointer<Lanes>, UInt8) -> Void, diverged: (Int, Int) -> Void) {
        precondition(groupWidth > 1, "\(model.name) with this solver has no lane step")
        if let fused {
            simulateFused(fused, firstPath: p0, count: count, workspace: &w, record: record, diverged: diverged)
            return
        }
        let d = model.dimension, m = model.brownianDimension
        let h = stepSize, sqrtH = stepSize.squareRoot()
        let bound2 = divergence.bound * divergence.bound
        var alive: UInt8 = UInt8((1 << count) - 1)   // bit q: path p0 + q is still running
        let ns = LaneBuffers.normalSteps
        let taped = tape?.draws(brownian.rng, firstPath: p0, steps: steps, components: m)
        w.lanes.run { x, normals, raw, rejected in
            let dW = x + d, work = dW + m
            for i in 0..<d { x[i] = Lanes(repeating: start[i]) }
            record(0, x, alive)   // the position is the first positionDimension coordinates of the state
            var j = 1
            var t = 0.0
            var s = ns - 1, untilSave = saveEvery   // step within the drawn normals; steps to the next save
            for k in 0..<steps {
                s += 1
                if s == ns { s = 0 }
                if let taped {
                    for c in 0..<m { dW[c] = sqrtH * taped[k * m + c] }
                } else {
                    if s == 0 {
                        brownian.rng.gaussianLanes(firstPath: p0, step: k, steps: Swift.min(ns, steps - k), components: m,
                                                   into: normals, raw: raw, rejected: rejected)
                    }
                    for c in 0..<m { dW[c] = sqrtH * normals[s * m + c] }
                }
                solver.step(lanes: model, x, t: t, h: h, dW: dW, work: work)
                t = Double(k + 1) * h
                var r2 = Lanes(repeating: 0)
                for i in 0..<d { r2 += x[i] * x[i] }
                let ok = (r2 .< .infinity) .& .!(r2 .> bound2)   // DivergenceRule: finite and ≤ bound²
                if !all(ok) {
                    for q in 0..<count where alive & (1 << q) != 0 && !ok[q] {
                        alive &= ~(1 << q)
                        diverged(q, k + 1)
                    }
                    if alive == 0 { break }
                }
                untilSave -= 1
                if untilSave == 0 {
                    untilSave = saveEvery
                    record(j, x, alive)
                    j += 1
                }
            }
        }
    }

    /// Paths `p0 ..< p0 + count` (up to ``laneBatch``) through the fused C kernel, stopping at each save
    /// point and at each divergence: the same records and divergences as the lane loop, group by group.
    @inlinable
    func simulateFused(_ f: FusedEulerMaruyama, firstPath p0: Int, count: Int, workspace w: inout Workspace,
                       record: (Int, UnsafePointer<Lanes>, UInt8) -> Void, diverged: (Int, Int) -> Void) {
        let d = model.dimension
        let groups = (count + Lanes.width - 1) / Lanes.width
        precondition(count >= 1 && groups <= FusedEulerMaruyama.maximumGroups, "fused Euler–Maruyama runs at most \(laneBatch) paths at once")
        var hessian: [Double] = [], center: [Double] = [], height = 0.0, form: Int32
        switch f.drift {
        case let .linear(h, c): hessian = h; center = c; form = Int32(SGDYN_EM_DRIFT_LINEAR)
        case let .doubleWell(hh, _): height = hh; form = Int32(SGDYN_EM_DRIFT_DOUBLE_WELL)
        }
        hessian.withUnsafeBufferPointer { hp in center.withUnsafeBufferPointer { cp in
        w.batch.withUnsafeMutableBufferPointer { xb in w.alive.withUnsafeMutableBufferPointer { ab in
        w.dead.withUnsafeMutableBufferPointer { db in
            let x = xb.baseAddress!, alive = ab.baseAddress!, dead = db.baseAddress!
            var problem = sgdyn_em_problem(
                seed: brownian.rng.seed, stream: brownian.rng.stream, dimension: Int32(d), drift: form,
                hessian: hp.baseAddress, center: cp.baseAddress, height: height, stepSize: stepSize,
                sqrtStepSize: stepSize.squareRoot(), sigma: f.sigma, bound2: divergence.bound * divergence.bound,
                edges: Ziggurat.table, heights: Ziggurat.heightTable)
            var running = 0
            for g in 0..<groups {
                let n = Swift.min(Lanes.width, count - Lanes.width * g)
                alive[g] = UInt8((1 << n) - 1)
                for i in 0..<d { x[g * d + i] = Lanes(repeating: start[i]) }
                record(0, x + g * d, alive[g])
                running += 1
            }
            var k = 0, j = 1, untilSave = saveEvery
            while k < steps {
                let n = Swift.min(untilSave, steps - k)
                let done = x.withMemoryRebound(to: Double.self, capacity: 4 * groups * d) { xd in
                    Int(sgdyn_em_lanes(&problem, Int64(p0), Int32(groups), Int64(k), Int32(n), xd, alive, dead))
                }
                precondition(done >= 1 && done <= n, "fused Euler–Maruyama kernel refused its arguments")
                k += done
                untilSave -= done
                if done < n || (0..<groups).contains(where: { dead[$0] != 0 }) {
                    for g in 0..<groups where dead[g] != 0 {
                        for q in 0..<Lanes.width where dead[g] & (1 << q) != 0 { diverged(Lanes.width * g + q, k) }
                        alive[g] &= ~dead[g]
                        if alive[g] == 0 { running -= 1 }
                    }
                    if running == 0 { break }
                }
                if untilSave == 0 {
                    untilSave = saveEvery
                    for g in 0..<groups where alive[g] != 0 { record(j, x + g * d, alive[g]) }
                    j += 1
                }
            }
        } } } } }
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

/// Preallocated lane storage for one worker: `vectors` lane vectors of state and work, and standard
/// normals for ``normalSteps`` steps (drawn together) with the ziggurat's rejection work space.
public struct LaneBuffers {
    public var vectors: [Lanes]
    public var normals: [Lanes]
    public var raw: [UInt64]
    public var rejected: [Int32]
    /// Steps of normals drawn per call.
    @inlinable public static var normalSteps: Int { 8 }
    public init(vectors n: Int, normalsPerStep m: Int) {
        vectors = [Lanes](repeating: Lanes(repeating: 0), count: Swift.max(1, n))
        normals = [Lanes](repeating: Lanes(repeating: 0), count: Swift.max(1, Self.normalSteps * m))
        raw = [UInt64](repeating: 0, count: Swift.max(1, 4 * Self.normalSteps * m))
        rejected = [Int32](repeating: 0, count: Swift.max(1, 4 * Self.normalSteps * m))
    }
    /// Run `body` with pointers to the vectors, the normals and the two work arrays.
    @inlinable
    public mutating func run<R>(_ body: (UnsafeMutablePointer<Lanes>, UnsafeMutablePointer<Lanes>,
                                         UnsafeMutablePointer<UInt64>, UnsafeMutablePointer<Int32>) -> R) -> R {
        vectors.withUnsafeMutableBufferPointer { v in normals.withUnsafeMutableBufferPointer { n in
            raw.withUnsafeMutableBufferPointer { r in rejected.withUnsafeMutableBufferPointer { j in
                body(v.baseAddress!, n.baseAddress!, r.baseAddress!, j.baseAddress!)
            } }
        } }
    }
}

/// A kernel and one or more others run on the same path index, reported side by side: the position
/// is `(x, X₁, …, X_m)`. With all kernels drawing from the same counters (common random numbers) the
/// per-path difference of a test function has a much smaller variance than independent ensembles, and
/// its standard error is computed from the paired differences (``Observable/difference(_:dimension:against:_:)``).
/// The first kernel (typically the algorithm) runs once for all the others (typically its models). All
/// kernels must have the same save points.
public struct PairedKernel<A: PathKernel, B: PathKernel>: PathKernel {
    public let first: A
    public let others: [B]
    public init(_ first: A, _ second: B) { self.init(first, [second]) }
    public init(_ first: A, _ others: [B]) {
        precondition(!others.isEmpty, "a paired kernel needs at least one kernel to compare with")
        for b in others {
            precondition(first.saveTimes.count == b.saveTimes.count
                         && zip(first.saveTimes, b.saveTimes).allSatisfy { Swift.abs($0 - $1) <= 1e-9 * Swift.max(1, Swift.abs($0)) },
                         "paired kernels need the same save times (same time identification)")
        }
        self.first = first
        self.others = others
        var o = [0], s = first.positionDimension
        for b in others { o.append(s); s += b.positionDimension }
        offsets = o
        positionDimension = s
        groupWidth = first.groupWidth == Lanes.width && others.allSatisfy { $0.groupWidth == Lanes.width } ? Lanes.width : 1
    }
    public var second: B { others[0] }
    /// Where each kernel's position starts in the row `(x, X₁, …)`; the row length; lanes when every
    /// kernel runs in lanes (computed once: they are read for every group of paths).
    public let offsets: [Int]
    public let positionDimension: Int
    public let groupWidth: Int

    /// Per-thread buffers: each kernel's workspace and the rows being assembled.
    public struct Workspace {
        public var a: A.Workspace
        public var b: [B.Workspace]
        /// Path by path: positions of every kernel but the last at every save point; the row recorded.
        public var saved: [Double]
        public var row: [Double]
        /// Lane recording: the rows `(x, X₁, …)` as lane vectors at every save point, which paths every
        /// kernel so far recorded there, and which paths the current kernel recorded.
        public var savedLanes: [Lanes]
        public var savedMask: [UInt8]
        public var kernelMask: [UInt8]
        /// Normals shared by kernels that draw the same numbers (common random numbers).
        public var tape: LaneNormalTape
    }
    public var saveCount: Int { first.saveCount }
    public var saveTimes: [Double] { first.saveTimes }
    public func makeWorkspace() -> Workspace {
        let lanes = groupWidth == Lanes.width
        return Workspace(a: first.makeWorkspace(), b: others.map { $0.makeWorkspace() },
                  saved: [Double](repeating: 0, count: first.saveCount * positionDimension),
                  row: [Double](repeating: 0, count: positionDimension),
                  savedLanes: [Lanes](repeating: Lanes(repeating: 0), count: lanes ? first.saveCount * positionDimension : 1),
                  savedMask: [UInt8](repeating: 0, count: first.saveCount),
                  kernelMask: [UInt8](repeating: 0, count: first.saveCount), tape: LaneNormalTape())
    }

    @inlinable
    public func simulate(path: Int, workspace w: inout Workspace, record: (Int, [Double]) -> Void) -> Int? {
        let width = positionDimension, saves = first.saveCount, off = offsets, last = others.count - 1
        var reached = saves, divergedAt = Int.max, scratch = 0
        // every kernel but the last: store positions, and how far the path got
        var o = 0
        func rec(_ j: Int, _ x: [Double]) {
            for i in 0..<x.count { w.saved[j * width + o + i] = x[i] }
            scratch = j + 1
        }
        for m in -1..<last {
            o = off[m + 1]
            scratch = 0
            let k = m < 0 ? first.simulate(path: path, workspace: &w.a, record: rec)
                          : others[m].simulate(path: path, workspace: &w.b[m], record: rec)
            if let k { divergedAt = Swift.min(divergedAt, k) }
            reached = Swift.min(reached, scratch)
        }
        // the last kernel: complete the rows and record them
        let ol = off[last + 1]
        let k = others[last].simulate(path: path, workspace: &w.b[last]) { j, x in
            guard j < reached else { return }
            for i in 0..<ol { w.row[i] = w.saved[j * width + i] }
            for i in 0..<x.count { w.row[ol + i] = x[i] }
            record(j, w.row)
        }
        if let k { divergedAt = Swift.min(divergedAt, k) }
        return divergedAt == Int.max ? nil : divergedAt
    }

    @inlinable
    public func simulateGroup(firstPath p0: Int, count: Int, workspace w: inout Workspace,
                              record: (Int, Int, [Double]) -> Void, diverged: (Int, Int) -> Void) {
        if groupWidth > 1 {
            simulateGroupFromLanes(firstPath: p0, count: count, workspace: &w, record: record, diverged: diverged)
        } else {
            simulateEach(firstPath: p0, count: count, workspace: &w, record: record, diverged: diverged)
        }
    }

    /// Kernels one after the other over the same four paths; rows are assembled as lane vectors in
    /// `savedLanes` and recorded while the last kernel runs. A path stops at the first divergence of
    /// any kernel (reported once, at the earliest step).
    @inlinable
    public func simulateLanes(firstPath p0: Int, count: Int, workspace w: inout Workspace, tape: LaneNormalTape?,
                              record: (Int, UnsafePointer<Lanes>, UInt8) -> Void, diverged: (Int, Int) -> Void) {
        precondition(groupWidth == Lanes.width, "paired lanes need every kernel to run in lanes")
        let width = positionDimension, saves = first.saveCount, off = offsets, last = others.count - 1
        var divergedAt = (Int.max, Int.max, Int.max, Int.max)
        func noteDivergence(_ q: Int, _ k: Int) {
            switch q {
            case 0: divergedAt.0 = Swift.min(divergedAt.0, k)
            case 1: divergedAt.1 = Swift.min(divergedAt.1, k)
            case 2: divergedAt.2 = Swift.min(divergedAt.2, k)
            default: divergedAt.3 = Swift.min(divergedAt.3, k)
            }
        }
        let full = UInt8((1 << count) - 1)
        let shared = tape ?? w.tape
        w.savedLanes.withUnsafeMutableBufferPointer { sl in
        w.savedMask.withUnsafeMutableBufferPointer { sm in
        w.kernelMask.withUnsafeMutableBufferPointer { km in
            let rows = sl.baseAddress!, both = sm.baseAddress!, mine = km.baseAddress!
            for j in 0..<saves { both[j] = full }
            // every kernel but the last: store positions, and which paths reached each save point
            for m in -1..<last {
                let o = off[m + 1], pd = m < 0 ? first.positionDimension : others[m].positionDimension
                for j in 0..<saves { mine[j] = 0 }
                let rec: (Int, UnsafePointer<Lanes>, UInt8) -> Void = { j, x, mask in
                    let r = rows + j * width + o
                    for i in 0..<pd { r[i] = x[i] }
                    mine[j] = mask
                }
                if m < 0 { first.simulateLanes(firstPath: p0, count: count, workspace: &w.a, tape: shared, record: rec, diverged: noteDivergence) }
                else { others[m].simulateLanes(firstPath: p0, count: count, workspace: &w.b[m], tape: shared, record: rec, diverged: noteDivergence) }
                for j in 0..<saves { both[j] &= mine[j] }
            }
            // the last kernel: complete the rows and record them
            let ol = off[last + 1], pdl = others[last].positionDimension
            others[last].simulateLanes(firstPath: p0, count: count, workspace: &w.b[last], tape: shared, record: { j, x, mask in
                let use = mask & both[j]
                guard use != 0 else { return }
                let r = rows + j * width
                for i in 0..<pdl { r[ol + i] = x[i] }
                record(j, UnsafePointer(r), use)
            }, diverged: noteDivergence)
        } } }
        if divergedAt.0 != Int.max { diverged(0, divergedAt.0) }
        if count > 1 && divergedAt.1 != Int.max { diverged(1, divergedAt.1) }
        if count > 2 && divergedAt.2 != Int.max { diverged(2, divergedAt.2) }
        if count > 3 && divergedAt.3 != Int.max { diverged(3, divergedAt.3) }
    }
}
