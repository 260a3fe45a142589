import Foundation

/// Exact first and second moments (no Monte Carlo) of minibatch SGD on least squares and of its SME-1
/// (docs/THEORY.md §2.3, §6.5, §10.2), `m = E w`, `M = E[w wᵀ]`:
///
///     w' = (I − ηH_B) w + η c_B,   H_B = mean_{i∈B} xᵢxᵢᵀ,   c_B = mean_{i∈B} xᵢyᵢ,   B ⊥ w
///     m' = (I − ηH̄) m + η c̄
///     M' = E[(I−ηH_B) M (I−ηH_B)] + η E[(I−ηH_B) m c_Bᵀ + c_B mᵀ (I−ηH_B)] + η² E[c_B c_Bᵀ]
///
/// **Batch expectations.** For a bilinear `φ` and per-sample `Xᵢ, Yᵢ`, with `P = (1/n)Σᵢ φ(Xᵢ, Yᵢ)` and
/// `Q = φ(X̄, Ȳ)`, splitting `(1/b²)Σ_{r,s}` over equal and distinct slots gives
///
///     E φ(X_B, Y_B) = c P + (1 − c) Q,   c = 1/b (with replacement),  c = (n−b)/(b(n−1)) (without)
///
/// (without replacement a distinct pair has mean `(nQ − P)/(n−1)`); `c` is
/// ``Sampling/covarianceFactor(batchSize:sampleCount:)``. So, e.g.,
/// `E[H_B M H_B] = c (1/n)Σᵢ HᵢMHᵢ + (1−c) H̄MH̄`. These need only the per-sample moment tensors
///
///     F = (1/n)Σᵢ vec(Hᵢ) vec(Hᵢ)ᵀ (d²×d²),   G = (1/n)Σᵢ yᵢ vec(Hᵢ) xᵢᵀ (d²×d),   K = (1/n)Σᵢ yᵢ² Hᵢ
///
/// computed once in `O(n d⁴)`; a step then costs `O(d⁴)` and never touches the samples.
/// ``BatchExpectation/enumeration`` instead averages over every batch (`nᵇ` ordered tuples or `C(n, b)`
/// subsets), the independent check. Random reshuffling is refused: its batches are dependent across
/// steps, so `(m, M)` is not closed under one step.
///
/// **Noise covariance.** With `rᵢ = xᵢᵀθ − yᵢ`, `ḡ = H̄θ − c̄`, `Σ(θ) = (1/n)Σᵢ rᵢ² xᵢxᵢᵀ − ḡḡᵀ` is a
/// quadratic polynomial in `θ`: `unvec(F vec θθᵀ) − 2 unvec(G θ) + K − ḡḡᵀ`, `O(d⁴)`.
///
/// **SME-1.** `dθ = −(H̄θ − c̄) dt + (η c Σ(θ))^{1/2} dW`, `t = kη`. Its moments are closed:
///
///     ṁ = −H̄m + c̄
///     Ṁ = −H̄M − MH̄ + c̄mᵀ + mc̄ᵀ + ηc E Σ(θ),
///     E Σ(θ) = unvec(F vec M) − 2 unvec(G m) + K − H̄MH̄ + H̄mc̄ᵀ + c̄mᵀH̄ − c̄c̄ᵀ
///
/// a linear ODE in `u = (1, m, vec M) ∈ R^{1+d+d²}` solved by one matrix exponential,
/// `O((d²)³)`: instant for `d ≤ 10`, about 10¹⁰ flops at `d = 30` (the intended limit).
///
/// **Mean-square stability (docs/THEORY.md §10.2).** `T(M) = E[(I−ηH_B) M (I−ηH_B)]` is a symmetric
/// `d² × d²` matrix; the second moments converge iff `ρ(T) < 1`.
public struct LeastSquaresMoments: Sendable {
    /// Exact first and second moments `m = E w`, `M = E[w wᵀ]` (the law itself is not Gaussian).
    public struct Moments: Sendable, Equatable {
        public var mean: [Double]
        public var secondMoment: Matrix

        public init(mean: [Double], secondMoment: Matrix) {
            precondition(secondMoment.rows == mean.count && secondMoment.columns == mean.count,
                         "Moments: second moment must be \(mean.count) × \(mean.count)")
            self.mean = mean
            self.secondMoment = secondMoment
        }

        /// A deterministic start `w₀`: `m = w₀`, `M = w₀w₀ᵀ`.
        public init(point w: [Double]) { self.init(mean: w, secondMoment: Matrix.outer(w, w)) }

        /// `M − m mᵀ`.
        public var covariance: Matrix { (secondMoment - Matrix.outer(mean, mean)).symmetrized }
    }

    /// How the expectations over the batch `B` are computed.
    public enum BatchExpectation: String, Sendable, CaseIterable {
        /// The `c P + (1−c) Q` formulas from per-sample moment tensors.
        case closedForm = "closed-form"
        /// Average over every possible batch (small `n` only; a cross-check).
        case enumeration = "enumeration"
    }

    /// Largest number of batches ``BatchExpectation/enumeration`` will visit.
    public static let enumerationLimit = 1_000_000

    public let objective: LeastSquares
    public let learningRate: Double
    public let batchSize: Int
    public let sampling: Sampling
    public let batchExpectation: BatchExpectation
    /// `c` in `Cov g_B = c Σ`: `1/b` with replacement, `(n−b)/(b(n−1))` without.
    public let covarianceFactor: Double

    // Per-sample moment tensors (row-major vec, index i·d + j).
    /// `F[(i,j),(k,l)] = (1/n)Σ xᵢxⱼxₖxₗ`.
    let fourth: Matrix
    /// `G[(i,j),k] = (1/n)Σ y xᵢxⱼxₖ`.
    let third: Matrix
    /// `K = (1/n)Σ y² x xᵀ`.
    let targetWeighted: Matrix
    /// `(1/n)Σ y²`.
    let meanSquaredTarget: Double
    // Batch moments.
    /// `E[H_B ⊗ H_B]`, `[(i,j),(k,l)] = E[(H_B)_{ik} (H_B)_{jl}]`.
    let batchHH: Matrix
    /// `[(i,k), j] = E[(H_B)_{ik} (c_B)_j]`.
    let batchHc: Matrix
    /// `E[c_B c_Bᵀ]`.
    let batchCC: Matrix

    /// Moments of SGD on `objective` at learning rate `η` with batches of `b` samples.
    ///
    /// Throws ``ConfigurationError`` for `η ≤ 0`, `b < 1`, `b > n` without replacement, reshuffling,
    /// or an enumeration of more than ``enumerationLimit`` batches.
    public init(_ objective: LeastSquares, learningRate: Double, batchSize: Int,
                sampling: Sampling = .withReplacement, batchExpectation: BatchExpectation = .closedForm) throws {
        let n = objective.sampleCount, d = objective.dimension
        guard learningRate > 0, learningRate.isFinite else {
            throw ConfigurationError(field: "learningRate", "must be a positive finite number, got \(learningRate)")
        }
        guard batchSize >= 1 else {
            throw ConfigurationError(field: "batchSize", "must be at least 1, got \(batchSize)")
        }
        switch sampling {
        case .reshuffling:
            throw ConfigurationError(field: "sampling",
                "reshuffling makes successive batches dependent, so (m, M) does not close under one step; "
                    + "use with-replacement or without-replacement")
        case .withoutReplacement where batchSize > n:
            throw ConfigurationError(field: "batchSize",
                "without replacement the batch size must be at most n = \(n), got \(batchSize)")
        default: break
        }
        if batchExpectation == .enumeration {
            let count = sampling == .withReplacement
                ? Self.power(n, batchSize) : Self.binomial(n, batchSize)
            guard let count, count <= Self.enumerationLimit else {
                throw ConfigurationError(field: "batchExpectation",
                    "enumeration would visit more than \(Self.enumerationLimit) batches (n = \(n), b = \(batchSize)); "
                        + "use closed-form")
            }
        }
        self.objective = objective
        self.learningRate = learningRate
        self.batchSize = batchSize
        self.sampling = sampling
        self.batchExpectation = batchExpectation
        let c = sampling.covarianceFactor(batchSize: batchSize, sampleCount: n)
        self.covarianceFactor = c

        // Per-sample tensors.
        let dd = d * d
        var f = Matrix(rows: dd, columns: dd)
        var g = Matrix(rows: dd, columns: d)
        var k = Matrix(rows: d, columns: d)
        var y2 = 0.0
        var h = [Double](repeating: 0, count: dd)
        let a = objective.design, y = objective.targets
        for s in 0..<n {
            let row = s * d
            for i in 0..<d { for j in 0..<d { h[i * d + j] = a.storage[row + i] * a.storage[row + j] } }
            f.storage.withUnsafeMutableBufferPointer { fp in
                for p in 0..<dd {
                    let hp = h[p]
                    if hp == 0 { continue }
                    for q in p..<dd { fp[p * dd + q] += hp * h[q] }
                }
            }
            let ys = y[s]
            for p in 0..<dd { for q in 0..<d { g.storage[p * d + q] += ys * h[p] * a.storage[row + q] } }
            for p in 0..<dd { k.storage[p] += ys * ys * h[p] }
            y2 += ys * ys
        }
        let inv = 1 / Double(n)
        for p in 0..<dd { for q in p..<dd { f.storage[p * dd + q] *= inv; f.storage[q * dd + p] = f.storage[p * dd + q] } }
        for p in 0..<(dd * d) { g.storage[p] *= inv }
        for p in 0..<dd { k.storage[p] *= inv }
        self.fourth = f
        self.third = g
        self.targetWeighted = k
        self.meanSquaredTarget = y2 * inv

        // Batch moments.
        let hbar = objective.meanHessian, cbar = objective.meanCrossTerm
        switch batchExpectation {
        case .closedForm:
            batchHH = c * f + (1 - c) * Matrix.kronecker(hbar, hbar)
            var hc = Matrix(rows: dd, columns: d)
            for i in 0..<d { for kk in 0..<d { for j in 0..<d {
                hc[i * d + kk, j] = c * g[i * d + kk, j] + (1 - c) * hbar[i, kk] * cbar[j]
            } } }
            batchHc = hc
            batchCC = c * k + (1 - c) * Matrix.outer(cbar, cbar)
        case .enumeration:
            (batchHH, batchHc, batchCC) = Self.enumerateBatches(objective, batchSize: batchSize, sampling: sampling)
        }
    }

    public var dimension: Int { objective.dimension }

    // MARK: noise

    /// The one-sample gradient-noise covariance at `θ` (docs/THEORY.md §2.1), from the moment tensors in
    /// `O(d⁴)`: `Σ(θ) = (1/n)Σᵢ rᵢ² xᵢxᵢᵀ − ḡḡᵀ`. The minibatch covariance is `c Σ(θ)`.
    public func noiseCovariance(at theta: [Double]) -> Matrix {
        let d = dimension
        precondition(theta.count == d, "noiseCovariance: θ has the wrong dimension")
        let tt = Matrix.outer(theta, theta)
        let ft = fourth * tt.storage
        let gt = third * theta
        var grad = [Double](repeating: 0, count: d)
        objective.gradient(theta, into: &grad)
        var s = Matrix(rows: d, columns: d)
        for p in 0..<(d * d) { s.storage[p] = ft[p] - 2 * gt[p] + targetWeighted.storage[p] }
        for i in 0..<d { for j in 0..<d { s[i, j] -= grad[i] * grad[j] } }
        return s.symmetrized
    }

    // MARK: SGD recursion

    /// One exact step of the moment recursion (docs/THEORY.md §6.5).
    public func step(_ law: Moments) -> Moments {
        let d = dimension, eta = learningRate
        precondition(law.mean.count == d, "LeastSquaresMoments: law has the wrong dimension")
        let hbar = objective.meanHessian, cbar = objective.meanCrossTerm
        let m = law.mean, mm = law.secondMoment
        var mean = hbar * m
        for i in 0..<d { mean[i] = m[i] - eta * (mean[i] - cbar[i]) }
        let hm = hbar * mm
        let quad = batchHH * mm.storage
        var out = Matrix(rows: d, columns: d)
        for i in 0..<d {
            for j in 0..<d {
                // P_ij = Σ_k E[(H_B)_ik (c_B)_j] m_k
                var pij = 0.0, pji = 0.0
                for k in 0..<d {
                    pij += batchHc[i * d + k, j] * m[k]
                    pji += batchHc[j * d + k, i] * m[k]
                }
                out[i, j] = mm[i, j] - eta * (hm[i, j] + hm[j, i]) + eta * eta * quad[i * d + j]
                    + eta * (m[i] * cbar[j] + cbar[i] * m[j]) - eta * eta * (pij + pji)
                    + eta * eta * batchCC[i, j]
            }
        }
        return Moments(mean: mean, secondMoment: out.symmetrized)
    }

    /// `(m_k, M_k)` for `k = 0…steps` from the deterministic `w₀`.
    public func sgd(from w0: [Double], steps: Int) -> [Moments] {
        precondition(steps >= 0, "LeastSquaresMoments: steps must be non-negative")
        var law = Moments(point: w0)
        var out = [law]
        out.reserveCapacity(steps + 1)
        for _ in 0..<steps { law = step(law); out.append(law) }
        return out
    }

    /// The mean-square operator `T(M) = E[(I−ηH_B) M (I−ηH_B)]` as a symmetric `d² × d²` matrix
    /// (row-major vec): `I − η(H̄⊗I + I⊗H̄) + η² E[H_B⊗H_B]`.
    public var meanSquareOperator: Matrix {
        let d = dimension, eta = learningRate
        let id = Matrix.identity(d), hbar = objective.meanHessian
        return Matrix.identity(d * d) - eta * (Matrix.kronecker(hbar, id) + Matrix.kronecker(id, hbar))
            + (eta * eta) * batchHH
    }

    /// `ρ(T)`: SGD is mean-square stable iff `ρ(T) < 1` (docs/THEORY.md §10.2). In 1-D,
    /// `ρ = 1 − 2ηa + η² E[H_B²]`.
    public var meanSquareSpectralRadius: Double {
        SymmetricEigen(meanSquareOperator).values.reduce(0) { Swift.max($0, Swift.abs($1)) }
    }

    public var isMeanSquareStable: Bool { meanSquareSpectralRadius < 1 }

    /// The stationary moments, the fixed point of the affine moment map: `H̄ m* = c̄` and
    /// `(I − T) vec M* = vec R`, `R` the second moment one step after `(m*, 0)`. Throws
    /// ``LinearAlgebraError/noConvergence(_:)`` when `ρ(T) ≥ 1` (unstable).
    public func stationaryMoments() throws -> Moments {
        let t = meanSquareOperator
        let rho = SymmetricEigen(t).values.reduce(0) { Swift.max($0, Swift.abs($1)) }
        guard rho < 1 - 1e-12 else {
            throw LinearAlgebraError.noConvergence(
                "least-squares SGD is mean-square unstable at η = \(learningRate), b = \(batchSize) "
                    + "(ρ(T) = \(rho), need < 1); no stationary moments")
        }
        let d = dimension
        let mStar = try objective.meanHessian.solve(objective.meanCrossTerm)
        let r = step(Moments(mean: mStar, secondMoment: Matrix(rows: d, columns: d))).secondMoment
        let system = Matrix.identity(d * d) - t
        let vecM = try system.solve(r.storage)
        return Moments(mean: mStar, secondMoment: Matrix(rows: d, columns: d, storage: vecM).symmetrized)
    }

    // MARK: SME-1

    /// The generator `𝒢` of `u̇ = 𝒢 u`, `u = (1, m, vec M)` (see the type's documentation).
    var sme1Generator: Matrix {
        let d = dimension, dd = d * d, nu = 1 + d + dd
        let hbar = objective.meanHessian, cbar = objective.meanCrossTerm
        let s = learningRate * covarianceFactor
        var g = Matrix(rows: nu, columns: nu)
        for i in 0..<d {
            g[1 + i, 0] = cbar[i]
            for k in 0..<d { g[1 + i, 1 + k] = -hbar[i, k] }
        }
        for i in 0..<d {
            for j in 0..<d {
                let r = 1 + d + i * d + j
                g[r, 0] = s * (targetWeighted[i, j] - cbar[i] * cbar[j])
                g[r, 1 + i] += cbar[j]
                g[r, 1 + j] += cbar[i]
                for k in 0..<d {
                    g[r, 1 + k] += s * (-2 * third[i * d + j, k] + hbar[i, k] * cbar[j] + cbar[i] * hbar[k, j])
                    g[r, 1 + d + k * d + j] -= hbar[i, k]
                    g[r, 1 + d + i * d + k] -= hbar[k, j]
                }
                for k in 0..<d { for l in 0..<d {
                    g[r, 1 + d + k * d + l] += s * (fourth[i * d + j, k * d + l] - hbar[i, k] * hbar[j, l])
                } }
            }
        }
        return g
    }

    /// The SME-1 moments at time `t` from the deterministic `θ₀`: `u(t) = e^{𝒢t} u(0)`.
    public func sme1(from theta0: [Double], at t: Double) -> Moments {
        precondition(t >= 0 && t.isFinite, "LeastSquaresMoments: time must be finite and non-negative")
        return unpack((t * sme1Generator).exponential() * pack(Moments(point: theta0)))
    }

    /// The SME-1 moments at `t = kη`, `k = 0…steps`: `u_{k+1} = e^{𝒢η} u_k`.
    public func sme1(from theta0: [Double], steps: Int) -> [Moments] {
        precondition(steps >= 0, "LeastSquaresMoments: steps must be non-negative")
        let e = (learningRate * sme1Generator).exponential()
        var u = pack(Moments(point: theta0))
        var out = [unpack(u)]
        out.reserveCapacity(steps + 1)
        for _ in 0..<steps { u = e * u; out.append(unpack(u)) }
        return out
    }

    // MARK: test functions

    /// `E g(w)` from two moments, exactly: `E f = ½ tr(H̄M) − c̄ᵀm + ½ mean(y²)`, `E wᵢ = mᵢ`,
    /// `E‖w‖² = tr M`. Nil for ``TestFunction/fourthPower(_:)``, which needs fourth moments.
    public func expectation(of test: TestFunction, under law: Moments) -> Double? {
        let d = dimension
        precondition(law.mean.count == d, "LeastSquaresMoments: law has the wrong dimension")
        switch test {
        case .objective:
            var s = 0.5 * meanSquaredTarget
            for i in 0..<d {
                s -= objective.meanCrossTerm[i] * law.mean[i]
                for j in 0..<d { s += 0.5 * objective.meanHessian[i, j] * law.secondMoment[j, i] }
            }
            return s
        case let .coordinate(i):
            precondition(i >= 0 && i < d, "TestFunction: coordinate \(i) out of range 0..<\(d)")
            return law.mean[i]
        case .squaredNorm:
            return law.secondMoment.trace
        case .fourthPower:
            return nil
        }
    }

    // MARK: helpers

    func pack(_ law: Moments) -> [Double] { [1] + law.mean + law.secondMoment.storage }

    func unpack(_ u: [Double]) -> Moments {
        let d = dimension
        return Moments(mean: Array(u[1...d]),
                       secondMoment: Matrix(rows: d, columns: d, storage: Array(u[(1 + d)...])).symmetrized)
    }

    /// Exact batch moments by visiting every batch: all `nᵇ` ordered tuples (with replacement, each
    /// with probability `n⁻ᵇ`) or all `C(n, b)` subsets (without, each equally likely).
    static func enumerateBatches(_ f: LeastSquares, batchSize b: Int, sampling: Sampling)
        -> (Matrix, Matrix, Matrix)
    {
        let n = f.sampleCount, d = f.dimension, dd = d * d
        var hh = Matrix(rows: dd, columns: dd)
        var hc = Matrix(rows: dd, columns: d)
        var cc = Matrix(rows: d, columns: d)
        var idx: [Int] = sampling == .withReplacement ? Array(repeating: 0, count: b) : Array(0..<b)
        var count = 0
        var hb = [Double](repeating: 0, count: dd)
        var cb = [Double](repeating: 0, count: d)
        let a = f.design
        while true {
            for p in 0..<dd { hb[p] = 0 }
            for p in 0..<d { cb[p] = 0 }
            for s in idx {
                let row = s * d
                for i in 0..<d {
                    cb[i] += a.storage[row + i] * f.targets[s] / Double(b)
                    for j in 0..<d { hb[i * d + j] += a.storage[row + i] * a.storage[row + j] / Double(b) }
                }
            }
            // E[H_ik H_jl] at [(i,j),(k,l)].
            for i in 0..<d { for j in 0..<d { for k in 0..<d { for l in 0..<d {
                hh[i * d + j, k * d + l] += hb[i * d + k] * hb[j * d + l]
            } } } }
            for p in 0..<dd { for j in 0..<d { hc[p, j] += hb[p] * cb[j] } }
            for i in 0..<d { for j in 0..<d { cc[i, j] += cb[i] * cb[j] } }
            count += 1
            // Next tuple (odometer) or next combination (lexicographic).
            if sampling == .withReplacement {
                var pos = b - 1
                while pos >= 0 && idx[pos] == n - 1 { idx[pos] = 0; pos -= 1 }
                if pos < 0 { break }
                idx[pos] += 1
            } else {
                var pos = b - 1
                while pos >= 0 && idx[pos] == n - b + pos { pos -= 1 }
                if pos < 0 { break }
                idx[pos] += 1
                for q in (pos + 1)..<b { idx[q] = idx[q - 1] + 1 }
            }
        }
        let w = 1 / Double(count)
        return (w * hh, w * hc, w * cc)
    }

    static func power(_ n: Int, _ b: Int) -> Int? {
        var r = 1
        for _ in 0..<b {
            let (p, overflow) = r.multipliedReportingOverflow(by: n)
            if overflow { return nil }
            r = p
        }
        return r
    }

    static func binomial(_ n: Int, _ k: Int) -> Int? {
        guard k >= 0 && k <= n else { return 0 }
        var r = 1
        for i in 0..<Swift.min(k, n - k) {
            let (p, overflow) = r.multipliedReportingOverflow(by: n - i)
            if overflow { return nil }
            r = p / (i + 1)
        }
        return r
    }
}
