import ArgumentParser
import Foundation
import SGDynamics
import SGDynamicsReport

/// `sgdyn gap`: trajectory gap between a deterministic algorithm and its flows over an η grid.
struct GapCommand: StudyCommand {
    static let configuration = CommandConfiguration(
        commandName: "gap",
        abstract: "Print the gap max_k ‖x_k − X(kτ)‖ between an algorithm and its flow models over an η grid, with the fitted order.",
        discussion: """
        Algorithms: gd (x − η∇f(x)), pp (proximal point, x_{k+1} = x_k − η∇f(x_{k+1})), nesterov \
        (Su–Boyd–Candès form with step s = η). Models: gf (gradient flow), igr (f + (η/4)‖∇f‖²), \
        be (backward-Euler flow f − (η/4)‖∇f‖²), nesterov-ode (Ẍ + (3/t)Ẋ + ∇f = 0, t = k√s). \
        Expected orders: gd–gf 1, gd–igr 2, pp–gf 1, pp–be 2, nesterov–nesterov-ode 0.5. The order is a \
        least-squares slope of log gap against log η with a 95% interval (Student t). Flows are solved \
        by Dormand–Prince 5(4) at rtol 1e-12.
        """
    )

    @OptionGroup var objectiveOptions: ObjectiveOptions

    @Option(name: .long, help: ArgumentHelp("Algorithm: gd, pp or nesterov.", valueName: "name"))
    var algorithm: String = "gd"

    @Option(name: .long, help: ArgumentHelp("Models, comma separated: gf, igr, be, nesterov-ode.", valueName: "m,…"))
    var models: String = "gf,igr"

    @Option(name: .long, help: ArgumentHelp("Learning rates, comma separated, each > 0.", valueName: "η,…"))
    var etas: String = "0.1,0.05,0.025,0.0125"

    @Option(name: .long, help: ArgumentHelp("Time horizon T (> 0).", valueName: "T"))
    var horizon: Double = 1

    @Option(name: .long, help: ArgumentHelp("Norm of the gap: max or euclidean.", valueName: "norm"))
    var norm: String = "max"

    @OptionGroup var output: OutputOptions
    @OptionGroup var storeOptions: StoreOptions

    static let algorithms = ["gd", "pp", "nesterov"]
    static let modelNames = ["gf", "igr", "be", "nesterov-ode"]
    /// The order of each algorithm/model pair (THEORY.md; the discussion above).
    static let expectedOrders: [String: Double] = ["gd/gf": 1, "gd/igr": 2, "gd/be": 1, "pp/gf": 1, "pp/be": 2, "pp/igr": 1,
                                                   "nesterov/nesterov-ode": 0.5]

    func validate() throws {
        guard horizon > 0, horizon.isFinite else { throw ValidationError.field("--horizon", "must be a positive number, got \(horizon)") }
        guard Self.algorithms.contains(algorithm) else {
            throw ValidationError.field("--algorithm", "unknown algorithm '\(algorithm)'; valid: \(Self.algorithms.joined(separator: ", "))")
        }
        guard TrajectoryGap.Norm(rawValue: norm) != nil else { throw ValidationError.field("--norm", "must be max or euclidean, got '\(norm)'") }
    }

    func run() throws {
        let (entry, start) = try objectiveOptions.resolve()
        let grid = try parseNumbers(etas, field: "--etas")
        guard !grid.isEmpty, grid.allSatisfy({ $0 > 0 }) else {
            throw CLIError.usage("--etas", "learning rates must be positive, got \(etas)")
        }
        let modelList = models.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        for m in modelList where !Self.modelNames.contains(m) {
            throw CLIError.usage("--models", "unknown model '\(m)'; valid: \(Self.modelNames.joined(separator: ", "))")
        }
        try run(entry.objective, start: start, grid: grid, modelList: modelList)
    }

    func run<F: Objective>(_ f: F, start: [Double], grid: [Double], modelList: [String]) throws {
        let study = TrajectoryGap(horizon: horizon, norm: TrajectoryGap.Norm(rawValue: norm)!)
        let t0 = Date()
        var results: [(String, TrajectoryGap.Result)] = []
        for m in modelList {
            let r: TrajectoryGap.Result
            switch (algorithm, m) {
            case ("nesterov", "nesterov-ode"):
                r = study.run(learningRates: grid, start: start) { (NesterovSBC(f, stepSize: $0), NesterovODE(f)) }
            case ("nesterov", _), (_, "nesterov-ode"):
                throw CLIError.usage("--models", "the Nesterov ODE pairs only with --algorithm nesterov (and nesterov only with nesterov-ode)")
            default:
                let model: (Double) -> any Model = { eta in
                    switch m {
                    case "igr": return ModifiedFlow(f, learningRate: eta)
                    case "be": return ModifiedFlow(f, learningRate: eta, kind: .proximalPoint)
                    default: return GradientFlow(f)
                    }
                }
                if algorithm == "pp" {
                    r = study.run(learningRates: grid, start: start) { eta in (ProximalPoint(f, learningRate: eta), AnyModel(model(eta))) }
                } else {
                    r = study.run(learningRates: grid, start: start) { eta in (GradientDescent(f, learningRate: eta), AnyModel(model(eta))) }
                }
            }
            results.append((m, r))
        }
        let elapsed = Date().timeIntervalSince(t0)
        var table = TextTable(["η", "steps"] + results.map { "gap to \($0.1.model)" } + results.map { "local order (\($0.0))" })
        for (i, eta) in grid.enumerated() {
            var row = [fmt(eta), "\(results[0].1.rows[i].steps)"]
            for (_, r) in results {
                let rw = r.rows[i]
                row.append(rw.divergedAt.map { "diverged at step \($0)" } ?? fmt(rw.gap ?? .nan))
            }
            for (_, r) in results {
                let ok = r.rows.filter { $0.gap != nil }
                let j = ok.firstIndex { $0.learningRate == eta } ?? 0
                row.append(j > 0 && j - 1 < r.fit?.localOrders.count ?? 0 ? fmt(r.fit!.localOrders[j - 1], 3) : "")
            }
            table.add(row)
        }
        print("\(algorithmName) on \(f.name) from x0 = (\(start.map { fmt($0) }.joined(separator: ", "))), T = \(fmt(horizon)), \(norm)-norm gap")
        print(table.render())
        for (_, r) in results {
            print("fitted order vs \(r.model): \(r.fit.map { $0.description + " (95% interval)" } ?? "not enough stable points")")
        }
        print(String(format: "time %.2f s", elapsed))
        let expected = results.map { Self.expectedOrders["\(algorithm)/\($0.0)"] }
        StudyRecording.claim("\(algorithmName)'s trajectory gap max_k ‖x_k − X(kτ)‖ shrinks like η^p as η → 0: "
            + ReadingText.list(zip(results, expected).map { "p = \($1.map { fmt($0, 2) } ?? "?") against \($0.1.model)" }) + ".")
        StudyRecording.reading("Over η = \(grid.map { fmt($0, 3) }.joined(separator: ", ")): "
            + ReadingText.list(zip(results, expected).map { ReadingText.order("the gap to \($0.1.model) shrinks", $0.1.fit, expected: $1) }) + ".")

        var csv = TextTable(["model", "eta", "steps", "gap", "diverged_at"])
        for (_, r) in results {
            for rw in r.rows {
                csv.add([r.model, "\(rw.learningRate)", "\(rw.steps)", rw.gap.map { "\($0)" } ?? "", rw.divergedAt.map { "\($0)" } ?? ""])
            }
        }
        var files: [String] = []
        if let p = try output.write(csv.csv(), to: "gap.csv") { files.append(p) }
        let json: [String: Any] = [
            "study": "gap", "objective": f.name, "algorithm": algorithmName, "horizon": horizon, "norm": norm,
            "x0": start, "seconds": elapsed,
            "models": results.map { m, r in
                ["model": r.model, "order": r.fit?.order ?? Double.nan, "order_halfwidth_95": r.fit?.halfWidth ?? Double.nan,
                 "rows": r.rows.map { ["eta": $0.learningRate, "steps": $0.steps, "gap": $0.gap ?? Double.nan,
                                       "diverged_at": $0.divergedAt as Any? ?? NSNull()] }] as [String: Any]
            },
        ]
        if let p = try output.write(jsonString(json), to: "gap.json") { files.append(p) }
        var plot = LinePlot(title: "\(algorithmName) on \(f.name): trajectory gap vs η", xLabel: "η", yLabel: "max_k ‖x_k − X(kτ)‖",
                            xScale: .log, yScale: .log)
        for (_, r) in results {
            let ok = r.rows.filter { $0.gap != nil }
            plot.add(Series(label: "\(r.model) (order \(r.fit?.description ?? "–"))", x: ok.map(\.learningRate), y: ok.map { $0.gap! }, marker: .circle))
        }
        if let first = results.first?.1.rows.first(where: { $0.gap != nil }), let g = first.gap {
            plot.addReferenceSlope(1, through: (x: first.learningRate, y: g * 1.6), label: "slope 1")
            plot.addReferenceSlope(2, through: (x: first.learningRate, y: g * 0.4), label: "slope 2")
        }
        if let p = try output.write(plot.render(), to: "gap.svg") { files.append(p) }
        if !files.isEmpty { print("wrote " + files.joined(separator: ", ")) }
    }

    var algorithmName: String { ["gd": "GD", "pp": "proximal point", "nesterov": "Nesterov (Su–Boyd–Candès)"][algorithm]! }
}

/// A type-erased model, for choosing a model by name outside hot loops.
struct AnyModel: Model {
    let base: any Model
    init(_ base: any Model) { self.base = base }
    var name: String { base.name }
    var dimension: Int { base.dimension }
    var positionDimension: Int { base.positionDimension }
    var timeIdentification: String { base.timeIdentification }
    func drift(_ x: [Double], t: Double, into b: inout [Double]) { base.drift(x, t: t, into: &b) }
    func drift(_ x: [Double], t: Double, into b: inout [Double], scratch: inout ModelScratch) {
        base.drift(x, t: t, into: &b, scratch: &scratch)
    }
}
