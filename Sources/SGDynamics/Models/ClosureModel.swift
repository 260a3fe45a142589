/// An ODE `ẋ = b(x, t)` given by a closure (for users' own flows and for solver tests).
public struct ClosureModel: Model {
    public let name: String
    public let dimension: Int
    let b: @Sendable ([Double], Double, inout [Double]) -> Void
    public init(name: String = "user ODE", dimension: Int,
                drift: @escaping @Sendable (_ x: [Double], _ t: Double, _ out: inout [Double]) -> Void) {
        self.name = name
        self.dimension = dimension
        self.b = drift
    }
    public func drift(_ x: [Double], t: Double, into out: inout [Double]) { b(x, t, &out) }
}
