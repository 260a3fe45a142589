import Foundation

/// ``StabilityStudy`` with `edgeOfStability`: GD at η from the start, recording the sharpness
/// λ_max(∇²f(x_k)) (30 Lanczos steps) every K steps against GD's stability line 2/η
/// (docs/THEORY.md §10.1; ``SharpnessTrace``). η defaults to 1.9/λ_max(∇²f(x₀)).
struct EdgeOfStabilityRun<F: Objective> {
    let study: StabilityStudy
    let objective: F
    let start: [Double]

    static var claim: String {
        "GD is linearly stable at a minimum iff λ_max < 2/η; on non-convex losses GD sharpens until λ_max ≈ 2/η and hovers there while f keeps falling (Cohen et al. 2021)."
    }

    func short(_ v: Double, _ digits: Int = 4) -> String { NumberText.short(v, digits) }

    func result() throws -> StudyResult {
        let f = objective, c = study.configuration
        let lam0 = f.hessianExtremeEigenvalues(at: start, steps: 30).largest
        let rate: Double
        if let eta = c.learningRate { rate = eta } else {
            guard lam0 > 0, lam0.isFinite else {
                throw FiniteSumStudyError("λ_max(∇²f) at the start is \(short(lam0)); give the learning rate (learningRate, --eta)")
            }
            rate = 1.9 / lam0
        }
        let trace = try SharpnessTrace(steps: c.steps, every: c.every, lanczosSteps: 30,
                                       divergence: DivergenceRule(bound: 1e6 * max(1, Vec.norm(start))))
        let r = try trace.run(f, learningRate: rate, start: start)
        let l2 = c.example == nil ? c.problem.l2Text : ""
        let lines = [
            "Sharpness along GD for \(f.name) (d = \(f.dimension)\(l2)): η = \(short(rate, 6)), 2/η = \(short(r.threshold, 6)), λ_max(∇²f(x₀)) = \(short(lam0, 6)), \(c.steps) steps, recorded every \(c.every)",
            "Claim: \(Self.claim) λ_max by Lanczos (30 Hessian-vector products).",
        ]
        let maxS = r.points.map(\.sharpness).max() ?? .nan
        var table = ResultTable(name: "stability-eos", title: "Sharpness along GD against 2/η", columns: [
            ResultColumn("step", kind: .integer, isKey: true), ResultColumn("f", digits: 6), ResultColumn("gradient norm", title: "‖∇f‖", digits: 3),
            ResultColumn("sharpness", title: "λ_max", digits: 5), ResultColumn("threshold", title: "2/η", digits: 5),
            ResultColumn("ratio", title: "λ_max·η/2")])
        let count = r.points.count
        let shown = count > 40 ? stride(from: 0, to: count, by: max(1, count / 30)).map { $0 } + [count - 1] : Array(r.points.indices)
        for i in Set(shown).sorted() {
            let p = r.points[i]
            table.add([.integer(p.step), .number(p.loss), .number(p.gradientNorm), .number(p.sharpness), .number(r.threshold), .number(p.sharpness * rate / 2)])
        }
        if count != Set(shown).count { table.notes = ["(\(count) records in the CSV)"] }
        var series = ResultTable(name: "stability-eos", title: "sharpness per recorded GD step", columns: [
            ResultColumn("step", kind: .integer, isKey: true), ResultColumn("loss"), ResultColumn("gradient_norm"), ResultColumn("sharpness"),
            ResultColumn("threshold")])
        for p in r.points { series.add([.integer(p.step), .number(p.loss), .number(p.gradientNorm), .number(p.sharpness), .number(r.threshold)]) }

        var warnings: [StudyWarning] = []
        if let k = r.divergedAt { warnings.append(StudyWarning(.diverged, "GD diverged at step \(k) (‖x‖ > 10⁶ max(1, ‖x₀‖))")) }
        let reading = "At η = \(short(rate, 4)) (2/η = \(short(r.threshold, 4))) the sharpness went from \(short(r.points.first?.sharpness ?? .nan, 4)) to \(short(r.points.last?.sharpness ?? .nan, 4)), peaking at λ_max·η/2 = \(short(maxS * rate / 2, 3)); "
            + (r.firstCrossing.map { "it first reached 2/η at step \($0)" } ?? "it never reached 2/η")
            + ", while f went from \(short(r.points.first?.loss ?? .nan, 4)) to \(short(r.points.last?.loss ?? .nan, 4))" + (r.divergedAt.map { "; GD diverged at step \($0)." } ?? ".")

        var metrics = [
            StudyMetric(key: "learning rate", title: "GD learning rate η", value: rate),
            StudyMetric(key: "sharpness at start", title: "λ_max(∇²f(x₀))", value: r.points.first?.sharpness ?? .nan),
            StudyMetric(key: "sharpness at end", title: "λ_max at the last recorded step", value: r.points.last?.sharpness ?? .nan),
            StudyMetric(key: "max sharpness ratio", title: "largest λ_max·η/2", value: maxS * rate / 2),
        ]
        if let k = r.firstCrossing { metrics.append(StudyMetric(key: "first crossing", title: "first recorded step with λ_max ≥ 2/η", value: Double(k))) }

        let ks = r.points.map { Double($0.step) }
        var sharp = ResultFigure(name: "stability-eos", title: "\(f.name): sharpness along GD, η = \(short(rate, 4))", xLabel: "step k", yLabel: "λ_max(∇²f(x_k))")
        sharp.series = [FigureSeries(label: "λ_max (Lanczos)", x: ks, y: r.points.map(\.sharpness), marker: count <= 60 ? .circle : .none)]
        sharp.guides = [.horizontal(r.threshold, label: "2/η = \(short(r.threshold, 4))")]
        sharp.width = 760
        sharp.height = 500
        var loss = ResultFigure(name: "stability-eos-loss", title: "\(f.name): loss along GD, η = \(short(rate, 4))", xLabel: "step k", yLabel: "f(x_k)", yScale: .log)
        loss.series = [FigureSeries(label: "f", x: ks, y: r.points.map(\.loss), marker: .none),
                       FigureSeries(label: "‖∇f‖", x: ks, y: r.points.map(\.gradientNorm), marker: .none, dash: .dashed)]
        loss.width = 760
        loss.height = 420
        return StudyResult(
            study: StabilityStudy.name, status: r.divergedAt == nil ? .ok : .diverged, claim: Self.claim, reading: reading, context: lines,
            tables: [table],
            findings: ["first step with λ_max ≥ 2/η: " + (r.firstCrossing.map { "\($0)" } ?? "none") + "; largest λ_max·η/2 = \(short(maxS * rate / 2, 4))"],
            warnings: warnings, figures: [sharp, loss], series: [series], metrics: metrics)
    }
}
