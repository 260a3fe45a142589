#if canImport(_Differentiation)
import _Differentiation  // SIMD vector arithmetic on Lanes resolves through its AdditiveArithmetic conformance
#endif

import Foundation
import CSGDynamicsKernels

/// Random draws addressed by (seed, stream, path, step, component), built on ``Philox4x32``.
///
/// A draw is a pure function of its address, so an ensemble gives bitwise the same numbers whatever
/// the thread count or shard split, and two models that use the same address see the same Brownian
/// increment (common random numbers). Counter layout: `(block, step, path, stream)`, key = seed.
/// One Philox call yields two 64-bit words, hence two uniforms or two Gaussians, so components
/// `2j` and `2j+1` share block `j`.
public struct CounterRNG: Sendable {
    public let seed: UInt64
    /// A tag that separates independent uses (Brownian increments, batch indices, oracle noise, …).
    public var stream: UInt32

    public init(seed: UInt64, stream: UInt32 = 0) {
        self.seed = seed
        self.stream = stream
    }

    @inlinable @inline(__always)
    var key: (UInt32, UInt32) { (UInt32(truncatingIfNeeded: seed), UInt32(truncatingIfNeeded: seed >> 32)) }

    /// 128 random bits for (path, step, block).
    @inlinable @inline(__always)
    public func bits(path: Int, step: Int, block: Int) -> (UInt64, UInt64) {
        let r = Philox4x32.bijection(
            (UInt32(truncatingIfNeeded: block), UInt32(truncatingIfNeeded: step),
             UInt32(truncatingIfNeeded: path), stream ^ (UInt32(truncatingIfNeeded: path >> 32) << 16)),
            key: key)
        return (UInt64(r.0) | (UInt64(r.1) << 32), UInt64(r.2) | (UInt64(r.3) << 32))
    }

    /// Two uniforms in the open interval (0, 1) with 53 random bits each.
    @inlinable @inline(__always)
    public func uniformPair(path: Int, step: Int, block: Int) -> (Double, Double) {
        let (a, b) = bits(path: path, step: step, block: block)
        return ((Double(a >> 11) + 0.5) * 0x1.0p-53, (Double(b >> 11) + 0.5) * 0x1.0p-53)
    }

    /// Uniform in (0, 1) for one component.
    @inlinable @inline(__always)
    public func uniform(path: Int, step: Int, component: Int) -> Double {
        let (u0, u1) = uniformPair(path: path, step: step, block: component >> 1)
        return component & 1 == 0 ? u0 : u1
    }

    /// A uniform integer in `0..<n` (multiply-shift on 64 bits; bias below 2⁻³² for n < 2³²).
    @inlinable @inline(__always)
    public func index(_ n: Int, path: Int, step: Int, component: Int) -> Int {
        let (a, b) = bits(path: path, step: step, block: component >> 1)
        let w = component & 1 == 0 ? a : b
        return Int(w.multipliedFullWidth(by: UInt64(n)).high)
    }

    /// Two independent standard normals, one from each 64-bit word of the Philox output, by the
    /// ziggurat method (``Ziggurat``). The rare rejections (about 1.2%) redraw from a separate counter
    /// range, so the pair is still a pure function of (seed, stream, path, step, block).
    @inlinable @inline(__always)
    public func gaussianPair(path: Int, step: Int, block: Int) -> (Double, Double) {
        let (a, b) = bits(path: path, step: step, block: block)
        let table = Ziggurat.table
        let za = Ziggurat.fast(a, table), zb = Ziggurat.fast(b, table)
        if za.isFinite && zb.isFinite { return (za, zb) }
        return (za.isFinite ? za : slowGaussian(path: path, step: step, block: block, lane: 0, first: a),
                zb.isFinite ? zb : slowGaussian(path: path, step: step, block: block, lane: 1, first: b))
    }

    /// The retry loop of the ziggurat for one lane, drawing from counters with the top bit of the
    /// stream word set (never used by first draws).
    @usableFromInline
    func slowGaussian(path: Int, step: Int, block: Int, lane: Int, first: UInt64) -> Double {
        var attempt: UInt32 = 0
        var w = first          // the first attempt continues with its own layer and uniform
        var tailSign: Double? = nil
        let key = (UInt32(truncatingIfNeeded: seed), UInt32(truncatingIfNeeded: seed >> 32))
        while true {
            let r = Philox4x32.bijection(
                (UInt32(truncatingIfNeeded: block) ^ (attempt << 24), UInt32(truncatingIfNeeded: step),
                 UInt32(truncatingIfNeeded: path), (stream ^ (UInt32(truncatingIfNeeded: path >> 32) << 16)) | 0x8000_0000 | (UInt32(lane) << 30)),
                key: key)
            let w1 = UInt64(r.0) | (UInt64(r.1) << 32), w2 = UInt64(r.2) | (UInt64(r.3) << 32)
            attempt &+= 1
            if let sign = tailSign {
                // keep sampling the tail, two trials per Philox call
                if let t = Ziggurat.tail(w1) { return sign * t }
                if let t = Ziggurat.tail(w2) { return sign * t }
                continue
            }
            switch Ziggurat.complete(w, w2) {
            case let .accepted(z): return z
            case .restart: w = w1
            case let .tail(sign):
                tailSign = sign
                if let t = Ziggurat.tail(w1) { return sign * t }
            }
        }
    }

    /// A standard normal for one component.
    @inlinable @inline(__always)
    public func gaussian(path: Int, step: Int, component: Int) -> Double {
        let (g0, g1) = gaussianPair(path: path, step: step, block: component >> 1)
        return component & 1 == 0 ? g0 : g1
    }

    /// Fill `out` with independent standard normals for (path, step), components 0..<out.count.
    @inlinable
    public func fillGaussian(_ out: inout [Double], path: Int, step: Int) {
        let n = out.count
        var j = 0
        while j + 1 < n {
            let (a, b) = gaussianPair(path: path, step: step, block: j >> 1)
            out[j] = a; out[j + 1] = b
            j += 2
        }
        if j < n { out[j] = gaussianPair(path: path, step: step, block: j >> 1).0 }
    }

    /// Standard normals for four consecutive steps `step…step+3` of one path: `out[4·q + … ]` holds, for
    /// step `step + q`, the components `0..<2·blocks` (two per block). Bitwise equal to calling
    /// ``gaussianPair(path:step:block:)`` for each (step, block), but the four Philox evaluations of a
    /// block run in SIMD lanes. `out` must hold `8·blocks` values; layout `out[q·2·blocks + 2b + lane]`.
    @inlinable
    public func gaussianSteps4(path: Int, step: Int, blocks: Int, into out: UnsafeMutablePointer<Double>) {
        let steps = SIMD4<UInt32>(UInt32(truncatingIfNeeded: step), UInt32(truncatingIfNeeded: step &+ 1),
                                  UInt32(truncatingIfNeeded: step &+ 2), UInt32(truncatingIfNeeded: step &+ 3))
        let pathWord = SIMD4<UInt32>(repeating: UInt32(truncatingIfNeeded: path))
        let tag = SIMD4<UInt32>(repeating: stream ^ (UInt32(truncatingIfNeeded: path >> 32) << 16))
        let width = 2 * blocks
        let table = Ziggurat.table
        for b in 0..<blocks {
            let r = Philox4x32.bijection4(SIMD4(repeating: UInt32(truncatingIfNeeded: b)), steps, pathWord, tag, key: key)
            for q in 0..<4 {
                let wa = UInt64(r.0[q]) | (UInt64(r.1[q]) << 32), wb = UInt64(r.2[q]) | (UInt64(r.3[q]) << 32)
                var za = Ziggurat.fast(wa, table), zb = Ziggurat.fast(wb, table)
                if !za.isFinite { za = slowGaussian(path: path, step: step + q, block: b, lane: 0, first: wa) }
                if !zb.isFinite { zb = slowGaussian(path: path, step: step + q, block: b, lane: 1, first: wb) }
                out[q * width + 2 * b] = za
                out[q * width + 2 * b + 1] = zb
            }
        }
    }

    /// Standard normals for the `Lanes.width` consecutive paths `firstPath…` over `steps` consecutive
    /// steps: `out[s·m + c]` holds, in lane `q`, `gaussian(path: firstPath + q, step: step + s,
    /// component: c)` for `c < m` (bitwise). Philox runs eight counters at a time in C (AVX2 when the
    /// processor has it); the rare ziggurat rejections are completed here with the exact slow path.
    /// `raw` and `rejected` must hold `4·steps·m` entries each (work space).
    @inlinable
    public func gaussianLanes(firstPath: Int, step: Int, steps: Int, components m: Int,
                              into out: UnsafeMutablePointer<Lanes>, raw: UnsafeMutablePointer<UInt64>,
                              rejected: UnsafeMutablePointer<Int32>) {
        out.withMemoryRebound(to: Double.self, capacity: 4 * steps * m) { o in
            let count = Int(sgdyn_normal_blocks4(seed, stream, Int64(firstPath), Int64(step), Int32(steps), Int32(m),
                                                 Ziggurat.table, o, raw, rejected))
            for r in 0..<count {
                let i = Int(rejected[r])
                let q = i & 3, c = (i >> 2) % m, s = (i >> 2) / m
                o[i] = slowGaussian(path: firstPath + q, step: step + s, block: c >> 1, lane: c & 1, first: raw[r])
            }
        }
    }

    /// A generator for another purpose with the same seed.
    public func withStream(_ s: UInt32) -> CounterRNG { CounterRNG(seed: seed, stream: s) }
}

/// Stream tags used by the library, so that uses never collide.
public enum RandomStream {
    public static let brownian: UInt32 = 0
    public static let batches: UInt32 = 1
    public static let oracle: UInt32 = 2
    public static let langevin: UInt32 = 3
    public static let secondBatch: UInt32 = 4
    public static let initial: UInt32 = 5
}
