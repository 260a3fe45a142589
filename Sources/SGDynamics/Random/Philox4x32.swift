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
