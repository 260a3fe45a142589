#if canImport(_Differentiation)
import _Differentiation  // SIMD vector arithmetic on Lanes resolves through its AdditiveArithmetic conformance
#endif

/// One step of a fixed-step SDE scheme for `dX = b dt + σ dW` (Itô). Solvers know nothing about SGD.
public protocol SDESolver: Sendable {
    var name: String { get }
    /// Strong (pathwise) order of convergence.
    var strongOrder: Double { get }
    /// Weak order (error of `E g(X_T)` for smooth `g`).
    var weakOrder: Double { get }
    /// Advance `x` from `t` to `t + h` with the Brownian increment `dW` (length `m`, variance `h` each).
    func step<M: StochasticModel>(_ model: M, _ x: inout [Double], t: Double, h: Double, dW: [Double], work: inout SDEWork)

    /// Whether ``step(lanes:_:t:h:dW:work:)`` is vectorized for this model (ensembles then advance
    /// `Lanes.width` paths at once).
    func lanesSupported<M: StochasticModel>(for model: M) -> Bool
    /// The same step for `Lanes.width` paths stored by coordinate, bitwise equal lane by lane to
    /// ``step(_:_:t:h:dW:work:)``. `work` holds at least `4·d` lane vectors.
    func step<M: StochasticModel>(lanes model: M, _ x: UnsafeMutablePointer<Lanes>, t: Double, h: Double,
                                  dW: UnsafePointer<Lanes>, work: UnsafeMutablePointer<Lanes>)
}

extension SDESolver {
    @inlinable
    public func lanesSupported<M: StochasticModel>(for model: M) -> Bool { false }

    /// Per-lane fallback: the scalar step on each lane in turn (allocates).
    public func step<M: StochasticModel>(lanes model: M, _ x: UnsafeMutablePointer<Lanes>, t: Double, h: Double,
                                         dW: UnsafePointer<Lanes>, work: UnsafeMutablePointer<Lanes>) {
        let d = model.dimension, m = model.brownianDimension
        var xs = [Double](repeating: 0, count: d), ws = [Double](repeating: 0, count: m)
        var sw = SDEWork(dimension: d, brownianDimension: m)
        for lane in 0..<Lanes.width {
            Lanes.gather(x, count: d, lane: lane, into: &xs)
            Lanes.gather(dW, count: m, lane: lane, into: &ws)
            step(model, &xs, t: t, h: h, dW: ws, work: &sw)
            Lanes.scatter(xs, count: d, lane: lane, into: x)
        }
    }
}

/// Preallocated buffers for SDE steps.
public struct SDEWork: Sendable {
    public var drift: [Double]
    public var noise: [Double]
    public var stage: [Double]
    public var stage2: [Double]
    public var noiseDraws: [Double]
    public var scratch = ModelScratch()
    public init(dimension d: Int, brownianDimension m: Int) {
        drift = [Double](repeating: 0, count: d)
        noise = [Double](repeating: 0, count: d)
        stage = [Double](repeating: 0, count: d)
        stage2 = [Double](repeating: 0, count: d)
        noiseDraws = [Double](repeating: 0, count: m)
    }
}

/// Euler–Maruyama step for an Itô SDE.
///
///     x_{n+1} = x_n + b(x_n) h + σ(x_n) ΔW_n,   ΔW_n ~ N(0, h I)
///
/// - Strong order 0.5, weak order 1. Noise: any.
/// - Reference: Kloeden & Platen (1992), §10.2.
public struct EulerMaruyama: SDESolver {
    public init() {}
    public var name: String { "Euler–Maruyama" }
    public var strongOrder: Double { 0.5 }
    public var weakOrder: Double { 1 }
    @inlinable
    public func step<M: StochasticModel>(_ model: M, _ x: inout [Double], t: Double, h: Double, dW: [Double], work: inout SDEWork) {
        model.drift(x, t: t, into: &work.drift, scratch: &work.scratch)
        model.diffusion(x, t: t, applyTo: dW, into: &work.noise, scratch: &work.scratch)
        for i in 0..<x.count { x[i] += h * work.drift[i] + work.noise[i] }
    }
    /// Vectorized when the model's drift and diffusion are.
    @inlinable
    public func lanesSupported<M: StochasticModel>(for model: M) -> Bool { model.hasLaneCoefficients }
    @inlinable
    public func step<M: StochasticModel>(lanes model: M, _ x: UnsafeMutablePointer<Lanes>, t: Double, h: Double,
                                         dW: UnsafePointer<Lanes>, work: UnsafeMutablePointer<Lanes>) {
        let d = model.dimension
        let drift = work, noise = work + d
        model.drift(lanes: x, t: t, into: drift)
        model.diffusion(lanes: x, t: t, applyTo: dW, into: noise)
        for i in 0..<d { x[i] += h * drift[i] + noise[i] }
    }
}

/// Brownian increments addressed by (path, fine step), from a ``CounterRNG`` stream: the increment over
/// fine step `k` is `√h_fine · ξ(path, k)`, and a coarse step of `r` fine steps is the sum of its fine
/// increments. Two models driven from the same seed and fine grid therefore see the same Brownian path
/// (common random numbers), and a solve at step `r·h` is the same path seen coarsely.
public struct BrownianPath: Sendable {
    public let rng: CounterRNG
    /// Size of the finest grid step.
    public let fineStep: Double
    public let dimension: Int

    public init(seed: UInt64, fineStep: Double, dimension: Int) {
        rng = CounterRNG(seed: seed, stream: RandomStream.brownian)
        self.fineStep = fineStep
        self.dimension = dimension
    }

    /// `dW ← W((k+r)h) − W(kh)` for path `path`, summing `r` fine increments (no allocation).
    @inlinable
    public func increment(path: Int, fineStep k: Int, count r: Int, into dW: inout [Double]) {
        let s = fineStep.squareRoot()
        for j in 0..<dimension { dW[j] = 0 }
        for q in 0..<r {
            var j = 0
            while j + 1 < dimension {
                let (a, b) = rng.gaussianPair(path: path, step: k + q, block: j >> 1)
                dW[j] += s * a; dW[j + 1] += s * b
                j += 2
            }
            if j < dimension { dW[j] += s * rng.gaussianPair(path: path, step: k + q, block: j >> 1).0 }
        }
    }
}
