/// Several independent paths of an ensemble advanced together, one path per SIMD lane.
///
/// A lane computation performs, lane by lane, exactly the floating-point operations of the scalar
/// code for one path (same operations in the same order, no contraction into fused multiply-adds), so
/// an ensemble run on lanes is bitwise equal to the same ensemble run path by path. State is stored
/// structure-of-arrays: coordinate `i` of the four paths is one `Lanes` value.
public typealias Lanes = SIMD4<Double>

extension Lanes {
    /// Number of paths advanced together.
    @inlinable public static var width: Int { 4 }

    /// Copy lane `lane` of `count` lane vectors into `out[0..<count]`.
    @inlinable
    public static func gather(_ v: UnsafePointer<Lanes>, count: Int, lane: Int, into out: inout [Double]) {
        for i in 0..<count { out[i] = v[i][lane] }
    }

    /// The scalar fallback of a lane function: for each lane, gather the `inputCount` coordinates of
    /// `x`, run `body` on them, and scatter its `outputCount` results into `out` (allocates; the
    /// default of lane requirements that a type does not vectorize, never a hot path).
    @inlinable
    public static func perLane(_ x: UnsafePointer<Lanes>, inputCount n: Int, into out: UnsafeMutablePointer<Lanes>,
                               outputCount k: Int, _ body: ([Double], inout [Double]) -> Void) {
        var xs = [Double](repeating: 0, count: n), ys = [Double](repeating: 0, count: k)
        for lane in 0..<width {
            gather(x, count: n, lane: lane, into: &xs)
            body(xs, &ys)
            scatter(ys, count: k, lane: lane, into: out)
        }
    }

    /// Write `values[0..<count]` into lane `lane` of `count` lane vectors.
    @inlinable
    public static func scatter(_ values: [Double], count: Int, lane: Int, into v: UnsafeMutablePointer<Lanes>) {
        for i in 0..<count { v[i][lane] = values[i] }
    }
}
