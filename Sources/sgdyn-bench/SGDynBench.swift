import ArgumentParser
import CAllocationCounter
import Foundation
import SGDynamics
import SGDynamicsReport

/// `sgdyn-bench`: throughput and heap allocations per step of the hot loops (run in release mode).
///
/// A separate executable, so that the shipped `sgdyn` does not carry the benchmarks nor the malloc
/// interposer (`CAllocationCounter`) that counts allocations.
@main
struct SGDynBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sgdyn-bench",
        abstract: "Measure steps per second and heap allocations per step of the hot loops (use -c release).",
        discussion: """
        Workloads: GD on logistic regression (breast_cancer.csv, d = 31, n = 569, full gradient each step); \
        Dormand–Prince 5(4) on the Rosenbrock gradient flow and IGR flow from (−1.2, 1) to t = 10 \
        (rtol 1e-8); RK4 on the Nesterov ODE; SGD with minibatches of 10 on the logistic regression; \
        proximal point (Newton), natural gradient (empirical Fisher) and backward Euler. \
        Allocations are counted by interposing malloc/calloc/realloc (glibc); the target is 0 per step. \
        Run as: swift run -c release sgdyn-bench
        """
    )

    @Option(name: .long, help: ArgumentHelp("Seconds to spend on each workload (> 0).", valueName: "s"))
    var seconds: Double = 2

    @Option(name: .long, help: ArgumentHelp("Workload groups, comma separated: core (deterministic hot loops), sde (W1, W2, W3, W4; or w1, w2, w3, w4 alone; w4 = W2 written as a formula and as a Swift closure, read against W2), w9 (the Li–Tai–E weak-error study with 10⁶ paths per η; long).", valueName: "groups"))
    var groups: String = "core,sde"

    @Option(name: .long, help: ArgumentHelp("Threads for the ensemble workloads (default: all cores).", valueName: "n"))
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(name: .long, help: ArgumentHelp("Peer results (benchmarks/peers/results.csv from benchmarks/peers/run_all.sh): table and bar chart of W1/W2 rates next to this run's.", valueName: "file"))
    var peers: String?

    @Option(name: .long, help: ArgumentHelp("The C baseline's run.sh, run right after W1/W2 and shown next to them with the ratio (default: ../shared/bench/c-baseline/run.sh when it exists; 'none' to skip).", valueName: "file"))
    var cBaseline: String?

    @Option(name: .long, help: ArgumentHelp("Directory for the SVG file of --peers.", valueName: "dir"))
    var out: String = "sgdyn-out"

    @Flag(name: .long, help: "Print the table only; write no files.")
    var noFiles = false

    var output: BenchOutput { BenchOutput(out: out, noFiles: noFiles) }

    /// Parse, run, and report an error as one line `sgdyn-bench: error: …` with exit code 64 for bad
    /// usage and 1 for a failure; help and version as argument-parser prints them.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let e as BenchError {
            FileHandle.standardError.write(Data("sgdyn-bench: error: \(e.message)\n".utf8))
            Foundation.exit(e.code)
        } catch {
            exit(withError: error)
        }
    }

    func validate() throws {
        guard seconds > 0, seconds.isFinite else { throw ValidationError("--seconds: must be a positive number, got \(seconds)") }
        guard threads >= 1 else { throw ValidationError("--threads: must be at least 1, got \(threads)") }
        for g in groups.split(separator: ",") where !["core", "sde", "w1", "w2", "w3", "w4", "w9"].contains(String(g)) {
            throw ValidationError("--groups: unknown group '\(g)'; valid: core, sde, w1, w2, w3, w4, w9")
        }
    }

    func run() throws {
        let chosen = Set(groups.split(separator: ",").map(String.init))
        if chosen.contains("core") { try core() }
        var sde = chosen.contains("sde") ? ["w1", "w2", "w3", "w4"] : ["w1", "w2", "w3", "w4"].filter(chosen.contains)
        if sde.contains("w4"), !sde.contains("w2") { sde.append("w2") }   // W4's rates are read against W2's from the same run
        let peerRows = try peers.map { try PeerResults.read($0) }
        if !sde.isEmpty {
            let rates = try StochasticBench(threads: threads).run(Set(sde))
            let cw = ["W1", "W2"].filter { rates[$0] != nil }
            if !cw.isEmpty, let script = CBaseline.locate(cBaseline) {
                let c = try CBaseline.rates(script: script, workloads: cw, threads: threads)
                print(CBaseline.table(ours: rates, c: c, threads: threads))
            }
            if let rows = peerRows { try PeerResults.compare(rows, ours: rates, output: output) }
        } else if peerRows != nil {
            throw BenchError.usage("--peers", "compares with W1/W2: add --groups sde (or w1,w2)")
        }
        if chosen.contains("w9") { try StochasticBench(threads: threads).w9() }
    }

    func core() throws {
        #if DEBUG
        print("note: this is a debug build; numbers are meaningful only with `swift run -c release sgdyn-bench`.")
        #endif
        var table = TextGrid(["workload", "steps", "seconds", "steps/s", "allocations/step", "check"])

        // 1. GD on logistic regression.
        let lr = try LogisticRegression(dataset: try Dataset.builtIn("breast_cancer"))
        let gd = GradientDescent(lr, learningRate: 0.1)
        var state = gd.makeState(start: [Double](repeating: 0, count: lr.dimension))
        let rng = CounterRNG(seed: 0)
        for _ in 0..<10 { gd.step(&state, rng: rng, path: 0) }  // warm up
        let f0 = lr.value(state.position)
        let m1 = measure(seconds: seconds) {
            for _ in 0..<200 { gd.step(&state, rng: rng, path: 0) }
            return 200
        }
        let f1 = lr.value(state.position)
        table.add(["GD, logistic regression (d = 31, n = 569)", "\(m1.steps)", fmt(m1.seconds, 3), fmt(Double(m1.steps) / m1.seconds, 3),
                   fmt(m1.allocationsPerStep, 3), f1 < f0 ? "loss decreased \(fmt(f0, 4)) → \(fmt(f1, 4))" : "LOSS DID NOT DECREASE"])

        // 2. Dormand–Prince on the Rosenbrock gradient flow and its IGR flow.
        let rosenbrock = Rosenbrock()
        let solver = DormandPrince54(rtol: 1e-8, atol: 1e-10)
        benchDormandPrince("gradient flow", GradientFlow(rosenbrock), solver: solver, into: &table)
        benchDormandPrince("IGR flow η = 1e-3", ModifiedFlow(rosenbrock, learningRate: 1e-3), solver: solver, into: &table)

        // 3. RK4 on the Nesterov ODE of the ill-conditioned quadratic.
        let nesterov = NesterovODE(Quadratic(diagonal: [1, 10]))
        let rk4 = RungeKutta4()
        var work = ODEWork(dimension: nesterov.dimension)
        var x = nesterov.initialState([1, 1])
        var t = 0.0
        rk4.step(nesterov, &x, t: t, h: 1e-3, work: &work)
        let m3 = measure(seconds: seconds) {
            for _ in 0..<200 { rk4.step(nesterov, &x, t: t, h: 1e-3, work: &work); t += 1e-3 }
            return 200
        }
        table.add(["RK4, Nesterov ODE on diag(1, 10)", "\(m3.steps)", fmt(m3.seconds, 3), fmt(Double(m3.steps) / m3.seconds, 3),
                   fmt(m3.allocationsPerStep, 3), Vec.allFinite(x) ? "state finite at t = \(fmt(t, 4))" : "NON-FINITE STATE"])

        // 4. SGD with minibatches of 10 (without replacement) on the logistic regression.
        let sgd = SGD(MinibatchGradient(lr, batchSize: 10, sampling: .withoutReplacement), learningRate: 0.1)
        var s4 = sgd.makeState(start: [Double](repeating: 0, count: lr.dimension))
        sgd.step(&s4, rng: rng, path: 0)
        let m4 = measure(seconds: seconds) {
            for _ in 0..<1000 { sgd.step(&s4, rng: rng, path: 0) }
            return 1000
        }
        let f4 = lr.value(s4.position)
        table.add(["SGD b = 10 without replacement, logistic regression", "\(m4.steps)", fmt(m4.seconds, 3),
                   fmt(Double(m4.steps) / m4.seconds, 3), fmt(m4.allocationsPerStep, 3),
                   f4 < f0 ? "loss \(fmt(f4, 4)) < start \(fmt(f0, 4))" : "LOSS DID NOT DECREASE"])
        // 5. Implicit and preconditioned steps: proximal point (Newton), natural gradient (empirical
        //    Fisher), backward Euler on a stiff flow.
        let pp = ProximalPoint(lr, learningRate: 1.0)
        var s5 = pp.makeState(start: [Double](repeating: 0, count: lr.dimension))
        let lr0 = lr.value(s5.position)
        pp.step(&s5, rng: rng, path: 0)
        let m5 = measure(seconds: seconds) { pp.step(&s5, rng: rng, path: 0); return 1 }
        table.add(["proximal point (Newton, η = 1), logistic regression", "\(m5.steps)", fmt(m5.seconds, 3),
                   fmt(Double(m5.steps) / m5.seconds, 3), fmt(m5.allocationsPerStep, 3),
                   lr.value(s5.position) < lr0 ? "loss decreased \(fmt(lr0, 4)) → \(fmt(lr.value(s5.position), 4))" : "LOSS DID NOT DECREASE"])
        let ls = LeastSquares(dataset: try Dataset.builtIn("diabetes"))
        let ngd = NaturalGradient(empiricalFisherOf: ls, learningRate: 0.1, damping: 1e-3)
        var s6 = ngd.makeState(start: [Double](repeating: 0, count: ls.dimension))
        let ls0 = ls.value(s6.position)
        ngd.step(&s6, rng: rng, path: 0)
        let m6 = measure(seconds: seconds) { ngd.step(&s6, rng: rng, path: 0); return 1 }
        table.add(["natural gradient (empirical Fisher), least squares (d = 11, n = 442)", "\(m6.steps)", fmt(m6.seconds, 3),
                   fmt(Double(m6.steps) / m6.seconds, 3), fmt(m6.allocationsPerStep, 3),
                   ls.value(s6.position) < ls0 ? "loss decreased \(fmt(ls0, 4)) → \(fmt(ls.value(s6.position), 4))" : "LOSS DID NOT DECREASE"])
        let stiff = GradientFlow(Quadratic(diagonal: [1, 1000]))
        let be = BackwardEuler()
        var w7 = ODEWork(dimension: 2)
        var x7 = [1.0, 1.0]
        be.step(stiff, &x7, t: 0, h: 0.1, work: &w7)
        let m7 = measure(seconds: seconds) { be.step(stiff, &x7, t: 0, h: 0.1, work: &w7); return 1 }
        table.add(["backward Euler (h = 0.1), stiff flow diag(1, 1000)", "\(m7.steps)", fmt(m7.seconds, 3),
                   fmt(Double(m7.steps) / m7.seconds, 3), fmt(m7.allocationsPerStep, 3),
                   Vec.allFinite(x7) ? "stable: ‖x‖ = \(fmt(Vec.norm(x7), 3))" : "NON-FINITE"])
        print(table.render())
        if sgdyn_allocation_counting_supported() == 0 { print("allocation counting is not supported on this platform (shown as 0)") }
    }

    /// Repeated Dormand–Prince solves of `model` from (−1.2, 1) to t = 10 (concrete type, no type erasure).
    func benchDormandPrince<M: Model>(_ label: String, _ model: M, solver: DormandPrince54, into table: inout TextGrid) {
        let problem = ODEProblem(model: model, initialState: [-1.2, 1], saveTimes: [10])
        var last = solver.solve(problem)
        let m = measure(seconds: seconds) {
            last = solver.solve(problem)
            return last.steps + last.rejectedSteps
        }
        let end = last.final
        table.add(["Dormand–Prince 5(4), Rosenbrock \(label) to t = 10", "\(m.steps)", fmt(m.seconds, 3),
                   fmt(Double(m.steps) / m.seconds, 3), fmt(m.allocationsPerStep, 3) + " (\(fmt(m.allocationsPerCall, 3))/solve)",
                   "x(10) = (\(fmt(end[0], 5)), \(fmt(end[1], 5))), \(last.steps) steps/solve"])
    }

    struct Measurement { var steps: Int; var calls: Int; var seconds: Double; var allocationsPerStep: Double; var allocationsPerCall: Double }

    /// Call `body` (which returns the steps it took) until `seconds` have passed; count allocations.
    func measure(seconds: Double, _ body: () -> Int) -> Measurement {
        var steps = 0, calls = 0
        let a0 = sgdyn_allocation_count()
        let t0 = DispatchTime.now().uptimeNanoseconds
        var elapsed = 0.0
        repeat {
            steps += body()
            calls += 1
            elapsed = Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9
        } while elapsed < seconds
        let allocs = Double(sgdyn_allocation_count() - a0)
        return Measurement(steps: steps, calls: calls, seconds: elapsed, allocationsPerStep: allocs / Double(steps),
                           allocationsPerCall: allocs / Double(calls))
    }
}
