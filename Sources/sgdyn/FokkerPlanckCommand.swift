import ArgumentParser
import Foundation
import SGDynamics
import SGDynamicsReport

/// `sgdyn fokker-planck`: the density of a Langevin or SME-1 model in 1-D or 2-D.
struct FokkerPlanckCommand: StudyCommand {
    static let configuration = CommandConfiguration(
        commandName: "fokker-planck",
        abstract: "Solve the Fokker–Planck equation of a Langevin or SME-1 model in 1-D or 2-D: its stationary law (vs the Gibbs density) or its transient from a start.",
        discussion: """
        ∂_t p = ∇·(p∇f + D∇p) for Langevin dθ = −∇f dt + √(2D)dW (D = --temperature), or the SME-1 of SGD \
        dθ = −∇f dt + (ηcΣ(θ))^{1/2} dW (--model sme: --learning-rate, --batch-size, --sampling; objectives \
        with gradient noise only: li-tai-e, shifted-quadratics, least-squares). Discretisation: Chang–Cooper \
        exponential fitting with zero-flux walls (docs/THEORY.md §7.2–§7.3), cell masses on --grid \
        (lower:upper:count, or two axes for 2-D). With a gradient drift and constant isotropic diffusion the \
        face coefficients are potential differences, and the discrete equilibrium is exactly the grid Gibbs \
        law e^{−f/D}/Z; the table then lists TV, KL (ε = 1e-12 per cell) and W1 (per marginal in 2-D) to it. \
        Otherwise the drift and diffusion are taken at the faces (equilibrium exact to O(Δx²)). Default: \
        the stationary law (A p = 0, Σ p = 1). With --time T: implicit Euler (mass and positivity for every \
        --dt, error O(dt)) from a point mass or a Gaussian (--start, --start-variance), rows at --saves \
        times. The default case is docs/THEORY.md §7.4: f = (x²−1)²/4, D = 0.3, 121 points on [−3, 3], \
        Σ x²g = 0.8405464652307093. Writes fokker-planck.csv, .json and .svg (1-D: densities overlaid; 2-D: a \
        heatmap) to --out.
        """
    )

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Objective: double-well, quartic, quadratic (--diagonal), double-well-2d, ill-quadratic, rosenbrock; with gradient noise (also for --model sme): li-tai-e (--diagonal), shifted-quadratics (--centers), least-squares (--data, 1 or 2 feature columns).", valueName: "name"))
    var objective: String = "double-well"

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Hessian diagonal for quadratic and li-tai-e (1 or 2 values).", valueName: "λ,…"))
    var diagonal: String?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Centres c_i of f_i(θ) = ½λ_i(θ − c_i)² for shifted-quadratics.", valueName: "c,…"))
    var centers: String?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Curvatures λ_i > 0 for shifted-quadratics (one, or one per centre; default 1).", valueName: "λ,…"))
    var curvatures: String?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("CSV data set for least-squares (one or two feature columns, standardized, no intercept).", valueName: "file"))
    var data: String?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Model: langevin or sme (SME-1 of SGD).", valueName: "name"))
    var model: String = "langevin"

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Langevin temperature D > 0.", valueName: "D"))
    var temperature: Double = 0.3

    @Option(name: .customLong("learning-rate"), parsing: .unconditional, help: ArgumentHelp("SME: learning rate η > 0.", valueName: "η"))
    var learningRate: Double = 0.1

    @Option(name: .customLong("batch-size"), parsing: .unconditional, help: ArgumentHelp("SME: minibatch size b ≥ 1 (≤ n without replacement).", valueName: "b"))
    var batchSize: Int = 1

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("SME: with-replacement or without-replacement.", valueName: "s"))
    var sampling: String = "with-replacement"

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Grid lower:upper:count per axis (default -3:3:121, or -3:3:81,-3:3:81 in 2-D).", valueName: "lo:hi:n[,…]"))
    var grid: String?

    @Flag(name: .long, help: "Compute the stationary law (the default unless --time is given).")
    var stationary = false

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Evolve the density up to time T > 0 instead.", valueName: "T"))
    var time: Double?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Implicit Euler time step (> 0).", valueName: "Δt"))
    var dt: Double = 0.01

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Rows (save times) of a --time run (1 to 1000).", valueName: "n"))
    var saves: Int = 10

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Start of a --time run, x or x,y (default: the objective's start).", valueName: "x[,y]"))
    var start: String?

    @Option(name: .customLong("start-variance"), parsing: .unconditional, help: ArgumentHelp("Variance v ≥ 0 of a Gaussian start (0: a point mass).", valueName: "v"))
    var startVariance: Double = 0

    @OptionGroup var output: OutputOptions
    @OptionGroup var storeOptions: StoreOptions

    func validate() throws {
        guard model == "langevin" || model == "sme" else { throw ValidationError.field("--model", "must be langevin or sme, got '\(model)'") }
        guard temperature.isFinite, temperature > 0 else { throw ValidationError.field("--temperature", "must be a positive finite number, got \(temperature)") }
        guard learningRate.isFinite, learningRate > 0 else { throw ValidationError.field("--learning-rate", "must be a positive finite number, got \(learningRate)") }
        guard batchSize >= 1 else { throw ValidationError.field("--batch-size", "must be at least 1, got \(batchSize)") }
        guard sampling == "with-replacement" || sampling == "without-replacement" else {
            throw ValidationError.field("--sampling", "must be with-replacement or without-replacement, got '\(sampling)'")
        }
        if let time, !(time.isFinite && time > 0) { throw ValidationError.field("--time", "must be a positive finite number, got \(time)") }
        if stationary && time != nil { throw ValidationError.field("--time", "give either --time T (transient) or --stationary, not both") }
        guard dt.isFinite, dt > 0 else { throw ValidationError.field("--dt", "must be a positive finite number, got \(dt)") }
        if let time, time / dt > 1e7 { throw ValidationError.field("--dt", "T/Δt must be at most 10⁷ steps, got \(time / dt)") }
        guard saves >= 1, saves <= 1000 else { throw ValidationError.field("--saves", "must be between 1 and 1000, got \(saves)") }
        guard startVariance.isFinite, startVariance >= 0 else { throw ValidationError.field("--start-variance", "must be a finite number ≥ 0, got \(startVariance)") }
    }

    // MARK: objective and model

    /// What the command solves.
    struct Problem {
        var label: String
        var objective: any Objective
        var start: [Double]
        var oracle: NoisyQuadratic?
        var finiteSum: LeastSquares?
        var dimension: Int { objective.dimension }
    }

    func problem() throws -> Problem {
        let diag = try diagonal.map { try parseNumbers($0, field: "--diagonal") }
        switch objective {
        case "li-tai-e":
            guard let diag, !diag.isEmpty else { throw CLIError.usage("--diagonal", "li-tai-e needs its Hessian diagonal, e.g. --diagonal 1 or 1,2") }
            guard diag.count <= 2 else { throw CLIError.usage("--diagonal", "fokker-planck solves 1-D and 2-D problems; got \(diag.count) values (dimension \(diag.count))") }
            guard diag.allSatisfy({ $0 > 0 }) else { throw CLIError.usage("--diagonal", "Hessian eigenvalues must be positive, got \(diag.map { fmt($0) })") }
            let f = NoisyQuadratic(hessian: .diagonal(diag))
            return Problem(label: "li-tai-e: f = ½xᵀHx, H = diag(\(diag.map { fmt($0) }.joined(separator: ", "))), Σ = H²",
                           objective: f, start: [Double](repeating: 1, count: diag.count), oracle: f, finiteSum: nil)
        case "shifted-quadratics":
            guard let centers else { throw CLIError.usage("--centers", "shifted-quadratics needs the sample centres, e.g. --centers -1,1") }
            let c = try parseNumbers(centers, field: "--centers")
            var l = try curvatures.map { try parseNumbers($0, field: "--curvatures") } ?? [1]
            if l.count == 1 { l = [Double](repeating: l[0], count: c.count) }
            guard l.count == c.count else { throw CLIError.usage("--curvatures", "give one curvature or one per centre (\(c.count)), got \(l.count)") }
            guard l.allSatisfy({ $0 > 0 }) else { throw CLIError.usage("--curvatures", "every curvature must be positive") }
            let ls = shiftedQuadratics(centers: c, curvatures: l, name: "shifted-quadratics")
            return Problem(label: "shifted-quadratics: f_i(θ) = ½λ_i(θ − c_i)², c = (\(c.map { fmt($0) }.joined(separator: ", "))), λ = (\(l.map { fmt($0) }.joined(separator: ", ")))",
                           objective: ls, start: [try ls.minimizer[0] + 1], oracle: nil, finiteSum: ls)
        case "least-squares":
            guard let data else { throw CLIError.usage("--data", "least-squares needs a CSV file with one or two feature columns and the target") }
            let set = try Dataset.load(csvAt: data)
            guard set.featureCount <= 2 else {
                throw CLIError.usage("--data", "fokker-planck solves 1-D and 2-D problems; '\(data)' has \(set.featureCount) feature columns (dimension \(set.featureCount))")
            }
            let ls = LeastSquares(dataset: set, standardize: true, intercept: false)
            guard let w = try? ls.minimizer else { throw CLIError.usage("--data", "the features of '\(data)' are collinear; the minimizer is not unique") }
            return Problem(label: "least-squares on \(set.name) (standardized, no intercept), n = \(ls.sampleCount)", objective: ls,
                           start: w.map { $0 + 1 }, oracle: nil, finiteSum: ls)
        default:
            let entry: CatalogObjective
            do { entry = try ObjectiveCatalog.make(objective, diagonal: diag) } catch let e as ConfigurationError {
                throw CLIError.usage(e.field, e.message)
            }
            guard entry.objective.dimension <= 2 else {
                throw CLIError.usage(objective == "quadratic" ? "--diagonal" : "--objective", "fokker-planck solves 1-D and 2-D problems; \(objective) has dimension \(entry.objective.dimension)")
            }
            return Problem(label: "\(objective): \(ObjectiveCatalog.names[objective] ?? objective)\(diag.map { " (λ = \($0.map { fmt($0) }.joined(separator: ", ")))" } ?? "")",
                           objective: entry.objective, start: entry.start, oracle: nil, finiteSum: nil)
        }
    }

    /// The solver, the Gibbs temperature when the equilibrium is `e^{−f/T}` (gradient drift, constant
    /// isotropic diffusion), and a line on the scheme.
    enum Solver {
        case one(FokkerPlanck1D)
        case two(FokkerPlanck2D)
    }

    func potentialSolver(_ p: Problem, axes: [GridAxis], diffusion d: Double) throws -> Solver {
        let f = p.objective
        if axes.count == 1 {
            return .one(try naming(["diffusion": "--temperature"]) { try FokkerPlanck1D(grid: try axes[0].grid, diffusion: d, potential: { f.value([$0]) }) })
        }
        return .two(try naming(["diffusion": "--temperature"]) {
            try FokkerPlanck2D(grid: Grid2D(x: try axes[0].grid, y: try axes[1].grid), diffusion: d, potential: { f.value([$0, $1]) })
        })
    }

    func smeSolver<G: StochasticGradient>(_ g: G, _ p: Problem, axes: [GridAxis]) throws -> (Solver, Double?, String) {
        let m = SME(g, learningRate: learningRate, order: 1)
        // D(x) = ½σσᵀ at every node: constant and isotropic?
        var lo = Double.infinity, hi = -Double.infinity, cross = 0.0, aniso = 0.0
        let xs = try axes[0].grid.nodes
        let ys = axes.count == 2 ? try axes[1].grid.nodes : [0.0]
        for y in ys {
            for x in xs {
                let s = m.diffusionMatrix(axes.count == 2 ? [x, y] : [x], t: 0)
                let dd = s * Matrix(rows: s.columns, columns: s.rows, storage: transposeStorage(s))
                let dxx = 0.5 * dd[0, 0]
                lo = min(lo, dxx); hi = max(hi, dxx)
                if axes.count == 2 {
                    cross = max(cross, abs(0.5 * dd[0, 1]))
                    aniso = max(aniso, abs(0.5 * dd[1, 1] - dxx))
                }
            }
        }
        let tol = 1e-12 * max(hi, 1e-300)
        if hi - lo <= tol && cross <= tol && aniso <= tol && lo > 0 {
            let d = 0.5 * (lo + hi)
            return (try potentialSolver(p, axes: axes, diffusion: d), d,
                    "SME-1 noise is constant and isotropic here, D = ηcΣ/2 = \(fmt(d, 6)): potential differences, equilibrium exactly e^{−f/D}")
        }
        let solver: Solver
        if axes.count == 1 {
            solver = .one(try naming(["diffusion": "--model", "model": "--objective"]) { try FokkerPlanck1D(grid: try axes[0].grid, model: m) })
        } else {
            solver = .two(try naming(["diffusion": "--model", "model": "--objective"]) {
                try FokkerPlanck2D(grid: Grid2D(x: try axes[0].grid, y: try axes[1].grid), model: m)
            })
        }
        return (solver, nil, "SME-1 with state-dependent or anisotropic noise D(θ) = ηcΣ(θ)/2 (range \(fmt(lo, 4))…\(fmt(hi, 4))): drift and diffusion at the faces, equilibrium exact to O(Δx²); no Gibbs law to compare with")
    }

    func transposeStorage(_ s: Matrix) -> [Double] {
        var t = [Double](repeating: 0, count: s.rows * s.columns)
        for i in 0..<s.rows { for j in 0..<s.columns { t[j * s.rows + i] = s[i, j] } }
        return t
    }

    // MARK: run

    func run() throws {
        let p = try problem()
        let axes: [GridAxis]
        if let grid {
            axes = try parseGrid(grid, maximumAxes: 3)
            guard axes.count <= 2 else {
                throw CLIError.usage("--grid", "\(axes.count) axes given; fokker-planck solves 1-D and 2-D problems")
            }
            guard axes.count == p.dimension else {
                throw CLIError.usage("--grid", "has \(axes.count) axis\(axes.count == 1 ? "" : "es") but \(objective) has dimension \(p.dimension); give \(p.dimension == 1 ? "lower:upper:count" : "lower:upper:count,lower:upper:count")")
            }
        } else {
            axes = p.dimension == 1 ? [GridAxis(lower: -3, upper: 3, count: 121)] : [GridAxis(lower: -3, upper: 3, count: 81), GridAxis(lower: -3, upper: 3, count: 81)]
        }
        if axes.count == 2 {
            let cells = axes[0].count * axes[1].count
            guard Double(cells) * Double(3 * axes[0].count + 1) <= 2.5e7 else {
                throw CLIError.usage("--grid", "\(axes[0].count) × \(axes[1].count) nodes need \(Int(Double(cells * (3 * axes[0].count + 1)) * 8e-6)) MB for the banded LU (limit 200 MB); use fewer nodes (or the shorter axis first)")
            }
            if let time {
                let cost = (time / dt) * Double(cells) * Double(axes[0].count)
                guard cost <= 2e11 else { throw CLIError.usage("--dt", "T/Δt × cells × n_x = \(fmt(cost, 2)) is above 2·10¹¹ flops; use a larger --dt or a coarser grid") }
            }
        } else {
            guard axes[0].count <= 1_000_000 else { throw CLIError.usage("--grid", "at most 10⁶ nodes in 1-D, got \(axes[0].count)") }
        }

        let solver: Solver
        let gibbsT: Double?
        let scheme: String
        let modelLabel: String
        if model == "langevin" {
            solver = try potentialSolver(p, axes: axes, diffusion: temperature)
            gibbsT = temperature
            scheme = "gradient drift, constant D: potential differences B = Δf/Δx, C = D (docs/THEORY.md §7.2), equilibrium exactly e^{−f/D}"
            modelLabel = "Langevin dθ = −∇f dt + √(2D) dW, D = \(fmt(temperature, 6))"
        } else {
            let s = Sampling(rawValue: sampling)!
            modelLabel = "SME-1 of SGD: dθ = −∇f dt + (ηcΣ(θ))^{1/2} dW, η = \(fmt(learningRate, 6)), batch \(batchSize) \(sampling)"
            if let f = p.oracle {
                (solver, gibbsT, scheme) = try smeSolver(OracleGradient(f, batchSize: batchSize), p, axes: axes)
            } else if let ls = p.finiteSum {
                guard s == .withReplacement || batchSize <= ls.sampleCount else {
                    throw CLIError.usage("--batch-size", "must not exceed the \(ls.sampleCount) samples without replacement, got \(batchSize)")
                }
                (solver, gibbsT, scheme) = try smeSolver(MinibatchGradient(ls, batchSize: batchSize, sampling: s), p, axes: axes)
            } else {
                throw CLIError.usage("--model", "sme needs gradient noise; \(objective) is deterministic. Use --objective li-tai-e, shifted-quadratics or least-squares, or --model langevin")
            }
        }
        // Printed only once the solve has succeeded, so a bad input leaves nothing but the error line.
        let intro = ["Fokker–Planck equation (Chang–Cooper, zero-flux walls; docs/THEORY.md §7) of \(modelLabel)",
                     "objective \(p.label)", "scheme: \(scheme)"]
        switch solver {
        case .one(let fp): try run1D(fp, p, gibbsT: gibbsT, intro: intro)
        case .two(let fp): try run2D(fp, p, gibbsT: gibbsT, intro: intro)
        }
    }

    func startPoint(_ p: Problem) throws -> [Double] {
        guard let start else { return p.start }
        let s = try parseNumbers(start, field: "--start")
        guard s.count == p.dimension else { throw CLIError.usage("--start", "has \(s.count) coordinates but the problem has dimension \(p.dimension)") }
        return s
    }

    static let gibbsClaim = "With a gradient drift and constant isotropic diffusion D, the stationary law of ∂_t p = ∇·(p∇f + D∇p) is the Gibbs density e^{−f/D}/Z, and the Chang–Cooper scheme's discrete equilibrium is exactly the grid Gibbs law."
    static let stationaryClaim = "The model's stationary law solves A p = 0, Σ p = 1 for the Chang–Cooper discretisation, exact to O(Δx²) when the diffusion depends on the state."
    static let transientClaim = "Implicit Euler for the Chang–Cooper scheme keeps the mass at 1 and every cell mass non-negative for any Δt, and the density relaxes to the stationary law (total variation → 0)."

    /// One paragraph on a transient: mass drift, positivity, and the total variation to the stationary law.
    static func transientReading(masses: [Double], minimum: Double, tv: [Double], times: [Double]) -> String {
        let drift = masses.map { abs($0 - 1) }.max() ?? .nan
        return "The mass stayed within \(fmt(drift, 2)) of 1 and the smallest cell mass was \(fmt(minimum, 3)); the total variation to the stationary law went from \(fmt(tv.first ?? .nan, 3)) at t = \(fmt(times.first ?? .nan, 3)) to \(fmt(tv.last ?? .nan, 3)) at t = \(fmt(times.last ?? .nan, 3))."
    }

    // MARK: 1-D

    func run1D(_ fp: FokkerPlanck1D, _ p: Problem, gibbsT: Double?, intro: [String]) throws {
        let g = fp.grid
        let f = p.objective
        let peclet = fp.cellPeclet.map(abs).max() ?? 0
        let intro = intro + ["grid [\(fmt(g.lower, 6)), \(fmt(g.upper, 6))] with \(g.count) nodes, Δx = \(fmt(g.spacing, 4)); max cell Péclet |Δx·B/C| = \(fmt(peclet, 4))"]
        let gibbs = try gibbsT.map { t in try naming([:]) { try Density1D.gibbs(grid: g, temperature: t, potential: { f.value([$0]) }) } }
        if let time {
            let stat = try naming([:]) { try fp.stationary(boundaryTolerance: nil) }
            let x0 = try startPoint(p)[0]
            guard x0 >= g.lower, x0 <= g.upper else { throw CLIError.usage("--start", "must lie in the grid [\(fmt(g.lower)), \(fmt(g.upper))], got \(x0)") }
            let initial = startVariance > 0
                ? try naming(["variance": "--start-variance", "weights": "--start-variance"]) { try Density1D.gaussian(grid: g, mean: x0, variance: startVariance) }
                : Density1D.pointMass(at: x0, grid: g)
            let steps = max(1, Int((time / dt).rounded()))
            let every = max(1, steps / saves)
            let bar = ProgressBar("fokker-planck: \(steps) steps", total: steps)
            let run = try naming([:]) {
                defer { bar.finish() }
                return try fp.evolve(initial, timeStep: dt, steps: steps, saveEvery: every, progress: bar.callback())
            }
            intro.forEach { print($0) }
            print("transient from \(startVariance > 0 ? "N(\(fmt(x0, 6)), \(fmt(startVariance, 6)))" : "a point mass at \(fmt(x0, 6))") to T = \(fmt(Double(steps) * dt, 6)): \(steps) implicit Euler steps of Δt = \(fmt(dt, 4)); status \(run.status)")
            if !run.status.isOK { warn("fokker-planck: \(run.status)") }
            print("")
            var table = TextTable(["t", "mass", "mean", "variance", "min mass", "boundary mass", "TV to stationary", "status"])
            var rows: [[String: Any]] = []
            for (i, q) in run.densities.enumerated() {
                let tv = DensityDistance.totalVariation(q, stat)
                let st: String
                if case let .domainTooSmall(_, _, step) = run.status, run.steps[i] >= step { st = "domain too small" } else { st = "ok" }
                table.add([fmt(run.times[i], 5), fmt(q.totalMass, 15), fmt(q.mean, 6), fmt(q.variance, 6), fmt(q.minimumMass, 3),
                           fmt(q.boundaryMass, 3), fmt(tv, 4), st])
                rows.append(["t": run.times[i], "mass": q.totalMass, "mean": q.mean, "variance": q.variance,
                             "min_mass": q.minimumMass, "boundary_mass": q.boundaryMass, "tv_to_stationary": tv])
            }
            print(table.render())
            print("\nmass and positivity are exact for implicit Euler (M-matrix); the time error is O(Δt).")
            StudyRecording.claim(Self.transientClaim)
            StudyRecording.reading(Self.transientReading(masses: run.densities.map(\.totalMass), minimum: run.minimumMass,
                                                         tv: run.densities.map { DensityDistance.totalVariation($0, stat) }, times: run.times))
            var files: [String] = []
            var cols = run.densities.enumerated().map { ("t=\(fmt(run.times[$0.offset], 5))", $0.element) }
            cols.append(("stationary", stat))
            if let path = try output.write(densityCSV(cols), to: "fokker-planck.csv") { files.append(path) }
            let json: [String: Any] = ["study": "fokker-planck", "model": model, "objective": objective, "dimension": 1,
                                       "grid": ["lower": g.lower, "upper": g.upper, "count": g.count], "dt": dt, "time": time,
                                       "status": "\(run.status)", "rows": rows, "max_boundary_mass": run.maximumBoundaryMass,
                                       "min_mass": run.minimumMass]
            if let path = try output.write(jsonString(json), to: "fokker-planck.json") { files.append(path) }
            var curves: [Curve] = []
            let idx = Array(run.densities.indices.dropFirst())
            let pick = idx.count <= 6 ? idx : (0..<6).map { idx[($0 * (idx.count - 1)) / 5] }
            for i in pick { curves.append(Curve(label: "t = \(fmt(run.times[i], 4))", density: run.densities[i], width: 1.75)) }
            curves.append(Curve(label: "stationary", density: stat, dash: .dashed, width: 2.5, color: .black))
            if let gibbs { curves.append(Curve(label: "Gibbs e^(−f/D)", density: gibbs, dash: .dotted, width: 2.5, color: .grey)) }
            let svg = densityPicture(title: "Fokker–Planck transient, \(objective)", xLabel: "x", curves: curves,
                                     xDomain: visibleRange(Array(run.densities.dropFirst()) + [stat]))
            if let path = try output.write(svg, to: "fokker-planck.svg") { files.append(path) }
            if !files.isEmpty { print("\nwrote " + files.joined(separator: ", ")) }
            return
        }

        let stat = try naming([:]) { try fp.stationary() }
        let residual = fp.apply(stat).map(abs).max() ?? 0
        intro.forEach { print($0) }
        print("stationary law: A p = 0, Σ p = 1 (zero-flux recurrence); ‖A p‖_∞ = \(fmt(residual, 2))")
        print("")
        var laws: [(String, Density1D)] = [("fp-stationary", stat)]
        if let gibbs { laws.append(("gibbs", gibbs)) }
        var table = TextTable(["law", "mass", "mean", "variance", "E x²", "excess kurtosis", "min mass", "boundary mass"])
        for (name, q) in laws {
            let ex2 = zip(g.nodes, q.masses).reduce(0) { $0 + $1.0 * $1.0 * $1.1 }
            table.add([name, fmt(q.totalMass, 15), fmt(q.mean, 6), fmt(q.variance, 10), full(ex2), fmt(q.excessKurtosis, 6),
                       fmt(q.minimumMass, 3), fmt(q.boundaryMass, 3)])
        }
        print(table.render())
        print("E x² = Σ_j x_j² p_j over the cell masses\(objective == "double-well" ? " (docs/THEORY.md §7.4 case 1, D = 0.3 on [−3, 3] with 121 nodes: 0.8405464652307093)" : "").")
        var json: [String: Any] = ["study": "fokker-planck", "model": model, "objective": objective, "dimension": 1,
                                   "grid": ["lower": g.lower, "upper": g.upper, "count": g.count], "residual": residual,
                                   "stationary": ["mean": stat.mean, "variance": stat.variance,
                                                  "second_moment": zip(g.nodes, stat.masses).reduce(0) { $0 + $1.0 * $1.0 * $1.1 },
                                                  "excess_kurtosis": stat.excessKurtosis, "min_mass": stat.minimumMass,
                                                  "boundary_mass": stat.boundaryMass]]
        if let gibbs, let t = gibbsT {
            let d = DistanceTriple(stat, gibbs)
            var dist = TextTable(["p", "q", "TV", "KL(p‖q)", "W1"])
            dist.add(["fp-stationary", "gibbs", fmt(d.tv, 5), fmt(d.kl, 5), fmt(d.w1, 5)])
            print("")
            print(dist.render())
            print("Gibbs density e^{−f/D}/Z on the grid, D = \(fmt(t, 6)); KL with ε = 1e-12 added to every cell.")
            json["gibbs"] = ["temperature": t, "distances": d.json]
            StudyRecording.reading("Stationary law: mean \(fmt(stat.mean, 5)), variance \(fmt(stat.variance, 6)), E x² = \(fmt(zip(g.nodes, stat.masses).reduce(0) { $0 + $1.0 * $1.0 * $1.1 }, 10)), residual ‖A p‖_∞ = \(fmt(residual, 2)); distance to the grid Gibbs law at D = \(fmt(t, 4)): TV \(fmt(d.tv, 3)), KL \(fmt(d.kl, 3)), W1 \(fmt(d.w1, 3))"
                + (d.tv < 1e-9 ? ", round-off: the scheme's equilibrium is the Gibbs law." : "."))
        } else {
            StudyRecording.reading("Stationary law: mean \(fmt(stat.mean, 5)), variance \(fmt(stat.variance, 6)), excess kurtosis \(fmt(stat.excessKurtosis, 4)), residual ‖A p‖_∞ = \(fmt(residual, 2)); the diffusion is state dependent, so no Gibbs law is compared.")
        }
        StudyRecording.claim(gibbsT != nil ? Self.gibbsClaim : Self.stationaryClaim)
        var files: [String] = []
        if let path = try output.write(densityCSV(laws.map { ($0.0.replacingOccurrences(of: "-", with: "_"), $0.1) }), to: "fokker-planck.csv") { files.append(path) }
        if let path = try output.write(jsonString(json), to: "fokker-planck.json") { files.append(path) }
        var curves = [Curve(label: "Fokker–Planck stationary law", density: stat, width: 2.5)]
        if let gibbs { curves.append(Curve(label: "Gibbs e^(−f/D), D = \(fmt(gibbsT!, 4))", density: gibbs, dash: .dashed, width: 2.25)) }
        let svg = densityPicture(title: "Stationary density, \(objective) (\(model))", xLabel: "x", curves: curves, xDomain: g.lower...g.upper)
        if let path = try output.write(svg, to: "fokker-planck.svg") { files.append(path) }
        if !files.isEmpty { print("\nwrote " + files.joined(separator: ", ")) }
    }

    // MARK: 2-D

    func run2D(_ fp: FokkerPlanck2D, _ p: Problem, gibbsT: Double?, intro: [String]) throws {
        let g = fp.grid
        let f = p.objective
        let intro = intro + ["grid x ∈ [\(fmt(g.x.lower, 5)), \(fmt(g.x.upper, 5))] × y ∈ [\(fmt(g.y.lower, 5)), \(fmt(g.y.upper, 5))], \(g.x.count) × \(g.y.count) nodes\(fp.hasCrossDiffusion ? "; cross diffusion present: positivity not guaranteed" : "")"]
        let gibbs = try gibbsT.map { t in try naming([:]) { try Density2D.gibbs(grid: g, temperature: t, potential: { f.value([$0, $1]) }) } }
        func row(_ name: String, _ q: Density2D) -> [String] {
            let m = q.mean, c = q.covariance
            return [name, fmt(q.totalMass, 15), fmt(m[0], 6), fmt(m[1], 6), fmt(c[0, 0], 6), fmt(c[1, 1], 6), fmt(c[0, 1], 4),
                    fmt(q.minimumMass, 3), fmt(q.boundaryMass, 3)]
        }
        func stats(_ q: Density2D) -> [String: Any] {
            let m = q.mean, c = q.covariance
            return ["mass": q.totalMass, "mean": m, "covariance": [[c[0, 0], c[0, 1]], [c[1, 0], c[1, 1]]],
                    "min_mass": q.minimumMass, "rim_mass": q.boundaryMass]
        }
        let header = ["law", "mass", "mean x", "mean y", "var x", "var y", "cov xy", "min mass", "rim mass"]
        var json: [String: Any] = ["study": "fokker-planck", "model": model, "objective": objective, "dimension": 2,
                                   "grid": ["x": ["lower": g.x.lower, "upper": g.x.upper, "count": g.x.count],
                                            "y": ["lower": g.y.lower, "upper": g.y.upper, "count": g.y.count]]]
        let final: Density2D
        let title: String
        var files: [String] = []
        if let time {
            let stat = try naming([:]) { try fp.stationary(boundaryTolerance: nil) }
            let s = try startPoint(p)
            guard s[0] >= g.x.lower, s[0] <= g.x.upper, s[1] >= g.y.lower, s[1] <= g.y.upper else {
                throw CLIError.usage("--start", "must lie in the grid, got (\(s[0]), \(s[1]))")
            }
            let initial = startVariance > 0
                ? try naming(["covariance": "--start-variance", "weights": "--start-variance"]) { try Density2D.gaussian(grid: g, mean: s, covariance: Matrix([[startVariance, 0], [0, startVariance]])) }
                : Density2D.pointMass(at: s[0], s[1], grid: g)
            let steps = max(1, Int((time / dt).rounded()))
            let bar = ProgressBar("fokker-planck: \(steps) steps", total: steps)
            let run = try naming([:]) {
                defer { bar.finish() }
                return try fp.evolve(initial, timeStep: dt, steps: steps, saveEvery: max(1, steps / saves), progress: bar.callback())
            }
            intro.forEach { print($0) }
            print("transient from \(startVariance > 0 ? "a Gaussian, variance \(fmt(startVariance)) per axis," : "a point mass") at (\(fmt(s[0])), \(fmt(s[1]))) to T = \(fmt(Double(steps) * dt, 6)): \(steps) implicit Euler steps of Δt = \(fmt(dt, 4)); status \(run.status)")
            if !run.status.isOK { warn("fokker-planck: \(run.status)") }
            print("")
            var table = TextTable(["t"] + header.dropFirst() + ["TV to stationary"])
            var rows: [[String: Any]] = []
            for (i, q) in run.densities.enumerated() {
                let tv = DensityDistance.totalVariation(q, stat)
                table.add([fmt(run.times[i], 5)] + row("", q).dropFirst() + [fmt(tv, 4)])
                var r = stats(q); r["t"] = run.times[i]; r["tv_to_stationary"] = tv
                rows.append(r)
            }
            print(table.render())
            json["time"] = time; json["dt"] = dt; json["status"] = "\(run.status)"; json["rows"] = rows
            StudyRecording.claim(Self.transientClaim)
            StudyRecording.reading(Self.transientReading(masses: run.densities.map(\.totalMass), minimum: run.densities.map(\.minimumMass).min() ?? .nan,
                                                         tv: run.densities.map { DensityDistance.totalVariation($0, stat) }, times: run.times))
            final = run.final
            title = "Fokker–Planck density at t = \(fmt(run.times.last!, 4)), \(objective)"
        } else {
            let stat = try naming([:]) { try fp.stationary() }
            let residual = fp.apply(stat).map(abs).max() ?? 0
            intro.forEach { print($0) }
            print("stationary law: A p = 0, Σ p = 1 (banded LU with one pinned cell); ‖A p‖_∞ = \(fmt(residual, 2))")
            print("")
            var table = TextTable(header)
            table.add(row("fp-stationary", stat))
            if let gibbs { table.add(row("gibbs", gibbs)) }
            print(table.render())
            json["stationary"] = stats(stat)
            json["residual"] = residual
            if let gibbs, let t = gibbsT {
                let tv = DensityDistance.totalVariation(stat, gibbs)
                let kl = DensityDistance.kullbackLeibler(stat, gibbs)
                let w1x = DensityDistance.wasserstein1(stat.marginalX, gibbs.marginalX)
                let w1y = DensityDistance.wasserstein1(stat.marginalY, gibbs.marginalY)
                var dist = TextTable(["p", "q", "TV", "KL(p‖q)", "W1 (x-marginal)", "W1 (y-marginal)"])
                dist.add(["fp-stationary", "gibbs", fmt(tv, 5), fmt(kl, 5), fmt(w1x, 5), fmt(w1y, 5)])
                print("")
                print(dist.render())
                print("Gibbs density e^{−f/D}/Z on the grid, D = \(fmt(t, 6)); KL with ε = 1e-12 added to every cell; W1 of the marginals.")
                json["gibbs"] = ["temperature": t, "tv": tv, "kl": kl, "w1_x": w1x, "w1_y": w1y]
                StudyRecording.reading("Stationary law: mean (\(fmt(stat.mean[0], 4)), \(fmt(stat.mean[1], 4))), variances \(fmt(stat.covariance[0, 0], 5)) and \(fmt(stat.covariance[1, 1], 5)), residual ‖A p‖_∞ = \(fmt(residual, 2)); distance to the grid Gibbs law at D = \(fmt(t, 4)): TV \(fmt(tv, 3)), KL \(fmt(kl, 3)), W1 \(fmt(w1x, 3)) (x) and \(fmt(w1y, 3)) (y)"
                    + (tv < 1e-9 ? ", round-off: the scheme's equilibrium is the Gibbs law." : "."))
            } else {
                StudyRecording.reading("Stationary law: mean (\(fmt(stat.mean[0], 4)), \(fmt(stat.mean[1], 4))), variances \(fmt(stat.covariance[0, 0], 5)) and \(fmt(stat.covariance[1, 1], 5)), residual ‖A p‖_∞ = \(fmt(residual, 2)); the diffusion is state dependent, so no Gibbs law is compared.")
            }
            StudyRecording.claim(gibbsT != nil ? Self.gibbsClaim : Self.stationaryClaim)
            final = stat
            title = "Stationary Fokker–Planck density, \(objective) (\(model))"
        }
        var csv = TextTable(["x", "y", "density"])
        let dens = final.densities
        for j in 0..<g.y.count { for i in 0..<g.x.count { csv.add(["\(g.x[i])", "\(g.y[j])", "\(dens[g.index(i, j)])"]) } }
        if let path = try output.write(csv.csv(), to: "fokker-planck.csv") { files.append(path) }
        if let path = try output.write(jsonString(json), to: "fokker-planck.json") { files.append(path) }
        var map = Heatmap(title: title, values: (0..<g.y.count).map { j in (0..<g.x.count).map { i in dens[g.index(i, j)] } },
                          xLabel: "x", yLabel: "y", valueLabel: "density", xRange: (g.x.lower - g.x.spacing / 2)...(g.x.upper + g.x.spacing / 2),
                          yRange: (g.y.lower - g.y.spacing / 2)...(g.y.upper + g.y.spacing / 2))
        map.equalAspect = true
        if let path = try output.write(map.render(width: 700, height: 600), to: "fokker-planck.svg") { files.append(path) }
        if !files.isEmpty { print("\nwrote " + files.joined(separator: ", ")) }
    }
}
