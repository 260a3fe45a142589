/// A differentiable objective `f: Rᵈ → R`.
///
/// Gradients and Hessian-vector products write into a caller's buffer, so a time step allocates
/// nothing. The Hessian-vector product defaults to a central difference of gradients,
/// `∇²f(x)v ≈ (∇f(x+εv) − ∇f(x−εv))/(2ε)`; built-in objectives override it with the exact product.
public protocol Objective: Sendable {
    /// Dimension `d` of the parameter.
    var dimension: Int { get }
    /// A short name for tables and plots.
    var name: String { get }
    /// `f(x)`.
    func value(_ x: [Double]) -> Double
    /// `g ← ∇f(x)`.
    func gradient(_ x: [Double], into g: inout [Double])
    /// `hv ← ∇²f(x) v`.
    func hessianVectorProduct(_ x: [Double], _ v: [Double], into hv: inout [Double])
    /// Whether ``hessianVectorProduct(_:_:into:)`` is exact (not a finite difference).
    var hasExactHessian: Bool { get }
    /// `g ← ∇f` at `Lanes.width` points at once, stored by coordinate (`x[i]` holds coordinate `i`
    /// of every point). Closed-form objectives compute it in SIMD lanes, bitwise equal to
    /// ``gradient(_:into:)`` lane by lane; the default calls the scalar gradient per lane (and allocates).
    func gradient(lanes x: UnsafePointer<Lanes>, into g: UnsafeMutablePointer<Lanes>)
    /// Whether ``gradient(lanes:into:)`` is vectorized rather than the per-lane fallback.
    var hasLaneGradient: Bool { get }
}

extension Objective {
    public var hasExactHessian: Bool { false }
    public var hasLaneGradient: Bool { false }

    public func gradient(lanes x: UnsafePointer<Lanes>, into g: UnsafeMutablePointer<Lanes>) {
        Lanes.perLane(x, inputCount: dimension, into: g, outputCount: dimension) { gradient($0, into: &$1) }
    }

    public func hessianVectorProduct(_ x: [Double], _ v: [Double], into hv: inout [Double]) {
        finiteDifferenceHessianVectorProduct(x, v, into: &hv)
    }

    /// Central difference of gradients along `v`, step scaled to `x` and `v`.
    public func finiteDifferenceHessianVectorProduct(_ x: [Double], _ v: [Double], into hv: inout [Double]) {
        let vn = Vec.norm(v)
        if vn == 0 { for i in 0..<hv.count { hv[i] = 0 }; return }
        let eps = 1e-5 * Swift.max(1, Vec.norm(x)) / vn
        var xp = x, xm = x
        for i in 0..<x.count { xp[i] += eps * v[i]; xm[i] -= eps * v[i] }
        var gp = [Double](repeating: 0, count: dimension), gm = gp
        gradient(xp, into: &gp)
        gradient(xm, into: &gm)
        for i in 0..<hv.count { hv[i] = (gp[i] - gm[i]) / (2 * eps) }
    }

    /// `∇f(x)` as a new array (convenience; allocates).
    public func gradient(_ x: [Double]) -> [Double] {
        var g = [Double](repeating: 0, count: dimension)
        gradient(x, into: &g)
        return g
    }

    /// The full Hessian from `d` Hessian-vector products, symmetrized.
    public func hessian(_ x: [Double]) -> Matrix {
        let d = dimension
        var h = Matrix(rows: d, columns: d)
        var e = [Double](repeating: 0, count: d)
        var col = [Double](repeating: 0, count: d)
        for j in 0..<d {
            e[j] = 1
            hessianVectorProduct(x, e, into: &col)
            e[j] = 0
            for i in 0..<d { h[i, j] = col[i] }
        }
        return h.symmetrized
    }

    /// `h ← ∇²f(x)` from `d` Hessian-vector products, using `unit` and `column` (length `d`) as work
    /// buffers. Allocation-free when the Hessian-vector product is (exact products are).
    public func hessian(_ x: [Double], into h: inout Matrix, unit: inout [Double], column: inout [Double]) {
        let d = dimension
        for j in 0..<d { unit[j] = 0 }
        for j in 0..<d {
            unit[j] = 1
            hessianVectorProduct(x, unit, into: &column)
            unit[j] = 0
            for i in 0..<d { h[i, j] = column[i] }
        }
        for i in 0..<d { for j in 0..<i { let a = 0.5 * (h[i, j] + h[j, i]); h[i, j] = a; h[j, i] = a } }
    }

    /// Largest and smallest Hessian eigenvalue at `x` (Lanczos on Hessian-vector products).
    public func hessianExtremeEigenvalues(at x: [Double], steps: Int = 60) -> (largest: Double, smallest: Double) {
        Lanczos.extremeEigenvalues(dimension: dimension, steps: steps) { v, out in
            hessianVectorProduct(x, v, into: &out)
        }
    }

    /// `‖∇f(x)‖²`.
    public func gradientNormSquared(_ x: [Double]) -> Double {
        let g = gradient(x)
        return Vec.dot(g, g)
    }
}

/// A finite-sum objective `f(x) = (1/n) Σᵢ fᵢ(x)`, so minibatch noise is the real sampling noise.
///
/// Conforming types give per-sample values and gradients; `value` and `gradient` default to the
/// sample means.
public protocol FiniteSumObjective: Objective {
    /// Number of samples `n`.
    var sampleCount: Int { get }
    /// `fᵢ(x)`.
    func sampleValue(_ i: Int, _ x: [Double]) -> Double
    /// `g ← g + scale · ∇fᵢ(x)` (accumulating, so a minibatch mean needs no extra buffer).
    func addSampleGradient(_ i: Int, _ x: [Double], scale: Double, into g: inout [Double])
    /// The one-sample noise covariance `Σ(x)` written into a `d × d` matrix. The default sums over the
    /// samples (`O(n d²)`, allocates); objectives with structure override it (least squares: `O(d⁴)`
    /// from moment tensors, no allocation).
    func noiseCovariance(_ x: [Double], into m: inout Matrix)
    /// Whether ``noiseCovariance(lanes:into:)`` is vectorized.
    var hasLaneNoiseCovariance: Bool { get }
    /// `Σ(x)` for `Lanes.width` points (coordinates by lane), written row-major into `d·d` lane
    /// values; lane by lane bitwise equal to ``noiseCovariance(_:into:)``. The default evaluates the
    /// scalar covariance lane by lane (allocates).
    func noiseCovariance(lanes x: UnsafePointer<Lanes>, into m: UnsafeMutablePointer<Lanes>)
}

extension FiniteSumObjective {
    public var hasLaneNoiseCovariance: Bool { false }
    public func noiseCovariance(lanes x: UnsafePointer<Lanes>, into m: UnsafeMutablePointer<Lanes>) {
        let d = dimension
        var c = Matrix(rows: d, columns: d)
        Lanes.perLane(x, inputCount: d, into: m, outputCount: d * d) { noiseCovariance($0, into: &c); $1 = c.storage }
    }

    public func noiseCovariance(_ x: [Double], into m: inout Matrix) {
        m = GradientNoise.sampleCovariance(self, at: x)
    }

    public func value(_ x: [Double]) -> Double {
        var s = 0.0
        for i in 0..<sampleCount { s += sampleValue(i, x) }
        return s / Double(sampleCount)
    }

    public func gradient(_ x: [Double], into g: inout [Double]) {
        for j in 0..<g.count { g[j] = 0 }
        let w = 1.0 / Double(sampleCount)
        for i in 0..<sampleCount { addSampleGradient(i, x, scale: w, into: &g) }
    }

    /// `∇fᵢ(x)` as a new array (convenience; allocates).
    public func sampleGradient(_ i: Int, _ x: [Double]) -> [Double] {
        var g = [Double](repeating: 0, count: dimension)
        addSampleGradient(i, x, scale: 1, into: &g)
        return g
    }
}

/// An objective `f(x) = E_γ f_γ(x)` whose stochastic gradients come from a random index `γ` with a
/// known law (docs/THEORY.md §2.3), for example the Li–Tai–E additive-noise quadratic.
public protocol StochasticOracleObjective: Objective {
    /// `g ← ∇f_γ(x)` for one draw of `γ`, taken from `rng` at (path, step) with draw index `draw`
    /// (several draws per step, e.g. a minibatch, use different `draw`).
    func stochasticGradient(_ x: [Double], rng: CounterRNG, path: Int, step: Int, draw: Int, into g: inout [Double])
    /// The exact noise covariance `Σ(x) = Cov_γ ∇f_γ(x)`.
    func noiseCovariance(_ x: [Double]) -> Matrix
    /// Whether `Σ(x)` is the same for every `x` (additive noise).
    var noiseIsConstant: Bool { get }
    /// Whether ``stochasticGradient(lanes:normals:into:)`` is implemented: one draw `γ` is a function of
    /// `dimension` standard normals, which the caller supplies (ensembles draw them four paths at a time).
    var hasLaneOracle: Bool { get }
    /// `g ← ∇f_γ(x)` for `Lanes.width` paths, with `γ` built from `normals[0..<dimension]` — the same
    /// normals, in the same order, that ``stochasticGradient(_:rng:path:step:draw:into:)`` draws for
    /// draw 0. Only called when ``hasLaneOracle`` is true.
    func stochasticGradient(lanes x: UnsafePointer<Lanes>, normals: UnsafePointer<Lanes>, into g: UnsafeMutablePointer<Lanes>)
}

extension StochasticOracleObjective {
    public var hasLaneOracle: Bool { false }
    public func stochasticGradient(lanes x: UnsafePointer<Lanes>, normals: UnsafePointer<Lanes>,
                                   into g: UnsafeMutablePointer<Lanes>) {
        preconditionFailure("\(name) has no lane oracle; check hasLaneOracle first")
    }

    public var noiseIsConstant: Bool { false }
}
