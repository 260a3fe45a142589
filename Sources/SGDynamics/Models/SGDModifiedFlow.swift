/// The modified flow of SGD with random reshuffling (Smith, Dherin, Barrett & De, ICLR 2021;
/// docs/THEORY.md §4.2), averaged over shuffles:
///
///     ω̇ = −∇C̃(ω),   C̃ = C + (ε/4)‖∇C‖² + ε κ Γ / 4,
///     Γ(ω) = (1/N) Σ_i ‖∇C_i(ω) − ∇C(ω)‖²,   κ = (N − B)/(B(N − 1))
///
/// with learning rate `ε`, batch size `B` and `N` samples; time `t = kε`. Over one epoch of `m = N/B`
/// steps the mean SGD iterate follows this flow with error `O(m³ε³)`; against the GD-only modified
/// flow (``ModifiedFlow``, the `κ = 0` case) or plain gradient flow the error is `O(ε²)`.
///
/// The gradient uses `∇Γ = (2/N) Σ_i ∇²C_i (∇C_i − ∇C)`, with the per-sample Hessian-vector products
/// by central differences of per-sample gradients (step `1e-5·max(1, ‖ω‖)/‖v‖`), and
/// `∇((ε/4)‖∇C‖²) = (ε/2) ∇²C ∇C` by the objective's Hessian-vector product. Each drift evaluation
/// costs about `3N` per-sample gradients: meant for the small data sets of model studies.
/// - Reference: S. L. Smith, B. Dherin, D. G. T. Barrett, S. De, *On the Origin of Implicit
///   Regularization in Stochastic Gradient Descent*, ICLR 2021 (arXiv 2101.12176).
public struct SGDModifiedFlow<F: FiniteSumObjective>: Model {
    public let objective: F
    public let learningRate: Double
    public let batchSize: Int
    public init(_ objective: F, learningRate: Double, batchSize: Int) throws {
        guard learningRate > 0, learningRate.isFinite else {
            throw ConfigurationError(field: "learning rate", "must be a positive number, got \(learningRate)")
        }
        guard batchSize >= 1, batchSize <= objective.sampleCount else {
            throw ConfigurationError(field: "batch size", "must be in 1…\(objective.sampleCount) (the sample count), got \(batchSize)")
        }
        self.objective = objective
        self.learningRate = learningRate
        self.batchSize = batchSize
    }
    public var name: String { "SGD modified flow (Smith et al.)" }
    public var dimension: Int { objective.dimension }
    public var timeIdentification: String { "t = kε" }
    /// `κ = (N − B)/(B(N − 1))`, the without-replacement factor.
    public var samplingFactor: Double {
        Sampling.withoutReplacement.covarianceFactor(batchSize: batchSize, sampleCount: objective.sampleCount)
    }

    /// `Γ(ω) = (1/N) Σ_i ‖∇C_i − ∇C‖²`, the trace of the per-sample gradient covariance.
    public func gradientVariance(_ x: [Double]) -> Double {
        let n = objective.sampleCount, d = dimension
        var mean = [Double](repeating: 0, count: d), g = mean
        objective.gradient(x, into: &mean)
        var s = 0.0
        for i in 0..<n {
            for j in 0..<d { g[j] = 0 }
            objective.addSampleGradient(i, x, scale: 1, into: &g)
            for j in 0..<d { s += (g[j] - mean[j]) * (g[j] - mean[j]) }
        }
        return s / Double(n)
    }

    /// `C̃(ω)`.
    public func modifiedLoss(_ x: [Double]) -> Double {
        let g = objective.gradient(x)
        let e = learningRate
        return objective.value(x) + (e / 4) * Vec.dot(g, g) + e * samplingFactor * gradientVariance(x) / 4
    }

    public func drift(_ x: [Double], t: Double, into b: inout [Double]) {
        let n = objective.sampleCount, d = dimension
        let e = learningRate, kappa = samplingFactor
        var mean = [Double](repeating: 0, count: d)
        objective.gradient(x, into: &mean)
        var hg = mean
        objective.hessianVectorProduct(x, mean, into: &hg)
        // ∇Γ = (2/N) Σ_i H_i (g_i − ḡ), H_i v by central differences of g_i
        var gradGamma = [Double](repeating: 0, count: d)
        if kappa > 0 {
            var gi = mean, v = mean, plus = mean, minus = mean, xp = x, xm = x
            let scale = Swift.max(1, Vec.norm(x))
            for i in 0..<n {
                for j in 0..<d { gi[j] = 0 }
                objective.addSampleGradient(i, x, scale: 1, into: &gi)
                for j in 0..<d { v[j] = gi[j] - mean[j] }
                let vn = Vec.norm(v)
                guard vn > 0 else { continue }
                let h = 1e-5 * scale / vn
                for j in 0..<d { xp[j] = x[j] + h * v[j]; xm[j] = x[j] - h * v[j]; plus[j] = 0; minus[j] = 0 }
                objective.addSampleGradient(i, xp, scale: 1, into: &plus)
                objective.addSampleGradient(i, xm, scale: 1, into: &minus)
                for j in 0..<d { gradGamma[j] += (plus[j] - minus[j]) / (2 * h) }
            }
            for j in 0..<d { gradGamma[j] *= 2 / Double(n) }
        }
        for j in 0..<d { b[j] = -(mean[j] + (e / 2) * hg[j] + (e * kappa / 4) * gradGamma[j]) }
    }
}
