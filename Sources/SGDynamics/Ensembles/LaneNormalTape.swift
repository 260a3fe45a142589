/// Standard normals of four consecutive paths for every step of a run, kept so that kernels that draw
/// the same numbers (the same generator seed and stream, the same number of components per step) on
/// the same paths draw them once: the first kernel fills the tape, the others read it.
///
/// A ``PairedKernel`` hands one tape to the algorithm and its models: with common random numbers the
/// algorithm's noise and the models' Brownian increments are the same draws, so they are generated once
/// per group of four paths instead of once per kernel. The numbers are those of
/// ``CounterRNG/gaussianLanes(firstPath:step:steps:components:into:raw:rejected:)``, bitwise.
///
/// Owned by one worker (not shared between threads). Runs longer than ``maximumLanes`` lane vectors
/// are not taped; kernels then draw their normals a few steps at a time as usual.
public final class LaneNormalTape {
    @usableFromInline var seed: UInt64 = 0
    @usableFromInline var stream: UInt32 = 0
    @usableFromInline var components = 0
    @usableFromInline var firstPath = -1
    @usableFromInline var steps = 0
    @usableFromInline var capacity = 0
    @usableFromInline var normals: UnsafeMutablePointer<Lanes>
    @usableFromInline var raw: UnsafeMutablePointer<UInt64>
    @usableFromInline var rejected: UnsafeMutablePointer<Int32>

    /// The largest tape, in lane vectors (2 MiB).
    public static var maximumLanes: Int { 1 << 16 }

    public init() {
        normals = .allocate(capacity: 1)
        raw = .allocate(capacity: 1)
        rejected = .allocate(capacity: 1)
    }

    deinit {
        normals.deallocate(); raw.deallocate(); rejected.deallocate()
    }

    /// The normals of paths `firstPath ..< firstPath + 4`, steps `0 ..< steps`, `m` components each
    /// (step `k`, component `c` at index `k·m + c`), drawn from `rng` unless the tape already holds them;
    /// `nil` when the run is too long to tape or draws nothing.
    @inlinable
    public func draws(_ rng: CounterRNG, firstPath p0: Int, steps n: Int, components m: Int) -> UnsafePointer<Lanes>? {
        let size = n * m
        guard m > 0, n > 0, size <= Self.maximumLanes else { return nil }
        if seed == rng.seed && stream == rng.stream && components == m && firstPath == p0 && steps >= n {
            return UnsafePointer(normals)
        }
        if size > capacity {
            normals.deallocate(); raw.deallocate(); rejected.deallocate()
            normals = .allocate(capacity: size)
            raw = .allocate(capacity: 4 * size)
            rejected = .allocate(capacity: 4 * size)
            capacity = size
        }
        rng.gaussianLanes(firstPath: p0, step: 0, steps: n, components: m, into: normals, raw: raw, rejected: rejected)
        seed = rng.seed; stream = rng.stream; components = m; firstPath = p0; steps = n
        return UnsafePointer(normals)
    }
}
