extension LeastSquares: SampleHessianObjective {
    /// `hv ← hv + scale · xᵢ (xᵢᵀ v)`: `Hᵢ = xᵢxᵢᵀ`, independent of `w` (docs/THEORY.md §2.3).
    public func addSampleHessianVectorProduct(_ i: Int, _ w: [Double], _ v: [Double], scale: Double, into hv: inout [Double]) {
        let d = dimension
        design.storage.withUnsafeBufferPointer { a in
            let row = i * d
            var s = 0.0
            for j in 0..<d { s += a[row + j] * v[j] }
            s *= scale
            for j in 0..<d { hv[j] += s * a[row + j] }
        }
    }
}
