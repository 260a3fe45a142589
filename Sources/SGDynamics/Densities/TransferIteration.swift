/// Power iteration and transient evolution shared by ``TransferOperator1D`` and ``TransferOperator2D``.
enum TransferIteration {
    /// `p_{k+1} = P p_k` for `steps` steps (docs/THEORY.md §8.2), saving every `saveEvery` steps; `t_k = k η`.
    static func evolve<D: GridDensity>(_ matrix: SparseMatrix, clamped: [Double], initial: D, steps: Int,
                                       saveEvery: Int, timePerStep: Double, clampTolerance: Double,
                                       progress: ((_ done: Int, _ total: Int) -> Void)?,
                                       wrap: ([Double]) -> D) throws -> DensityEvolution<D> {
        guard steps >= 0 else { throw ConfigurationError(field: "steps", "must be non-negative, got \(steps)") }
        guard saveEvery >= 1 else { throw ConfigurationError(field: "saveEvery", "must be at least 1, got \(saveEvery)") }
        var p = initial.masses
        var q = p
        var out = DensityEvolution<D>(steps: [0], times: [0], densities: [initial], maximumBoundaryMass: 0,
                                      minimumMass: initial.minimumMass)
        if steps == 0 { return out }
        let reportEvery = Swift.max(1, steps / 1000)
        for k in 1...steps {
            var lost = 0.0
            p.withUnsafeBufferPointer { ps in
                clamped.withUnsafeBufferPointer { cs in
                    for j in 0..<ps.count where cs[j] != 0 { lost += cs[j] * ps[j] }
                }
            }
            matrix.multiply(p, into: &q)
            swap(&p, &q)
            if let progress, k % reportEvery == 0 || k == steps { progress(k, steps) }
            var low = p[0]
            for v in p where v < low { low = v }
            if low < out.minimumMass { out.minimumMass = low }
            if lost > out.maximumBoundaryMass { out.maximumBoundaryMass = lost }
            if lost > clampTolerance && out.status == .ok {
                out.status = .domainTooSmall(mass: lost, tolerance: clampTolerance, step: k)
            }
            if k % saveEvery == 0 || k == steps {
                out.steps.append(k)
                out.times.append(Double(k) * timePerStep)
                out.densities.append(wrap(p))
            }
        }
        return out
    }

    /// Power iteration `p ← P p / Σ(P p)` until `‖Δp‖₁ < tolerance` or `maximumIterations`; `progress`
    /// gets `(iterations, maximumIterations)` every 100 iterations and at the end.
    static func stationary<D: GridDensity>(_ matrix: SparseMatrix, clamped: [Double], initial: [Double],
                                           tolerance: Double, maximumIterations: Int, clampTolerance: Double,
                                           progress: ((_ done: Int, _ total: Int) -> Void)?,
                                           wrap: ([Double]) -> D) throws -> StationaryLaw<D> {
        guard tolerance > 0 else { throw ConfigurationError(field: "tolerance", "must be positive, got \(tolerance)") }
        guard maximumIterations >= 1 else {
            throw ConfigurationError(field: "maximumIterations", "must be at least 1, got \(maximumIterations)")
        }
        var p = initial
        var total = p.reduce(0, +)
        for j in 0..<p.count { p[j] /= total }
        var q = p
        var change = Double.infinity
        var iterations = 0
        while iterations < maximumIterations {
            matrix.multiply(p, into: &q)
            iterations += 1
            total = 0
            for v in q { total += v }
            let inv = 1 / total
            change = 0
            q.withUnsafeMutableBufferPointer { qs in
                p.withUnsafeBufferPointer { ps in
                    for j in 0..<qs.count {
                        qs[j] *= inv
                        change += abs(qs[j] - ps[j])
                    }
                }
            }
            swap(&p, &q)
            if change < tolerance { break }
            if let progress, iterations % 100 == 0 { progress(iterations, maximumIterations) }
        }
        progress?(iterations, maximumIterations)
        var lost = 0.0
        for j in 0..<p.count { lost += clamped[j] * p[j] }
        var status = DensityStatus.ok
        if change >= tolerance {
            status = .notConverged(iterations: iterations, change: change)
        } else if lost > clampTolerance {
            status = .domainTooSmall(mass: lost, tolerance: clampTolerance, step: iterations)
        }
        return StationaryLaw(density: wrap(p), iterations: iterations, change: change, clampedMass: lost, status: status)
    }
}
