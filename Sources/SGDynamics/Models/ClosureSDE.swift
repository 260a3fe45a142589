/// A model whose noise is diagonal in the sense of Kloeden & Platen (1992), §10.3:
///
///     dX_i = b_i(X, t) dt + σ_i(X_i, t) dW_i,   i = 1, …, d   (m = d)
///
/// Component `i` of the noise is driven by its own Brownian motion and its intensity depends on
/// `X_i` (and `t`) only. The Milstein correction then needs no Lévy areas, only `σ_i ∂σ_i/∂x_i`
/// (see ``Milstein``). Additive diagonal noise is the case `∂σ_i/∂x_i = 0`.
///
/// Conforming is a promise about the structure: ``StochasticModel/diffusion(_:t:applyTo:into:scratch:)``
/// must equal `out_i = σ_i(x, t) ξ_i` with the `σ` of ``diagonalDiffusion(_:t:into:derivative:)``.
public protocol DiagonalNoiseModel: StochasticModel {
    /// `sigma_i ← σ_i(x_i, t)` and `derivative_i ← ∂σ_i/∂x_i (x_i, t)`, both of length `d`.
    func diagonalDiffusion(_ x: [Double], t: Double, into sigma: inout [Double], derivative: inout [Double])
    /// The same, using caller-owned work buffers so that a solver step allocates nothing. The default
    /// calls ``diagonalDiffusion(_:t:into:derivative:)``.
    func diagonalDiffusion(_ x: [Double], t: Double, into sigma: inout [Double], derivative: inout [Double],
                           scratch: inout ModelScratch)
}

extension DiagonalNoiseModel {
    @inlinable
    public func diagonalDiffusion(_ x: [Double], t: Double, into sigma: inout [Double], derivative: inout [Double],
                                  scratch: inout ModelScratch) {
        diagonalDiffusion(x, t: t, into: &sigma, derivative: &derivative)
    }
}

/// A user SDE `dX = b(X, t) dt + σ(X, t) dW` (Itô) given by closures, for users' own models and for
/// solver tests. The diffusion is one of
///
/// - diagonal (``NoiseStructure/diagonal``, `m = d`): `σ(x, t) = diag(σ_1, …, σ_d)` with `σ_i`
///   depending on `x_i` and `t` only, optionally with the derivatives `∂σ_i/∂x_i` (otherwise these are
///   taken by central differences, step `10⁻⁵·max(1, |x_i|)`, error `O(10⁻¹⁰)` for smooth `σ`);
/// - a constant `d × m` matrix (``NoiseStructure/additive``);
/// - a general state-dependent `d × m` matrix closure (``NoiseStructure/general``).
///
/// It conforms to ``DiagonalNoiseModel`` so that ``Milstein`` can take it; asking a general-noise or
/// non-diagonal additive `ClosureSDE` for its diagonal diffusion is a programmer error (a precondition).
/// Time: `t` is whatever the closures mean by it (``timeIdentification`` is `"user time t"`).
public struct ClosureSDE: DiagonalNoiseModel {
    /// `(x, t, out)`: write a vector of length `d` into `out`.
    public typealias VectorField = @Sendable (_ x: [Double], _ t: Double, _ out: inout [Double]) -> Void
    /// `(x, t, sigma)`: write the `d × m` matrix `σ(x, t)` into `sigma` (entries start at zero).
    public typealias MatrixField = @Sendable (_ x: [Double], _ t: Double, _ sigma: inout Matrix) -> Void

    /// How `σ` is given.
    public enum Diffusion: Sendable {
        case diagonal(sigma: VectorField, derivative: VectorField?)
        case additive(Matrix)
        case general(brownianDimension: Int, sigma: MatrixField)
    }

    public let name: String
    public let dimension: Int
    public let diffusionTerm: Diffusion
    @usableFromInline let b: VectorField
    /// For additive noise: `σ` is square and diagonal (so ``Milstein`` may take the model).
    @usableFromInline let additiveIsDiagonal: Bool

    /// Diagonal noise: `dX_i = b_i dt + σ_i(x_i, t) dW_i`. `sigma` writes `(σ_1, …, σ_d)`; `derivative`,
    /// if given, writes `(∂σ_1/∂x_1, …, ∂σ_d/∂x_d)`.
    public init(name: String = "user SDE", dimension: Int, drift: @escaping VectorField,
                diagonalDiffusion sigma: @escaping VectorField, derivative: VectorField? = nil) {
        precondition(dimension > 0, "dimension must be positive")
        self.name = name
        self.dimension = dimension
        self.b = drift
        self.diffusionTerm = .diagonal(sigma: sigma, derivative: derivative)
        self.additiveIsDiagonal = false
    }

    /// Additive noise `σ dW` with a constant `d × m` matrix `σ`.
    public init(name: String = "user SDE", dimension: Int, drift: @escaping VectorField, additive sigma: Matrix) {
        precondition(dimension > 0, "dimension must be positive")
        precondition(sigma.rows == dimension && sigma.columns > 0, "σ must be d × m with m > 0")
        self.name = name
        self.dimension = dimension
        self.b = drift
        self.diffusionTerm = .additive(sigma)
        self.additiveIsDiagonal = sigma.columns == dimension
            && (0..<dimension).allSatisfy { i in (0..<dimension).allSatisfy { j in i == j || sigma[i, j] == 0 } }
    }

    /// General noise: `sigma` writes the `d × m` matrix `σ(x, t)`.
    public init(name: String = "user SDE", dimension: Int, brownianDimension m: Int, drift: @escaping VectorField,
                diffusionMatrix sigma: @escaping MatrixField) {
        precondition(dimension > 0 && m > 0, "dimensions must be positive")
        self.name = name
        self.dimension = dimension
        self.b = drift
        self.diffusionTerm = .general(brownianDimension: m, sigma: sigma)
        self.additiveIsDiagonal = false
    }

    public var brownianDimension: Int {
        switch diffusionTerm {
        case .diagonal: return dimension
        case .additive(let s): return s.columns
        case .general(let m, _): return m
        }
    }

    public var noise: NoiseStructure {
        switch diffusionTerm {
        case .diagonal: return .diagonal
        case .additive: return .additive
        case .general: return .general
        }
    }

    public var timeIdentification: String { "user time t" }

    @inlinable
    public func drift(_ x: [Double], t: Double, into out: inout [Double]) { b(x, t, &out) }

    /// `out ← σ(x, t) ξ`. The general case evaluates `σ` into `scratch.factor` (sized `d × m` once).
    @inlinable
    public func diffusion(_ x: [Double], t: Double, applyTo xi: [Double], into out: inout [Double],
                          scratch: inout ModelScratch) {
        let d = dimension
        switch diffusionTerm {
        case .diagonal(let sigma, _):
            sigma(x, t, &out)
            for i in 0..<d { out[i] *= xi[i] }
        case .additive(let s):
            s.multiply(xi, into: &out)
        case .general(let m, let sigma):
            if scratch.factor.rows != d || scratch.factor.columns != m {
                scratch.factor = Matrix(rows: d, columns: m)
            }
            for k in 0..<(d * m) { scratch.factor.storage[k] = 0 }
            sigma(x, t, &scratch.factor)
            scratch.factor.multiply(xi, into: &out)
        }
    }

    public func diagonalDiffusion(_ x: [Double], t: Double, into sigma: inout [Double], derivative: inout [Double]) {
        var scratch = ModelScratch()
        diagonalDiffusion(x, t: t, into: &sigma, derivative: &derivative, scratch: &scratch)
    }

    /// Diagonal `σ` and `∂σ_i/∂x_i`. Without a derivative closure, central differences use
    /// `scratch.position` and `scratch.gradient` (2d evaluations of `σ`). A diagonal constant matrix
    /// gives derivative zero.
    @inlinable
    public func diagonalDiffusion(_ x: [Double], t: Double, into sigma: inout [Double], derivative: inout [Double],
                                  scratch: inout ModelScratch) {
        let d = dimension
        switch diffusionTerm {
        case .diagonal(let s, let ds):
            s(x, t, &sigma)
            if let ds {
                ds(x, t, &derivative)
                return
            }
            scratch.ensure(d)
            for i in 0..<d { scratch.position[i] = x[i] }
            for i in 0..<d {
                let step = 1e-5 * Swift.max(1, Swift.abs(x[i]))
                scratch.position[i] = x[i] + step
                s(scratch.position, t, &scratch.gradient)
                let plus = scratch.gradient[i]
                scratch.position[i] = x[i] - step
                s(scratch.position, t, &scratch.gradient)
                derivative[i] = (plus - scratch.gradient[i]) / (2 * step)
                scratch.position[i] = x[i]
            }
        case .additive(let s):
            precondition(additiveIsDiagonal, "\(name): additive σ is not diagonal; use a solver for general noise")
            for i in 0..<d { sigma[i] = s[i, i]; derivative[i] = 0 }
        case .general:
            preconditionFailure("\(name): general noise has no diagonal diffusion; use a solver for general noise")
        }
    }
}
