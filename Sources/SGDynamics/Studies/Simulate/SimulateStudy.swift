import Foundation

/// An ensemble of an algorithm (SGD, heavy ball, Nesterov, SGLD, SVAG) or a model (SME-1, SME-2,
/// the momentum SME, Langevin) with E x(t), sd x(t) and E f(x(t)) at every save time, each with
/// its standard error (docs/THEORY.md §3, §4.3–§4.6). Time is t = kη (SVAG: kη/l); models are
/// integrated by Euler–Maruyama at step η/substeps. Draws are counter-based, so the numbers are
/// the same for any thread count or shard split; a shard's raw statistics merge (`merge(_:)`)
/// into bitwise the unsharded result.
public struct SimulateStudy: Study {
    public static let name = "simulate"

    public enum Subject: String, Codable, Sendable, CaseIterable {
        case sgd, hb, nag, sgld, svag, sme1, sme2, smeHB = "sme-hb", langevin
        var isModel: Bool { [.sme1, .sme2, .smeHB, .langevin].contains(self) }
    }

    public struct Configuration: StudyConfiguration {
        public var run: Subject = .sgd
        /// `li-tai-e` (oracle noise), a finite sum of the catalogue, or (for sgld, langevin, sgd) any catalogue objective.
        public var objective: String = "li-tai-e"
        public var diagonal: [Double] = [1, 2]
        public var data: String?
        public var start: [Double]?
        /// The formula f(x) of `objective: expression` (deterministic: sgld, langevin or GD).
        public var expression: String?
        /// The per-sample formula fᵢ(w) over `data` of `objective: samples` (real minibatch noise).
        public var samples: String?
        /// The order of a formula's variables (nil: natural order).
        public var variables: [String]?
        /// Named constants of a formula.
        public var parameters: [String: Double]?
        /// Names of the expression that are standard normal draws (a stochastic oracle f_γ(x): SGD's noise).
        public var noise: [String]?
        public var learningRate: Double = 0.1
        public var horizon: Double = 2
        /// Save points after the start.
        public var saves: Int = 20
        public var batch: Int = 1
        public var sampling: Sampling = .withReplacement
        public var momentum: Double = 0.9
        public var temperature: Double = 0.05
        /// SVAG amplification l.
        public var amplification: Double = 4
        public var substeps: Int = 10
        public var paths: Int = 10_000
        public var seed: UInt64 = 1
        /// The part of the paths this run computes (nil: all).
        public var shard: Shard?

        public init() {}
        public func inputFiles() -> [String] { data.map { [$0] } ?? [] }
        public var seedValue: UInt64? { seed }
    }

    public let configuration: Configuration
    let steps: Int

    public init(_ configuration: Configuration) throws {
        let c = configuration
        guard c.learningRate > 0, c.learningRate.isFinite else { throw ConfigurationError(field: "learningRate", "must be a positive number, got \(c.learningRate)") }
        guard c.horizon > 0, c.horizon.isFinite else { throw ConfigurationError(field: "horizon", "must be a positive number, got \(c.horizon)") }
        guard c.horizon / c.learningRate <= 1e8 else {
            throw ConfigurationError(field: "horizon", "T/η must be at most 10⁸ steps, got \(NumberText.short(c.horizon / c.learningRate))")
        }
        let steps = Int((c.horizon / c.learningRate * (1 + 1e-12)).rounded(.down))
        guard steps >= 1 else {
            throw ConfigurationError(field: "horizon", "T/η = \(NumberText.short(c.horizon / c.learningRate)) gives no step; make T at least η")
        }
        guard c.saves >= 1, c.saves <= 100_000 else { throw ConfigurationError(field: "saves", "must be between 1 and 100000, got \(c.saves)") }
        guard c.batch >= 1 else { throw ConfigurationError(field: "batch", "must be at least 1, got \(c.batch)") }
        guard c.momentum >= 0, c.momentum < 1 else { throw ConfigurationError(field: "momentum", "must lie in [0, 1), got \(c.momentum)") }
        guard c.temperature >= 0, c.temperature.isFinite else { throw ConfigurationError(field: "temperature", "must be ≥ 0, got \(c.temperature)") }
        guard c.amplification >= 1, c.amplification <= 1e4 else { throw ConfigurationError(field: "amplification", "must lie in [1, 10⁴], got \(c.amplification)") }
        guard c.substeps >= 1, c.substeps <= 10_000 else { throw ConfigurationError(field: "substeps", "must be between 1 and 10000, got \(c.substeps)") }
        guard c.horizon / c.learningRate * Double(max(c.substeps, Int(c.amplification.rounded(.up)))) <= 1e9 else {
            throw ConfigurationError(field: "substeps", "T/η × substeps (or × l for SVAG) must be at most 10⁹")
        }
        guard c.paths >= 2, c.paths <= 1_000_000_000 else { throw ConfigurationError(field: "paths", "must be between 2 and 10⁹, got \(c.paths)") }
        if let shard = c.shard {
            // Shards split whole blocks of paths; a few empty shards (a job array larger than the
            // ensemble) are harmless, a split into more shards than paths is a mistake.
            guard shard.count <= c.paths else {
                throw ConfigurationError(field: "shard", "\(shard) splits \(c.paths) paths into more shards than paths; use at most \(c.paths) shards")
            }
        }
        if c.objective == "li-tai-e" {
            guard !c.diagonal.isEmpty, c.diagonal.allSatisfy({ $0 > 0 && $0.isFinite }) else {
                throw ConfigurationError(field: "diagonal", "Hessian eigenvalues must be positive, got \(c.diagonal)")
            }
        }
        self.steps = steps
        self.configuration = c
        _ = try problem()
    }

    enum Problem {
        case oracle(OracleGradient<NoisyQuadratic>, [Double])
        case leastSquares(MinibatchGradient<LeastSquares>, [Double])
        case logistic(MinibatchGradient<LogisticRegression>, [Double])
        case exact(ExactGradient<AnyObjective>, [Double])
        case formula(MinibatchGradient<ExpressionFiniteSum>, [Double])
        case formulaOracle(OracleGradient<ExpressionOracle>, [Double])
    }

    func problem() throws -> Problem {
        let c = configuration
        func start(_ d: Int, _ v: [Double]) throws -> [Double] {
            guard let s = c.start else { return v }
            guard s.count == d else { throw ConfigurationError(field: "start", "has \(s.count) coordinates but the objective has dimension \(d)") }
            guard s.allSatisfy(\.isFinite) else { throw ConfigurationError(field: "start", "coordinates must be finite, got \(s)") }
            return s
        }
        if c.objective == "li-tai-e" {
            let f = NoisyQuadratic(hessian: .diagonal(c.diagonal))
            return .oracle(OracleGradient(f, batchSize: c.batch), try start(f.dimension, [Double](repeating: 1, count: f.dimension)))
        }
        if let data = c.data, !FileManager.default.fileExists(atPath: data) {
            throw ConfigurationError(field: "data", "no file at '\(data)'; give the path of a CSV file with a header row")
        }
        let isFormula = c.objective == "expression" || c.objective == "samples"
        if !isFormula, c.expression != nil || c.samples != nil || c.variables != nil || c.parameters != nil || c.noise != nil {
            throw ConfigurationError(field: c.expression != nil ? "expression" : (c.samples != nil ? "samples" : "variables"),
                                     "applies to a formula objective (objective expression or samples) only")
        }
        let entry = isFormula
            ? try FormulaObjectives.make(expression: c.objective == "expression" ? c.expression ?? "" : nil,
                                         samples: c.objective == "samples" ? c.samples ?? "" : nil, data: c.data,
                                         variables: c.variables, parameters: c.parameters, noise: c.objective == "expression" ? c.noise : nil,
                                         field: c.objective == "expression" ? "objective" : "samples")
            : try ObjectiveCatalog.make(c.objective, data: c.data)
        let x0 = try start(entry.objective.dimension, entry.start)
        func checkBatch(_ n: Int) throws {
            guard c.sampling == .withReplacement || c.batch <= n else {
                throw ConfigurationError(field: "batch", "must not exceed the \(n) samples without replacement, got \(c.batch)")
            }
        }
        if let ls = entry.objective as? LeastSquares {
            try checkBatch(ls.sampleCount)
            return .leastSquares(MinibatchGradient(ls, batchSize: c.batch, sampling: c.sampling), x0)
        }
        if let lr = entry.objective as? LogisticRegression {
            try checkBatch(lr.sampleCount)
            return .logistic(MinibatchGradient(lr, batchSize: c.batch, sampling: c.sampling), x0)
        }
        if let oracle = entry.objective as? ExpressionOracle {
            return .formulaOracle(OracleGradient(oracle, batchSize: c.batch), x0)
        }
        if let fs = entry.objective as? ExpressionFiniteSum {
            try checkBatch(fs.sampleCount)
            return .formula(MinibatchGradient(fs, batchSize: c.batch, sampling: c.sampling), x0)
        }
        guard [.sgld, .langevin, .sgd].contains(c.run) else {
            throw ConfigurationError(field: "objective", "\(c.objective) has no gradient noise; use sgld or langevin, or a noisy objective (li-tai-e, least-squares, logistic)")
        }
        return .exact(ExactGradient(AnyObjective(entry.objective)), x0)
    }

    /// What identifies the draws of every path: the configuration without its shard, with the input
    /// files' hashes. Shards merge only when this agrees.
    func identity() throws -> String {
        var whole = configuration
        whole.shard = nil
        return try StudySpec(study: Self.name, configuration: whole).text
    }

    /// The ensemble's raw statistics (of this run's shard), and the name of what ran.
    public func ensemble(_ context: StudyContext) throws -> (label: String, objective: String, result: EnsembleResult) {
        let id = try identity()
        switch try problem() {
        case .oracle(let g, let x0): return try simulate(g, start: x0, identity: id, context)
        case .leastSquares(let g, let x0): return try simulate(g, start: x0, identity: id, context)
        case .logistic(let g, let x0): return try simulate(g, start: x0, identity: id, context)
        case .exact(let g, let x0): return try simulate(g, start: x0, identity: id, context)
        case .formula(let g, let x0): return try simulate(g, start: x0, identity: id, context)
        case .formulaOracle(let g, let x0): return try simulate(g, start: x0, identity: id, context)
        }
    }

    public func run(_ context: StudyContext) throws -> StudyResult {
        let (label, objective, result) = try ensemble(context)
        guard let shard = configuration.shard, shard != .whole else {
            return Self.summary(label: label, objective: objective, result: result)
        }
        let name = "shard-\(shard.index)-of-\(shard.count).json"
        let data = try JSONEncoder().encode(result)
        var r = StudyResult(study: Self.name, status: result.divergences.isEmpty ? .ok : .diverged,
                            claim: Self.claim(label: label, paths: configuration.paths),
                            reading: "Shard \(shard) of the ensemble: \(result.blocks.count) blocks of raw statistics, to be merged with the other shards.",
                            context: ["shard \(shard) of \(label) on \(objective): \(result.blocks.count) blocks"],
                            findings: ["combine the shards with: sgdyn merge DIR/shard-*-of-\(shard.count).json --out DIR"])
        if let s = result.divergenceSummary { r.warnings.append(StudyWarning(.diverged, s)) }
        r.attachments = [ResultAttachment(name: name, contents: String(decoding: data, as: UTF8.self))]
        return r
    }

    func simulate<G: StochasticGradient>(_ g: G, start: [Double], identity: String, _ context: StudyContext) throws -> (label: String, objective: String, result: EnsembleResult) {
        let c = configuration
        let f = g.objective
        let shard = c.shard ?? .whole
        let eta = c.learningRate
        let every = max(1, steps / c.saves)
        var e = Ensemble(paths: c.paths, threads: context.threads, shard: shard)
        e.keepBlocks = shard != .whole
        let obs = [Observable("f") { f.value($0) }]
        let kernelSteps = switch c.run {
        case .svag: Int((Double(steps) * c.amplification).rounded(.down))
        case .sgd, .hb, .nag, .sgld: steps
        default: steps * c.substeps
        }
        let shardBlocks = shard.blocks(of: e.blockCount)
        let shardPaths = min(c.paths, shardBlocks.upperBound * e.blockSize) - shardBlocks.lowerBound * e.blockSize
        let progressLabel = "simulate \(c.run.rawValue)" + (shard == .whole ? "" : " shard \(shard)")
        e.progress = context.ensembleProgress(progressLabel, total: shardPaths, steps: kernelSteps)
        defer { context.finishProgress(progressLabel) }
        let result: EnsembleResult
        let label: String
        switch c.run {
        case .sgd:
            label = "SGD"
            result = e.run(AlgorithmKernel(SGD(g, learningRate: eta), start: start, steps: steps, saveEvery: every, seed: c.seed), observables: obs, seedDescription: identity)
        case .hb:
            label = "heavy ball μ = \(c.momentum)"
            result = e.run(AlgorithmKernel(HeavyBall(g, learningRate: eta, momentum: c.momentum), start: start, steps: steps, saveEvery: every, seed: c.seed), observables: obs, seedDescription: identity)
        case .nag:
            label = "Nesterov μ = \(c.momentum)"
            result = e.run(AlgorithmKernel(Nesterov(g, learningRate: eta, momentum: c.momentum), start: start, steps: steps, saveEvery: every, seed: c.seed), observables: obs, seedDescription: identity)
        case .sgld:
            label = "SGLD T = \(c.temperature)"
            result = e.run(AlgorithmKernel(SGLD(g, learningRate: eta, temperature: c.temperature), start: start, steps: steps, saveEvery: every, seed: c.seed), observables: obs, seedDescription: identity)
        case .svag:
            label = "SVAG l = \(c.amplification)"
            result = e.run(AlgorithmKernel(SVAG(g, learningRate: eta, amplification: c.amplification), start: start, steps: kernelSteps,
                                           saveEvery: max(1, kernelSteps / c.saves), seed: c.seed), observables: obs, seedDescription: identity)
        case .langevin:
            label = "Langevin T = \(c.temperature)"
            let r = c.substeps
            result = e.run(SDEKernel(Langevin(f, temperature: c.temperature), solver: EulerMaruyama(), start: start,
                                     stepSize: eta / Double(r), steps: steps * r, saveEvery: every * r, seed: c.seed), observables: obs, seedDescription: identity)
        case .sme1, .sme2, .smeHB:
            let r = c.substeps
            let sme = c.run == .smeHB ? SME(g, learningRate: eta, order: 1, momentumScale: 1 / (1 - c.momentum))
                                     : SME(g, learningRate: eta, order: c.run == .sme2 ? 2 : 1)
            label = sme.name
            result = e.run(SDEKernel(sme, solver: EulerMaruyama(), start: start, stepSize: eta / Double(r), steps: steps * r,
                                     saveEvery: every * r, seed: c.seed), observables: obs, seedDescription: identity)
        }
        return (label, f.name, result)
    }

    static func claim(label: String, paths: Int) -> String {
        "An ensemble of \(paths) paths of \(label) estimates E x(t) and E f(x(t)) at every save time, each with its standard error; draws are counter-based, so the numbers are the same for any thread count or shard split."
    }

    /// Merge the raw statistics of every shard 0…N−1 of one split into the unsharded result
    /// (bitwise the same numbers). Shards of different configurations or data do not merge.
    public static func merge(_ parts: [EnsembleResult]) throws -> StudyResult {
        let counts = Set(parts.map(\.shard.count))
        guard counts.count == 1, let n = counts.first, Set(parts.map(\.shard.index)).count == n, parts.count == n,
              parts.allSatisfy({ $0.shard.index >= 0 && $0.shard.index < n }) else {
            throw ConfigurationError(field: "files", "need exactly one result for each shard 0…N−1 of the same split, got \(parts.map { $0.shard.description })")
        }
        let merged: EnsembleResult
        do { merged = try EnsembleResult.merge(parts) } catch {
            throw ConfigurationError(field: "files", "the shards do not belong to one run: \(error)")
        }
        return summary(label: "merged \(n) shards", objective: "", result: merged)
    }

    /// The table, series, figure and reading of an ensemble's statistics.
    public static func summary(label: String, objective: String, result: EnsembleResult) -> StudyResult {
        let d = result.positionDimension
        let shown = min(d, 3)
        var columns = [ResultColumn("t", isKey: true), ResultColumn("paths", kind: .integer)]
        for i in 0..<shown { columns += [ResultColumn("mean x\(i + 1)", title: "E x\(i + 1)"), ResultColumn("sd x\(i + 1)")] }
        columns += [ResultColumn("mean f", title: "E f", digits: 5), ResultColumn("se f", title: "± SE", digits: 2)]
        var table = ResultTable(name: "simulate", title: "\(label): statistics at the save times", columns: columns,
                                notes: d > shown ? ["(\(d - shown) more coordinates in the CSV)"] : [])
        var series = ResultTable(name: "simulate", title: "every save time, every coordinate", columns:
            [ResultColumn("t", isKey: true), ResultColumn("paths", kind: .integer)]
            + (0..<d).flatMap { [ResultColumn("mean_x\($0 + 1)"), ResultColumn("var_x\($0 + 1)")] } + [ResultColumn("mean_f"), ResultColumn("se_f")])
        let surviving = result.moments.map(\.count)
        var undefinedAt: Double?
        for (j, t) in result.saveTimes.enumerated() {
            let m = result.moments[j]
            if m.count == 0 {
                table.add([.number(t), .integer(0)] + (0..<(2 * shown + 2)).map { _ in ResultCell.text("—") })
                series.add([.number(t), .integer(0)] + (0..<(2 * d + 2)).map { _ in ResultCell.missing })
                continue
            }
            // f can be undefined (NaN) at finite iterates (log x at x < 0): no statistic of it then.
            let fOK = m.mean[d].isFinite
            if !fOK, undefinedAt == nil { undefinedAt = t }
            table.add([.number(t), .integer(m.count)] + (0..<shown).flatMap { [.number(m.mean[$0]), .number(m.variance($0).squareRoot())] }
                      + (fOK ? [.number(m.mean[d]), .number(m.standardError(d))] : [.text("—"), .text("—")]))
            series.add([.number(t), .integer(m.count)] + (0..<d).flatMap { [.number(m.mean[$0]), .number(m.variance($0))] }
                       + (fOK ? [.number(m.mean[d]), .number(m.standardError(d))] : [.missing, .missing]))
        }
        var warnings: [StudyWarning] = []
        if let undefinedAt {
            warnings.append(StudyWarning(.diverged, "f(x) is not finite at some iterates from t = \(NumberText.short(undefinedAt, 4)) on (the objective is undefined or infinite there): E f is not reported at those save times"))
        }
        var status = StudyStatus.ok
        var metrics: [StudyMetric] = []
        let reading: String
        if let s = result.divergenceSummary { warnings.append(StudyWarning(.diverged, s)); status = .diverged }
        if let lastCount = surviving.last, lastCount == 0 {
            status = .failed
            let steps = result.divergences.map(\.step)
            reading = "All \(result.paths) paths diverged (between steps \(steps.min() ?? 0) and \(steps.max() ?? 0)); no statistic is reported."
        } else if let first = result.moments.first, let last = result.moments.last, let tEnd = result.saveTimes.last {
            let fText = last.mean[d].isFinite
                ? "E f went from \(NumberText.short(first.mean[d], 4)) ± \(NumberText.short(first.standardError(d), 2)) at t = \(NumberText.short(result.saveTimes[0], 3)) to \(NumberText.short(last.mean[d], 4)) ± \(NumberText.short(last.standardError(d), 2)) at t = \(NumberText.short(tEnd, 3))"
                : "f(x) is not finite at some iterates from t = \(NumberText.short(undefinedAt ?? tEnd, 3)) on, so E f is not reported; at t = \(NumberText.short(tEnd, 3))"
            reading = "\(fText); there E x = (\((0..<shown).map { NumberText.short(last.mean[$0], 3) }.joined(separator: ", "))\(d > shown ? ", …" : "")) with sd (\((0..<shown).map { NumberText.short(last.variance($0).squareRoot(), 3) }.joined(separator: ", "))\(d > shown ? ", …" : "")); \(result.divergences.count) of \(result.paths) paths diverged."
            // Keyed by the time of the last save (every ⌊steps/saves⌋ steps, so not always T): runs compared or
            // aggregated share a metric only when it is taken at the same time.
            let at = "at t=\(NumberText.short(tEnd, 6))"
            if last.mean[d].isFinite {
                metrics.append(StudyMetric(key: "mean f \(at)", title: "E f(x(t)) at the last save, t = \(NumberText.short(tEnd, 6))", value: last.mean[d], standardError: last.standardError(d)))
            }
            for i in 0..<shown {
                metrics.append(StudyMetric(key: "mean x\(i + 1) \(at)", title: "E x\(i + 1)(t), t = \(NumberText.short(tEnd, 6))", value: last.mean[i], standardError: last.standardError(i)))
                metrics.append(StudyMetric(key: "variance x\(i + 1) \(at)", title: "Var x\(i + 1)(t), t = \(NumberText.short(tEnd, 6))", value: last.variance(i)))
            }
        } else {
            reading = "No save point was recorded."
        }
        var figure = ResultFigure(name: "simulate", title: "\(label) on \(objective): mean ± sd", xLabel: "t", yLabel: "value")
        let ok = result.moments.indices.filter { result.moments[$0].count > 0 }
        let times = ok.map { result.saveTimes[$0] }
        for i in 0..<shown {
            let mean = ok.map { result.moments[$0].mean[i] }, sd = ok.map { result.moments[$0].variance(i).squareRoot() }
            figure.series.append(FigureSeries(label: "x\(i + 1)", x: times, y: mean, marker: .none,
                                              band: (lower: zip(mean, sd).map { $0 - $1 }, upper: zip(mean, sd).map { $0 + $1 })))
        }
        let fTimes = ok.filter { result.moments[$0].mean[d].isFinite }
        figure.series.append(FigureSeries(label: "E f", x: fTimes.map { result.saveTimes[$0] }, y: fTimes.map { result.moments[$0].mean[d] }, marker: .none, dash: .dashed))
        return StudyResult(study: name, status: status, claim: claim(label: label, paths: result.paths), reading: reading,
                           context: ["\(label)\(objective.isEmpty ? "" : " on \(objective)"): \(result.paths) paths, \(result.saveTimes.count) save points"],
                           tables: [table], warnings: warnings, figures: [figure], series: [series], metrics: metrics)
    }
}
