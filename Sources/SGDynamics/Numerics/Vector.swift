/// Small helpers on `[Double]` used as vectors. Loops are written so the optimizer can vectorize them.
public enum Vec {
    @inlinable
    public static func dot(_ a: [Double], _ b: [Double]) -> Double {
        precondition(a.count == b.count, "dot: dimension mismatch")
        var s = 0.0
        for i in 0..<a.count { s += a[i] * b[i] }
        return s
    }

    @inlinable
    public static func norm(_ a: [Double]) -> Double { dot(a, a).squareRoot() }

    @inlinable
    public static func maxAbs(_ a: [Double]) -> Double {
        var m = 0.0
        for v in a { m = Swift.max(m, Swift.abs(v)) }
        return m
    }

    /// `y += alpha * x`.
    @inlinable
    public static func axpy(_ alpha: Double, _ x: [Double], _ y: inout [Double]) {
        precondition(x.count == y.count, "axpy: dimension mismatch")
        for i in 0..<x.count { y[i] += alpha * x[i] }
    }

    @inlinable
    public static func sub(_ a: [Double], _ b: [Double]) -> [Double] {
        precondition(a.count == b.count)
        return (0..<a.count).map { a[$0] - b[$0] }
    }

    @inlinable
    public static func add(_ a: [Double], _ b: [Double]) -> [Double] {
        precondition(a.count == b.count)
        return (0..<a.count).map { a[$0] + b[$0] }
    }

    @inlinable
    public static func scaled(_ s: Double, _ a: [Double]) -> [Double] { a.map { s * $0 } }

    /// Max-norm distance.
    @inlinable
    public static func distanceMax(_ a: [Double], _ b: [Double]) -> Double {
        precondition(a.count == b.count)
        var m = 0.0
        for i in 0..<a.count { m = Swift.max(m, Swift.abs(a[i] - b[i])) }
        return m
    }

    /// Euclidean distance.
    @inlinable
    public static func distance(_ a: [Double], _ b: [Double]) -> Double {
        precondition(a.count == b.count)
        var s = 0.0
        for i in 0..<a.count { let d = a[i] - b[i]; s += d * d }
        return s.squareRoot()
    }

    @inlinable
    public static func allFinite(_ a: [Double]) -> Bool {
        for v in a where !v.isFinite { return false }
        return true
    }
}
