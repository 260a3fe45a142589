#if canImport(_Differentiation)
import _Differentiation  // SIMD vector arithmetic on Lanes resolves through its AdditiveArithmetic conformance
#endif

/// The gradient-noise covariance of least squares as a polynomial in `θ` (docs/THEORY.md §2.3):
///
///     Σ(θ) = (1/n) Σᵢ rᵢ² xᵢxᵢᵀ − ḡḡᵀ,   rᵢ = xᵢᵀθ − yᵢ
///          = F[θ, θ] − 2 G[θ] + K − ḡḡᵀ,
///     F_{ab,cd} = (1/n)Σ x_a x_b x_c x_d,  G_{ab,c} = (1/n)Σ y x_a x_b x_c,  K_{ab} = (1/n)Σ y² x_a x_b
///
/// The tensors are stored on packed symmetric index pairs (`a ≤ b`, `P = d(d+1)/2`), with the
/// `c ≠ d` weight 2 folded into `F`, so one evaluation costs `P² + P d + d²` multiply-adds and never
/// touches the `n` samples. Built once, in `O(n P²)`.
public struct LeastSquaresNoise: Sendable {
    public let dimension: Int
    /// `P × P`, row `(a,b)`, column `(c,d)` with weight `2 − δ_cd`.
    @usableFromInline let f: [Double]
    /// `P × d`.
    @usableFromInline let g: [Double]
    /// `P`.
    @usableFromInline let k: [Double]
    @usableFromInline let pairs: [(Int, Int)]
    @usableFromInline let hbar: [Double]
    @usableFromInline let cbar: [Double]

    public init(design a: Matrix, targets y: [Double]) {
        let n = a.rows, d = a.columns
        var pairs: [(Int, Int)] = []
        for i in 0..<d { for j in i..<d { pairs.append((i, j)) } }
        let p = pairs.count
        var f = [Double](repeating: 0, count: p * p), g = [Double](repeating: 0, count: p * d)
        var k = [Double](repeating: 0, count: p)
        var hbar = [Double](repeating: 0, count: d * d), cbar = [Double](repeating: 0, count: d)
        var prod = [Double](repeating: 0, count: p)
        for s in 0..<n {
            let row = s * d
            for (q, (i, j)) in pairs.enumerated() { prod[q] = a.storage[row + i] * a.storage[row + j] }
            for q in 0..<p {
                let pq = prod[q]
                for r in 0..<p {
                    let (c, dd) = pairs[r]
                    f[q * p + r] += pq * prod[r] * (c == dd ? 1 : 2)
                }
                for c in 0..<d { g[q * d + c] += y[s] * pq * a.storage[row + c] }
                k[q] += y[s] * y[s] * pq
            }
            for i in 0..<d {
                cbar[i] += y[s] * a.storage[row + i]
                for j in 0..<d { hbar[i * d + j] += a.storage[row + i] * a.storage[row + j] }
            }
        }
        let inv = 1 / Double(n)
        self.f = f.map { $0 * inv }
        self.g = g.map { $0 * inv }
        self.k = k.map { $0 * inv }
        self.hbar = hbar.map { $0 * inv }
        self.cbar = cbar.map { $0 * inv }
        self.pairs = pairs
        self.dimension = d
    }

    /// `m ← Σ(θ)` (no allocation beyond a stack buffer of `2P + d` doubles).
    @inlinable
    public func covariance(_ theta: [Double], into m: inout Matrix) {
        let d = dimension, p = pairs.count
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * p + d) { buf in
            theta.withUnsafeBufferPointer { th in
                pairs.withUnsafeBufferPointer { pr in
                    // t = packed θθᵀ, grad = H̄θ − c̄
                    for q in 0..<p { let (i, j) = pr[q]; buf[q] = th[i] * th[j] }
                    hbar.withUnsafeBufferPointer { hb in
                        cbar.withUnsafeBufferPointer { cb in
                            for i in 0..<d {
                                var s = -cb[i]
                                for j in 0..<d { s += hb[i * d + j] * th[j] }
                                buf[2 * p + i] = s
                            }
                        }
                    }
                    f.withUnsafeBufferPointer { fp in
                        g.withUnsafeBufferPointer { gp in
                            k.withUnsafeBufferPointer { kp in
                                for q in 0..<p {
                                    var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
                                    let fr = q * p
                                    var r = 0
                                    while r + 3 < p {
                                        s0 += fp[fr + r] * buf[r]; s1 += fp[fr + r + 1] * buf[r + 1]
                                        s2 += fp[fr + r + 2] * buf[r + 2]; s3 += fp[fr + r + 3] * buf[r + 3]
                                        r += 4
                                    }
                                    while r < p { s0 += fp[fr + r] * buf[r]; r += 1 }
                                    let gr = q * d
                                    var t = 0.0
                                    for c in 0..<d { t += gp[gr + c] * th[c] }
                                    buf[p + q] = kp[q] + (s0 + s1) + (s2 + s3) - 2 * t
                                }
                            }
                        }
                    }
                    m.storage.withUnsafeMutableBufferPointer { ms in
                        for q in 0..<p {
                            let (i, j) = pr[q]
                            let v = buf[p + q] - buf[2 * p + i] * buf[2 * p + j]
                            ms[i * d + j] = v
                            ms[j * d + i] = v
                        }
                    }
                }
            }
        }
    }
}

extension LeastSquaresNoise {
    /// ``covariance(_:into:)`` for `Lanes.width` parameters at once (coordinates by lane), into `d·d`
    /// lane values, row-major: the tensors are read once for four paths. Lane by lane bitwise equal.
    @inlinable
    public func covariance(lanes th: UnsafePointer<Lanes>, into m: UnsafeMutablePointer<Lanes>) {
        let d = dimension, p = pairs.count
        withUnsafeTemporaryAllocation(of: Lanes.self, capacity: 2 * p + d) { buf in
            pairs.withUnsafeBufferPointer { pr in
                for q in 0..<p { let (i, j) = pr[q]; buf[q] = th[i] * th[j] }
                hbar.withUnsafeBufferPointer { hb in
                    cbar.withUnsafeBufferPointer { cb in
                        for i in 0..<d {
                            var s = Lanes(repeating: -cb[i])
                            for j in 0..<d { s += hb[i * d + j] * th[j] }
                            buf[2 * p + i] = s
                        }
                    }
                }
                f.withUnsafeBufferPointer { fp in
                    g.withUnsafeBufferPointer { gp in
                        k.withUnsafeBufferPointer { kp in
                            for q in 0..<p {
                                var s0 = Lanes(repeating: 0), s1 = s0, s2 = s0, s3 = s0
                                let fr = q * p
                                var r = 0
                                while r + 3 < p {
                                    s0 += fp[fr + r] * buf[r]; s1 += fp[fr + r + 1] * buf[r + 1]
                                    s2 += fp[fr + r + 2] * buf[r + 2]; s3 += fp[fr + r + 3] * buf[r + 3]
                                    r += 4
                                }
                                while r < p { s0 += fp[fr + r] * buf[r]; r += 1 }
                                let gr = q * d
                                var t = Lanes(repeating: 0)
                                for c in 0..<d { t += gp[gr + c] * th[c] }
                                // the scalar code's association: ((k + (s0 + s1)) + (s2 + s3)) − 2t
                                let a1: Lanes = Lanes(repeating: kp[q]) + (s0 + s1)
                                let a2: Lanes = a1 + (s2 + s3)
                                let twoT: Lanes = 2 * t
                                buf[p + q] = a2 - twoT
                            }
                        }
                    }
                }
                for q in 0..<p {
                    let (i, j) = pr[q]
                    let v: Lanes = buf[p + q] - buf[2 * p + i] * buf[2 * p + j]
                    m[i * d + j] = v
                    m[j * d + i] = v
                }
            }
        }
    }
}

extension LeastSquares {
    /// `Σ(θ)` from the moment tensors when available (`d ≤ 32`), else by summing over the samples.
    public func noiseCovariance(_ x: [Double], into m: inout Matrix) {
        if let t = noiseTensors { t.covariance(x, into: &m) } else { m = GradientNoise.sampleCovariance(self, at: x) }
    }
    /// Vectorized when the packed tensors exist (d ≤ 32).
    public var hasLaneNoiseCovariance: Bool { noiseTensors != nil }
    @inlinable
    public func noiseCovariance(lanes x: UnsafePointer<Lanes>, into m: UnsafeMutablePointer<Lanes>) {
        if let t = noiseTensors { t.covariance(lanes: x, into: m); return }
        let d = dimension
        Lanes.perLane(x, inputCount: d, into: m, outputCount: d * d) { $1 = GradientNoise.sampleCovariance(self, at: $0).storage }
    }
    public var hasLaneGradient: Bool { true }
    /// `H̄w − c̄` in lanes (the scalar ``gradient(_:into:)``'s arithmetic).
    @inlinable
    public func gradient(lanes w: UnsafePointer<Lanes>, into g: UnsafeMutablePointer<Lanes>) {
        let d = dimension
        meanHessian.storage.withUnsafeBufferPointer { a in
            meanCrossTerm.withUnsafeBufferPointer { c in
                for i in 0..<d {
                    var s = Lanes(repeating: 0)
                    for j in 0..<d { s += a[i * d + j] * w[j] }
                    g[i] = s - c[i]
                }
            }
        }
    }
}
