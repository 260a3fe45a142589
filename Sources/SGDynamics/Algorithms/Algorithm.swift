/// The state of a discrete algorithm: position, velocity and work buffers, allocated once per path.
///
/// Buffers live in this value, which a run keeps in a local variable and passes `inout`, so a step
/// allocates nothing.
public struct AlgorithmState: Sendable {
    /// Current iterate `x_k`.
    public var position: [Double]
    /// Velocity `v_k` (momentum methods), or the previous iterate (Su–Boyd–Candès Nesterov).
    public var velocity: [Double]
    /// Auxiliary point (look-ahead point, `y_k`).
    public var auxiliary: [Double]
    public var gradient: [Double]
    public var gradient2: [Double]
    public var scratch: GradientScratch
    /// A `d × d` work matrix and pivots for implicit or preconditioned steps (empty unless needed).
    public var matrix: Matrix
    public var pivots: [Int]
    /// Number of steps taken.
    public var step: Int

    public init(position: [Double], scratch: GradientScratch) {
        self.position = position
        let z = [Double](repeating: 0, count: position.count)
        velocity = z; auxiliary = position; gradient = z; gradient2 = z
        self.scratch = scratch
        matrix = Matrix(rows: 0, columns: 0)
        pivots = []
        step = 0
    }
}

/// A discrete optimization algorithm at learning rate `η`.
///
/// `step` advances the state by one iteration, drawing any randomness from `rng` at
/// (path, `state.step`), so paths are reproducible and independent of scheduling.
public protocol Algorithm: Sendable {
    var name: String { get }
    var dimension: Int { get }
    /// The learning rate `η` (or `s` for the Su–Boyd–Candès form).
    var learningRate: Double { get }
    /// Continuous time that one iteration stands for in this algorithm's models (`η` for the default
    /// identification `t = kη`; `√s` for the Nesterov ODE; `η/l` for SVAG).
    var timePerStep: Double { get }
    var isStochastic: Bool { get }
    func makeState(start: [Double]) -> AlgorithmState
    /// Put an existing state back to the start of a run without allocating (ensembles reuse one
    /// state per thread). The default zeroes the velocity and step count.
    func reset(_ state: inout AlgorithmState, start: [Double])
    func step(_ state: inout AlgorithmState, rng: CounterRNG, path: Int)

    /// Standard normals per step that ``step(lanes:normals:work:)`` consumes, or nil when the algorithm
    /// runs path by path. Lane-capable algorithms keep only the position as state.
    var laneNormals: Int? { get }
    /// The ``CounterRNG`` stream of those normals (addressed by path, step index `k` counted from 0,
    /// component).
    var laneNoiseStream: UInt32 { get }
    /// One step for `Lanes.width` paths, positions stored by coordinate, given this step's normals;
    /// `work` holds at least `2d` lane vectors. Lane by lane bitwise equal to ``step(_:rng:path:)``.
    func step(lanes x: UnsafeMutablePointer<Lanes>, normals: UnsafePointer<Lanes>, work: UnsafeMutablePointer<Lanes>)
}

extension Algorithm {
    public var timePerStep: Double { learningRate }
    public var laneNormals: Int? { nil }
    public var laneNoiseStream: UInt32 { 0 }
    public func step(lanes x: UnsafeMutablePointer<Lanes>, normals: UnsafePointer<Lanes>, work: UnsafeMutablePointer<Lanes>) {
        preconditionFailure("\(name) does not run in lanes; check laneNormals first")
    }

    @inlinable
    public func reset(_ s: inout AlgorithmState, start: [Double]) {
        for i in 0..<start.count { s.position[i] = start[i]; s.velocity[i] = 0; s.auxiliary[i] = start[i] }
        s.step = 0
        s.scratch.permutationEpoch = -1
    }
}

/// The outcome of a single run of an algorithm.
public struct Trajectory: Sendable {
    /// Iterates `x_0 … x_K` (kept only up to the divergence step).
    public var points: [[Double]]
    /// Time of each point (`k · timePerStep`).
    public var times: [Double]
    /// The step at which the iterate turned non-finite or exceeded the divergence bound, if any.
    public var divergedAt: Int?
}

/// Divergence rule: an iterate diverged when it is non-finite or its norm exceeds `bound`.
public struct DivergenceRule: Sendable {
    public var bound: Double
    public init(bound: Double = 1e8) { self.bound = bound }
    @inlinable
    public func hasDiverged(_ x: [Double]) -> Bool {
        var s = 0.0
        for v in x { s += v * v }
        return !(s.isFinite) || s > bound * bound
    }
}

extension Algorithm {
    /// Run `steps` iterations from `start`, recording every `every`-th iterate. Stops at divergence.
    public func run(from start: [Double], steps: Int, every: Int = 1, rng: CounterRNG = CounterRNG(seed: 0),
                    path: Int = 0, divergence: DivergenceRule = DivergenceRule()) -> Trajectory {
        var state = makeState(start: start)
        var pts = [start]
        var ts = [0.0]
        let dt = timePerStep
        for k in 1...Swift.max(steps, 1) where steps > 0 {
            step(&state, rng: rng, path: path)
            if divergence.hasDiverged(state.position) {
                return Trajectory(points: pts, times: ts, divergedAt: k)
            }
            if k % every == 0 || k == steps {
                pts.append(state.position)
                ts.append(Double(k) * dt)
            }
        }
        return Trajectory(points: pts, times: ts, divergedAt: nil)
    }
}

extension AlgorithmState {
    /// A state with a `d × d` work matrix and pivot buffer, for steps that solve a linear system.
    public static func withLinearSolve(position: [Double], scratch: GradientScratch) -> AlgorithmState {
        var s = AlgorithmState(position: position, scratch: scratch)
        s.matrix = Matrix(rows: position.count, columns: position.count)
        s.pivots = [Int](repeating: 0, count: position.count)
        return s
    }
}
