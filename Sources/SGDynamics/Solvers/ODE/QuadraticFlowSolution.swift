import Foundation

/// Exact solutions of the linear flows of a quadratic `f = ½(x−c)ᵀH(x−c)` by the matrix exponential
/// in the eigenbasis of `H`:
///
///     ẋ = −φ(H)(x − c)   ⇒   x(t) = c + V e^{−φ(Λ)t} Vᵀ (x₀ − c)
///
/// with `φ(λ) = λ` (gradient flow), `λ + (η/2)λ²` (IGR flow of GD), `λ − (η/2)λ²` (backward-Euler flow).
public struct QuadraticFlowSolution: Sendable {
    public let eigen: SymmetricEigen
    public let center: [Double]
    public let rates: [Double]

    public init(_ q: Quadratic, modification: ModifiedFlow<Quadratic>.Kind? = nil, learningRate eta: Double = 0) {
        eigen = SymmetricEigen(q.hessianMatrix)
        center = q.center
        rates = eigen.values.map { l in
            switch modification {
            case nil: return l
            case .gradientDescent?: return l + eta / 2 * l * l
            case .proximalPoint?: return l - eta / 2 * l * l
            }
        }
    }

    /// `x(t)` from `x₀`.
    public func state(at t: Double, from x0: [Double]) -> [Double] {
        let d = center.count
        let v = eigen.vectors
        var coeff = [Double](repeating: 0, count: d)
        for k in 0..<d {
            var s = 0.0
            for i in 0..<d { s += v[i, k] * (x0[i] - center[i]) }
            coeff[k] = s * Foundation.exp(-rates[k] * t)
        }
        var out = center
        for i in 0..<d { for k in 0..<d { out[i] += v[i, k] * coeff[k] } }
        return out
    }
}
