import Foundation

/// The Chang–Cooper / Scharfetter–Gummel exponentially fitted face flux (docs/THEORY.md §7.2).
///
/// For `∂_t p = ∂_x[B p + C ∂_x p]` on cells `j, j+1` with `w = Δx B_{j+½}/C_{j+½}`:
///
///     F_{j+½} = (C/Δx) [ β(−w) p_{j+1} − β(w) p_j ],   β(w) = w/(e^w − 1),  β(0) = 1
///
/// and `dp_j/dt = (F_{j+½} − F_{j−½})/Δx`. For masses this is a birth–death chain across the face with
/// rates `r_→ = C β(w)/Δx²` (cell `j` to `j+1`) and `r_← = C β(−w)/Δx²` (`j+1` to `j`), both ≥ 0, with
/// `r_→/r_← = e^{−w}`: zero flux gives the exact discrete equilibrium `p_{j+1}/p_j = e^{−w}`.
///
/// - Reference: J.S. Chang, G. Cooper, J. Comput. Phys. 6 (1970) 1–16; Buet & Dellacherie (2010).
public enum ChangCooper {
    /// The Bernoulli function `β(w) = w/(e^w − 1)`, `β(0) = 1`; `1 − w/2` for `|w| < 10⁻⁸` (error
    /// below `10⁻¹⁷`), `w/expm1(w)` otherwise. `β(w) → 0` as `w → +∞` and `β(w) ≈ |w|` as `w → −∞`.
    @inlinable
    public static func bernoulli(_ w: Double) -> Double {
        if abs(w) < 1e-8 { return 1 - 0.5 * w }
        return w / expm1(w)
    }

    /// The face rates `(r_→, r_←) = (C β(w)/Δx², C β(−w)/Δx²)`, `w = Δx B/C`, for `C > 0`. For `C = 0`
    /// they tend to the upwind rates `(max(−B, 0)/Δx, max(B, 0)/Δx)` (pure transport), which are used.
    @inlinable
    public static func faceRates(drift b: Double, diffusion c: Double, spacing dx: Double) -> (right: Double, left: Double) {
        if c == 0 { return (Swift.max(-b, 0) / dx, Swift.max(b, 0) / dx) }
        return rates(peclet: dx * b / c, diffusion: c, spacing: dx)
    }

    /// The face rates from the cell Péclet number `w` directly: `(C β(w)/Δx², C β(−w)/Δx²)`.
    @inlinable
    public static func rates(peclet w: Double, diffusion c: Double, spacing dx: Double) -> (right: Double, left: Double) {
        let s = c / (dx * dx)
        return (s * bernoulli(w), s * bernoulli(-w))
    }
}
