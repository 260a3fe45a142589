/// The `M` sampled minibatch noises of ``GradientNoiseDiagnostics`` drawn again, for plots of their
/// distribution (docs/THEORY.md §2.2, §9):
///
///     ξ_s = (1/b) Σ_{i ∈ B_s} (∇fᵢ(x) − ∇f(x)),   s = 0…M−1,
///
/// with the batches `B_s` of ``MinibatchGradient/drawBatch(step:path:draw:rng:scratch:)`` at
/// `CounterRNG(seed:)`, path 0, step `s`: the same batches as the diagnostics' main sample. The
/// per-sample gradients are formed once (`n d` numbers); the noises are streamed, so only their
/// projections `vⱼᵀξ_s` on the given directions and their squared norms `‖ξ_s‖²` are kept
/// (`M (k + 1)` numbers, never `M d`).
public struct MinibatchNoiseReplay: Sendable {
    /// `projections[j][s] = vⱼᵀ ξ_s`.
    public var projections: [[Double]]
    /// `‖ξ_s‖²`.
    public var squaredNorms: [Double]

    /// Replay `draws` noises of batch size `b` at `x`, projected on `directions` (each of length `d`).
    public init<F: FiniteSumObjective>(_ f: F, at x: [Double], batchSize b: Int, sampling: Sampling, draws m: Int,
                                       seed: UInt64, directions: [[Double]]) {
        let n = f.sampleCount, d = f.dimension
        precondition(x.count == d && directions.allSatisfy { $0.count == d }, "MinibatchNoiseReplay: lengths differ from d = \(d)")
        var u = [Double](repeating: 0, count: n * d), mean = [Double](repeating: 0, count: d), row = mean
        for i in 0..<n {
            for j in 0..<d { row[j] = 0 }
            f.addSampleGradient(i, x, scale: 1, into: &row)
            for j in 0..<d { u[i * d + j] = row[j]; mean[j] += row[j] / Double(n) }
        }
        for i in 0..<n { for j in 0..<d { u[i * d + j] -= mean[j] } }
        let g = MinibatchGradient(f, batchSize: b, sampling: sampling)
        var scratch = g.makeScratch()
        let rng = CounterRNG(seed: seed)
        var proj = [[Double]](repeating: [Double](repeating: 0, count: m), count: directions.count)
        var norms = [Double](repeating: 0, count: m)
        var xi = [Double](repeating: 0, count: d)
        let w = 1 / Double(b)
        for s in 0..<m {
            g.drawBatch(step: s, path: 0, draw: 0, rng: rng, scratch: &scratch)
            for j in 0..<d { xi[j] = 0 }
            for q in 0..<b {
                let r = scratch.indices[q] * d
                for j in 0..<d { xi[j] += w * u[r + j] }
            }
            for (k, v) in directions.enumerated() {
                var a = 0.0
                for c in 0..<d { a += v[c] * xi[c] }
                proj[k][s] = a
            }
            var a = 0.0
            for c in 0..<d { a += xi[c] * xi[c] }
            norms[s] = a
        }
        projections = proj
        squaredNorms = norms
    }
}
