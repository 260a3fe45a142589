/// A density evolved in time: snapshots at saved steps, with what was checked along the way.
///
/// Time is `t = k Δt` for a Fokker–Planck solve and `t = k η` for a transfer operator (docs/THEORY.md §1).
public struct DensityEvolution<Density: GridDensity>: Sendable {
    /// Saved step indices `k` (including 0, the initial law).
    public var steps: [Int]
    /// The times `t_k` of the saved steps.
    public var times: [Double]
    /// The laws at the saved steps.
    public var densities: [Density]
    /// Largest boundary-cell mass over all steps (Fokker–Planck), or largest mass clamped at the domain
    /// ends in one step (transfer operator).
    public var maximumBoundaryMass: Double
    /// Smallest cell mass over all steps.
    public var minimumMass: Double
    /// The first problem met, or ``DensityStatus/ok``.
    public var status: DensityStatus

    public init(steps: [Int] = [], times: [Double] = [], densities: [Density] = [],
                maximumBoundaryMass: Double = 0, minimumMass: Double = 0, status: DensityStatus = .ok) {
        self.steps = steps
        self.times = times
        self.densities = densities
        self.maximumBoundaryMass = maximumBoundaryMass
        self.minimumMass = minimumMass
        self.status = status
    }

    /// The last saved law.
    public var final: Density { densities[densities.count - 1] }
}
