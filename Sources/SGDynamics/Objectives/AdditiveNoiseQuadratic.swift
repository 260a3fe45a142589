#if canImport(_Differentiation)
import _Differentiation  // SIMD vector arithmetic on Lanes resolves through its AdditiveArithmetic conformance
#endif

/// A quadratic `f(x) = ½ xᵀA x` with additive Gaussian gradient noise (docs/THEORY.md §6.3):
///
///     ∇f_ξ(x) = A x + C^{1/2} ξ,   ξ ~ N(0, I),   Σ(x) = C  for every x
///
/// SGD on it is `x_{k+1} = (I − ηA) x_k − η C^{1/2} ξ_k`, whose stationary covariance solves the
/// discrete Lyapunov equation `S = (I − ηA) S (I − ηA)ᵀ + η² C` (1-D: `Var_∞ = ησ²/(λ(2 − ηλ))`),
/// while its SME-1 / Langevin model predicts `A S + S Aᵀ = η C` (1-D: `ησ²/(2λ)`).
/// `C^{1/2}` is the symmetric root, so coordinate `i` of `ξ` drives coordinate `i` (common random
/// numbers with an SDE's `ΔW`).
public struct AdditiveNoiseQuadratic: StochasticOracleObjective {
    public let base: Quadratic
    public let covariance: Matrix
    @usableFromInline let root: Matrix

    public init(hessian a: Matrix, noiseCovariance c: Matrix) throws {
        guard a.isSquare, c.rows == a.rows, c.columns == a.rows else {
            throw ConfigurationError(field: "noise covariance", "must be \(a.rows) × \(a.rows) like the Hessian, got \(c.rows) × \(c.columns)")
        }
        guard c.storage.allSatisfy(\.isFinite), a.storage.allSatisfy(\.isFinite) else {
            throw ConfigurationError(field: "noise covariance", "entries must be finite numbers")
        }
        base = Quadratic(hessian: a)
        covariance = c.symmetrized
        root = covariance.symmetricSquareRoot()
    }

    /// The 1-D case `f = λx²/2` with noise standard deviation `σ`.
    public init(curvature lambda: Double, noise sigma: Double) throws {
        guard sigma >= 0, sigma.isFinite else { throw ConfigurationError(field: "sigma", "must be a finite number ≥ 0, got \(sigma)") }
        try self.init(hessian: .diagonal([lambda]), noiseCovariance: .diagonal([sigma * sigma]))
    }

    @inlinable public var dimension: Int { base.dimension }
    public var name: String { "additive-noise-quadratic" }
    public var hasExactHessian: Bool { true }
    @inlinable public func value(_ x: [Double]) -> Double { base.value(x) }
    public func gradient(_ x: [Double], into g: inout [Double]) { base.gradient(x, into: &g) }
    public func hessianVectorProduct(_ x: [Double], _ v: [Double], into hv: inout [Double]) {
        base.hessianVectorProduct(x, v, into: &hv)
    }
    public var hasLaneGradient: Bool { true }
    @inlinable
    public func gradient(lanes x: UnsafePointer<Lanes>, into g: UnsafeMutablePointer<Lanes>) { base.gradient(lanes: x, into: g) }

    /// `g = A x + C^{1/2} ξ` with `ξ` the components `draw·d … draw·d + d − 1` of (path, step).
    @inlinable
    public func stochasticGradient(_ x: [Double], rng: CounterRNG, path: Int, step: Int, draw: Int, into g: inout [Double]) {
        let d = dimension
        withUnsafeTemporaryAllocation(of: Double.self, capacity: d) { xi in
            for j in 0..<d { xi[j] = rng.gaussian(path: path, step: step, component: draw * d + j) }
            base.hessianMatrix.storage.withUnsafeBufferPointer { a in
                root.storage.withUnsafeBufferPointer { l in
                    for i in 0..<d {
                        var r = 0.0
                        for k in 0..<d { r += a[i * d + k] * x[k] }
                        var n = 0.0
                        for k in 0..<d { n += l[i * d + k] * xi[k] }
                        g[i] = r + n
                    }
                }
            }
        }
    }

    public func noiseCovariance(_ x: [Double]) -> Matrix { covariance }
    public var noiseIsConstant: Bool { true }

    @inlinable public var hasLaneOracle: Bool { true }
    @inlinable
    public func stochasticGradient(lanes x: UnsafePointer<Lanes>, normals: UnsafePointer<Lanes>,
                                   into g: UnsafeMutablePointer<Lanes>) {
        let d = dimension
        base.hessianMatrix.storage.withUnsafeBufferPointer { a in
            root.storage.withUnsafeBufferPointer { l in
                for i in 0..<d {
                    var r = Lanes(repeating: 0)
                    for k in 0..<d { r += a[i * d + k] * x[k] }
                    var n = Lanes(repeating: 0)
                    for k in 0..<d { n += l[i * d + k] * normals[k] }
                    g[i] = r + n
                }
            }
        }
    }
}
