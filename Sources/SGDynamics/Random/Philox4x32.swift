/// Philox4x32-10, a counter-based random bijection: 128-bit counter × 64-bit key → 128 random bits.
///
///     round:  (c0,c1,c2,c3) ← (hi(M1·c2) ⊕ c1 ⊕ k0,  lo(M1·c2),  hi(M0·c0) ⊕ c3 ⊕ k1,  lo(M0·c0))
///     key:    (k0,k1) ← (k0 + W0, k1 + W1) between rounds;   10 rounds
///     M0 = 0xD2511F53, M1 = 0xCD9E8D57, W0 = 0x9E3779B9, W1 = 0xBB67AE85
///
/// Every output is a pure function of (counter, key): draws can be made in any order, on any thread,
/// and reproduced exactly.
/// - Reference: Salmon, Moraes, Dror & Shaw, *Parallel random numbers: as easy as 1, 2, 3*, SC 2011.
///   Checked against the Random123 known-answer vectors in the tests.
public enum Philox4x32 {
    @inlinable @inline(__always)
    public static func bijection(
        _ c: (UInt32, UInt32, UInt32, UInt32), key: (UInt32, UInt32)
    ) -> (UInt32, UInt32, UInt32, UInt32) {
        var (c0, c1, c2, c3) = c
        var (k0, k1) = key
        for r in 0..<10 {
            if r > 0 { k0 &+= 0x9E37_79B9; k1 &+= 0xBB67_AE85 }
            let p0 = UInt64(0xD251_1F53) &* UInt64(c0)
            let p1 = UInt64(0xCD9E_8D57) &* UInt64(c2)
            let n0 = UInt32(truncatingIfNeeded: p1 >> 32) ^ c1 ^ k0
            let n1 = UInt32(truncatingIfNeeded: p1)
            let n2 = UInt32(truncatingIfNeeded: p0 >> 32) ^ c3 ^ k1
            let n3 = UInt32(truncatingIfNeeded: p0)
            c0 = n0; c1 = n1; c2 = n2; c3 = n3
        }
        return (c0, c1, c2, c3)
    }
}

extension Philox4x32 {
    /// Four Philox4x32-10 evaluations at once (SIMD lanes), with the same key. Lane `i` equals
    /// ``bijection(_:key:)`` of the `i`-th counter; the 32×32→64 products map to vector multiplies.
    @inlinable @inline(__always)
    public static func bijection4(
        _ c0: SIMD4<UInt32>, _ c1: SIMD4<UInt32>, _ c2: SIMD4<UInt32>, _ c3: SIMD4<UInt32>, key: (UInt32, UInt32)
    ) -> (SIMD4<UInt32>, SIMD4<UInt32>, SIMD4<UInt32>, SIMD4<UInt32>) {
        var x0 = c0, x1 = c1, x2 = c2, x3 = c3
        var k0 = key.0, k1 = key.1
        let m0 = SIMD4<UInt64>(repeating: 0xD251_1F53), m1 = SIMD4<UInt64>(repeating: 0xCD9E_8D57)
        for r in 0..<10 {
            if r > 0 { k0 &+= 0x9E37_79B9; k1 &+= 0xBB67_AE85 }
            let p0 = SIMD4<UInt64>(truncatingIfNeeded: x0) &* m0
            let p1 = SIMD4<UInt64>(truncatingIfNeeded: x2) &* m1
            let n0 = SIMD4<UInt32>(truncatingIfNeeded: p1 &>> 32) ^ x1 ^ SIMD4(repeating: k0)
            let n1 = SIMD4<UInt32>(truncatingIfNeeded: p1)
            let n2 = SIMD4<UInt32>(truncatingIfNeeded: p0 &>> 32) ^ x3 ^ SIMD4(repeating: k1)
            let n3 = SIMD4<UInt32>(truncatingIfNeeded: p0)
            x0 = n0; x1 = n1; x2 = n2; x3 = n3
        }
        return (x0, x1, x2, x3)
    }
}
