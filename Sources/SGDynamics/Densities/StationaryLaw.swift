/// The stationary law of a transfer operator found by power iteration, with how it was found.
public struct StationaryLaw<Density: GridDensity>: Sendable {
    /// The last iterate, normalised to mass 1.
    public var density: Density
    /// Iterations performed.
    public var iterations: Int
    /// `‖p_{k+1} − p_k‖₁` at the last iteration.
    public var change: Double
    /// Mass clamped at the domain ends per step under the returned law, `Σ_j c_j p_j` (`c_j` the
    /// clamped probability of node `j`); it should be negligible.
    public var clampedMass: Double
    /// ``DensityStatus/ok``, ``DensityStatus/notConverged(iterations:change:)`` or
    /// ``DensityStatus/domainTooSmall(mass:tolerance:step:)`` (clamped mass above its tolerance).
    public var status: DensityStatus

    public init(density: Density, iterations: Int, change: Double, clampedMass: Double, status: DensityStatus) {
        self.density = density
        self.iterations = iterations
        self.change = change
        self.clampedMass = clampedMass
        self.status = status
    }
}
