/// How the noise of a model enters (DESIGN.md: Model seam).
public enum NoiseStructure: String, Sendable {
    /// An ODE.
    case none
    /// `σ` constant.
    case additive
    /// `σ(x)` diagonal, one Brownian motion per coordinate.
    case diagonal
    /// `σ(x)` a full state-dependent matrix.
    case general
}

/// A continuous-time model `dX = b(X, t) dt + σ(X, t) dW` of a discrete algorithm.
///
/// An ODE is a model with ``NoiseStructure/none``. Models whose state carries more than the parameter
/// (a velocity) expose the parameter as the first ``positionDimension`` coordinates.
/// Each model states how its time corresponds to the iteration count (``timeIdentification``).
public protocol Model: Sendable {
    var name: String { get }
    /// Dimension of the state `X`.
    var dimension: Int { get }
    /// The parameter is `X[0..<positionDimension]`.
    var positionDimension: Int { get }
    /// For example `"t = kη"`.
    var timeIdentification: String { get }
    var noise: NoiseStructure { get }
    /// `b ← b(x, t)`.
    func drift(_ x: [Double], t: Double, into b: inout [Double])
    /// `b ← b(x, t)` using caller-owned work buffers, so a solver step allocates nothing. Models
    /// that need intermediate vectors (a gradient, a position slice) implement this one; the default
    /// calls ``drift(_:t:into:)``.
    func drift(_ x: [Double], t: Double, into b: inout [Double], scratch: inout ModelScratch)
}

/// Work buffers for drift and diffusion evaluations, owned by a solver and reused across steps.
/// Models size them on first use (``ModelScratch/ensure(_:)``), so only the first evaluation allocates.
public struct ModelScratch: Sendable {
    public var position: [Double] = []
    public var gradient: [Double] = []
    /// A vector and two `d × d` matrices for state-dependent diffusions (Σ(x) and its factor).
    public var vector: [Double] = []
    public var matrix = Matrix(rows: 0, columns: 0)
    public var factor = Matrix(rows: 0, columns: 0)
    public var pivots: [Int] = []
    public init() {}
    /// Make the matrices `n × n` and `vector` length `n` (allocates only when the size changes).
    @inlinable
    public mutating func ensureMatrices(_ n: Int) {
        if matrix.rows != n { matrix = Matrix(rows: n, columns: n); factor = Matrix(rows: n, columns: n) }
        if vector.count != n { vector = [Double](repeating: 0, count: n) }
        if pivots.count != n { pivots = [Int](repeating: 0, count: n) }
    }
    /// Make both buffers `n` long (allocates only when the size changes).
    @inlinable
    public mutating func ensure(_ n: Int) {
        if position.count != n { position = [Double](repeating: 0, count: n) }
        if gradient.count != n { gradient = [Double](repeating: 0, count: n) }
    }
}

extension Model {
    @inlinable
    public func drift(_ x: [Double], t: Double, into b: inout [Double], scratch: inout ModelScratch) {
        drift(x, t: t, into: &b)
    }

    public var positionDimension: Int { dimension }
    public var noise: NoiseStructure { .none }
    public var timeIdentification: String { "t = kη" }

    /// Jacobian of the drift by central differences (used by implicit solvers when no exact one is given).
    public func driftJacobian(_ x: [Double], t: Double) -> Matrix {
        let d = dimension
        var j = Matrix(rows: d, columns: d)
        var xp = x, bp = x, bm = x
        var scratch = ModelScratch()
        driftJacobian(x, t: t, into: &j, shifted: &xp, plus: &bp, minus: &bm, scratch: &scratch)
        return j
    }

    /// The central-difference Jacobian written into `j`, with caller-owned work vectors (length `d`):
    /// column `c` is `(b(x + h e_c) − b(x − h e_c))/(2h)`, `h = 1e-6·max(1, |x_c|)`. No allocation.
    public func driftJacobian(_ x: [Double], t: Double, into j: inout Matrix, shifted xp: inout [Double],
                              plus bp: inout [Double], minus bm: inout [Double], scratch: inout ModelScratch) {
        let d = dimension
        for i in 0..<d { xp[i] = x[i] }
        for c in 0..<d {
            let h = 1e-6 * Swift.max(1, Swift.abs(x[c]))
            xp[c] = x[c] + h; drift(xp, t: t, into: &bp, scratch: &scratch)
            xp[c] = x[c] - h; drift(xp, t: t, into: &bm, scratch: &scratch)
            xp[c] = x[c]
            for r in 0..<d { j[r, c] = (bp[r] - bm[r]) / (2 * h) }
        }
    }
}
