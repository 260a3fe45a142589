import Foundation
import Testing
@testable import SGDynamics

@Suite("NoiseStudy as a library value (docs/THEORY.md §2.2, §9)")
struct NoiseStudyTests {
    /// Least squares on diabetes at its closed-form minimum, with small samples (a fraction of a second).
    static func leastSquares() -> NoiseStudy.Configuration {
        var c = NoiseStudy.Configuration()
        c.problem = FiniteSumChoice(objective: .leastSquares)
        c.draws = 2000
        c.scalingDraws = 1000
        return c
    }

    @Test("least squares at the minimum: tr Σ = (1/n)Σ rᵢ²‖xᵢ‖² (1e-10), slope 1/b within −1 ± 0.2 with expected −1 (1e-12), α̂ within 2 ± 0.25, every section's table, figure and series")
    func leastSquaresMinimum() throws {
        let r = try NoiseStudy(Self.leastSquares()).run(StudyContext())
        #expect(r.study == "noise" && r.status == .ok && r.warnings.isEmpty)
        let f = FiniteSumMethodsTests.diabetes
        let w = try f.minimizer
        var trace = 0.0
        for i in 0..<f.sampleCount {
            let x = (0..<f.dimension).map { f.design[i, $0] }
            let res = Vec.dot(x, w) - f.targets[i]
            trace += res * res * Vec.dot(x, x) / Double(f.sampleCount)
        }
        let tr = try #require(r.metric("trace sigma")).value
        #expect(abs(tr - trace) <= 1e-10 * trace)
        let slope = try #require(r.metric("slope 1/b"))
        #expect(abs(slope.value + 1) <= 0.2 && abs(slope.expected! + 1) < 1e-12 && slope.interval!.contains(slope.value))
        let alpha = try #require(r.metric("alpha"))
        #expect(abs(alpha.value - 2) <= 0.25 && alpha.expected == 2 && alpha.low! < alpha.value && alpha.value < alpha.high!)
        #expect(r.findings.contains { $0.hasPrefix("1/b slope: ") && $0.hasSuffix(": consistent") })
        #expect(r.tables.map(\.name) == ["covariance", "shape", "scaling"] && r.table("shape")!.rows.count == 5)
        #expect(r.figures.map(\.name) == ["noise-spectrum", "noise-scaling", "noise-tail"] && r.series.map(\.name) == ["noise"])
        // the scaling table's E‖ξ_B‖² are the metrics, with c(b) tr Σ as their expected values
        let scaling = try #require(r.table("scaling"))
        for (b, measured) in zip(scaling.numbers("b"), scaling.numbers("measured")) {
            let m = try #require(r.metric("mean square noise at b=\(Int(b!))"))
            #expect(m.value == measured && abs(m.expected! - tr / b!) <= 1e-12 * tr)
        }
        #expect(r.context.first!.contains("at the minimum (closed form)"))
    }

    @Test("b = n without replacement in the 1/b grid: the slope is 'not a test' and a warning says so, never 'consistent'")
    func fullBatchSlope() throws {
        var c = Self.leastSquares()
        c.sampling = .withoutReplacement
        c.batch = 16
        c.batchSizes = [1, 8, 64, 442]
        c.scalingDraws = 500
        let r = try NoiseStudy(c).run(StudyContext())
        let line = try #require(r.findings.first { $0.hasPrefix("1/b slope: ") })
        #expect(line.contains("not a test") && !line.contains("consistent"), "\(line)")
        #expect(r.warnings.contains { $0.message.contains("b = n = 442") })
        // the measured noise at b = n is round-off against c(b) tr Σ = 0
        let full = try #require(r.metric("mean square noise at b=442"))
        #expect(full.expected == 0 && full.value < 1e-20 * r.metric("trace sigma")!.value)
    }

    @Test("the verdict of a 1/b fit: consistent inside its interval, outside beyond it, inconclusive when the interval is wider than half the predicted slope")
    func scalingVerdict() throws {
        func scaling(_ measured: [Double]) -> GradientNoiseDiagnostics.BatchScaling {
            let bs = [1.0, 2, 4, 8]
            let rows = zip(bs, measured).map { GradientNoiseDiagnostics.ScalingRow(batchSize: Int($0), measured: $1, standardError: 0, predicted: 1 / $0, ratio: $1 * $0, ratioStandardError: 0) }
            return .init(sampling: .withReplacement, rows: rows, fit: OrderFit(steps: bs, errors: measured), predictedSlope: -1)
        }
        #expect(NoiseScalingVerdict(scaling([1, 0.51, 0.24, 0.126]), sampleCount: 100).kind == .consistent)
        #expect(NoiseScalingVerdict(scaling([1, 0.3, 0.09, 0.027]), sampleCount: 100).kind == .outside)
        let wide = NoiseScalingVerdict(scaling([1, 0.05, 2, 0.01]), sampleCount: 100)
        #expect(wide.kind == .tooWide && wide.suffix.contains("inconclusive") && wide.warning != nil)
    }

    @Test("along a GD run: one row per recorded step (0, 5, 10), t = kη; the same numbers on 1 and 2 threads")
    func alongRun() throws {
        var c = Self.leastSquares()
        c.along = 5
        c.steps = 10
        c.learningRate = 0.1
        c.draws = 1000
        c.scalingDraws = 200
        let r = try NoiseStudy(c).run(StudyContext(threads: 1))
        let t = try #require(r.table("noise-along"))
        #expect(t.numbers("step") == [0, 5, 10] && t.numbers("t") == [0, 0.5, 1])
        #expect(r.series.first?.rows.count == 3 && r.figures.map(\.name) == ["noise-along", "noise-along-shape"])
        #expect(r.metric("trace sigma at step 0") != nil && r.metric("alpha at step 10") != nil && r.metric("learning rate")?.value == 0.1)
        #expect(try NoiseStudy(c).run(StudyContext(threads: 2)) == r)
    }

    @Test("bad configurations throw ConfigurationError naming the library parameter, before any work")
    func configurationErrors() {
        func field(_ change: (inout NoiseStudy.Configuration) -> Void) -> String? {
            var c = Self.leastSquares()
            change(&c)
            do { _ = try NoiseStudy(c); return nil } catch let e as ConfigurationError { return e.field } catch { return "\(error)" }
        }
        #expect(field { _ in } == nil)
        #expect(field { $0.batch = 9_999_999_999 } == "batch")
        #expect(field { $0.batch = 500; $0.sampling = .withoutReplacement } == "batch")
        #expect(field { $0.batchSizes = [1, 1000]; $0.sampling = .withoutReplacement } == "batchSizes")
        #expect(field { $0.batchSizes = [] } == "batchSizes")
        #expect(field { $0.learningRate = .nan } == "learningRate")
        #expect(field { $0.draws = 10 } == "draws")
        #expect(field { $0.draws = 10_000_000; $0.directions = 100 } == "draws")
        #expect(field { $0.tailBlock = Int.max / 2 } == "tailBlock")
        #expect(field { $0.along = 0 } == "along")
        #expect(field { $0.along = 1; $0.steps = 5000 } == "along")
        #expect(field { $0.problem.l2 = 0.1 } == "l2")
        #expect(field { $0.problem.start = [1, 2] } == "start")
        #expect(field { $0.problem.start = [Double](repeating: .nan, count: 11) } == "start")
        #expect(field { $0.problem.data = "/nonexistent/data.csv" } == "data")
        #expect(field { $0.problem = FiniteSumChoice(objective: .mlp, hidden: 0) } == "hidden")
        #expect(field { $0.problem.fitEta = -1 } == "fitEta")
    }
}
