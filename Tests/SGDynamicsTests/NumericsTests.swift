import Foundation
import Testing
@testable import SGDynamics

/// Random symmetric test matrices from a fixed seed.
func randomSymmetric(_ n: Int, seed: UInt64, positive: Bool = false) -> Matrix {
    var r = SplitMix64(seed: seed)
    var a = Matrix(rows: n, columns: n)
    for i in 0..<n { for j in 0..<n { a[i, j] = r.nextGaussian() } }
    if positive { return a * a.transposed + Double(n) * Matrix.identity(n) }
    return a.symmetrized
}

@Suite("Dense numerics")
struct NumericsTests {
    @Test("Symmetric eigendecomposition reconstructs A and has orthonormal vectors (n = 1…40)")
    func eigenReconstructs() {
        for n in [1, 2, 3, 7, 40] {
            let a = randomSymmetric(n, seed: UInt64(n))
            let e = SymmetricEigen(a)
            let back = e.reconstruct { $0 }
            #expect((back - a).maxAbs < 1e-11 * max(1, a.maxAbs), "n = \(n)")
            let vtv = e.vectors.transposed * e.vectors
            #expect((vtv - Matrix.identity(n)).maxAbs < 1e-12, "n = \(n)")
            #expect(zip(e.values, e.values.dropFirst()).allSatisfy { $0 <= $1 })
        }
    }

    @Test("Eigenvalues of a diagonal and of a known 2×2 matrix")
    func eigenKnown() {
        let e = SymmetricEigen(Matrix([[2, 1], [1, 2]]))
        #expect(abs(e.values[0] - 1) < 1e-14 && abs(e.values[1] - 3) < 1e-14)
        let d = SymmetricEigen(.diagonal([5, -1, 3])).values
        #expect(d == [-1, 3, 5])
    }

    @Test("Cholesky: L Lᵀ = A; refuses an indefinite matrix")
    func cholesky() throws {
        let a = randomSymmetric(12, seed: 3, positive: true)
        let l = try a.cholesky()
        #expect((l * l.transposed - a).maxAbs < 1e-11)
        #expect(throws: LinearAlgebraError.self) { try Matrix([[1, 2], [2, 1]]).cholesky() }
    }

    @Test("PSD square root of a singular covariance squares back")
    func psdRoot() {
        let u = [1.0, 2, -1]
        let sigma = Matrix.outer(u, u)  // rank one
        let s = sigma.symmetricSquareRoot()
        #expect((s * s - sigma).maxAbs < 1e-12)
    }

    @Test("LU solve and inverse")
    func lu() throws {
        var r = SplitMix64(seed: 9)
        var a = Matrix(rows: 9, columns: 9)
        for i in 0..<81 { a.storage[i] = r.nextGaussian() }
        let x = (0..<9).map { Double($0) - 4 }
        let b = a * x
        let y = try a.solve(b)
        #expect(Vec.distanceMax(x, y) < 1e-10)
        #expect(throws: LinearAlgebraError.self) { try Matrix([[1, 2], [2, 4]]).inverse() }
    }

    @Test("Matrix exponential: rotation generator, and agreement with the eigen formula")
    func expm() {
        let th = 2.5
        let r = Matrix([[0, -th], [th, 0]]).exponential()
        #expect(abs(r[0, 0] - cos(th)) < 1e-14 && abs(r[1, 0] - sin(th)) < 1e-14)
        let a = randomSymmetric(6, seed: 11)
        let viaEigen = SymmetricEigen(a).reconstruct { exp($0) }
        #expect((a.exponential() - viaEigen).maxAbs < 1e-12 * viaEigen.maxAbs)
    }

    @Test("Lanczos extreme eigenvalues match the dense eigensolver")
    func lanczos() {
        let a = randomSymmetric(30, seed: 5)
        let ev = SymmetricEigen(a).values
        let (hi, lo) = Lanczos.extremeEigenvalues(dimension: 30, steps: 30) { v, out in a.multiply(v, into: &out) }
        #expect(abs(hi - ev.last!) < 1e-9 && abs(lo - ev.first!) < 1e-9)
    }

    @Test("Philox4x32-10 reproduces the Random123 known-answer vectors")
    func philoxKAT() {
        let z = Philox4x32.bijection((0, 0, 0, 0), key: (0, 0))
        #expect([z.0, z.1, z.2, z.3] == [0x6627_E8D5, 0xE169_C58D, 0xBC57_AC4C, 0x9B00_DBD8])
        let f = Philox4x32.bijection((.max, .max, .max, .max), key: (.max, .max))
        #expect([f.0, f.1, f.2, f.3] == [0x408F_276D, 0x41C8_3B0E, 0xA20B_C7C6, 0x6D54_51FD])
        let p = Philox4x32.bijection((0x243F_6A88, 0x85A3_08D3, 0x1319_8A2E, 0x0370_7344), key: (0xA409_3822, 0x299F_31D0))
        #expect([p.0, p.1, p.2, p.3] == [0xD16C_FE09, 0x94FD_CCEB, 0x5001_E420, 0x2412_6EA1])
    }

    @Test("Counter-based Gaussians: mean 0 and variance 1 within 4 standard errors")
    func gaussianMoments() {
        let rng = CounterRNG(seed: 42)
        let n = 200_000
        var s = 0.0, s2 = 0.0, s4 = 0.0
        for p in 0..<n {
            let g = rng.gaussian(path: p, step: 3, component: p % 5)
            s += g; s2 += g * g; s4 += g * g * g * g
        }
        let m = s / Double(n), v = s2 / Double(n)
        #expect(abs(m) < 4 / Double(n).squareRoot())
        #expect(abs(v - 1) < 4 * (2.0 / Double(n)).squareRoot())
        #expect(abs(s4 / Double(n) - 3) < 4 * (96.0 / Double(n)).squareRoot())
    }
}

@Suite("Gaussian draws")
struct GaussianTests {
    @Test("Ziggurat tables: every layer, including the cap above x₂₅₅, has area v")
    func zigguratTables() {
        let x = Ziggurat.edges, f = Ziggurat.heights
        for i in 1..<255 {
            #expect(abs(x[i] * (f[i + 1] - f[i]) - Ziggurat.v) < 1e-12)
        }
        // the top layer's area also matches: x₂₅₅ (1 − f(x₂₅₅)) ≈ v
        #expect(abs(x[255] * (1 - f[255]) - Ziggurat.v) < 1e-6)
    }

    @Test("Ziggurat tail sampler: E[Z − r | Z > r] = φ(r)/Q(r) − r within 4 standard errors")
    func zigguratTail() {
        var g = SplitMix64(seed: 12)
        let r = Ziggurat.r
        var n = 0, s = 0.0, s2 = 0.0
        while n < 100_000 {
            if let t = Ziggurat.tail(g.next()) { let e = t - r; s += e; s2 += e * e; n += 1 }
        }
        let q = 0.5 * erfc(r / 2.0.squareRoot()), phi = exp(-0.5 * r * r) / (2 * Double.pi).squareRoot()
        let exact = phi / q - r
        let mean = s / Double(n), sd = (s2 / Double(n) - mean * mean).squareRoot()
        #expect(abs(mean - exact) < 4 * sd / Double(n).squareRoot(), "\(mean) vs \(exact)")
    }

    @Test("Gaussian tail and CDF: P(|Z| > 3) and a Kolmogorov–Smirnov distance within their sampling error")
    func gaussianDistribution() {
        let rng = CounterRNG(seed: 77)
        let n = 400_000
        var tail = 0
        var zs = [Double]()
        zs.reserveCapacity(n)
        for p in 0..<(n / 2) {
            let (a, b) = rng.gaussianPair(path: p, step: 1, block: 0)
            zs.append(a); zs.append(b)
            if abs(a) > 3 { tail += 1 }
            if abs(b) > 3 { tail += 1 }
        }
        let pTail = 0.0026997960632601866
        #expect(abs(Double(tail) / Double(n) - pTail) < 4 * (pTail * (1 - pTail) / Double(n)).squareRoot())
        zs.sort()
        var ks = 0.0
        for (i, z) in zs.enumerated() where i % 97 == 0 {
            let cdf = 0.5 * erfc(-z / 2.0.squareRoot())
            ks = max(ks, abs(cdf - Double(i) / Double(n)), abs(cdf - Double(i + 1) / Double(n)))
        }
        // KS: P(D > 1.95/√n) ≈ 0.001
        #expect(ks < 1.95 / Double(n).squareRoot(), "KS distance \(ks)")
    }
}
