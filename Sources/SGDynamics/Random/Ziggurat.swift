import Foundation

/// Standard normal variates by the ziggurat method with 256 layers (Marsaglia & Tsang, *The
/// ziggurat method for generating random variables*, J. Stat. Softw. 5 (2000)).
///
/// Layer edges: `x₁ = r = 3.6541528853610088`, `x_{i+1} = √(−2 ln(v/xᵢ + f(xᵢ)))`, `f(x) = e^{−x²/2}`,
/// with layer area `v = 4.92867323399e-3` and base strip width `x₀ = v/f(r)`. One 64-bit word gives
/// the layer (8 bits), the sign (1 bit) and a 53-bit uniform; about 98.8% of draws are accepted in
/// the rectangle test alone. The tables are computed from these formulas at first use.
public enum Ziggurat {
    public static let r = 3.6541528853610088
    public static let v = 4.92867323399e-3

    /// `edges[i]` = xᵢ for i = 0…256 (x₂₅₆ = 0); `heights[i] = f(xᵢ)`.
    public static let edges: [Double] = {
        var x = [Double](repeating: 0, count: 257)
        x[0] = v / Foundation.exp(-0.5 * r * r)
        x[1] = r
        for i in 1..<255 {
            let arg = v / x[i] + Foundation.exp(-0.5 * x[i] * x[i])
            x[i + 1] = (-2 * Foundation.log(arg)).squareRoot()
        }
        x[256] = 0
        return x
    }()
    public static let heights: [Double] = edges.map { Foundation.exp(-0.5 * $0 * $0) }

    /// The edges as an immortal buffer, for hot loops (no bounds checks or lazy-initialization checks
    /// per draw once the caller holds the pointer).
    @inlinable public static var table: UnsafePointer<Double> { edgeBuffer.pointer }

    /// An immutable buffer, written once when it is made and never again: safe to share between threads.
    @usableFromInline struct EdgeBuffer: @unchecked Sendable {
        @usableFromInline let pointer: UnsafePointer<Double>
        init(pointer: UnsafePointer<Double>) { self.pointer = pointer }
    }

    @usableFromInline static let edgeBuffer: EdgeBuffer = {
        let p = UnsafeMutablePointer<Double>.allocate(capacity: 257)
        p.initialize(from: edges, count: 257)
        return EdgeBuffer(pointer: UnsafePointer(p))
    }()

    /// The heights f(xᵢ) as an immortal buffer, for the C kernels' exact slow path.
    @inlinable public static var heightTable: UnsafePointer<Double> { heightBuffer.pointer }

    @usableFromInline static let heightBuffer: EdgeBuffer = {
        let p = UnsafeMutablePointer<Double>.allocate(capacity: 257)
        p.initialize(from: heights, count: 257)
        return EdgeBuffer(pointer: UnsafePointer(p))
    }()

    /// The accepted value for the rectangle test, or NaN when the draw needs the slow path.
    @inlinable @inline(__always)
    public static func fast(_ w: UInt64, _ x: UnsafePointer<Double>) -> Double {
        let i = Int(w & 255)
        let u = Double(w >> 11) * 0x1.0p-53
        let z = u * x[i]
        if z < x[i + 1] { return (w & 256) == 0 ? z : -z }
        return .nan
    }

    /// The outcome of the slow part of one ziggurat attempt.
    public enum Outcome: Sendable {
        case accepted(Double)
        /// Rejected in a wedge: start again with a fresh layer.
        case restart
        /// The draw fell in the base strip beyond `r`: sample the tail (with this sign) until accepted.
        case tail(sign: Double)
    }

    /// Finish an attempt whose first word `w` failed the rectangle test, using a second word `w2`
    /// for the wedge test (or, in the base strip, for the first tail trial).
    public static func complete(_ w: UInt64, _ w2: UInt64) -> Outcome {
        let i = Int(w & 255)
        let sign: Double = (w & 256) == 0 ? 1 : -1
        let u = Double(w >> 11) * 0x1.0p-53
        let z = u * edges[i]
        if z < edges[i + 1] { return .accepted(sign * z) }
        if i == 0 {
            if let t = tail(w2) { return .accepted(sign * t) }
            return .tail(sign: sign)
        }
        // wedge: accept when a uniform height under the layer lies below f(z)
        let u2 = (Double(w2 >> 11) + 0.5) * 0x1.0p-53
        let y = heights[i + 1] + u2 * (heights[i] - heights[i + 1])
        return y < Foundation.exp(-0.5 * z * z) ? .accepted(sign * z) : .restart
    }

    /// One trial of the tail beyond `r` (Marsaglia 1964): `x = −ln(U₁)/r`, `y = −ln(U₂)`, accept
    /// `r + x` when `2y > x²`; the uniforms are the two 32-bit halves of `w`. Rejected trials are
    /// repeated with fresh words (not with a fresh layer), which keeps the tail mass exact.
    public static func tail(_ w: UInt64) -> Double? {
        let t1 = (Double(w >> 32) + 0.5) * 0x1.0p-32, t2 = (Double(w & 0xFFFF_FFFF) + 0.5) * 0x1.0p-32
        let x = -Foundation.log(t1) / r
        let y = -Foundation.log(t2)
        return 2 * y > x * x ? r + x : nil
    }
}
