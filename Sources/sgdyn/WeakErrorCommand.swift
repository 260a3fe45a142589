import ArgumentParser
import Foundation
import SGDynamics
import SGDynamicsReport

/// `sgdyn weak-error`: weak error of SGD's stochastic modified equations against η (Li, Tai & E).
struct WeakErrorCommand: StudyCommand {
    static let configuration = CommandConfiguration(
        commandName: "weak-error",
        abstract: "Measure max_k |E g(x_k) − E g(X_{kη})| between SGD and its SMEs over an η grid, with intervals and fitted orders.",
        discussion: """
        Objectives: li-tai-e (f_γ = ½(x−γ)ᵀH(x−γ), γ ~ N(0, I), H = diag(--diagonal), THEORY.md §5.3) \
        and the finite sums least-squares, logistic (minibatch --batch, with replacement). Models: sme1 \
        (dX = −∇f dt + (ηΣ/b)^{1/2} dW) and sme2 (drift −∇(f + (η/4)‖∇f‖²)); time t = kη. Test functions: \
        f, x1…xd (a coordinate), norm2 (‖x‖²), x1^4 (a coordinate to the fourth). \
        Modes: exact (closed-form Gaussian moments; li-tai-e only), mc (Monte Carlo ensembles), auto \
        (exact where available). In Monte Carlo mode the SMEs of li-tai-e are integrated with their exact \
        linear transition (no solver error); other SMEs with Euler–Maruyama at step η/--substeps. \
        The interval of each error is the 95% interval of the max over k; the order is a least-squares \
        slope of log error on log η with a 95% interval.
        """
    )

    @Option(name: .long, help: ArgumentHelp("Objective: li-tai-e, least-squares or logistic.", valueName: "name"))
    var objective: String = "li-tai-e"

    @Option(name: .long, help: ArgumentHelp("Hessian diagonal of the li-tai-e quadratic.", valueName: "λ,…"))
    var diagonal: String = "1,2"

    @Option(name: .long, help: ArgumentHelp("CSV data set for least-squares or logistic.", valueName: "file"))
    var data: String?

    @Option(name: .long, help: ArgumentHelp("Starting point (default: all ones for li-tai-e, zeros otherwise).", valueName: "x,…"))
    var x0: String?

    @Option(name: .long, help: ArgumentHelp("Algorithm: sgd, hb (heavy ball) or nag (Nesterov); hb and nag are compared with their regime-A SME (η/(1−μ), t = kη), li-tai-e only.", valueName: "name"))
    var algorithm: String = "sgd"

    @Option(name: .long, help: ArgumentHelp("Momentum μ in [0, 1) for hb and nag.", valueName: "μ"))
    var momentum: Double = 0.5

    @Option(name: .long, help: ArgumentHelp("Models, comma separated: sme1, sme2 (sme1 only for hb and nag).", valueName: "m,…"))
    var models: String = "sme1,sme2"

    @Option(name: .long, help: ArgumentHelp("Test function g: f, x1…xd, norm2 or x1^4 (any coordinate).", valueName: "g"))
    var test: String = "f"

    @Option(name: .long, help: ArgumentHelp("Learning rates, comma separated, each in (0, 1).", valueName: "η,…"))
    var etas: String = "0.1,0.05,0.025,0.0125"

    @Option(name: .long, help: ArgumentHelp("Horizon T (> 0); k runs over 0…⌊T/η⌋.", valueName: "T"))
    var horizon: Double = 1

    @Option(name: .long, help: ArgumentHelp("Mode: exact, mc or auto.", valueName: "mode"))
    var mode: String = "auto"

    @Option(name: .long, help: ArgumentHelp("Monte Carlo paths per ensemble (≥ 2).", valueName: "N"))
    var paths: Int = 100_000

    @Option(name: .long, help: ArgumentHelp("Minibatch size b (≥ 1; ≤ n for data sets).", valueName: "b"))
    var batch: Int = 1

    @Option(name: .long, help: ArgumentHelp("Euler–Maruyama substeps per η for non-linear SMEs (≥ 1).", valueName: "r"))
    var substeps: Int = 20

    @Option(name: .long, help: ArgumentHelp("Random seed.", valueName: "s"))
    var seed: UInt64 = 1

    @Option(name: .long, help: ArgumentHelp("Threads (default: all cores).", valueName: "n"))
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @OptionGroup var output: OutputOptions
    @OptionGroup var storeOptions: StoreOptions

    func validate() throws {
        guard horizon > 0, horizon.isFinite else { throw ValidationError.field("--horizon", "must be a positive number, got \(horizon)") }
        guard ["exact", "mc", "auto"].contains(mode) else { throw ValidationError.field("--mode", "must be exact, mc or auto, got '\(mode)'") }
        guard paths >= 2, paths <= 1_000_000_000 else { throw ValidationError.field("--paths", "must be between 2 and 10⁹, got \(paths)") }
        guard batch >= 1 else { throw ValidationError.field("--batch", "must be at least 1, got \(batch)") }
        guard substeps >= 1, substeps <= 10_000 else { throw ValidationError.field("--substeps", "must be between 1 and 10000, got \(substeps)") }
        guard threads >= 1 else { throw ValidationError.field("--threads", "must be at least 1, got \(threads)") }
        guard ["sgd", "hb", "nag"].contains(algorithm) else {
            throw ValidationError.field("--algorithm", "must be sgd, hb or nag, got '\(algorithm)'")
        }
        guard momentum >= 0, momentum < 1 else { throw ValidationError.field("--momentum", "must be in [0, 1), got \(momentum)") }
        guard algorithm == "sgd" || objective == "li-tai-e" else {
            throw ValidationError.field("--algorithm", "hb and nag are available on li-tai-e; use sgd for \(objective)")
        }
        guard ["li-tai-e", "least-squares", "logistic"].contains(objective) else {
            throw ValidationError.field("--objective", "weak-error supports li-tai-e, least-squares and logistic, got '\(objective)'")
        }
    }

    func run() throws {
        let grid = try parseNumbers(etas, field: "--etas")
        guard !grid.isEmpty, grid.allSatisfy({ $0 > 0 && $0 < 1 }) else {
            throw CLIError.usage("--etas", "learning rates must lie in (0, 1), got \(etas)")
        }
        guard grid.allSatisfy({ horizon / $0 <= 1e7 }), grid.allSatisfy({ horizon / $0 * Double(substeps) <= 1e9 }) else {
            throw CLIError.usage("--horizon", "T/η must stay below 10⁷ steps (and T/η × substeps below 10⁹), got T = \(horizon)")
        }
        let modelList = models.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard !modelList.isEmpty else { throw CLIError.usage("--models", "give at least one of sme1, sme2") }
        for m in modelList where m != "sme1" && m != "sme2" {
            throw CLIError.usage("--models", "unknown model '\(m)'; valid: sme1, sme2")
        }
        let orders = modelList.map { $0 == "sme1" ? 1 : 2 }
        if algorithm != "sgd" && orders != [1] {
            throw CLIError.usage("--models", "for hb and nag only sme1 (the regime-A SME with η/(1−μ)) is available; pass --models sme1")
        }
        switch objective {
        case "li-tai-e":
            let diag = try parseNumbers(diagonal, field: "--diagonal")
            guard !diag.isEmpty, diag.allSatisfy({ $0 > 0 && $0 <= 1e6 }) else {
                throw CLIError.usage("--diagonal", "Hessian eigenvalues must lie in (0, 10⁶], got \(diagonal)")
            }
            let f = NoisyQuadratic(hessian: .diagonal(diag))
            let start = try startPoint(dimension: f.dimension, default: 1)
            let g = try testFunction(f, dimension: f.dimension)
            let study = WeakErrorRun(command: self, grid: grid, orders: orders, start: start, test: g)
            try study.liTaiE(f)
        default:
            if mode == "exact" {
                throw CLIError.usage("--mode", "exact mode is available for li-tai-e only; use --mode mc for \(objective)")
            }
            let entry = try ObjectiveCatalog.make(objective, data: data)
            try runFiniteSum(entry.objective, grid: grid, orders: orders)
        }
    }

    func runFiniteSum(_ f: any Objective, grid: [Double], orders: [Int]) throws {
        if let ls = f as? LeastSquares { try finiteSum(ls, grid: grid, orders: orders) }
        else if let lr = f as? LogisticRegression { try finiteSum(lr, grid: grid, orders: orders) }
        else { throw CLIError.usage("--objective", "\(f.name) is not a finite-sum objective") }
    }

    func finiteSum<F: FiniteSumObjective>(_ f: F, grid: [Double], orders: [Int]) throws {
        guard batch <= f.sampleCount else {
            throw CLIError.usage("--batch", "must not exceed the \(f.sampleCount) samples of \(f.name), got \(batch)")
        }
        let start = try startPoint(dimension: f.dimension, default: 0)
        let g = try testFunction(f, dimension: f.dimension)
        try WeakErrorRun(command: self, grid: grid, orders: orders, start: start, test: g).finiteSum(f)
    }

    func startPoint(dimension d: Int, default v: Double) throws -> [Double] {
        guard let x0 else { return [Double](repeating: v, count: d) }
        let s = try parseNumbers(x0, field: "--x0")
        guard s.count == d else { throw CLIError.usage("--x0", "has \(s.count) coordinates but the objective has dimension \(d)") }
        return s
    }

    func testFunction<F: Objective>(_ f: F, dimension d: Int) throws -> (name: String, observable: Observable, kind: TestFunction) {
        let t = test.lowercased()
        if t == "f" { return ("f", Observable("f") { f.value($0) }, .objective) }
        if t == "norm2" { return ("‖x‖²", Observable("‖x‖²") { Vec.dot($0, $0) }, .squaredNorm) }
        if t.hasPrefix("x") {
            let parts = t.dropFirst().split(separator: "^", omittingEmptySubsequences: false)
            if let first = parts.first, let i = Int(first), i >= 1, i <= d {
                if parts.count == 1 { return ("x\(i)", Observable("x\(i)") { $0[i - 1] }, .coordinate(i - 1)) }
                if parts.count == 2, parts[1] == "4" {
                    return ("x\(i)⁴", Observable("x\(i)^4") { let v = $0[i - 1] * $0[i - 1]; return v * v }, .fourthPower(i - 1))
                }
            }
        }
        throw CLIError.usage("--test", "must be f, norm2, x1…x\(d) or xi^4, got '\(test)'")
    }
}

