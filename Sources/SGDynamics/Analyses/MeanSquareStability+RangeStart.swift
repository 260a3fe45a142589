extension MeanSquareStability {
    /// A unit vector in the range of `H` for the linearised-SGD check (docs/THEORY.md §10.2): a
    /// standard normal `z` from `CounterRNG(seed:, stream: RandomStream.initial)`, path 1, step 0,
    /// projected on the eigenvectors of `H` with eigenvalue above `10⁻¹⁰ max|λ|`, then normalized
    /// (`z/‖z‖` if the projection vanishes). The neutral null space of an over-parameterised
    /// minimum keeps its norm and would otherwise hide the growth of `E‖e_K‖²`.
    public func rangeUnitVector(seed: UInt64) -> [Double] {
        let h = meanHessian
        let d = h.rows
        let eig = SymmetricEigen(h)
        let tol = 1e-10 * (eig.values.map { Swift.abs($0) }.max() ?? 0)
        var z = [Double](repeating: 0, count: d)
        CounterRNG(seed: seed, stream: RandomStream.initial).fillGaussian(&z, path: 1, step: 0)
        var e = [Double](repeating: 0, count: d)
        for k in 0..<d where eig.values[k] > tol {
            let v = (0..<d).map { eig.vectors[$0, k] }
            Vec.axpy(Vec.dot(v, z), v, &e)
        }
        let nn = Vec.norm(e)
        return nn > 0 ? e.map { $0 / nn } : z.map { $0 / Vec.norm(z) }
    }
}
