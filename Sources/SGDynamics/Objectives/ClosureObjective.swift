/// A user's objective given as Swift closures.
///
/// Without a gradient closure the gradient is a central finite difference (step `1e-6·max(1,|xᵢ|)`),
/// which is slow and accurate to about 1e-9; give the gradient when you have it, or use
/// ``DifferentiableObjective`` for automatic gradients.
public struct ClosureObjective: Objective {
    public let dimension: Int
    public var name: String
    let f: @Sendable ([Double]) -> Double
    let g: (@Sendable ([Double], inout [Double]) -> Void)?

    public init(
        name: String = "user", dimension: Int,
        value: @escaping @Sendable ([Double]) -> Double,
        gradient: (@Sendable ([Double], inout [Double]) -> Void)? = nil
    ) {
        self.name = name
        self.dimension = dimension
        self.f = value
        self.g = gradient
    }

    public func value(_ x: [Double]) -> Double { f(x) }

    /// With a gradient closure, ensembles advance four paths at a time and call it lane by lane
    /// (two buffers per call of four lanes; the result is the scalar gradient's, bit for bit).
    public var hasLaneGradient: Bool { g != nil }

    public func gradient(_ x: [Double], into out: inout [Double]) {
        if let g { g(x, &out); return }
        var xp = x
        for i in 0..<dimension {
            let h = 1e-6 * Swift.max(1, Swift.abs(x[i]))
            xp[i] = x[i] + h
            let fp = f(xp)
            xp[i] = x[i] - h
            let fm = f(xp)
            xp[i] = x[i]
            out[i] = (fp - fm) / (2 * h)
        }
    }
}
