import Foundation

/// SplitMix64: a tiny sequential generator for non-statistical uses (start vectors, test data).
/// Simulations use the counter-based ``Philox4x32`` instead.
/// - Reference: Steele, Lea & Flood, *Fast splittable pseudorandom number generators*, OOPSLA 2014.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform on [0, 1) with 53 random bits.
    public mutating func nextDouble() -> Double { Double(next() >> 11) * 0x1.0p-53 }
    /// Standard normal by Box–Muller.
    public mutating func nextGaussian() -> Double {
        let u1 = 1 - nextDouble(), u2 = nextDouble()
        return (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * .pi * u2)
    }
}
