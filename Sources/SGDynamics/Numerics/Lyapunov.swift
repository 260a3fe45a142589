import Foundation

/// Dense solvers for the Lyapunov equations that give stationary covariances (docs/THEORY.md §6.2–§6.3):
///
///     continuous:  A S + S Aᵀ = C        (stationary covariance of dX = −A X dt + C^{1/2} dW)
///     discrete:    S = M S Mᵀ + Q        (stationary covariance of x' = M x + ξ, Cov ξ = Q)
///
/// Both are solved as one linear system in `vec S` (row-major, `vec S[i·n + j] = S_ij`):
///
///     (A ⊗ I + I ⊗ A) vec S = vec C,      (I − M ⊗ M) vec S = vec Q
///
/// by LU with partial pivoting. The system has `n²` unknowns, so the cost is `O(n⁶)` time and `O(n⁴)`
/// memory: instant for `n ≤ 10`, about 5·10⁸ flops and 6.5 MB at `n = 30` (the intended limit; use a
/// Bartels–Stewart/Schur method beyond that).
///
/// - Domain: the solution is the stationary covariance, so the dynamics must be stable: every eigenvalue
///   of `A` has positive real part (`−A` Hurwitz), respectively `ρ(M) < 1`. Otherwise the solvers throw
///   ``LinearAlgebraError/noConvergence(_:)`` with a message that says the system is unstable. Under
///   stability the solution is unique, and symmetric (PSD) whenever `C` (`Q`) is.
/// - Reference: Horn & Johnson, *Topics in Matrix Analysis* (1991), §4.4 (Kronecker form of Sylvester
///   and Stein equations).
public enum Lyapunov {
    /// Solve `A S + S Aᵀ = C` for `S`, with `A` stable in the sense `Re λ(A) > 0`.
    ///
    ///     S = ∫₀^∞ e^{−At} C e^{−Aᵀt} dt
    ///
    /// Stability is checked first: from the eigenvalues when `A` is symmetric, otherwise from
    /// `ρ(e^{−τA}) < 1` with `τ = 1/‖A‖_F` (``spectralRadius(_:squarings:)``).
    public static func continuous(A: Matrix, C: Matrix) throws -> Matrix {
        let n = try checkShapes(A, C, names: ("A", "C"))
        if n == 0 { return Matrix(rows: 0, columns: 0) }
        let margin = try continuousStabilityMargin(A)
        guard margin > 0 else {
            throw LinearAlgebraError.noConvergence(
                "continuous Lyapunov equation A S + S Aᵀ = C: A is unstable (an eigenvalue has real part ≤ 0; "
                    + "need Re λ(A) > 0), so there is no stationary covariance")
        }
        let nn = n * n
        var k = Matrix(rows: nn, columns: nn)
        // Row (i, j): Σ_k A_ik S_kj + Σ_l S_il A_jl.
        for i in 0..<n {
            for j in 0..<n {
                let r = (i * n + j) * nn
                for q in 0..<n {
                    k.storage[r + q * n + j] += A[i, q]
                    k.storage[r + i * n + q] += A[j, q]
                }
            }
        }
        return try solveVec(k, C, n: n, equation: "continuous Lyapunov equation A S + S Aᵀ = C")
    }

    /// Solve `S = M S Mᵀ + Q` for `S`, with `ρ(M) < 1`.
    ///
    ///     S = Σ_{k≥0} M^k Q (Mᵀ)^k
    ///
    /// Stability is checked first: from the eigenvalues when `M` is symmetric, otherwise with
    /// ``spectralRadius(_:squarings:)``. Throws when `ρ(M) ≥ 1 − 10⁻¹²`.
    public static func discrete(M: Matrix, Q: Matrix) throws -> Matrix {
        let n = try checkShapes(M, Q, names: ("M", "Q"))
        if n == 0 { return Matrix(rows: 0, columns: 0) }
        let rho = M.isSymmetric(tolerance: 0)
            ? SymmetricEigen(M).values.reduce(0) { Swift.max($0, Swift.abs($1)) }
            : spectralRadius(M)
        guard rho < 1 - 1e-12 else {
            throw LinearAlgebraError.noConvergence(
                "discrete Lyapunov equation S = M S Mᵀ + Q: M is unstable (spectral radius ρ(M) = \(rho); "
                    + "need ρ(M) < 1), so there is no stationary covariance")
        }
        let nn = n * n
        var k = Matrix.identity(nn)
        // Row (i, j): S_ij − Σ_{k,l} M_ik M_jl S_kl.
        for i in 0..<n {
            for j in 0..<n {
                let r = (i * n + j) * nn
                for p in 0..<n {
                    let mip = M[i, p]
                    if mip == 0 { continue }
                    for q in 0..<n { k.storage[r + p * n + q] -= mip * M[j, q] }
                }
            }
        }
        return try solveVec(k, Q, n: n, equation: "discrete Lyapunov equation S = M S Mᵀ + Q")
    }

    /// Spectral radius `ρ(M) = max |λ(M)|` of a general real square matrix, by Gelfand's formula
    /// `ρ(M) = lim_{N→∞} ‖M^N‖^{1/N}` along `N = 2^j`, with the powers normalized at every squaring:
    ///
    ///     B₀ = M/‖M‖,  ℓ_j = log ‖B_j²‖,  B_{j+1} = B_j²/‖B_j²‖,
    ///     log ρ ≈ log ‖M‖ + Σ_{j<J} ℓ_j / 2^{j+1}
    ///
    /// (Frobenius norms). The estimate differs from `log ρ` by `log(c)/2^J`, where `c` bounds the
    /// non-normality of the dominant part (for a Jordan block of size `p`, `c ~ N^{p−1}`); with
    /// `J = 64` squarings the error is at round-off level. Each squaring adds a relative round-off
    /// error of order `ε/2^j` to the estimate. Cost `J n³`. Works for complex and repeated eigenvalues.
    public static func spectralRadius(_ m: Matrix, squarings: Int = 64) -> Double {
        precondition(m.isSquare, "spectralRadius needs a square matrix")
        let norm = m.frobeniusNorm
        if m.rows == 0 || norm == 0 { return 0 }
        guard norm.isFinite else { return .infinity }
        var b = (1 / norm) * m
        var logRho = Foundation.log(norm)
        var weight = 0.5
        for _ in 0..<squarings {
            let b2 = b * b
            let nb = b2.frobeniusNorm
            if nb == 0 { return 0 }   // nilpotent
            logRho += weight * Foundation.log(nb)
            weight *= 0.5
            b = (1 / nb) * b2
        }
        return Foundation.exp(logRho)
    }

    /// `min Re λ(A)` when `A` is symmetric; otherwise a number with the same sign as `min Re λ(A)`,
    /// namely `−log ρ(e^{−τA})/τ`, `τ = 1/‖A‖_F`.
    static func continuousStabilityMargin(_ a: Matrix) throws -> Double {
        if a.isSymmetric(tolerance: 0) { return SymmetricEigen(a).values.first ?? 0 }
        let norm = a.frobeniusNorm
        guard norm > 0 else { return 0 }
        guard norm.isFinite else { throw LinearAlgebraError.shape("A has non-finite entries") }
        let tau = 1 / norm
        let rho = spectralRadius((-tau * a).exponential())
        // Re λ_min τ below ~1e-12 is indistinguishable from zero at this scaling.
        return rho < 1 - 1e-12 ? -Foundation.log(rho) / tau : 0
    }

    static func checkShapes(_ a: Matrix, _ c: Matrix, names: (String, String)) throws -> Int {
        guard a.isSquare else {
            throw LinearAlgebraError.shape("Lyapunov: \(names.0) must be square, got \(a.rows)×\(a.columns)")
        }
        guard c.rows == a.rows && c.columns == a.columns else {
            throw LinearAlgebraError.shape(
                "Lyapunov: \(names.1) must be \(a.rows)×\(a.rows) like \(names.0), got \(c.rows)×\(c.columns)")
        }
        return a.rows
    }

    static func solveVec(_ k: Matrix, _ rhs: Matrix, n: Int, equation: String) throws -> Matrix {
        let lu: LUDecomposition
        do { lu = try LUDecomposition(k) } catch {
            throw LinearAlgebraError.noConvergence("\(equation): the Kronecker system is singular (\(error))")
        }
        var x = lu.solve(rhs.storage)
        // One step of iterative refinement: x += K⁻¹ (vec C − K x).
        var r = rhs.storage
        k.storage.withUnsafeBufferPointer { kp in
            for i in 0..<x.count {
                var s = 0.0
                let row = i * x.count
                for j in 0..<x.count { s += kp[row + j] * x[j] }
                r[i] -= s
            }
        }
        let dx = lu.solve(r)
        for i in 0..<x.count { x[i] += dx[i] }
        guard Vec.allFinite(x) else {
            throw LinearAlgebraError.noConvergence("\(equation): the solution is not finite")
        }
        return Matrix(rows: n, columns: n, storage: x)
    }
}
