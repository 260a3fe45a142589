import Foundation
import Testing
@testable import SGDynamics
import CSGDynamicsKernels

/// Hides a kernel's lane support, so the ensemble runs it path by path.
struct PathByPath<K: PathKernel>: PathKernel {
    let kernel: K
    var positionDimension: Int { kernel.positionDimension }
    var saveCount: Int { kernel.saveCount }
    var saveTimes: [Double] { kernel.saveTimes }
    func makeWorkspace() -> K.Workspace { kernel.makeWorkspace() }
    func simulate(path: Int, workspace: inout K.Workspace, record: (Int, [Double]) -> Void) -> Int? {
        kernel.simulate(path: path, workspace: &workspace, record: record)
    }
}

/// Paths advanced four at a time in SIMD lanes must give bitwise the numbers of the scalar code, so
/// that speed never changes a result (DESIGN.md: results identical for any thread count or split).
@Suite("SIMD lanes", .serialized)
struct LaneTests {
    /// The instruction-set levels this processor can run (0 portable C, 1 AVX2, 2 AVX-512).
    static var levels: [Int32] { Array(0...sgdyn_normal_blocks_best_level()) }

    /// Run `body` at each level, then restore the best.
    static func atEveryLevel(_ body: (Int32) -> Void) {
        defer { sgdyn_normal_blocks_set_level(-1) }
        for level in levels {
            sgdyn_normal_blocks_set_level(level)
            #expect(sgdyn_normal_blocks_level() == level)
            body(level)
        }
    }

    @Test("Lane normals are the same at every instruction-set level (portable, AVX2, AVX-512) and equal the scalar draws")
    func everyLevel() {
        let rng = CounterRNG(seed: 31, stream: 2)
        var rejections = 0
        Self.atEveryLevel { level in
            for m in 1...5 {
                for steps in [1, 2, 7, 8] {
                    var out = [Lanes](repeating: .zero, count: steps * m)
                    var raw = [UInt64](repeating: 0, count: 4 * steps * m), rej = [Int32](repeating: 0, count: 4 * steps * m)
                    for first in stride(from: 0, to: 240, by: 4) {
                        out.withUnsafeMutableBufferPointer { o in raw.withUnsafeMutableBufferPointer { r in rej.withUnsafeMutableBufferPointer { j in
                            rng.gaussianLanes(firstPath: first, step: 11, steps: steps, components: m, into: o.baseAddress!,
                                              raw: r.baseAddress!, rejected: j.baseAddress!)
                        } } }
                        for s in 0..<steps { for c in 0..<m { for q in 0..<4 {
                            let scalar = rng.gaussian(path: first + q, step: 11 + s, component: c)
                            #expect(out[s * m + c][q].bitPattern == scalar.bitPattern, "level \(level), m \(m), steps \(steps)")
                            if level == 0 && !Ziggurat.fast(rng.bits(path: first + q, step: 11 + s, block: c >> 1).0, Ziggurat.table).isFinite { rejections += 1 }
                        } } }
                    }
                }
            }
        }
        #expect(rejections > 50)   // the slow path was exercised
    }

    @Test("The fused Euler–Maruyama kernel gives at every level the path-by-path numbers bitwise (W1/W2 forms, dense H, divergence)")
    func fusedEulerMaruyama() {
        let em = EulerMaruyama()
        let h3 = Matrix(rows: 3, columns: 3, storage: [2, 0.5, 0.1, 0.5, 1, 0.2, 0.1, 0.2, 3])
        let kernels: [SDEKernel<Langevin<Quadratic>, EulerMaruyama>] = [
            SDEKernel(Langevin(Quadratic(diagonal: [1]), temperature: 0.1), solver: em, start: [1], stepSize: 0.01, steps: 300, saveEvery: 100, seed: 1),
            SDEKernel(Langevin(Quadratic(hessian: h3, center: [0.5, -1, 0.25]), temperature: 0.7), solver: em, start: [1, 0, -1],
                      stepSize: 0.02, steps: 120, saveEvery: 7, seed: 8),
            // stiff: some paths blow up, at the same steps in the fused kernel and path by path
            SDEKernel(Langevin(Quadratic(diagonal: [1, 50]), temperature: 2), solver: em, start: [1, 1], stepSize: 0.0405, steps: 400,
                      saveEvery: 100, seed: 5, divergence: DivergenceRule(bound: 1e3)),
        ]
        let wells = [
            SDEKernel(Langevin(DoubleWell(dimension: 2, height: 1), temperature: 0.5), solver: em, start: [-1, 0], stepSize: 0.01,
                      steps: 250, saveEvery: 250, seed: 2),
            SDEKernel(Langevin(DoubleWell(dimension: 1, height: 0.25), temperature: 0.3), solver: em, start: [0.5], stepSize: 0.05,
                      steps: 90, saveEvery: 1, seed: 6),
        ]
        for k in kernels { #expect(k.fused != nil && k.laneBatch == 64) }
        for k in wells { #expect(k.fused != nil && k.laneBatch == 64) }
        // 150 paths in blocks of 100: a full batch of 64, a partial one (36), and a block of 50 ending in half a group
        let ens = Ensemble(paths: 150, blockSize: 100, threads: 2)
        let sq = Observable("|x|²", form: .squaredNorm)
        let expected = kernels.map { ens.run(PathByPath(kernel: $0), observables: [sq]) }
        let expectedWells = wells.map { ens.run(PathByPath(kernel: $0), observables: [sq]) }
        #expect(!expected[2].divergences.isEmpty)
        Self.atEveryLevel { level in
            for (k, e) in zip(kernels, expected) { #expect(ens.run(k, observables: [sq]) == e, "level \(level)") }
            for (k, e) in zip(wells, expectedWells) { #expect(ens.run(k, observables: [sq]) == e, "level \(level)") }
        }
        // another solver, or a model without a fused form, keeps the generic lane loop
        #expect(SDEKernel(Langevin(Quadratic(diagonal: [1]), temperature: 0.1), solver: AdditiveNoiseHeun(), start: [1], stepSize: 0.01, steps: 1, seed: 1).fused == nil)
        #expect(SDEKernel(Langevin(Rosenbrock(), temperature: 0.1), solver: em, start: [1, 1], stepSize: 0.01, steps: 1, seed: 1).fused == nil)
    }

    @Test("The portable C path gives the same lane normals as the AVX2 path and the scalar draws")
    func portablePath() {
        let rng = CounterRNG(seed: 5, stream: 0)
        sgdyn_normal_blocks_set_avx2(0)
        defer { sgdyn_normal_blocks_set_level(-1) }
        #expect(sgdyn_normal_blocks_uses_avx2() == 0)
        for m in 1...3 {
            let steps = 7   // odd: the last pair has one step
            var out = [Lanes](repeating: .zero, count: steps * m)
            var raw = [UInt64](repeating: 0, count: 4 * steps * m), rej = [Int32](repeating: 0, count: 4 * steps * m)
            for first in stride(from: 0, to: 200, by: 4) {
                out.withUnsafeMutableBufferPointer { o in raw.withUnsafeMutableBufferPointer { r in rej.withUnsafeMutableBufferPointer { j in
                    rng.gaussianLanes(firstPath: first, step: 3, steps: steps, components: m, into: o.baseAddress!,
                                      raw: r.baseAddress!, rejected: j.baseAddress!)
                } } }
                for s in 0..<steps { for c in 0..<m { for q in 0..<4 {
                    #expect(out[s * m + c][q].bitPattern == rng.gaussian(path: first + q, step: 3 + s, component: c).bitPattern)
                } } }
            }
        }
    }

    @Test("Lane normals equal the scalar draws bitwise, including ziggurat rejections, for m = 1, 2, 3")
    func laneNormals() {
        let rng = CounterRNG(seed: 77, stream: 3)
        var rejections = 0
        for m in 1...3 {
            let steps = 8
            var out = [Lanes](repeating: .zero, count: steps * m)
            var raw = [UInt64](repeating: 0, count: 4 * steps * m), rej = [Int32](repeating: 0, count: 4 * steps * m)
            for first in stride(from: 0, to: 400, by: 4) {
                out.withUnsafeMutableBufferPointer { o in raw.withUnsafeMutableBufferPointer { r in rej.withUnsafeMutableBufferPointer { j in
                    rng.gaussianLanes(firstPath: first, step: 5, steps: steps, components: m, into: o.baseAddress!,
                                      raw: r.baseAddress!, rejected: j.baseAddress!)
                } } }
                for s in 0..<steps { for c in 0..<m { for q in 0..<4 {
                    let scalar = rng.gaussian(path: first + q, step: 5 + s, component: c)
                    #expect(out[s * m + c][q].bitPattern == scalar.bitPattern)
                    if !Ziggurat.fast(rng.bits(path: first + q, step: 5 + s, block: c >> 1).0, Ziggurat.table).isFinite && c & 1 == 0 { rejections += 1 }
                } } }
            }
        }
        #expect(rejections > 20)   // the slow path was exercised
        // paths beyond 2³² use the high word of the path in the stream tag
        var hi = [Lanes](repeating: .zero, count: 2), raw = [UInt64](repeating: 0, count: 8), rej = [Int32](repeating: 0, count: 8)
        let first = (1 << 32) - 2
        hi.withUnsafeMutableBufferPointer { o in raw.withUnsafeMutableBufferPointer { r in rej.withUnsafeMutableBufferPointer { j in
            rng.gaussianLanes(firstPath: first, step: 0, steps: 1, components: 2, into: o.baseAddress!, raw: r.baseAddress!, rejected: j.baseAddress!)
        } } }
        for q in 0..<4 { for c in 0..<2 {
            #expect(hi[c][q] == rng.gaussian(path: first + q, step: 0, component: c))
        } }
    }

    @Test("Euler–Maruyama ensembles in lanes equal path-by-path ensembles bitwise (partial groups, divergence)")
    func sdeLanes() {
        let ens = Ensemble(paths: 37, blockSize: 16, threads: 2)
        let model = Langevin(DoubleWell(dimension: 2, height: 1), temperature: 0.5)
        let k = SDEKernel(model, solver: EulerMaruyama(), start: [-1, 0], stepSize: 0.01, steps: 60, saveEvery: 20, seed: 4)
        #expect(k.groupWidth == 4)
        let sq = Observable("|x|²") { $0[0] * $0[0] + $0[1] * $0[1] }
        #expect(ens.run(k, observables: [sq]) == ens.run(PathByPath(kernel: k), observables: [sq]))
        // a stiff step makes some paths blow up: the same paths diverge at the same steps either way
        let stiff = SDEKernel(Langevin(Quadratic(diagonal: [1, 50]), temperature: 2), solver: EulerMaruyama(), start: [1, 1],
                              stepSize: 0.0405, steps: 400, saveEvery: 100, seed: 5, divergence: DivergenceRule(bound: 1e3))
        let a = ens.run(stiff), b = ens.run(PathByPath(kernel: stiff))
        #expect(a == b)
        #expect(!a.divergences.isEmpty)
    }

    @Test("SGD with a Gaussian oracle, GD and paired SGD/SME kernels in lanes equal the scalar runs bitwise")
    func algorithmLanes() {
        let f = NoisyQuadratic(hessian: .diagonal([1, 2]))
        var src = OracleGradient(f)
        src.noiseStream = RandomStream.brownian
        let eta = 0.125
        let sgd = AlgorithmKernel(SGD(src, learningRate: eta), start: [1, 1], steps: 16, saveEvery: 4, seed: 9)
        #expect(sgd.groupWidth == 4)
        let ens = Ensemble(paths: 41, blockSize: 12, threads: 2)
        let g = Observable("f") { f.value($0) }
        #expect(ens.run(sgd, observables: [g]) == ens.run(PathByPath(kernel: sgd), observables: [g]))
        let sme = SME(OracleGradient(f), learningRate: eta, order: 2)
        let model = SDEKernel(sme, solver: ExactLinearStep(sme, stepSize: eta), start: [1, 1], stepSize: eta, steps: 16,
                              saveEvery: 4, seed: 9)
        #expect(model.groupWidth == 4)
        let paired = PairedKernel(sgd, model)
        #expect(paired.groupWidth == 4)
        let diff = Observable.difference("Δf", dimension: 2) { f.value($0) }
        #expect(ens.run(paired, observables: [diff]) == ens.run(PathByPath(kernel: paired), observables: [diff]))
        // GD past 2/L diverges at the same step in lanes and path by path
        let gd = AlgorithmKernel(GradientDescent(Quadratic(diagonal: [1, 10]), learningRate: 0.21), start: [1, 1], steps: 300,
                                 saveEvery: 50, seed: 1)
        let a = ens.run(gd), b = ens.run(PathByPath(kernel: gd))
        #expect(a == b)
        #expect(a.divergences.count == 41)
    }

    @Test("SME-1 on least squares (state-dependent Σ(θ), pivoted factor) in lanes equals the scalar run bitwise")
    func smeLeastSquaresLanes() {
        let (ls, _) = LeastSquares.synthetic(n: 60, d: 4, noise: 0.1, seed: 3)
        let sme = SME(MinibatchGradient(ls, batchSize: 5, sampling: .withReplacement), learningRate: 0.05)
        #expect(sme.hasLaneCoefficients)
        let k = SDEKernel(sme, solver: EulerMaruyama(), start: [0, 0, 0, 0], stepSize: 0.05, steps: 20, saveEvery: 10, seed: 3)
        let ens = Ensemble(paths: 23, blockSize: 8, threads: 2)
        #expect(ens.run(k) == ens.run(PathByPath(kernel: k)))
    }
}
