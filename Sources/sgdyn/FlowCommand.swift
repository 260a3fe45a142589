import ArgumentParser
import Foundation
import SGDynamics
import SGDynamicsReport

/// `sgdyn flow`: gradient descent at several learning rates next to gradient flow and the IGR flow.
struct FlowCommand: StudyCommand {
    static let configuration = CommandConfiguration(
        commandName: "flow",
        abstract: "Run GD at several learning rates next to gradient flow and its IGR modified flow.",
        discussion: """
        GD x_{k+1} = x_k − η∇f(x_k) is the forward-Euler discretization of gradient flow ẋ = −∇f (t = kη); \
        the IGR flow ẋ = −∇(f + (η/4)‖∇f‖²) follows it to second order. By default the learning rates are \
        0.5, 0.95 and 1.05 times 2/L (L = largest Hessian eigenvalue at the minimizer, or at x0): one \
        stable, one near the stability limit, one unstable. Writes flow.csv (every iterate), flow.json \
        (summary) and flow.svg (contours of f, the field −∇f, the paths) to --out.
        """
    )

    @OptionGroup var objectiveOptions: ObjectiveOptions

    @Option(name: .long, help: ArgumentHelp("Learning rates, comma separated (each > 0). Default: 0.5, 0.95, 1.05 × 2/L.", valueName: "η,…"))
    var etas: String?

    @Option(name: .long, help: ArgumentHelp("Time horizon T; GD runs ⌊T/η⌋ steps.", valueName: "T"))
    var horizon: Double = 3

    @OptionGroup var output: OutputOptions
    @OptionGroup var storeOptions: StoreOptions

    func validate() throws {
        guard horizon > 0, horizon.isFinite else { throw ValidationError.field("--horizon", "must be a positive number, got \(horizon)") }
    }

    func run() throws {
        let (entry, start) = try objectiveOptions.resolve()
        let etaList = try etas.map { try parseNumbers($0, field: "--etas") }
        if let etaList {
            guard !etaList.isEmpty, etaList.allSatisfy({ $0 > 0 }) else {
                throw CLIError.usage("--etas", "learning rates must be positive, got \(etaList.map { fmt($0) }.joined(separator: ","))")
            }
        }
        try FlowStudy(entry: entry, start: start, etas: etaList, horizon: horizon, output: output).run(entry.objective)
    }
}

struct FlowStudy {
    let entry: CatalogObjective
    let start: [Double]
    let etas: [Double]?
    let horizon: Double
    let output: OutputOptions

    func run<F: Objective>(_ f: F) throws {
        let reference = entry.minimizer ?? start
        let (lmax, _) = f.hessianExtremeEigenvalues(at: reference)
        guard lmax > 0 else { throw CLIError.runtime("the Hessian at the reference point has no positive eigenvalue (λ_max = \(fmt(lmax))); no stability limit to report") }
        let critical = 2 / lmax
        let grid = etas ?? [0.5 * critical, 0.95 * critical, 1.05 * critical]
        let fStar = entry.minimizer.map { f.value($0) }
        print("Objective \(f.name) (d = \(f.dimension)), x0 = (\(start.map { fmt($0) }.joined(separator: ", "))), λ_max = \(fmt(lmax)) at \(entry.minimizer == nil ? "x0" : "the minimizer"), 2/λ_max = \(fmt(critical))")
        let claim = "GD is forward Euler for gradient flow (gap O(η)) and follows the IGR flow to O(η²); it diverges for η > 2/λ_max."
        StudyRecording.claim(claim)
        print("Claim: \(claim)\n")
        var measured: [(eta: Double, gf: Double, igr: Double, diverged: Int?)] = []

        var table = TextTable(["path", "η", "steps", "f(end)", "‖x_end − x*‖", "gap to GF", "gap to IGR", "status"])
        var csv = "path,eta,k,t," + (0..<f.dimension).map { "x\($0)" }.joined(separator: ",") + ",f\n"
        var gdPaths: [(String, Double, [[Double]])] = []
        var summary: [[String: Any]] = []
        let gapStudy = TrajectoryGap(horizon: horizon, norm: .euclidean)
        for eta in grid {
            let gd = GradientDescent(f, learningRate: eta)
            let n = Int((horizon / eta).rounded(.down))
            let traj = gd.run(from: start, steps: n, divergence: DivergenceRule(bound: 1e6 * max(1, Vec.norm(start))))
            var gapGF = Double.nan, gapIGR = Double.nan
            if traj.divergedAt == nil {
                gapGF = gapStudy.measure(gd, GradientFlow(f), start: start).gap ?? .nan
                gapIGR = gapStudy.measure(gd, ModifiedFlow(f, learningRate: eta), start: start).gap ?? .nan
            }
            let end = traj.points.last!
            // Divergence is judged on a longer run than the plotted horizon (up to 10⁴ steps).
            let longRun = StabilityLimit(steps: max(n, 10_000)).run(f, start: start, minimizer: reference, learningRates: [eta]).rows[0]
            let rate = fmt(longRun.predictedRate, 3)
            let status = longRun.divergedAt.map { "diverges: ‖x−x*‖ > 10⁶·‖x0−x*‖ at step \($0)" }
                ?? (longRun.predictedRate < 1 ? "stable (linear rate max|1 − ηλ| = \(rate) at x*)"
                    : "no divergence in \(max(n, 10_000)) steps, but linearly unstable at x* (max|1 − ηλ| = \(rate))")
            let dist = entry.minimizer.map { Vec.distance(end, $0) } ?? .nan
            measured.append((eta, gapGF, gapIGR, longRun.divergedAt))
            table.add(["GD", fmt(eta), "\(traj.points.count - 1)", fmt(f.value(end)), fmt(dist), fmt(gapGF), fmt(gapIGR), status])
            for (k, x) in traj.points.enumerated() {
                csv += "GD,\(eta),\(k),\(Double(k) * eta)," + x.map { "\($0)" }.joined(separator: ",") + ",\(f.value(x))\n"
            }
            gdPaths.append(("GD η = \(fmt(eta, 3))" + (longRun.divergedAt != nil ? " (diverges)" : ""), eta, traj.points))
            summary.append(["path": "GD", "eta": eta, "steps": traj.points.count - 1, "f_end": f.value(end),
                            "distance_to_minimizer": dist, "gap_to_gradient_flow": gapGF, "gap_to_igr_flow": gapIGR,
                            "diverged_at": traj.divergedAt as Any? ?? NSNull()])
        }
        // Flows on a fine time grid for the picture and the table.
        let flowTimes = (0...400).map { horizon * Double($0) / 400 }
        let solver = DormandPrince54(rtol: 1e-10, atol: 1e-12)
        let gf = solver.solve(ODEProblem(model: GradientFlow(f), initialState: start, saveTimes: flowTimes))
        let igrEta = grid.min()!
        let igr = solver.solve(ODEProblem(model: ModifiedFlow(f, learningRate: igrEta), initialState: start, saveTimes: flowTimes))
        for (label, sol) in [("gradient flow", gf), ("IGR flow η = \(fmt(igrEta, 3))", igr)] {
            let end = sol.final
            let dist = entry.minimizer.map { Vec.distance(end, $0) } ?? .nan
            let status = sol.status == .success ? "solved (Dormand–Prince, rtol 1e-10)" : "solver stopped: \(sol.status)"
            table.add([label, "-", "t = \(fmt(horizon))", fmt(f.value(end)), fmt(dist), "", "", status])
            for (t, x) in zip(sol.times, sol.states) {
                csv += "\(label),,,\(t)," + x.map { "\($0)" }.joined(separator: ",") + ",\(f.value(x))\n"
            }
            summary.append(["path": label, "t_end": horizon, "f_end": f.value(end), "distance_to_minimizer": dist])
        }
        StudyRecording.reading(flowReading(measured, critical: critical))
        print(table.render())
        print("\ngap = max over k ≤ T/η of ‖x_k − X(kη)‖ (Euclidean); T = \(fmt(horizon)).")

        var files: [String] = []
        if let p = try output.write(csv, to: "flow.csv") { files.append(p) }
        let json: [String: Any] = ["study": "flow", "objective": f.name, "x0": start, "lambda_max": lmax,
                                   "critical_learning_rate": critical, "horizon": horizon, "paths": summary]
        if let p = try output.write(jsonString(json), to: "flow.json") { files.append(p) }
        let svg = picture(f, gdPaths: gdPaths, gf: gf, igr: igr, igrEta: igrEta, fStar: fStar, critical: critical)
        if let p = try output.write(svg, to: "flow.svg") { files.append(p) }
        if !files.isEmpty { print("\nwrote " + files.joined(separator: ", ")) }
    }

    /// One paragraph from the measured gaps and divergences.
    func flowReading(_ m: [(eta: Double, gf: Double, igr: Double, diverged: Int?)], critical: Double) -> String {
        let parts = m.map { r in
            r.diverged.map { "η = \(fmt(r.eta, 3)) diverges (step \($0))" }
                ?? "at η = \(fmt(r.eta, 3)) GD stays within \(fmt(r.gf, 3)) of gradient flow and \(fmt(r.igr, 3)) of the IGR flow"
        }
        let stable = m.filter { $0.diverged == nil && $0.gf.isFinite && $0.igr.isFinite }
        var text = "2/λ_max = \(fmt(critical, 4)); " + ReadingText.list(parts) + ". "
        text += m.allSatisfy({ ($0.diverged != nil) == ($0.eta > critical) })
            ? "GD diverged exactly at the learning rates above 2/λ_max."
            : "Divergence does not follow the 2/λ_max line on this grid (see the status column)."
        if !stable.isEmpty {
            text += stable.allSatisfy({ $0.igr < $0.gf }) ? " The IGR flow is closer to GD than gradient flow at every stable η."
                : " The IGR flow is not closer than gradient flow at every stable η."
        }
        return text
    }

    func picture<F: Objective>(_ f: F, gdPaths: [(String, Double, [[Double]])], gf: ODESolution, igr: ODESolution,
                               igrEta: Double, fStar: Double?, critical: Double) -> String {
        if f.dimension == 2, let window = entry.window {
            var plot = ContourPlot(title: "\(f.name): GD vs gradient flow (2/λ_max = \(fmt(critical, 3)))",
                                   xLabel: "x₁", yLabel: "x₂", xRange: window.x, yRange: window.y) { x, y in f.value([x, y]) }
            plot.vectorField = { x, y in let g = f.gradient([x, y]); return (-g[0], -g[1]) }
            if entry.logColour { plot.colorScaling = .logarithmic(epsilon: nil) }
            plot.equalAspect = true
            for (label, _, pts) in gdPaths {
                plot.addTrajectory(label: label, points: pts.map { (x: $0[0], y: $0[1]) })
            }
            plot.add(SGDynamicsReport.Trajectory(label: "gradient flow", x: gf.states.map { $0[0] }, y: gf.states.map { $0[1] },
                                                 color: .init(hex: "#00e5ff"), marker: .none, lineWidth: 2.5))
            plot.add(SGDynamicsReport.Trajectory(label: "IGR flow η = \(fmt(igrEta, 3))", x: igr.states.map { $0[0] },
                                                 y: igr.states.map { $0[1] }, color: .init(hex: "#ff4fa3"), marker: .none, lineWidth: 2))
            return plot.render(width: 760, height: 620)
        }
        let shift = fStar ?? 0
        var plot = LinePlot(title: "\(f.name): f − f* along GD and the flows", xLabel: "t = kη",
                            yLabel: fStar == nil ? "f" : "f − f*", xScale: .linear, yScale: fStar == nil ? .linear : .log)
        for (label, eta, pts) in gdPaths {
            plot.add(Series(label: label, x: pts.indices.map { Double($0) * eta }, y: pts.map { f.value($0) - shift }, marker: .circle))
        }
        plot.add(Series(label: "gradient flow", x: gf.times, y: gf.states.map { f.value($0) - shift }, lineWidth: 2.5))
        plot.add(Series(label: "IGR flow η = \(fmt(igrEta, 3))", x: igr.times, y: igr.states.map { f.value($0) - shift }, dash: .dashed))
        return plot.render(width: 760, height: 520)
    }
}
