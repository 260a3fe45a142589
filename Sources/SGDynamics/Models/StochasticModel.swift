#if canImport(_Differentiation)
import _Differentiation  // SIMD vector arithmetic on Lanes resolves through its AdditiveArithmetic conformance
#endif

/// A continuous model with noise, `dX = b(X, t) dt + σ(X, t) dW`, `W` an `m`-dimensional Brownian
/// motion (Itô). Solvers use ``diffusion(_:t:applyTo:into:scratch:)``, which forms `σ(x) ξ` without
/// building `σ` when the structure allows (additive, diagonal).
public protocol StochasticModel: Model {
    /// Number `m` of Brownian components.
    var brownianDimension: Int { get }
    /// `out ← σ(x, t) ξ` for `ξ` of length `m`.
    func diffusion(_ x: [Double], t: Double, applyTo xi: [Double], into out: inout [Double], scratch: inout ModelScratch)

    /// Whether the lane versions below are vectorized (then ensembles advance `Lanes.width` paths
    /// at once); the defaults evaluate the scalar coefficients lane by lane.
    var hasLaneCoefficients: Bool { get }
    /// `b ← b(x, t)` for `Lanes.width` states stored by coordinate; bitwise equal, lane by lane, to
    /// ``Model/drift(_:t:into:scratch:)``.
    func drift(lanes x: UnsafePointer<Lanes>, t: Double, into b: UnsafeMutablePointer<Lanes>)
    /// `out ← σ(x, t) ξ` for `Lanes.width` states and noise vectors stored by coordinate.
    func diffusion(lanes x: UnsafePointer<Lanes>, t: Double, applyTo xi: UnsafePointer<Lanes>,
                   into out: UnsafeMutablePointer<Lanes>)
}

extension StochasticModel {
    @inlinable public var hasLaneCoefficients: Bool { false }

    public func drift(lanes x: UnsafePointer<Lanes>, t: Double, into b: UnsafeMutablePointer<Lanes>) {
        var scratch = ModelScratch()
        Lanes.perLane(x, inputCount: dimension, into: b, outputCount: dimension) { drift($0, t: t, into: &$1, scratch: &scratch) }
    }

    public func diffusion(lanes x: UnsafePointer<Lanes>, t: Double, applyTo xi: UnsafePointer<Lanes>,
                          into out: UnsafeMutablePointer<Lanes>) {
        let d = dimension, m = brownianDimension
        var xs = [Double](repeating: 0, count: d), os = xs, ws = [Double](repeating: 0, count: m)
        var scratch = ModelScratch()
        for lane in 0..<Lanes.width {
            Lanes.gather(x, count: d, lane: lane, into: &xs)
            Lanes.gather(xi, count: m, lane: lane, into: &ws)
            diffusion(xs, t: t, applyTo: ws, into: &os, scratch: &scratch)
            Lanes.scatter(os, count: d, lane: lane, into: out)
        }
    }

    /// The full `d × m` matrix `σ(x, t)`, column by column (allocates; for diagnostics and tests).
    public func diffusionMatrix(_ x: [Double], t: Double) -> Matrix {
        let m = brownianDimension
        var s = Matrix(rows: dimension, columns: m)
        var e = [Double](repeating: 0, count: m)
        var col = [Double](repeating: 0, count: dimension)
        var scratch = ModelScratch()
        for j in 0..<m {
            e[j] = 1
            diffusion(x, t: t, applyTo: e, into: &col, scratch: &scratch)
            e[j] = 0
            for i in 0..<dimension { s[i, j] = col[i] }
        }
        return s
    }
}

/// Overdamped Langevin dynamics at temperature `T` (docs/THEORY.md §4.6):
///
///     dθ = −∇f(θ) dt + √(2T) dW,    invariant law ∝ e^{−f/T}
///
/// It is the continuous limit of ``SGLD`` at temperature `T` (time `t = kη`). With `f = x²/2`,
/// `T = 0.1` it is benchmark W1's Ornstein–Uhlenbeck process; with the 2-D double well of height 1
/// and `T = 1/2` it is W2.
public struct Langevin<F: Objective>: StochasticModel {
    public let objective: F
    public let temperature: Double
    public init(_ objective: F, temperature: Double) {
        precondition(temperature >= 0, "temperature must be non-negative")
        self.objective = objective
        self.temperature = temperature
    }
    public var name: String { "Langevin T = \(temperature)" }
    @inlinable public var dimension: Int { objective.dimension }
    @inlinable public var brownianDimension: Int { objective.dimension }
    public var noise: NoiseStructure { .additive }
    @inlinable
    public func drift(_ x: [Double], t: Double, into b: inout [Double]) {
        objective.gradient(x, into: &b)
        for i in 0..<b.count { b[i] = -b[i] }
    }
    @inlinable
    public func diffusion(_ x: [Double], t: Double, applyTo xi: [Double], into out: inout [Double], scratch: inout ModelScratch) {
        let s = (2 * temperature).squareRoot()
        for i in 0..<out.count { out[i] = s * xi[i] }
    }
    @inlinable public var hasLaneCoefficients: Bool { objective.hasLaneGradient }
    @inlinable
    public func drift(lanes x: UnsafePointer<Lanes>, t: Double, into b: UnsafeMutablePointer<Lanes>) {
        objective.gradient(lanes: x, into: b)
        for i in 0..<dimension { b[i] = -b[i] }
    }
    @inlinable
    public func diffusion(lanes x: UnsafePointer<Lanes>, t: Double, applyTo xi: UnsafePointer<Lanes>,
                          into out: UnsafeMutablePointer<Lanes>) {
        let s = (2 * temperature).squareRoot()
        for i in 0..<dimension { out[i] = s * xi[i] }
    }
}
