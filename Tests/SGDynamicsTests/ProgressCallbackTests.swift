import Foundation
import Testing
@testable import SGDynamics

@Suite("Progress callbacks")
struct ProgressCallbackTests {
    /// The Ornstein–Uhlenbeck process of ``EnsembleTests``: dX = −X dt + √0.2 dW.
    func ouKernel() -> SDEKernel<Langevin<Quadratic>, EulerMaruyama> {
        SDEKernel(Langevin(Quadratic(diagonal: [1]), temperature: 0.1), solver: EulerMaruyama(), start: [1],
                  stepSize: 0.05, steps: 50, saveEvery: 10, seed: 9)
    }

    @Test("An ensemble with a progress callback gives bitwise the same result; calls count paths up to done == total",
          arguments: [1, 2])
    func ensembleProgress(threads: Int) throws {
        let sq = Observable("x²") { $0[0] * $0[0] }
        var e = Ensemble(paths: 3000, blockSize: 256, threads: threads)
        let plain = e.run(ouKernel(), observables: [sq], seedDescription: "9")
        let log = ProgressLog()
        e.progress = { log.record($0, $1) }
        let watched = e.run(ouKernel(), observables: [sq], seedDescription: "9")
        #expect(watched == plain)
        #expect(watched.moments == plain.moments)
        let calls = log.calls
        #expect(calls.count == e.blockCount, "one call per block")
        #expect(calls.allSatisfy { $0.total == 3000 })
        #expect(zip(calls, calls.dropFirst()).allSatisfy { $0.done < $1.done }, "done increases")
        #expect(calls.last?.done == 3000)

        // A shard counts its own paths: blocks 6…8 of 12 (paths 1536..<2304) for shard 2/4.
        e.shard = try Shard(index: 2, count: 4)
        let shardLog = ProgressLog()
        e.progress = { shardLog.record($0, $1) }
        _ = e.run(ouKernel(), observables: [sq], seedDescription: "9")
        #expect(shardLog.calls.count == 3)
        #expect(shardLog.calls.last.map { $0.done == $0.total && $0.total == 768 } == true)
    }

    @Test("Fokker–Planck and transfer-operator transients and power iteration: same numbers with a callback, last call done == total")
    func densityProgress() throws {
        let grid = try Grid1D(lower: -3, upper: 3, count: 121)
        let fp = try FokkerPlanck1D(grid: grid, diffusion: 0.3, potential: { x in x * x * x * x / 4 - x * x / 2 })
        let start = Density1D.pointMass(at: 0.5, grid: grid)
        let plain = try fp.evolve(start, timeStep: 0.01, steps: 2500, saveEvery: 500)
        let log = ProgressLog()
        let watched = try fp.evolve(start, timeStep: 0.01, steps: 2500, saveEvery: 500, progress: { log.record($0, $1) })
        #expect(watched.densities.map(\.masses) == plain.densities.map(\.masses))
        #expect(log.calls.count == 1250, "every ⌈2500/1000⌉ = 2 steps")
        #expect(log.calls.last.map { $0.done == 2500 && $0.total == 2500 } == true)

        let op = try TransferOperator1D(grid: try Grid1D(lower: -1, upper: 1, count: 101), probabilities: [0.5, 0.5]) { k, x in
            0.9 * x + (k == 0 ? -0.02 : 0.02)
        }
        let p0 = Density1D.pointMass(at: 0, grid: op.grid)
        let opLog = ProgressLog()
        let run = try op.evolve(p0, steps: 30, progress: { opLog.record($0, $1) })
        #expect(run.densities.map(\.masses) == (try op.evolve(p0, steps: 30)).densities.map(\.masses))
        #expect(opLog.calls.map(\.done) == Array(1...30))
        let lawLog = ProgressLog()
        let law = try op.stationary(maximumIterations: 5000, progress: { lawLog.record($0, $1) })
        #expect(law.density.masses == (try op.stationary(maximumIterations: 5000)).density.masses)
        #expect(lawLog.calls.last.map { $0.done == law.iterations && $0.total == 5000 } == true)
    }
}
