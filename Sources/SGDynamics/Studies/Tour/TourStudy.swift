import Foundation

/// The tour: five claims of the theory, each measured by a study of its own (docs/THEORY.md §4.1,
/// §5.3, §6.1–§6.2, §8.4, §9):
///
/// - (a) GD is forward Euler for gradient flow: gap O(η), divergence above 2/λ_max (`FlowStudy`, `GapStudy`);
/// - (b) SME-1 and SME-2 approximate SGD weakly at orders 1 and 2 (`WeakErrorStudy`);
/// - (c) SGLD samples the Gibbs law, the Fokker–Planck stationary state (`StationaryStudy`);
/// - (d) at finite η SGD's stationary law is its master equation's, not Langevin's (`StationaryStudy`);
/// - (e) real minibatch noise is not Gaussian (`NoiseStudy`).
///
/// `run(_:)` runs every part and returns one result: a table of the parts with each reading, and
/// every part's metrics under its tag (`b: order SME-2`). `parts` are the studies themselves, for a
/// caller that keeps each part as a run of its own (the CLI's `sgdyn tour`).
public struct TourStudy: Study {
    public static let name = "tour"

    public struct Configuration: StudyConfiguration {
        /// Small ensembles (10⁴ paths for the weak error, 1000 × 100 for the stationary laws): seconds in a debug build.
        public var quick: Bool = false
        public init(quick: Bool = false) { self.quick = quick }
    }

    /// One study of the tour.
    public enum Step: Sendable {
        case flow(FlowStudy.Configuration)
        case gap(GapStudy.Configuration)
        case weakError(WeakErrorStudy.Configuration)
        case stationary(StationaryStudy.Configuration)
        case noise(NoiseStudy.Configuration)

        public var studyName: String {
            switch self {
            case .flow: FlowStudy.name
            case .gap: GapStudy.name
            case .weakError: WeakErrorStudy.name
            case .stationary: StationaryStudy.name
            case .noise: NoiseStudy.name
            }
        }

        /// The step's spec (what the run store keys it by).
        public func spec() throws -> StudySpec {
            switch self {
            case .flow(let c): try FlowStudy(c).spec()
            case .gap(let c): try GapStudy(c).spec()
            case .weakError(let c): try WeakErrorStudy(c).spec()
            case .stationary(let c): try StationaryStudy(c).spec()
            case .noise(let c): try NoiseStudy(c).spec()
            }
        }

        public func run(_ context: StudyContext) throws -> StudyResult {
            switch self {
            case .flow(let c): try FlowStudy(c).run(context)
            case .gap(let c): try GapStudy(c).run(context)
            case .weakError(let c): try WeakErrorStudy(c).run(context)
            case .stationary(let c): try StationaryStudy(c).run(context)
            case .noise(let c): try NoiseStudy(c).run(context)
            }
        }
    }

    /// One part: a claim and the studies that measure it.
    public struct Part: Sendable {
        public let tag: String
        public let title: String
        public let claim: String
        public let steps: [Step]
    }

    public let configuration: Configuration
    public init(_ configuration: Configuration) throws { self.configuration = configuration }
    public init(quick: Bool) { configuration = Configuration(quick: quick) }

    /// The five parts.
    public var parts: [Part] {
        let quick = configuration.quick
        var weak = WeakErrorStudy.Configuration()
        weak.mode = .mc
        weak.paths = quick ? 10_000 : 1_000_000
        var sgld = StationaryStudy.Configuration()
        sgld.algorithm = .sgld
        sgld.objective = DensityObjectiveChoice(name: .doubleWell)
        var bernoulli = StationaryStudy.Configuration()
        bernoulli.objective = DensityObjectiveChoice(example: .bernoulli, etaLambda: 0.5)
        if quick {
            for i in [0, 1] {
                var c = i == 0 ? sgld : bernoulli
                c.paths = 1000
                c.steps = 100
                if i == 0 { sgld = c } else { bernoulli = c }
            }
        }
        return [
            Part(tag: "a", title: "GD vs gradient flow on an ill-conditioned quadratic",
                 claim: "GD is forward Euler for gradient flow: the gap is O(η) (order 1) and GD diverges for η > 2/L.",
                 steps: [.flow(FlowStudy.Configuration()),
                         .gap(GapStudy.Configuration(objective: ObjectiveChoice(name: "ill-quadratic"),
                                                     learningRates: [0.02, 0.01, 0.005, 0.0025, 0.00125]))]),
            Part(tag: "b", title: "SGD vs its stochastic modified equations (Li–Tai–E quadratic)",
                 claim: "SME-1 approximates SGD weakly at order 1 in η, SME-2 at order 2.", steps: [.weakError(weak)]),
            Part(tag: "c", title: "SGLD on a double well: stationary law vs Gibbs vs Fokker–Planck",
                 claim: "As η → 0, SGLD samples the Gibbs law e^{−f/T}/Z, the stationary solution of the Fokker–Planck equation.",
                 steps: [.stationary(sgld)]),
            Part(tag: "d", title: "Finite-η SGD: the master equation vs Langevin's Gaussian",
                 claim: "At finite η, SGD's stationary law is the fixed point of its master equation (here uniform), not the Gaussian of the Langevin model.",
                 steps: [.stationary(bernoulli)]),
            Part(tag: "e", title: "Real data: gradient noise of logistic regression on breast_cancer.csv",
                 claim: "Minibatch noise is often modelled as Gaussian with covariance Σ/b, Σ ≈ Hessian near the minimum.",
                 steps: [.noise(NoiseStudy.Configuration())]),
        ]
    }

    public func run(_ context: StudyContext) throws -> StudyResult {
        var table = ResultTable(name: "tour", title: "Five claims of the theory, each measured", columns: [
            ResultColumn("part", kind: .text, isKey: true), ResultColumn("study", kind: .text, isKey: true),
            ResultColumn("status", kind: .text), ResultColumn("reading", kind: .text)])
        var metrics: [StudyMetric] = [], warnings: [StudyWarning] = [], figures: [ResultFigure] = []
        var status = StudyStatus.ok
        for part in parts {
            for (i, step) in part.steps.enumerated() {
                try context.checkCancellation()
                let r = try step.run(context)
                let tag = part.tag + (part.steps.count > 1 ? "\(i + 1)" : "")
                table.add([.text(tag), .text(r.study), .text(r.status.rawValue), .text(r.reading)])
                metrics += r.metrics.map { m in var m = m; m.key = "\(tag): \(m.key)"; return m }
                warnings += r.warnings.map { StudyWarning($0.kind, "(\(tag)) \($0.message)") }
                figures += r.figures.map { f in var f = f; f.name = "\(tag)-\(f.name)"; return f }
                if r.status == .failed { status = .failed } else if r.status == .diverged, status == .ok { status = .diverged }
            }
        }
        return StudyResult(study: Self.name, status: status,
                           claim: "Five claims about stochastic-gradient dynamics: " + parts.map { "(\($0.tag)) \($0.claim)" }.joined(separator: " "),
                           reading: table.rows.map { "(\($0[0].textValue)) \($0[3].textValue)" }.joined(separator: " "),
                           context: ["SGDynamics tour: five claims, each measured" + (configuration.quick ? " (quick: small ensembles)" : "")],
                           tables: [table], warnings: warnings, figures: figures, metrics: metrics)
    }
}
