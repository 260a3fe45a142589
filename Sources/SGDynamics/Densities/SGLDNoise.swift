import Foundation

/// The Gaussian noise `s Z` of one SGLD step, `s = √(2ηT)`, as points `z_q` and weights `w_q` for
/// the master equation (docs/THEORY.md §8.3):
///
/// - when `s ≥ Δθ`, the lattice `z_k = kΔθ/s`, `|k| ≤ ⌈8s/Δθ⌉`, with weights `∝ e^{−z_k²/2}`: every
///   jump is a whole number of cells, so the deposit stays smooth (the variance is `s²` up to
///   `e^{−2π²s²/Δθ²}`);
/// - for smaller `s`, the `quadrature`-point Gauss–Hermite rule (moments exact to degree `2m − 1`).
public struct SGLDNoise: Sendable, Equatable {
    public let points: [Double]
    public let weights: [Double]
    /// Whether the lattice (rather than quadrature) was used.
    public let isLattice: Bool
    /// One line for the output.
    public let description: String

    public init(learningRate eta: Double, temperature: Double, spacing dx: Double, quadrature: Int) {
        let s = (2 * eta * temperature).squareRoot()
        if s >= dx {
            let k = Int((8 * s / dx).rounded(.up))
            let z = (-k...k).map { Double($0) * dx / s }
            var w = z.map { exp(-0.5 * $0 * $0) }
            let sum = w.reduce(0, +)
            for q in 0..<w.count { w[q] /= sum }
            points = z; weights = w; isLattice = true
            description = "noise √(2ηT)Z as a lattice Gaussian of \(2 * k + 1) whole-cell jumps"
        } else {
            let rule = GaussHermite(points: quadrature)
            points = rule.nodes; weights = rule.weights; isLattice = false
            description = "noise √(2ηT)Z by \(quadrature)-point Gauss–Hermite quadrature (√(2ηT) < Δθ)"
        }
    }

    /// The number of points of the lattice for these values, without building it (for size checks);
    /// `quadrature` when Gauss–Hermite is used.
    public static func pointCount(learningRate eta: Double, temperature: Double, spacing dx: Double, quadrature: Int) -> Double {
        let s = (2 * eta * temperature).squareRoot()
        return s >= dx ? 2 * (8 * s / dx).rounded(.up) + 1 : Double(quadrature)
    }
}
