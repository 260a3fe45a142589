#if canImport(_Differentiation)
import _Differentiation  // SIMD vector arithmetic on Lanes resolves through its AdditiveArithmetic conformance
#endif

/// Exact transition of a linear SDE with additive noise, `dX = −A X dt + B dW`:
///
///     X_{t+h} = e^{−Ah} X_t + ε,   ε ~ N(0, Σ_h),   Σ_h = ∫₀ʰ e^{−As} BBᵀ e^{−Aᵀs} ds
///
/// `Σ_h` comes from one matrix exponential (Van Loan 1978): `exp([[−A, Q], [0, Aᵀ]] h) = [[F, G], [0, ·]]`
/// gives `e^{−Ah} = F` and `Σ_h = G Fᵀ`. The step has no discretization error at any `h`, so a weak
/// error measured with it is the model's alone. Noise enters as `ε = L ξ`, `ξ = ΔW/√h`, `L = Σ_h^{1/2}` (symmetric root).
/// - Strong order: exact in law (weak order ∞) for this class. Noise: additive.
/// - Reference: Van Loan, *Computing integrals involving the matrix exponential*, IEEE TAC 23 (1978).
public struct ExactLinearStep: SDESolver {
    public let stepSize: Double
    public let transition: Matrix
    public let noiseFactor: Matrix

    /// `A` the drift matrix (drift `−A x`), `Q = BBᵀ` the diffusion covariance, `h` the step.
    public init(driftMatrix a: Matrix, diffusionCovariance q: Matrix, stepSize h: Double) {
        let d = a.rows
        var big = Matrix(rows: 2 * d, columns: 2 * d)
        for i in 0..<d { for j in 0..<d {
            big[i, j] = -a[i, j] * h
            big[i, d + j] = q[i, j] * h
            big[d + i, d + j] = a[j, i] * h
        } }
        let e = big.exponential()
        var f = Matrix(rows: d, columns: d), g = Matrix(rows: d, columns: d)
        for i in 0..<d { for j in 0..<d { f[i, j] = e[i, j]; g[i, j] = e[i, d + j] } }
        let sigma = (g * f.transposed).symmetrized
        stepSize = h
        transition = f
        // The symmetric root keeps coordinate i of ΔW on coordinate i of X (common random numbers).
        noiseFactor = sigma.symmetricSquareRoot()
    }

    /// For a model that knows its linear structure.
    public init<M: LinearAdditiveModel>(_ model: M, stepSize h: Double) {
        self.init(driftMatrix: model.driftMatrix, diffusionCovariance: model.diffusionCovariance, stepSize: h)
    }

    public var name: String { "exact linear transition" }
    public var strongOrder: Double { .infinity }
    public var weakOrder: Double { .infinity }

    @inlinable
    public func step<M: StochasticModel>(_ model: M, _ x: inout [Double], t: Double, h: Double, dW: [Double], work: inout SDEWork) {
        precondition(Swift.abs(h - stepSize) <= 1e-12 * stepSize, "ExactLinearStep was built for h = \(stepSize), called with \(h)")
        let d = x.count
        let s = 1 / stepSize.squareRoot()
        for i in 0..<d {
            var acc = 0.0
            for j in 0..<d { acc += transition[i, j] * x[j] + noiseFactor[i, j] * dW[j] * s }
            work.stage[i] = acc
        }
        for i in 0..<d { x[i] = work.stage[i] }
    }

    /// The transition does not evaluate the model, so it always runs in lanes.
    @inlinable
    public func lanesSupported<M: StochasticModel>(for model: M) -> Bool { true }

    @inlinable
    public func step<M: StochasticModel>(lanes model: M, _ x: UnsafeMutablePointer<Lanes>, t: Double, h: Double,
                                         dW: UnsafePointer<Lanes>, work: UnsafeMutablePointer<Lanes>) {
        precondition(Swift.abs(h - stepSize) <= 1e-12 * stepSize, "ExactLinearStep was built for h = \(stepSize), called with \(h)")
        precondition(model.dimension == transition.rows, "ExactLinearStep: model dimension \(model.dimension) ≠ \(transition.rows)")
        let d = transition.rows
        let s = 1 / stepSize.squareRoot()
        transition.storage.withUnsafeBufferPointer { f in
            noiseFactor.storage.withUnsafeBufferPointer { l in
                for i in 0..<d {
                    var acc = Lanes(repeating: 0)
                    for j in 0..<d {
                        let drift: Lanes = f[i * d + j] * x[j]
                        let noise: Lanes = (l[i * d + j] * dW[j]) * s
                        acc += drift + noise
                    }
                    work[i] = acc
                }
            }
        }
        for i in 0..<d { x[i] = work[i] }
    }
}

/// A model `dX = −A X dt + B dW` with constant `A` and `Q = BBᵀ` (Brownian dimension = state dimension).
public protocol LinearAdditiveModel: StochasticModel {
    var driftMatrix: Matrix { get }
    var diffusionCovariance: Matrix { get }
}
