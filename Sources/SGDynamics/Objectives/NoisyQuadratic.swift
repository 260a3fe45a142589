#if canImport(_Differentiation)
import _Differentiation  // SIMD vector arithmetic on Lanes resolves through its AdditiveArithmetic conformance
#endif

/// The Li–Tai–E additive-noise quadratic (docs/THEORY.md §2.3):
///
///     f_γ(x) = ½ (x − γ)ᵀ H (x − γ) − ½ tr H,   γ ~ N(0, I_d)
///     f(x) = ½ xᵀ H x,   ∇f_γ(x) = H (x − γ),   Σ(x) = H²  (constant)
public struct NoisyQuadratic: StochasticOracleObjective {
    public let base: Quadratic
    @inlinable public var dimension: Int { base.dimension }
    public var name: String { "noisy-quadratic" }
    public var hasExactHessian: Bool { true }
    @usableFromInline let hSquared: Matrix

    public init(hessian: Matrix) {
        base = Quadratic(hessian: hessian)
        hSquared = base.hessianMatrix * base.hessianMatrix
    }

    @inlinable public func value(_ x: [Double]) -> Double { base.value(x) }
    public func gradient(_ x: [Double], into g: inout [Double]) { base.gradient(x, into: &g) }
    public func hessianVectorProduct(_ x: [Double], _ v: [Double], into hv: inout [Double]) {
        base.hessianVectorProduct(x, v, into: &hv)
    }

    @inlinable
    public func stochasticGradient(_ x: [Double], rng: CounterRNG, path: Int, step: Int, draw: Int, into g: inout [Double]) {
        let d = dimension
        let h = base.hessianMatrix
        withUnsafeTemporaryAllocation(of: Double.self, capacity: d) { u in
            // u = x − γ, γ ~ N(0, I): components draw·d … draw·d + d − 1, two per Philox block.
            var j = 0
            while j < d {
                let c = draw * d + j
                if c & 1 == 0 && j + 1 < d {
                    let (a, b) = rng.gaussianPair(path: path, step: step, block: c >> 1)
                    u[j] = x[j] - a; u[j + 1] = x[j + 1] - b
                    j += 2
                } else {
                    u[j] = x[j] - rng.gaussian(path: path, step: step, component: c)
                    j += 1
                }
            }
            for i in 0..<d {
                var r = 0.0
                for k in 0..<d { r += h[i, k] * u[k] }
                g[i] = r
            }
        }
    }

    @inlinable public var hasLaneOracle: Bool { true }
    /// `g = H(x − γ)` with `γ = normals` (lane by lane the scalar oracle's arithmetic).
    @inlinable
    public func stochasticGradient(lanes x: UnsafePointer<Lanes>, normals: UnsafePointer<Lanes>,
                                   into g: UnsafeMutablePointer<Lanes>) {
        let d = dimension
        withUnsafeTemporaryAllocation(of: Lanes.self, capacity: d) { u in
            for j in 0..<d { u[j] = x[j] - normals[j] }
            base.hessianMatrix.storage.withUnsafeBufferPointer { h in
                for i in 0..<d {
                    var r = Lanes(repeating: 0)
                    for k in 0..<d { r += h[i * d + k] * u[k] }
                    g[i] = r
                }
            }
        }
    }

    public func noiseCovariance(_ x: [Double]) -> Matrix { hSquared }
    public var noiseIsConstant: Bool { true }
}
