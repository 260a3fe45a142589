import ArgumentParser
import CAllocationCounter
import Foundation
import SGDynamics

/// `sgdyn bench`: throughput and heap allocations per step of the hot loops (run in release mode).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure steps per second and heap allocations per step of the hot loops (use -c release).",
        discussion: """
        Workloads: GD on logistic regression (breast_cancer.csv, d = 31, n = 569, full gradient each step); \
        Dormand–Prince 5(4) on the Rosenbrock gradient flow from (−1.2, 1) to t = 10 (rtol 1e-8). \
        Allocations are counted by interposing malloc/calloc/realloc (glibc); the target is 0 per step. \
        Run as: swift run -c release sgdyn bench
        """
    )

    @Option(name: .long, help: ArgumentHelp("Seconds to spend on each workload (> 0).", valueName: "s"))
    var seconds: Double = 2

    func validate() throws {
        guard seconds > 0, seconds.isFinite else { throw ValidationError.field("--seconds", "must be a positive number, got \(seconds)") }
    }

    func run() throws {
        #if DEBUG
        print("note: this is a debug build; numbers are meaningful only with `swift run -c release sgdyn bench`.")
        #endif
        var table = TextTable(["workload", "steps", "seconds", "steps/s", "allocations/step", "check"])

        // 1. GD on logistic regression.
        let lr = try LogisticRegression(dataset: try Dataset.builtIn("breast_cancer"))
        let gd = GradientDescent(lr, learningRate: 0.1)
        var state = gd.makeState(start: [Double](repeating: 0, count: lr.dimension))
        let rng = CounterRNG(seed: 0)
        for _ in 0..<10 { gd.step(&state, rng: rng, path: 0) }  // warm up
        let f0 = lr.value(state.position)
        var steps = 0
        let a0 = sgdyn_allocation_count()
        let t0 = DispatchTime.now().uptimeNanoseconds
        var elapsed = 0.0
        repeat {
            for _ in 0..<200 { gd.step(&state, rng: rng, path: 0) }
            steps += 200
            elapsed = Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9
        } while elapsed < seconds
        let allocs = Double(sgdyn_allocation_count() - a0) / Double(steps)
        let f1 = lr.value(state.position)
        table.add(["GD, logistic regression (d = 31, n = 569)", "\(steps)", fmt(elapsed, 3), fmt(Double(steps) / elapsed, 3),
                   fmt(allocs, 3), f1 < f0 ? "loss decreased \(fmt(f0, 4)) → \(fmt(f1, 4))" : "LOSS DID NOT DECREASE"])

        // 2. Dormand–Prince on the Rosenbrock flow.
        let flow = GradientFlow(Rosenbrock())
        let solver = DormandPrince54(rtol: 1e-8, atol: 1e-10)
        let problem = ODEProblem(model: flow, initialState: [-1.2, 1], saveTimes: [10])
        _ = solver.solve(problem)
        var dpSteps = 0, solves = 0
        var last: ODESolution? = nil
        let b0 = sgdyn_allocation_count()
        let t1 = DispatchTime.now().uptimeNanoseconds
        var elapsed2 = 0.0
        repeat {
            let sol = solver.solve(problem)
            dpSteps += sol.steps + sol.rejectedSteps
            solves += 1
            last = sol
            elapsed2 = Double(DispatchTime.now().uptimeNanoseconds - t1) * 1e-9
        } while elapsed2 < seconds
        let allocs2 = Double(sgdyn_allocation_count() - b0) / Double(dpSteps)
        let end = last!.final
        table.add(["Dormand–Prince 5(4), Rosenbrock flow to t = 10", "\(dpSteps)", fmt(elapsed2, 3), fmt(Double(dpSteps) / elapsed2, 3),
                   fmt(allocs2, 3) + " (\(fmt(Double(sgdyn_allocation_count() - b0) / Double(solves), 3))/solve)",
                   "x(10) = (\(fmt(end[0], 5)), \(fmt(end[1], 5))), \(last!.steps) steps/solve"])
        print(table.render())
        if sgdyn_allocation_counting_supported() == 0 { print("allocation counting is not supported on this platform (shown as 0)") }
    }
}
