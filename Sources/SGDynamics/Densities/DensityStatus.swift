/// How a density computation ended (DESIGN.md: a numerical failure is a status on the result).
public enum DensityStatus: Sendable, Equatable, CustomStringConvertible {
    /// No problem was detected.
    case ok
    /// At `step`, `mass` exceeded `tolerance`, where `mass` is the mass in the boundary cells
    /// (Fokker–Planck, zero-flux walls) or the mass clamped at the domain ends in one step (transfer
    /// operator): the domain is too small for the support and the walls change the law.
    case domainTooSmall(mass: Double, tolerance: Double, step: Int)
    /// A cell mass fell below `−tolerance` at `step` (possible only for schemes without a positivity
    /// guarantee, such as the 2-D Fokker–Planck operator with cross-diffusion).
    case negativeMass(minimum: Double, step: Int)
    /// Power iteration stopped at its cap with `‖p_{k+1} − p_k‖₁ = change` above the tolerance.
    case notConverged(iterations: Int, change: Double)

    public var isOK: Bool { self == .ok }

    public var description: String {
        switch self {
        case .ok: return "ok"
        case let .domainTooSmall(mass, tolerance, step):
            return "domain too small: mass \(mass) > \(tolerance) at the domain ends at step \(step); widen the grid"
        case let .negativeMass(minimum, step):
            return "negative cell mass \(minimum) at step \(step) (cross-diffusion terms are not positivity preserving; refine the grid)"
        case let .notConverged(iterations, change):
            return "power iteration did not converge: ‖Δp‖₁ = \(change) after \(iterations) iterations"
        }
    }
}
