import Foundation

/// Linear (mean-square) stability of SGD at a minimum `x*` of a finite sum, after Wu, Ma & E
/// (docs/THEORY.md §10.2).
///
/// With per-sample Hessians `Hᵢ = ∇²fᵢ(x*)`, linearised SGD is `e' = (I − ηH_B) e`,
/// `H_B = (1/b) Σ_{i∈B} Hᵢ`, and its second moment evolves by
///
///     E[e'e'ᵀ] = T(E[eeᵀ]),   T(M) = E[(I − ηH_B) M (I − ηH_B)]
///              = M − η(HM + MH) + η² E[H_B M H_B]
///
/// **Batch second moment (closed form, no enumeration).** Split `(1/b²) Σ_{r,s} E[H_{i_r} ⊗ H_{i_s}]`
/// into the `b` equal slots (mean `P = (1/n)Σᵢ Hᵢ⊗Hᵢ`) and the `b(b−1)` distinct slots (mean `H⊗H`
/// with replacement; `(n H⊗H − P)/(n−1)` without). Both schemes give
///
///     E[H_B ⊗ H_B] = c P + (1 − c) H⊗H,   c = 1/b (with),  c = (n−b)/(b(n−1)) (without)
///
/// so `E[H_B M H_B] = c (1/n)Σᵢ HᵢMHᵢ + (1−c) HMH` and `E[H_B²] = H² + c Σ_H`,
/// `Σ_H = (1/n)ΣHᵢ² − H²`. Sharpness `a = λ_max(H)`, non-uniformity `s = λ_max(Σ_H)^{1/2}`.
///
/// **Criteria.** The exact mean-square criterion is `ρ(T) ≤ 1`. `T` is a positive map (it sends
/// `M ⪰ 0` to `T(M) ⪰ 0`), so `ρ(T) = λ_max(T)`, and `T − I = η(ηQ − L)` with `L = H⊕H`,
/// `Q = E[H_B⊗H_B]`. When `H ≻ 0` on the space considered this gives the largest stable rate in closed form,
///
///     η*_exact = 1 / λ_max(L^{−1/2} Q L^{−1/2})      (a generalized eigenvalue, d² × d²)
///
/// and the `λ_max` criterion `λ_max{(I − ηH)² + η² c Σ_H} ≤ 1` (sufficient, docs/THEORY.md §10.2) gives
///
///     η*_λ = 2 / λ_max(H^{−1/2} E[H_B²] H^{−1/2})  ≤ η*_exact.
///
/// In one dimension both are `η* = 2a/(a² + c s²)`. Everything is computed in the eigenbasis of `H`.
/// Directions in the null space of `H` that are also null for every `Hᵢ` (an over-parameterised
/// minimum) are neutral (`H_B v = 0`: the error neither grows nor shrinks there) and are left out;
/// mixed null–range terms evolve by `I − ηH` and are stable whenever `η < 2/a`, which the criteria
/// already imply. If `H` has a null direction that some `Hᵢ` does not annihilate, or a negative
/// eigenvalue, the closed forms do not apply and the rates come from bisection on `ρ(T) = 1`.
///
/// Operators on `r × r` matrices (`r` the kept dimension) are built densely when `r² ≤ 100`;
/// otherwise their extreme eigenvalues come from Lanczos (``lanczosSteps`` products). `(1/n)ΣH̃ᵢ⊗H̃ᵢ`
/// is stored densely when `r ≤ 32` (`r⁴` numbers); otherwise each product costs `O(n r³)`.
///
/// - Reference: L. Wu, C. Ma, W. E, *How SGD selects the global minima in over-parameterized
///   learning: a dynamical stability perspective*, NeurIPS 2018.
public struct MeanSquareStability: Sendable {
    /// Which stability criterion.
    public enum Criterion: String, Sendable, CaseIterable {
        /// `ρ(T) ≤ 1` (exact, necessary and sufficient for bounded `E[eeᵀ]`).
        case exact
        /// `λ_max{(I − ηH)² + η² c Σ_H} ≤ 1` (sufficient).
        case lambdaMax = "lambda-max"
    }

    /// Largest stable learning rates for one batch size and sampling scheme.
    public struct Row: Sendable {
        public var batchSize: Int
        public var sampling: Sampling
        public var covarianceFactor: Double
        /// `η*` from `ρ(T) = 1`.
        public var exact: Double
        /// `η*` from the `λ_max` criterion.
        public var lambdaMax: Double
        /// `2/a`, gradient descent's limit (reached at `c = 0`).
        public var gradientDescentLimit: Double
    }

    /// Measured behaviour of linearised SGD at one learning rate.
    public struct EnsembleRow: Sendable {
        public var learningRate: Double
        /// `ρ(T)` and whether it is `≤ 1`.
        public var spectralRadius: Double
        public var predictedStable: Bool
        /// Sampled `E‖e_K‖²` over the paths and its standard error (heavy-tailed near the threshold:
        /// compare with ``exactMeanSquare``).
        public var meanSquare: Double
        public var standardError: Double
        /// `tr T^K(e₀e₀ᵀ)`, the exact `E‖e_K‖²`.
        public var exactMeanSquare: Double
        /// `(E‖e_K‖² / ‖e₀‖²)^{1/K}` from the sample, and `ρ(T)`'s prediction of it for large `K`.
        public var measuredGrowthPerStep: Double
        /// Mean of `log(‖e_K‖²/‖e₀‖²)/K` (the typical, almost-sure growth, below the mean-square one)
        /// and its standard error.
        public var meanLogGrowthPerStep: Double
        public var meanLogGrowthStandardError: Double
        /// Fraction of paths with `‖e_K‖ > divergenceFactor · ‖e₀‖` (or non-finite).
        public var fractionDiverged: Double
        public var paths: Int
        public var steps: Int
    }

    /// `Hᵢ`, symmetrized.
    public let sampleHessians: [Matrix]
    /// `H = (1/n) Σ Hᵢ`.
    public let meanHessian: Matrix
    /// `Σ_H = (1/n) Σ Hᵢ² − H²`.
    public let hessianCovariance: Matrix
    /// `a = λ_max(H)`.
    public let sharpness: Double
    /// `s = λ_max(Σ_H)^{1/2}`.
    public let nonUniformity: Double
    /// Eigenvalues of `H`, ascending.
    public let hessianEigenvalues: [Double]
    /// Dimension `r` of the space the criteria act on (`d` minus the neutral common null space).
    public let reducedDimension: Int
    /// Whether the closed forms apply (`H ≻ 0` on the kept space).
    public let closedFormApplies: Bool
    /// Lanczos steps for operators of dimension `r² > 100`.
    public var lanczosSteps: Int = 150

    public var sampleCount: Int { sampleHessians.count }
    public var dimension: Int { meanHessian.rows }

    /// Kept eigenvectors of `H` (`d × r`) and their eigenvalues.
    let basis: Matrix
    let kept: [Double]
    /// `H̃ᵢ = Vᵀ Hᵢ V` (`n` blocks of `r × r`, row-major).
    let rotated: [Double]
    /// `(1/n) Σ H̃ᵢ ⊗ H̃ᵢ` (`r² × r²`) when `r ≤ 32`.
    let denseP: [Double]?
    /// `(1/n) Σ H̃ᵢ²` (`r × r`).
    let rotatedSecondMoment: Matrix

    /// Stability from the per-sample Hessians at the point. Throws ``ConfigurationError`` when the
    /// list is empty, the matrices are not all `d × d`, or `H` has no positive eigenvalue.
    public init(sampleHessians hs: [Matrix]) throws {
        guard let first = hs.first else {
            throw ConfigurationError(field: "sampleHessians", "need at least one per-sample Hessian")
        }
        let d = first.rows
        guard d >= 1, hs.allSatisfy({ $0.rows == d && $0.columns == d }) else {
            throw ConfigurationError(field: "sampleHessians", "every per-sample Hessian must be a square d × d matrix with d ≥ 1")
        }
        let n = hs.count
        let sym = hs.map(\.symmetrized)
        var h = Matrix(rows: d, columns: d), h2 = Matrix(rows: d, columns: d)
        for m in sym { h = h + m; h2 = h2 + m * m }
        h = (1 / Double(n)) * h
        h2 = (1 / Double(n)) * h2
        let sigmaH = (h2 - h * h).symmetrized
        let eig = SymmetricEigen(h)
        guard let a = eig.values.last, a > 0 else {
            throw ConfigurationError(field: "sampleHessians",
                "the mean Hessian has no positive eigenvalue (λ_max = \(eig.values.last ?? .nan)); x* is not a minimum with curvature")
        }
        // Keep the range of H unless a null direction is not common to every Hᵢ.
        let tol = 1e-10 * eig.values.map { Swift.abs($0) }.max()!
        var keep = (0..<d).filter { Swift.abs(eig.values[$0]) > tol }
        let null = (0..<d).filter { Swift.abs(eig.values[$0]) <= tol }
        if !null.isEmpty {
            var common = true
            outer: for m in sym {
                let scale = Swift.max(m.frobeniusNorm, Double.leastNormalMagnitude)
                for j in null {
                    let v = (0..<d).map { eig.vectors[$0, j] }
                    if Vec.norm(m * v) > 1e-8 * scale { common = false; break outer }
                }
            }
            if !common { keep = Array(0..<d) }
        }
        let r = keep.count
        var basis = Matrix(rows: d, columns: r)
        for (c, j) in keep.enumerated() { for i in 0..<d { basis[i, c] = eig.vectors[i, j] } }
        let bt = basis.transposed
        var rotated = [Double](repeating: 0, count: n * r * r)
        var second = Matrix(rows: r, columns: r)
        for (i, m) in sym.enumerated() {
            let t = (bt * m * basis).symmetrized
            for p in 0..<(r * r) { rotated[i * r * r + p] = t.storage[p] }
            second = second + t * t
        }
        second = (1 / Double(n)) * second
        var denseP: [Double]? = nil
        if r <= 32 {
            let rr = r * r
            var p = [Double](repeating: 0, count: rr * rr)
            let w = 1 / Double(n)
            rotated.withUnsafeBufferPointer { rt in
                p.withUnsafeMutableBufferPointer { pp in
                    for s in 0..<n {
                        let o = s * rr
                        for i in 0..<r { for j in 0..<r {
                            let row = (i * r + j) * rr
                            for k in 0..<r {
                                let hik = w * rt[o + i * r + k]
                                if hik == 0 { continue }
                                for l in 0..<r { pp[row + k * r + l] += hik * rt[o + j * r + l] }
                            }
                        } }
                    }
                }
            }
            denseP = p
        }
        self.sampleHessians = sym
        self.meanHessian = h
        self.hessianCovariance = sigmaH
        self.sharpness = a
        self.nonUniformity = Swift.max(0, SymmetricEigen(sigmaH).values.last ?? 0).squareRoot()
        self.hessianEigenvalues = eig.values
        self.reducedDimension = r
        self.basis = basis
        self.kept = keep.map { eig.values[$0] }
        self.closedFormApplies = keep.allSatisfy { eig.values[$0] > 0 }
        self.rotated = rotated
        self.denseP = denseP
        self.rotatedSecondMoment = second.symmetrized
    }

    /// Stability at `x` from an objective's exact per-sample Hessians.
    public init<F: SampleHessianObjective>(_ f: F, at x: [Double]) throws {
        try self.init(sampleHessians: f.sampleHessians(at: x))
    }

    /// Stability at `x` from per-sample Hessians by central differences of per-sample gradients
    /// (``FiniteSumObjective/finiteDifferenceSampleHessians(at:)``).
    public init<F: FiniteSumObjective>(finiteDifferencesOf f: F, at x: [Double]) throws {
        try self.init(sampleHessians: f.finiteDifferenceSampleHessians(at: x))
    }

    // MARK: configuration checks

    /// `c` for batch size `b`. Throws ``ConfigurationError`` for `b < 1`, `b > n` without
    /// replacement, or reshuffling (its steps are dependent, so `T` does not describe one step).
    public func covarianceFactor(batchSize b: Int, sampling: Sampling) throws -> Double {
        guard b >= 1 else { throw ConfigurationError(field: "batchSize", "must be at least 1, got \(b)") }
        switch sampling {
        case .reshuffling:
            throw ConfigurationError(field: "sampling",
                "reshuffled batches are dependent across steps, so one-step mean-square stability does not apply; use with-replacement or without-replacement")
        case .withoutReplacement where b > sampleCount:
            throw ConfigurationError(field: "batchSize",
                "without replacement the batch size must be at most n = \(sampleCount), got \(b)")
        default:
            return sampling.covarianceFactor(batchSize: b, sampleCount: sampleCount)
        }
    }

    static func checkRate(_ eta: Double) throws {
        guard eta > 0, eta.isFinite else {
            throw ConfigurationError(field: "learningRate", "must be a positive finite number, got \(eta)")
        }
    }

    // MARK: operators

    /// `E[H_B²] = H² + c Σ_H`.
    public func batchHessianSecondMoment(batchSize b: Int, sampling: Sampling) throws -> Matrix {
        let c = try covarianceFactor(batchSize: b, sampling: sampling)
        return (meanHessian * meanHessian + c * hessianCovariance).symmetrized
    }

    /// `T(M) = E[(I − ηH_B) M (I − ηH_B)]` in the original coordinates (`O(n d³)`).
    public func secondMomentStep(_ m: Matrix, learningRate eta: Double, batchSize b: Int, sampling: Sampling) throws -> Matrix {
        try Self.checkRate(eta)
        precondition(m.rows == dimension && m.columns == dimension, "secondMomentStep: M must be d × d")
        let c = try covarianceFactor(batchSize: b, sampling: sampling)
        let h = meanHessian
        var p = Matrix(rows: dimension, columns: dimension)
        for hi in sampleHessians { p = p + hi * m * hi }
        let q = (c / Double(sampleCount)) * p + (1 - c) * (h * m * h)
        return m - eta * (h * m + m * h) + (eta * eta) * q
    }

    /// `T` as a `d² × d²` matrix (row-major vec, `[(i,j),(k,l)]`):
    /// `I − η(H⊗I + I⊗H) + η² (c P + (1−c) H⊗H)`, `P = (1/n)ΣHᵢ⊗Hᵢ`. Throws for `d > 32`.
    public func meanSquareOperator(learningRate eta: Double, batchSize b: Int, sampling: Sampling) throws -> Matrix {
        try Self.checkRate(eta)
        guard dimension <= 32 else {
            throw ConfigurationError(field: "dimension", "the dense d² × d² operator is built only for d ≤ 32, got d = \(dimension); use spectralRadius")
        }
        let c = try covarianceFactor(batchSize: b, sampling: sampling)
        let d = dimension, id = Matrix.identity(d), h = meanHessian
        var p = Matrix(rows: d * d, columns: d * d)
        for hi in sampleHessians { p = p + Matrix.kronecker(hi, hi) }
        let q = (c / Double(sampleCount)) * p + (1 - c) * Matrix.kronecker(h, h)
        return Matrix.identity(d * d) - eta * (Matrix.kronecker(h, id) + Matrix.kronecker(id, h)) + (eta * eta) * q
    }

    /// `Q̃(M) = c (1/n)Σ H̃ᵢ M H̃ᵢ + (1 − c) Λ M Λ` on `r × r` matrices (flat, row-major).
    func applyQ(_ m: [Double], c: Double, into out: inout [Double]) {
        let r = reducedDimension, rr = r * r, n = sampleCount
        for p in 0..<rr { out[p] = 0 }
        if let dp = denseP {
            dp.withUnsafeBufferPointer { pp in
                for row in 0..<rr {
                    var s = 0.0
                    let o = row * rr
                    for col in 0..<rr { s += pp[o + col] * m[col] }
                    out[row] = c * s
                }
            }
        } else {
            var t = [Double](repeating: 0, count: rr)
            let w = c / Double(n)
            rotated.withUnsafeBufferPointer { rt in
                for s in 0..<n {
                    let o = s * rr
                    // t = H̃ M, out += w t H̃
                    for i in 0..<r { for j in 0..<r {
                        var acc = 0.0
                        for k in 0..<r { acc += rt[o + i * r + k] * m[k * r + j] }
                        t[i * r + j] = acc
                    } }
                    for i in 0..<r { for j in 0..<r {
                        var acc = 0.0
                        for k in 0..<r { acc += t[i * r + k] * rt[o + k * r + j] }
                        out[i * r + j] += w * acc
                    } }
                }
            }
        }
        for i in 0..<r { for j in 0..<r { out[i * r + j] += (1 - c) * kept[i] * kept[j] * m[i * r + j] } }
    }

    /// `T̃(M)` on the kept space.
    func applyT(_ m: [Double], eta: Double, c: Double, into out: inout [Double]) {
        applyQ(m, c: c, into: &out)
        let r = reducedDimension
        for i in 0..<r { for j in 0..<r {
            let p = i * r + j
            out[p] = m[p] - eta * (kept[i] + kept[j]) * m[p] + eta * eta * out[p]
        } }
    }

    /// Largest and smallest eigenvalue of a symmetric operator on `r × r` matrices.
    func extremes(_ apply: (_ v: [Double], _ out: inout [Double]) -> Void) -> (largest: Double, smallest: Double) {
        let rr = reducedDimension * reducedDimension
        if rr <= 100 {
            var a = Matrix(rows: rr, columns: rr)
            var e = [Double](repeating: 0, count: rr), col = e
            for j in 0..<rr {
                e[j] = 1
                apply(e, &col)
                e[j] = 0
                for i in 0..<rr { a[i, j] = col[i] }
            }
            let v = SymmetricEigen(a.symmetrized).values
            return (v.last!, v.first!)
        }
        return Lanczos.extremeEigenvalues(dimension: rr, steps: Swift.min(lanczosSteps, rr), apply: apply)
    }

    // MARK: criteria

    /// `ρ(T)` on the kept space (the neutral null space adds the eigenvalue 1, and mixed terms
    /// `|1 − ηλ|`, which never decide the threshold). `SGD` is mean-square stable iff `ρ(T) ≤ 1`.
    public func spectralRadius(learningRate eta: Double, batchSize b: Int, sampling: Sampling) throws -> Double {
        try Self.checkRate(eta)
        let c = try covarianceFactor(batchSize: b, sampling: sampling)
        let e = extremes { v, out in applyT(v, eta: eta, c: c, into: &out) }
        return Swift.max(Swift.abs(e.largest), Swift.abs(e.smallest))
    }

    /// `λ_max{(I − ηH)² + η² c Σ_H}` on the kept space; the `λ_max` criterion asks for `≤ 1`.
    public func lambdaMaxCriterion(learningRate eta: Double, batchSize b: Int, sampling: Sampling) throws -> Double {
        try Self.checkRate(eta)
        let c = try covarianceFactor(batchSize: b, sampling: sampling)
        let q = lambdaMaxMatrix(eta: eta, c: c)
        return SymmetricEigen(q).values.last!
    }

    /// `I − 2ηΛ + η² E[H̃_B²]` on the kept space.
    func lambdaMaxMatrix(eta: Double, c: Double) -> Matrix {
        let r = reducedDimension
        var q = Matrix(rows: r, columns: r)
        for i in 0..<r { for j in 0..<r {
            let eb = c * rotatedSecondMoment[i, j] + (i == j ? (1 - c) * kept[i] * kept[i] : 0)
            q[i, j] = (i == j ? 1 - 2 * eta * kept[i] : 0) + eta * eta * eb
        } }
        return q
    }

    /// The largest stable learning rate for batch size `b`: the closed forms of the type's
    /// documentation when they apply, bisection otherwise. 0 when no `η > 0` is stable (a negative
    /// curvature direction).
    public func criticalLearningRate(batchSize b: Int, sampling: Sampling, criterion: Criterion = .exact) throws -> Double {
        let c = try covarianceFactor(batchSize: b, sampling: sampling)
        guard closedFormApplies else {
            return try bisectionCriticalLearningRate(batchSize: b, sampling: sampling, criterion: criterion)
        }
        let r = reducedDimension
        switch criterion {
        case .exact:
            // 1/λ_max(D Q̃ D), D = diag(1/√(λᵢ + λⱼ)).
            var dscale = [Double](repeating: 0, count: r * r)
            for i in 0..<r { for j in 0..<r { dscale[i * r + j] = 1 / (kept[i] + kept[j]).squareRoot() } }
            var tmp = dscale
            let e = extremes { v, out in
                for p in 0..<(r * r) { tmp[p] = dscale[p] * v[p] }
                applyQ(tmp, c: c, into: &out)
                for p in 0..<(r * r) { out[p] *= dscale[p] }
            }
            return 1 / e.largest
        case .lambdaMax:
            var m = Matrix(rows: r, columns: r)
            for i in 0..<r { for j in 0..<r {
                let eb = c * rotatedSecondMoment[i, j] + (i == j ? (1 - c) * kept[i] * kept[i] : 0)
                m[i, j] = eb / (kept[i] * kept[j]).squareRoot()
            } }
            return 2 / SymmetricEigen(m.symmetrized).values.last!
        }
    }

    /// The largest `η` with `ρ(T(η)) ≤ 1` (or the `λ_max` criterion `≤ 1`) by bisection on `(0, 2/a]`,
    /// stopping when the bracket is below `tolerance` relative. Both criteria fail for `η > 2/a`, and
    /// the stable set is an interval because `η ↦ λ_max(ηQ − L)` is convex.
    public func bisectionCriticalLearningRate(batchSize b: Int, sampling: Sampling, criterion: Criterion = .exact,
                                              tolerance: Double = 1e-14) throws -> Double {
        let c = try covarianceFactor(batchSize: b, sampling: sampling)
        func stable(_ eta: Double) -> Bool {
            switch criterion {
            case .exact:
                let e = extremes { v, out in applyT(v, eta: eta, c: c, into: &out) }
                return Swift.max(Swift.abs(e.largest), Swift.abs(e.smallest)) <= 1
            case .lambdaMax:
                return SymmetricEigen(lambdaMaxMatrix(eta: eta, c: c)).values.last! <= 1
            }
        }
        var lo = 0.0, hi = 2 / sharpness
        if stable(hi) { return hi }
        for _ in 0..<200 {
            if hi - lo <= tolerance * hi { break }
            let mid = 0.5 * (lo + hi)
            if stable(mid) { lo = mid } else { hi = mid }
        }
        return 0.5 * (lo + hi)
    }

    /// The 1-D closed form `η* = 2a / E[H_B²] = 2a / (a² + c s²)` (docs/THEORY.md §10.2). Throws unless `d = 1`.
    public func oneDimensionalCriticalLearningRate(batchSize b: Int, sampling: Sampling) throws -> Double {
        guard dimension == 1 else {
            throw ConfigurationError(field: "dimension", "the closed form η* = 2a/(a² + c s²) is for d = 1, got d = \(dimension)")
        }
        let c = try covarianceFactor(batchSize: b, sampling: sampling)
        let a = meanHessian[0, 0]
        return 2 * a / (a * a + c * hessianCovariance[0, 0])
    }

    /// Critical learning rates for each batch size, with and without replacement (the latter only for
    /// `b ≤ n`).
    public func table(batchSizes: [Int]) throws -> [Row] {
        var rows: [Row] = []
        for b in batchSizes {
            for s in [Sampling.withReplacement, .withoutReplacement] where s == .withReplacement || b <= sampleCount {
                rows.append(Row(batchSize: b, sampling: s, covarianceFactor: try covarianceFactor(batchSize: b, sampling: s),
                                exact: try criticalLearningRate(batchSize: b, sampling: s, criterion: .exact),
                                lambdaMax: try criticalLearningRate(batchSize: b, sampling: s, criterion: .lambdaMax),
                                gradientDescentLimit: 2 / sharpness))
            }
        }
        return rows
    }

    // MARK: ensemble check

    /// Linearised SGD `e_{k+1} = (I − ηH_{B_k}) e_k` on `paths` independent paths for `steps` steps from
    /// the same `e₀` (default: a unit vector drawn from the seed), at each learning rate: the sampled
    /// `E‖e_K‖²` against the exact `tr T^K(e₀e₀ᵀ)`, growth rates and the fraction of paths that grew
    /// by more than `divergenceFactor`. Batches are drawn like ``MinibatchGradient`` (counter-based,
    /// path `p`, step `k`).
    public func ensemble(learningRates: [Double], batchSize b: Int, sampling: Sampling, paths: Int = 1000,
                         steps: Int = 100, start: [Double]? = nil, divergenceFactor: Double = 1e6,
                         seed: UInt64 = 0) throws -> [EnsembleRow] {
        let c = try covarianceFactor(batchSize: b, sampling: sampling)
        for eta in learningRates { try Self.checkRate(eta) }
        guard paths >= 2 else { throw ConfigurationError(field: "paths", "must be at least 2, got \(paths)") }
        guard steps >= 1 else { throw ConfigurationError(field: "steps", "must be at least 1, got \(steps)") }
        guard divergenceFactor > 1 else {
            throw ConfigurationError(field: "divergenceFactor", "must exceed 1, got \(divergenceFactor)")
        }
        let d = dimension, n = sampleCount, r = reducedDimension
        var e0: [Double]
        if let start {
            guard start.count == d, Vec.norm(start) > 0 else {
                throw ConfigurationError(field: "start", "must be a non-zero vector of length d = \(d)")
            }
            e0 = start
        } else {
            e0 = [Double](repeating: 0, count: d)
            CounterRNG(seed: seed, stream: RandomStream.initial).fillGaussian(&e0, path: 0, step: 0)
            let nn = Vec.norm(e0)
            e0 = e0.map { $0 / nn }
        }
        let e0sq = Vec.dot(e0, e0)
        // Exact: kept part by T̃, the neutral part keeps its norm.
        let et = basis.transposed * e0
        let neutral = Swift.max(0, e0sq - Vec.dot(et, et))
        let rng = CounterRNG(seed: seed).withStream(RandomStream.batches)
        var rows: [EnsembleRow] = []
        var indices = [Int](repeating: 0, count: b), pool = Array(0..<n)
        var e = e0, hb = e0
        for eta in learningRates {
            var m = Matrix.outer(et, et).storage, next = m
            for _ in 0..<steps { applyT(m, eta: eta, c: c, into: &next); swap(&m, &next) }
            var exact = neutral
            for i in 0..<r { exact += m[i * r + i] }
            var mean = 0.0, m2 = 0.0, lmean = 0.0, lm2 = 0.0, diverged = 0
            for p in 0..<paths {
                for j in 0..<d { e[j] = e0[j] }
                for k in 0..<steps {
                    switch sampling {
                    case .withoutReplacement:
                        for j in 0..<b {
                            let t = j + rng.index(n - j, path: p, step: k, component: j)
                            pool.swapAt(j, t); indices[j] = t
                        }
                        for j in stride(from: b - 1, through: 0, by: -1) {
                            let t = indices[j], chosen = pool[j]
                            pool.swapAt(j, t); indices[j] = chosen
                        }
                    default:
                        for j in 0..<b { indices[j] = rng.index(n, path: p, step: k, component: j) }
                    }
                    for j in 0..<d { hb[j] = 0 }
                    for q in indices {
                        let hq = sampleHessians[q]
                        hq.storage.withUnsafeBufferPointer { hs in
                            for i in 0..<d {
                                var s = 0.0
                                for j in 0..<d { s += hs[i * d + j] * e[j] }
                                hb[i] += s
                            }
                        }
                    }
                    let w = eta / Double(b)
                    for j in 0..<d { e[j] -= w * hb[j] }
                }
                let sq = Vec.dot(e, e)
                if !sq.isFinite || sq > divergenceFactor * divergenceFactor * e0sq { diverged += 1 }
                let delta = sq - mean
                mean += delta / Double(p + 1)
                m2 += delta * (sq - mean)
                let lg = Foundation.log(sq / e0sq) / Double(steps)
                let ld = lg - lmean
                lmean += ld / Double(p + 1)
                lm2 += ld * (lg - lmean)
            }
            let fp = Double(paths)
            let rho = try spectralRadius(learningRate: eta, batchSize: b, sampling: sampling)
            rows.append(EnsembleRow(
                learningRate: eta, spectralRadius: rho, predictedStable: rho <= 1, meanSquare: mean,
                standardError: (m2 / (fp - 1) / fp).squareRoot(), exactMeanSquare: exact,
                measuredGrowthPerStep: Foundation.pow(mean / e0sq, 1 / Double(steps)),
                meanLogGrowthPerStep: lmean, meanLogGrowthStandardError: (lm2 / (fp - 1) / fp).squareRoot(),
                fractionDiverged: Double(diverged) / fp, paths: paths, steps: steps))
        }
        return rows
    }
}
