/// An objective known only as `any Objective`, as a concrete type (for generic code outside the
/// hot loops of built-in studies).
public struct AnyObjective: Objective {
    public let base: any Objective
    public init(_ b: any Objective) { base = b }
    public var dimension: Int { base.dimension }
    public var name: String { base.name }
    public func value(_ x: [Double]) -> Double { base.value(x) }
    public func gradient(_ x: [Double], into g: inout [Double]) { base.gradient(x, into: &g) }
    public func hessianVectorProduct(_ x: [Double], _ v: [Double], into hv: inout [Double]) { base.hessianVectorProduct(x, v, into: &hv) }
    public var hasExactHessian: Bool { base.hasExactHessian }
    public var hasLaneGradient: Bool { base.hasLaneGradient }
    public func gradient(lanes x: UnsafePointer<Lanes>, into g: UnsafeMutablePointer<Lanes>) { base.gradient(lanes: x, into: g) }
}
