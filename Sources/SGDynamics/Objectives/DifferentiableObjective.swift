#if canImport(_Differentiation)
import _Differentiation

/// A user's objective written as a differentiable Swift function; gradients come from reverse-mode
/// automatic differentiation (`_Differentiation`), exact to round-off.
///
///     f: Rᵈ → R,   ∇f(x) = gradient(at: x, of: f)
///
/// ```swift
/// let rosenbrock = DifferentiableObjective(name: "rosenbrock", dimension: 2) { x in
///     let u = 1 - x[0], w = x[1] - x[0] * x[0]
///     return u * u + 100 * w * w
/// }
/// ```
///
/// The Hessian-vector product is the protocol default (a central difference of these gradients).
///
/// - Note: `@differentiable` function types cannot be `@Sendable`, so the conformance is
///   `@unchecked Sendable`: the function must be pure (no captured shared mutable state), which an
///   objective should be anyway.
/// - Note: Each gradient allocates (the pullback's tape); use it for exploration, and a hand-written
///   gradient (``ClosureObjective``) where a time step must not allocate.
public struct DifferentiableObjective: Objective, @unchecked Sendable {
    public let dimension: Int
    public var name: String
    let f: @differentiable(reverse) ([Double]) -> Double

    public init(name: String = "user", dimension: Int, _ f: @escaping @differentiable(reverse) ([Double]) -> Double) {
        precondition(dimension >= 1, "DifferentiableObjective: dimension must be ≥ 1")
        self.name = name
        self.dimension = dimension
        self.f = f
    }

    public func value(_ x: [Double]) -> Double { f(x) }

    public func gradient(_ x: [Double], into g: inout [Double]) {
        let tangent = _Differentiation.gradient(at: x, of: f).base
        copy(tangent, into: &g)
    }

    /// `(f(x), ∇f(x))` from one forward and one backward pass.
    public func valueWithGradient(_ x: [Double]) -> (value: Double, gradient: [Double]) {
        let (v, tangent) = _Differentiation.valueWithGradient(at: x, of: f)
        var g = [Double](repeating: 0, count: dimension)
        copy(tangent.base, into: &g)
        return (v, g)
    }

    /// A zero tangent of an array is represented as an empty array; expand it.
    private func copy(_ tangent: [Double], into g: inout [Double]) {
        if tangent.isEmpty {
            for i in 0..<g.count { g[i] = 0 }
            return
        }
        precondition(tangent.count == g.count, "DifferentiableObjective: gradient has \(tangent.count) entries, expected \(g.count)")
        for i in 0..<g.count { g[i] = tangent[i] }
    }
}
#endif
