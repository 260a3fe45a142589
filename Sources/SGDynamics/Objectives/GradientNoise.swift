/// Gradient-noise covariance of a finite sum (docs/THEORY.md §2.1–2.2).
public enum GradientNoise {
    /// Population covariance of the per-sample gradients at `x`:
    ///
    ///     Σ(x) = (1/n) Σᵢ (∇fᵢ(x) − ∇f(x)) (∇fᵢ(x) − ∇f(x))ᵀ
    public static func sampleCovariance<F: FiniteSumObjective>(_ f: F, at x: [Double]) -> Matrix {
        let d = f.dimension, n = f.sampleCount
        var grads = [[Double]]()
        grads.reserveCapacity(n)
        var mean = [Double](repeating: 0, count: d)
        for i in 0..<n {
            let g = f.sampleGradient(i, x)
            for j in 0..<d { mean[j] += g[j] / Double(n) }
            grads.append(g)
        }
        return covariance(of: grads, mean: mean)
    }

    /// Population covariance of a list of vectors around `mean` (divides by the count).
    public static func covariance(of vectors: [[Double]], mean: [Double]) -> Matrix {
        let d = mean.count
        var c = Matrix(rows: d, columns: d)
        for g in vectors {
            for a in 0..<d {
                let da = g[a] - mean[a]
                for b in a..<d { c[a, b] += da * (g[b] - mean[b]) }
            }
        }
        let inv = 1 / Double(vectors.count)
        for a in 0..<d { for b in a..<d { c[a, b] *= inv; c[b, a] = c[a, b] } }
        return c
    }

    /// Covariance of a minibatch mean: `Σ/b` with replacement, `(n−b)/(b(n−1)) Σ` without.
    public static func minibatchCovariance(_ sigma: Matrix, batchSize b: Int, sampleCount n: Int,
                                           sampling: Sampling) -> Matrix {
        sampling.covarianceFactor(batchSize: b, sampleCount: n) * sigma
    }
}
