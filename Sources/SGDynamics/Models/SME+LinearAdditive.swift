/// The SMEs of SGD on the Li–Tai–E quadratic as linear SDEs, for `ExactLinearStep`.
extension SME: LinearAdditiveModel where G == OracleGradient<NoisyQuadratic> {
    /// SME-1: `A = H/(1−μ)` scaling included; SME-2: `A = H + (η/2)H²`.
    public var driftMatrix: Matrix {
        let h = gradient.objective.base.hessianMatrix
        return order == 1 ? momentumScale * h : h + (learningRate / 2) * (h * h)
    }
    public var diffusionCovariance: Matrix {
        (momentumScale * momentumScale * learningRate * gradient.covarianceFactor) * gradient.objective.noiseCovariance([])
    }
}
