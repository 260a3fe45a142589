extension LogisticRegression: SampleHessianObjective {
    /// `hv ← hv + scale · (σ(zᵢ)(1 − σ(zᵢ)) (xᵢᵀv) xᵢ + λ v)`, `zᵢ = xᵢᵀw`.
    public func addSampleHessianVectorProduct(_ i: Int, _ w: [Double], _ v: [Double], scale: Double, into hv: inout [Double]) {
        let d = dimension
        let s = Self.sigmoid(logit(i, w))
        features.storage.withUnsafeBufferPointer { a in
            let row = i * d
            var xv = 0.0
            for j in 0..<d { xv += a[row + j] * v[j] }
            let c = scale * s * (1 - s) * xv, l = scale * regularization
            for j in 0..<d { hv[j] += c * a[row + j] + l * v[j] }
        }
    }
}
