import Foundation

/// The Markov chain `θ' = a_B θ + b_B + s Z` with `B ~ P(B)` and `Z ~ N(0, 1)` independent: SGD
/// (`s = 0`) or SGLD (`s = √(2ηT)`) on per-sample quadratics `f_i(θ) = ½h_iθ² − g_iθ + c`, with
/// `a_B = 1 − η h_B`, `b_B = η g_B` (batch means). Its moments follow exactly from
///
///     E[(θ')^k] = Σ_j C(k, j) E[a^j β^{k−j}] E[θ^j],   β = b + sZ,
///
/// so the stationary moments solve `(1 − E a^k) m_k = Σ_{j<k} …` once `E a^k < 1`
/// (docs/THEORY.md §6.2, §6.3, §6.5, §8.4).
///
///     let c = AffineChain(slopes: [0.5, 0.5], shifts: [0.5, -0.5], probabilities: [0.5, 0.5])
///     c.stationary()?.variance   // 1/3: the Bernoulli example at ηλ = 0.5 is Uniform[−1, 1]
public struct AffineChain: Sendable, Equatable {
    /// The slopes `a_B`.
    public var a: [Double]
    /// The shifts `b_B`.
    public var b: [Double]
    /// The probabilities `P(B)`.
    public var p: [Double]
    /// The Gaussian noise scale `s`.
    public var noise: Double

    /// The chain of the maps `θ ↦ a_k θ + b_k` chosen with probabilities `p_k`, plus `noise · Z`.
    public init(slopes: [Double], shifts: [Double], probabilities: [Double], noise: Double = 0) {
        precondition(slopes.count == shifts.count && shifts.count == probabilities.count, "one slope, shift and probability per map")
        a = slopes; b = shifts; p = probabilities; self.noise = noise
    }

    /// SGD (and SGLD at temperature `T`: `s = √(2ηT)`) on per-sample gradients `∇f_i(θ) = h_iθ − g_i`
    /// over the batches of `batches`: `a_B = 1 − η mean_B h`, `b_B = η mean_B g`.
    public init(curvatures h: [Double], targets g: [Double], batches: MinibatchEnumeration, learningRate eta: Double,
                temperature: Double = 0) {
        var a: [Double] = [], b: [Double] = []
        for k in 0..<batches.count {
            var sh = 0.0, sg = 0.0
            for i in batches.batch(k) { sh += h[i]; sg += g[i] }
            let m = Double(batches.batchSize)
            a.append(1 - eta * sh / m)
            b.append(eta * sg / m)
        }
        self.init(slopes: a, shifts: b, probabilities: batches.probabilities, noise: (2 * eta * temperature).squareRoot())
    }

    /// SGLD on a deterministic quadratic `½λθ²`: `θ' = (1 − ηλ)θ + √(2ηT) Z`.
    public init(curvature: Double, learningRate eta: Double, temperature: Double) {
        self.init(slopes: [1 - eta * curvature], shifts: [0], probabilities: [1], noise: (2 * eta * temperature).squareRoot())
    }

    /// `E f(a_B, b_B)`.
    public func expectation(_ f: (Double, Double) -> Double) -> Double {
        var s = 0.0
        for k in 0..<p.count { s += p[k] * f(a[k], b[k]) }
        return s
    }

    /// `E a^k`.
    public func aMoment(_ k: Int) -> Double { expectation { a, _ in pow(a, Double(k)) } }

    /// `E a² < 1`: the second moment converges (mean-square stability, docs/THEORY.md §10.2).
    public var meanSquareStable: Bool { aMoment(2) < 1 }
    /// Every map is a contraction (`|a_B| < 1`).
    public var contracting: Bool { a.allSatisfy { abs($0) < 1 } }

    /// `E[a^j (b − (1 − a)c + sZ)^r]`: the maps written for `θ − c`.
    func mixed(_ j: Int, _ r: Int, shift c: Double) -> Double {
        let z: [Double] = [1, 0, 1, 0, 3]
        return expectation { a, b in
            let bb = b + (a - 1) * c
            var e = 0.0
            for i in 0...r where z[i] != 0 {
                e += Self.binomial(r, i) * pow(bb, Double(r - i)) * pow(noise, Double(i)) * z[i]
            }
            return pow(a, Double(j)) * e
        }
    }

    static func binomial(_ n: Int, _ k: Int) -> Double {
        var c = 1.0
        if k > 0 { for i in 1...k { c = c * Double(n - k + i) / Double(i) } }
        return c
    }

    /// Stationary mean, variance and excess kurtosis (`.infinity` when `E a⁴ ≥ 1`); nil unless `E a² < 1`.
    public func stationary() -> (mean: Double, variance: Double, excessKurtosis: Double)? {
        guard meanSquareStable else { return nil }
        let m = expectation { _, b in b } / (1 - aMoment(1))
        var raw = [1.0, 0, 0, 0, 0]   // moments of θ − m
        for k in 1...4 {
            let ak = aMoment(k)
            if ak >= 1 { raw[k] = .infinity; continue }
            var s = 0.0
            for j in 0..<k { s += Self.binomial(k, j) * mixed(j, k - j, shift: m) * raw[j] }
            raw[k] = s / (1 - ak)
        }
        let v = raw[2] - raw[1] * raw[1]
        let m1 = raw[1]
        let mu4 = raw[4] - 4 * m1 * raw[3] + 6 * m1 * m1 * raw[2] - 3 * m1 * m1 * m1 * m1
        return (m + m1, v, raw[4].isFinite ? mu4 / (v * v) - 3 : .infinity)
    }

    /// Mean and variance after `k` steps from the point `x0`, for every `k` of `steps` (ascending):
    /// `m₁' = E a m₁ + E b`, `m₂' = E a² m₂ + 2E[ab] m₁ + E b² (+ s²)`.
    public func transient(from x0: Double, steps: [Int]) -> [(mean: Double, variance: Double)] {
        var m1 = x0, m2 = x0 * x0, k = 0
        var out: [(Double, Double)] = []
        let ea = aMoment(1), ea2 = aMoment(2)
        let eb = mixed(0, 1, shift: 0), eab = mixed(1, 1, shift: 0), eb2 = mixed(0, 2, shift: 0)
        for target in steps {
            while k < target {
                let n2 = ea2 * m2 + 2 * eab * m1 + eb2
                m1 = ea * m1 + eb
                m2 = n2
                k += 1
            }
            out.append((m1, max(m2 - m1 * m1, 0)))
        }
        return out
    }

    /// The smallest interval mapped into itself by every map (the support of the stationary law),
    /// when there is no Gaussian noise and every map is a contraction; nil otherwise.
    public var invariantInterval: ClosedRange<Double>? {
        guard noise == 0, contracting else { return nil }
        let fixed = zip(a, b).map { $1 / (1 - $0) }
        var lo = fixed.min()!, hi = fixed.max()!
        for _ in 0..<100_000 {
            var nlo = lo, nhi = hi
            for (ak, bk) in zip(a, b) {
                let u = ak * lo + bk, v = ak * hi + bk
                nlo = min(nlo, min(u, v)); nhi = max(nhi, max(u, v))
            }
            let grew = (nhi - hi) + (lo - nlo)
            lo = nlo; hi = nhi
            if grew <= 1e-15 * max(hi - lo, 1e-300) { break }
        }
        return lo...hi
    }

    /// The bound `η < 2 E[h_B] / E[h_B²]` of mean-square stability, with `h_B = (1 − a_B)/η`.
    public func stabilityBound(learningRate eta: Double) -> Double {
        var eh = 0.0, eh2 = 0.0
        for k in 0..<p.count {
            let h = (1 - a[k]) / eta
            eh += p[k] * h; eh2 += p[k] * h * h
        }
        return 2 * eh / eh2
    }
}
