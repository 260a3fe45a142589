/// Linear least squares as a finite sum (docs/THEORY.md §2.3, multiplicative noise):
///
///     f(w) = (1/n) Σᵢ fᵢ(w),   fᵢ(w) = ½ (xᵢᵀw − yᵢ)²
///     ∇fᵢ(w) = Hᵢ w − cᵢ,   Hᵢ = xᵢ xᵢᵀ,   cᵢ = xᵢ yᵢ
///     ∇f(w) = H̄ w − c̄,      H̄ = (1/n) Σᵢ xᵢ xᵢᵀ,   c̄ = (1/n) Σᵢ xᵢ yᵢ,   ∇²f = H̄
///
/// `H̄` and `c̄` are computed once, so the full gradient and the (exact) Hessian-vector product cost
/// O(d²) and never touch the `n` samples. ``value(_:)`` is the sample mean of the squared residuals,
/// O(nd), which stays accurate near a zero-residual minimum where the quadratic form
/// `½ wᵀH̄w − c̄ᵀw + ½ȳ²` would cancel. In the realizable case `yᵢ = xᵢᵀw*` the gradient noise
/// vanishes at `w*`.
public struct LeastSquares: FiniteSumObjective {
    /// The `n × d` design matrix `A` (row `i` is `xᵢᵀ`).
    public let design: Matrix
    /// The `n` targets `y`.
    public let targets: [Double]
    /// `H̄ = (1/n) Aᵀ A`, the (constant) Hessian.
    public let meanHessian: Matrix
    /// `c̄ = (1/n) Aᵀ y`.
    public let meanCrossTerm: [Double]
    public var name: String
    /// Packed moment tensors for the exact `O(d⁴)` noise covariance (built when `d ≤ 32`).
    public let noiseTensors: LeastSquaresNoise?

    public var dimension: Int { design.columns }
    public var sampleCount: Int { design.rows }
    public var hasExactHessian: Bool { true }

    /// Least squares on the rows of `A` (`n × d`, `n ≥ 1`) and targets `y` (`n`).
    public init(A: Matrix, y: [Double], name: String = "least-squares") {
        precondition(A.rows >= 1, "LeastSquares: need at least one sample")
        precondition(A.rows == y.count, "LeastSquares: A has \(A.rows) rows but y has \(y.count) entries")
        let n = A.rows, d = A.columns
        var h = Matrix(rows: d, columns: d)
        var c = [Double](repeating: 0, count: d)
        let inv = 1 / Double(n)
        A.storage.withUnsafeBufferPointer { a in
            h.storage.withUnsafeMutableBufferPointer { hs in
                for i in 0..<n {
                    let row = i * d
                    for j in 0..<d {
                        let aij = a[row + j]
                        c[j] += aij * y[i]
                        // Upper triangle only; mirrored below.
                        for k in j..<d { hs[j * d + k] += aij * a[row + k] }
                    }
                }
                for j in 0..<d {
                    for k in j..<d {
                        hs[j * d + k] *= inv
                        hs[k * d + j] = hs[j * d + k]
                    }
                }
            }
        }
        for j in 0..<d { c[j] *= inv }
        self.design = A
        self.targets = y
        self.meanHessian = h
        self.meanCrossTerm = c
        self.name = name
        self.noiseTensors = d <= 32 ? LeastSquaresNoise(design: A, targets: y) : nil
    }

    /// Least squares on a data set's features and targets. By default the features are standardized
    /// (``Dataset/standardized()``) and a column of ones is appended (``Dataset/withInterceptColumn()``),
    /// so the last weight is the intercept.
    public init(dataset: Dataset, standardize: Bool = true, intercept: Bool = true) {
        var data = standardize ? dataset.standardized() : dataset
        if intercept { data = data.withInterceptColumn() }
        self.init(A: data.features, y: data.targets, name: "least-squares(\(dataset.name))")
    }

    /// A random realizable-plus-noise problem:
    ///
    ///     w* ~ N(0, I_d),   A_ij ~ N(0, 1),   yᵢ = xᵢᵀ w* + noise · εᵢ,   εᵢ ~ N(0, 1)
    ///
    /// drawn in that order (w*, then A row by row, then ε) from one ``SplitMix64`` seeded with `seed`.
    /// With `noise = 0` the problem is realizable and `w*` is the minimizer.
    public static func synthetic(n: Int, d: Int, noise: Double = 0, seed: UInt64 = 0)
        -> (objective: LeastSquares, wStar: [Double])
    {
        precondition(n >= 1 && d >= 1, "LeastSquares.synthetic: need n ≥ 1 and d ≥ 1")
        var rng = SplitMix64(seed: seed)
        var wStar = [Double](repeating: 0, count: d)
        for j in 0..<d { wStar[j] = rng.nextGaussian() }
        var a = Matrix(rows: n, columns: d)
        for k in 0..<(n * d) { a.storage[k] = rng.nextGaussian() }
        var y = [Double](repeating: 0, count: n)
        for i in 0..<n {
            var s = 0.0
            for j in 0..<d { s += a.storage[i * d + j] * wStar[j] }
            y[i] = s
        }
        for i in 0..<n { y[i] += noise * rng.nextGaussian() }
        return (LeastSquares(A: a, y: y, name: "least-squares-synthetic"), wStar)
    }

    /// The minimizer `w = H̄⁻¹ c̄` (LU with partial pivoting). Throws
    /// ``LinearAlgebraError/singular(pivot:)`` when `H̄` is singular (e.g. `n < d` or collinear
    /// features), where the minimizer is not unique.
    public var minimizer: [Double] {
        get throws { try meanHessian.solve(meanCrossTerm) }
    }

    /// The residual `xᵢᵀw − yᵢ` of sample `i`.
    @inlinable
    public func residual(_ i: Int, _ w: [Double]) -> Double {
        let d = dimension
        return design.storage.withUnsafeBufferPointer { a in
            w.withUnsafeBufferPointer { wp in
                var s = 0.0
                let row = i * d
                for j in 0..<d { s += a[row + j] * wp[j] }
                return s - targets[i]
            }
        }
    }

    public func sampleValue(_ i: Int, _ w: [Double]) -> Double {
        let r = residual(i, w)
        return 0.5 * r * r
    }

    public func addSampleGradient(_ i: Int, _ w: [Double], scale: Double, into g: inout [Double]) {
        let d = dimension
        let r = scale * residual(i, w)
        design.storage.withUnsafeBufferPointer { a in
            g.withUnsafeMutableBufferPointer { gp in
                let row = i * d
                for j in 0..<d { gp[j] += r * a[row + j] }
            }
        }
    }

    /// `g ← H̄ w − c̄` in O(d²).
    public func gradient(_ w: [Double], into g: inout [Double]) {
        meanHessian.multiply(w, into: &g)
        for j in 0..<dimension { g[j] -= meanCrossTerm[j] }
    }

    /// `hv ← H̄ v` (exact; independent of `w`).
    public func hessianVectorProduct(_ w: [Double], _ v: [Double], into hv: inout [Double]) {
        meanHessian.multiply(v, into: &hv)
    }
}
