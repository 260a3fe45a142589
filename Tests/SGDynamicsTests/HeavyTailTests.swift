import Foundation
import Testing
@testable import SGDynamics

// Symmetric α-stable sampler and the tail-index estimator (docs/THEORY.md §9). Statistical checks use a
// fixed seed and bound the error by a stated number of standard errors.

@Suite("Heavy tails: SαS sampler (Chambers–Mallows–Stuck) and tail index (docs/THEORY.md §9)")
struct HeavyTailTests {
    private func draws(_ s: SymmetricStable, count: Int, seed: UInt64) -> [Double] {
        let rng = CounterRNG(seed: seed, stream: 9)
        return (0..<count).map { s.sample(rng, path: 0, step: 0, component: $0) }
    }

    @Test("α = 2 is N(0, 2): mean and variance within 4 standard errors (M = 10⁵)")
    func gaussianCase() throws {
        let m = 100_000
        let x = draws(try SymmetricStable(alpha: 2), count: m, seed: 1)
        let mean = x.reduce(0, +) / Double(m)
        let variance = x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(m - 1)
        // Normal law: SE(mean) = σ/√M, SE(s²) = σ²√(2/(M−1)), σ² = 2.
        #expect(abs(mean) < 4 * (2 / Double(m)).squareRoot())
        #expect(abs(variance - 2) < 4 * 2 * (2 / Double(m - 1)).squareRoot())
    }

    @Test("α = 1 is standard Cauchy: median |X| = 1 within 4 SE = 4·π/(2√M) ≈ 0.02 (M = 10⁵)")
    func cauchyCase() throws {
        let m = 100_000
        let x = draws(try SymmetricStable(alpha: 1), count: m, seed: 2).map { abs($0) }.sorted()
        let median = 0.5 * (x[m / 2 - 1] + x[m / 2])
        // |X| has density 2/(π(1 + y²)), 1/π at the median y = 1: SE(median) = 1/(2 f √M) = π/(2√M).
        #expect(abs(median - 1) < 4 * Double.pi / (2 * Double(m).squareRoot()))
    }

    @Test("General α: E cos(tX) = exp(−|t|^α) within 4 SE for α ∈ {0.8, 1.5}, t ∈ {0.5, 1}, scale 1")
    func characteristicFunction() throws {
        let m = 50_000
        for (alpha, seed) in [(0.8, 3), (1.5, 4)] as [(Double, UInt64)] {
            let x = draws(try SymmetricStable(alpha: alpha), count: m, seed: seed)
            for t in [0.5, 1.0] {
                let c = x.map { cos(t * $0) }
                let mean = c.reduce(0, +) / Double(m)
                let sd = (c.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(m - 1)).squareRoot()
                #expect(abs(mean - exp(-pow(t, alpha))) < 4 * sd / Double(m).squareRoot(), "α = \(alpha), t = \(t)")
            }
        }
    }

    @Test("Draws are a pure function of (seed, stream, path, step, component); scale multiplies")
    func counterBased() throws {
        let s = try SymmetricStable(alpha: 1.3), s2 = try SymmetricStable(alpha: 1.3, scale: 2.5)
        let rng = CounterRNG(seed: 42)
        let a = s.sample(rng, path: 3, step: 7, component: 5)
        #expect(a == s.sample(rng, path: 3, step: 7, component: 5))
        #expect(a != s.sample(rng, path: 3, step: 7, component: 6))
        #expect(a != s.sample(rng, path: 4, step: 7, component: 5))
        #expect(s2.sample(rng, path: 3, step: 7, component: 5) == 2.5 * a)
        var out = [Double](repeating: 0, count: 4)
        s.fill(&out, rng: rng, path: 3, step: 7)
        #expect(out[1] == s.sample(rng, path: 3, step: 7, component: 1))
    }

    @Test("Invalid α or scale throws a ConfigurationError naming the field")
    func invalidConfiguration() {
        #expect(throws: ConfigurationError.self) { try SymmetricStable(alpha: 0) }
        #expect(throws: ConfigurationError.self) { try SymmetricStable(alpha: 2.1) }
        #expect(throws: ConfigurationError.self) { try SymmetricStable(alpha: 1, scale: 0) }
        do { _ = try SymmetricStable(alpha: 3) } catch let e as ConfigurationError { #expect(e.field == "alpha") } catch {}
    }

    @Test("Tail index reproduces the §9 table: α̂ within ±0.1 of α ∈ {2, 1.5, 1, 0.8} (K = 10⁵, K₁ = 100, 3 seeds); group SE within 0.4…2.5× the table's sd")
    func tailIndexTable() throws {
        let table: [(alpha: Double, sd: Double)] = [(2.0, 0.0293), (1.5, 0.0192), (1.0, 0.0108), (0.8, 0.0078)]
        for (row, entry) in table.enumerated() {
            let s = try SymmetricStable(alpha: entry.alpha)
            for seed in 0..<3 {
                let x = draws(s, count: 100_000, seed: UInt64(100 * row + seed))
                let est = try TailIndexEstimate.scalars(x, blockSize: 100, groups: 10)
                #expect(abs(est.alpha - entry.alpha) < 0.1, "α = \(entry.alpha), seed \(seed): \(est)")
                #expect(est.standardError > 0.4 * entry.sd && est.standardError < 2.5 * entry.sd,
                        "α = \(entry.alpha): SE \(est.standardError) vs table sd \(entry.sd)")
                #expect(est.lower < est.alpha && est.alpha < est.upper)
                #expect(est.sampleCount == 100_000 && est.blockCount == 1000)
            }
        }
    }

    @Test("Vector version (norms of vector block sums): i.i.d. SαS components in d = 4, α ∈ {1.5, 1}, α̂ within ±0.1")
    func tailIndexVectors() throws {
        for (alpha, seed) in [(1.5, 7), (1.0, 8)] as [(Double, UInt64)] {
            let s = try SymmetricStable(alpha: alpha)
            let rng = CounterRNG(seed: seed)
            let d = 4, k = 20_000
            var flat = [Double](repeating: 0, count: k * d)
            for i in 0..<k { for j in 0..<d { flat[i * d + j] = s.sample(rng, path: i, step: 0, component: j) } }
            let est = try TailIndexEstimate.vectors(flat: flat, dimension: d, blockSize: 100, groups: 10)
            #expect(abs(est.alpha - alpha) < 0.1, "\(est)")
            let nested = try TailIndexEstimate.vectors((0..<k).map { Array(flat[($0 * d)..<($0 * d + d)]) })
            #expect(nested == est)
        }
    }

    @Test("Tail index configuration: K₁ < 2, G < 2, too few samples, or an exact zero throw")
    func tailIndexErrors() {
        let x = (0..<1000).map { Double($0 % 7) - 3.5 }
        #expect(throws: ConfigurationError.self) { try TailIndexEstimate.scalars(x, blockSize: 1) }
        #expect(throws: ConfigurationError.self) { try TailIndexEstimate.scalars(x, blockSize: 10, groups: 1) }
        #expect(throws: ConfigurationError.self) { try TailIndexEstimate.scalars(x, blockSize: 100, groups: 20) }
        var z = x
        z[5] = 0
        #expect(throws: ConfigurationError.self) { try TailIndexEstimate.scalars(z, blockSize: 10) }
    }
}
