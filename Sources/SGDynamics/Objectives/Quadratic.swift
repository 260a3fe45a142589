#if canImport(_Differentiation)
import _Differentiation  // SIMD vector arithmetic on Lanes resolves through its AdditiveArithmetic conformance
#endif

/// The quadratic `f(x) = ½ (x − c)ᵀ H (x − c)` with `H` symmetric (positive definite for a minimum).
///
/// Gradient `H(x − c)`, Hessian `H`. The ill-conditioned example of docs/THEORY.md §4.1 is
/// `H = diag(1, 10)`, `c = 0`.
public struct Quadratic: Objective {
    public let hessianMatrix: Matrix
    public let center: [Double]
    @inlinable public var dimension: Int { center.count }
    public var name: String

    public init(hessian: Matrix, center: [Double]? = nil, name: String = "quadratic") {
        precondition(hessian.isSquare, "Quadratic: H must be square")
        self.hessianMatrix = hessian.symmetrized
        self.center = center ?? [Double](repeating: 0, count: hessian.rows)
        precondition(self.center.count == hessian.rows, "Quadratic: center has the wrong dimension")
        self.name = name
    }

    /// `½ xᵀ diag(λ) x`.
    public init(diagonal: [Double], name: String = "quadratic") {
        self.init(hessian: .diagonal(diagonal), name: name)
    }

    public var hasExactHessian: Bool { true }

    @inlinable
    public func value(_ x: [Double]) -> Double {
        let d = dimension
        var s = 0.0
        hessianMatrix.storage.withUnsafeBufferPointer { h in
            center.withUnsafeBufferPointer { c in
                x.withUnsafeBufferPointer { x in
                    for i in 0..<d {
                        var r = 0.0
                        for j in 0..<d { r += h[i * d + j] * (x[j] - c[j]) }
                        s += (x[i] - c[i]) * r
                    }
                }
            }
        }
        return 0.5 * s
    }

    public func gradient(_ x: [Double], into g: inout [Double]) {
        let d = dimension
        for i in 0..<d {
            var r = 0.0
            for j in 0..<d { r += hessianMatrix[i, j] * (x[j] - center[j]) }
            g[i] = r
        }
    }

    public func hessianVectorProduct(_ x: [Double], _ v: [Double], into hv: inout [Double]) {
        hessianMatrix.multiply(v, into: &hv)
    }

    @inlinable public var hasLaneGradient: Bool { true }
    @inlinable
    public func gradient(lanes x: UnsafePointer<Lanes>, into g: UnsafeMutablePointer<Lanes>) {
        let d = dimension
        hessianMatrix.storage.withUnsafeBufferPointer { h in
            center.withUnsafeBufferPointer { c in
                for i in 0..<d {
                    var r = Lanes(repeating: 0)
                    for j in 0..<d { r += h[i * d + j] * (x[j] - c[j]) }
                    g[i] = r
                }
            }
        }
    }
}

/// The Rosenbrock function `f(x, y) = (a − x)² + b (y − x²)²`, minimum at `(a, a²)`.
public struct Rosenbrock: Objective {
    public var a: Double
    public var b: Double
    @inlinable public var dimension: Int { 2 }
    public var name: String { "rosenbrock" }
    public var hasExactHessian: Bool { true }

    public init(a: Double = 1, b: Double = 100) { self.a = a; self.b = b }

    public func value(_ x: [Double]) -> Double {
        let u = a - x[0], w = x[1] - x[0] * x[0]
        return u * u + b * w * w
    }

    public func gradient(_ x: [Double], into g: inout [Double]) {
        let w = x[1] - x[0] * x[0]
        g[0] = -2 * (a - x[0]) - 4 * b * x[0] * w
        g[1] = 2 * b * w
    }

    public func hessianVectorProduct(_ x: [Double], _ v: [Double], into hv: inout [Double]) {
        let hxx = 2 - 4 * b * (x[1] - 3 * x[0] * x[0])
        let hxy = -4 * b * x[0]
        let hyy = 2 * b
        hv[0] = hxx * v[0] + hxy * v[1]
        hv[1] = hxy * v[0] + hyy * v[1]
    }

    @inlinable public var hasLaneGradient: Bool { true }
    @inlinable
    public func gradient(lanes x: UnsafePointer<Lanes>, into g: UnsafeMutablePointer<Lanes>) {
        let w = x[1] - x[0] * x[0]
        g[0] = -2 * (a - x[0]) - 4 * b * x[0] * w
        g[1] = 2 * b * w
    }
}

/// Double well `f(x) = h (x² − 1)²` in 1-D, or `f(x, y) = h (x² − 1)² + y²/2` in 2-D.
///
/// Minima at `x = ±1`, barrier height `h` at `x = 0`. `h = 1/4` gives `x⁴/4 − x²/2 + 1/4`
/// (docs/THEORY.md §7.4); `h = 1` with `d = 2` is the potential of benchmark W2.
public struct DoubleWell: Objective {
    public let dimension: Int
    public var height: Double
    public var name: String { dimension == 1 ? "double-well" : "double-well-2d" }
    public var hasExactHessian: Bool { true }

    public init(dimension: Int = 1, height: Double = 0.25) {
        precondition(dimension == 1 || dimension == 2, "DoubleWell is 1-D or 2-D")
        self.dimension = dimension
        self.height = height
    }

    public func value(_ x: [Double]) -> Double {
        let u = x[0] * x[0] - 1
        return height * u * u + (dimension == 2 ? 0.5 * x[1] * x[1] : 0)
    }

    public func gradient(_ x: [Double], into g: inout [Double]) {
        g[0] = 4 * height * x[0] * (x[0] * x[0] - 1)
        if dimension == 2 { g[1] = x[1] }
    }

    public func hessianVectorProduct(_ x: [Double], _ v: [Double], into hv: inout [Double]) {
        hv[0] = height * (12 * x[0] * x[0] - 4) * v[0]
        if dimension == 2 { hv[1] = v[1] }
    }

    @inlinable public var hasLaneGradient: Bool { true }
    @inlinable
    public func gradient(lanes x: UnsafePointer<Lanes>, into g: UnsafeMutablePointer<Lanes>) {
        g[0] = 4 * height * x[0] * (x[0] * x[0] - 1)
        if dimension == 2 { g[1] = x[1] }
    }
}

/// The 1-D quartic `f(x) = x⁴/4 + c x²/2` (docs/THEORY.md §4.2 uses `c = 1`).
public struct Quartic: Objective {
    public var c: Double
    @inlinable public var dimension: Int { 1 }
    public var name: String { "quartic" }
    public var hasExactHessian: Bool { true }

    public init(c: Double = 1) { self.c = c }

    public func value(_ x: [Double]) -> Double { let v = x[0] * x[0]; return v * v / 4 + c * v / 2 }
    public func gradient(_ x: [Double], into g: inout [Double]) { g[0] = x[0] * x[0] * x[0] + c * x[0] }
    public func hessianVectorProduct(_ x: [Double], _ v: [Double], into hv: inout [Double]) {
        hv[0] = (3 * x[0] * x[0] + c) * v[0]
    }

    @inlinable public var hasLaneGradient: Bool { true }
    @inlinable
    public func gradient(lanes x: UnsafePointer<Lanes>, into g: UnsafeMutablePointer<Lanes>) {
        g[0] = x[0] * x[0] * x[0] + c * x[0]
    }
}
