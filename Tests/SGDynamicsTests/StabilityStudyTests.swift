import Foundation
import Testing
@testable import SGDynamics

@Suite("StabilityStudy as a library value (docs/THEORY.md §10.1–§10.2)")
struct StabilityStudyTests {
    @Test("1-D least squares fᵢ = ½(aᵢw − yᵢ)²: η* = 2a/(a² + c(b)s²) (a = mean aᵢ², s² = var aᵢ²) for b ∈ {1, 2, 5}, both samplings, to 1e-12; 2/a at b = n without replacement")
    func oneDimensionalClosedForm() throws {
        let col = [0.5, 1, -2, 1.5, 0.8]
        let f = LeastSquares(A: Matrix(col.map { [$0] }), y: col.map { 3 * $0 })
        let st = try MeanSquareStability(f, at: [3])
        let h = col.map { $0 * $0 }, a = h.reduce(0, +) / 5
        let s2 = h.map { ($0 - a) * ($0 - a) }.reduce(0, +) / 5
        for b in [1, 2, 5] {
            for sampling in [Sampling.withReplacement, .withoutReplacement] {
                let c = sampling.covarianceFactor(batchSize: b, sampleCount: 5)
                let closed = 2 * a / (a * a + c * s2)
                for criterion in MeanSquareStability.Criterion.allCases {
                    let eta = try st.criticalLearningRate(batchSize: b, sampling: sampling, criterion: criterion)
                    #expect(abs(eta - closed) <= 1e-12 * closed, "b = \(b) \(sampling) \(criterion)")
                }
            }
        }
        #expect(abs(try st.criticalLearningRate(batchSize: 5, sampling: .withoutReplacement) - 2 / a) <= 1e-14 * 2 / a)
    }

    @Test("least squares on diabetes: η*_λmax = 2/λ_max(H^{−½}(H² + c(b)Σ_H)H^{−½}) from the data (1e-9), η*_λmax ≤ η*_exact ≤ 2/a, with 2/a at b = n without replacement")
    func leastSquaresLambdaMax() throws {
        var c = StabilityStudy.Configuration()
        c.batchSizes = [1, 442]
        let r = try StabilityStudy(c).run(StudyContext())
        #expect(r.study == "stability" && r.status == .ok && r.warnings.isEmpty)
        let f = FiniteSumMethodsTests.diabetes
        let n = f.sampleCount, d = f.dimension
        var h = Matrix(rows: d, columns: d), h2 = Matrix(rows: d, columns: d)
        for i in 0..<n {
            let x = (0..<d).map { f.design[i, $0] }
            let xx = Vec.dot(x, x)
            for p in 0..<d { for q in 0..<d { h[p, q] += x[p] * x[q] / Double(n); h2[p, q] += xx * x[p] * x[q] / Double(n) } }
        }
        let sigmaH = h2 - h * h
        let eig = SymmetricEigen(h)
        var inverseRoot = Matrix(rows: d, columns: d)
        for k in 0..<d { for p in 0..<d { for q in 0..<d { inverseRoot[p, q] += eig.vectors[p, k] * eig.vectors[q, k] / eig.values[k].squareRoot() } } }
        let a = eig.values.last!
        #expect(abs(r.metric("sharpness")!.value - a) <= 1e-12 * a && abs(r.metric("GD limit 2/a")!.value - 2 / a) <= 1e-12 * 2 / a)
        for (b, sampling) in [(1, Sampling.withReplacement), (1, .withoutReplacement), (442, .withReplacement), (442, .withoutReplacement)] {
            let cb = sampling.covarianceFactor(batchSize: b, sampleCount: n)
            let m = inverseRoot * (h * h + cb * sigmaH) * inverseRoot
            let expected = 2 / SymmetricEigen(m).values.last!
            let tag = "b=\(b) \(sampling.rawValue)"
            let lmax = try #require(r.metric("eta* lambda-max \(tag)")).value, exact = try #require(r.metric("eta* exact \(tag)")).value
            #expect(abs(lmax - expected) <= 1e-9 * expected, "\(tag): \(lmax) vs \(expected)")
            #expect(lmax <= exact * (1 + 1e-9) && exact <= 2 / a * (1 + 1e-9), "\(tag)")
        }
        #expect(abs(r.metric("eta* exact b=442 without-replacement")!.value - 2 / a) <= 1e-9 * 2 / a)
        #expect(r.table("stability")!.rows.last!.last == .text("yes (= 2/a)"))
    }

    @Test("over-parameterised example with the linearised-SGD check: r = n, sampled E‖e_K‖² within 4 SE of tr T^K at 0.5η*, ρ(T) > 1 at 1.5η*; the same result on 1 and 2 threads")
    func overparameterizedCheck() throws {
        var c = StabilityStudy.Configuration()
        c.example = .overparameterized
        c.batchSizes = [1, 10]
        c.checkPaths = 400
        c.checkSteps = 30
        c.checkFactors = [0.5, 1.5]
        let r = try StabilityStudy(c).run(StudyContext(threads: 2))
        #expect(r.metric("reduced dimension")?.value == 10 && r.metric("samples")?.value == 10)
        let stable = try #require(r.metric("mean square at η/η*=0.5")), unstable = try #require(r.metric("rho at η/η*=1.5"))
        #expect(abs(stable.value - stable.expected!) <= 4 * stable.standardError! && stable.expected! < 1)
        #expect(r.metric("rho at η/η*=0.5")!.value < 1 && unstable.value > 1)
        #expect(r.series.map(\.name) == ["stability", "stability-check"] && r.table("stability-check")!.rows.count == 2)
        #expect(try StabilityStudy(c).run(StudyContext(threads: 1)) == r)
    }

    @Test("edge of stability on least squares: the sharpness stays λ_max(H̄) (1e-6); no crossing below 2/a, crossing at step 0 above")
    func edgeOfStability() throws {
        var c = StabilityStudy.Configuration()
        c.edgeOfStability = true
        c.steps = 20
        c.every = 5
        c.learningRate = 0.4
        let below = try StabilityStudy(c).run(StudyContext())
        let a = SymmetricEigen(FiniteSumMethodsTests.diabetes.meanHessian).values.last!
        #expect(below.table("stability-eos")!.numbers("sharpness").allSatisfy { abs($0! - a) <= 1e-6 * a })
        #expect(below.metric("first crossing") == nil && below.findings == ["first step with λ_max ≥ 2/η: none; largest λ_max·η/2 = \(NumberText.short(a * 0.2, 4))"])
        c.learningRate = 0.6
        let above = try StabilityStudy(c).run(StudyContext())
        #expect(above.metric("first crossing")?.value == 0 && above.figures.map(\.name) == ["stability-eos", "stability-eos-loss"])
    }

    @Test("bad configurations throw ConfigurationError naming the library parameter, before any work")
    func configurationErrors() {
        func field(_ change: (inout StabilityStudy.Configuration) -> Void) -> String? {
            var c = StabilityStudy.Configuration()
            change(&c)
            do { _ = try StabilityStudy(c); return nil } catch let e as ConfigurationError { return e.field } catch { return "\(error)" }
        }
        #expect(field { _ in } == nil)
        #expect(field { $0.problem = FiniteSumChoice(objective: .mlp) } == "objective")
        #expect(field { $0.example = .overparameterized; $0.problem.data = "x.csv" } != nil)
        #expect(field { $0.example = .overparameterized; $0.problem = FiniteSumChoice(objective: .logistic) } == "example")
        #expect(field { $0.example = .overparameterized; $0.samples = 30 } == "exampleSamples")
        #expect(field { $0.example = .overparameterized; $0.checkPaths = 10; $0.checkBatch = 20; $0.sampling = .withoutReplacement } == "checkBatch")
        #expect(field { $0.batchSizes = [0] } == "batchSizes")
        #expect(field { $0.checkPaths = 1 } == "checkPaths")
        #expect(field { $0.checkFactors = [-1] } == "checkFactors")
        #expect(field { $0.learningRate = .infinity } == "learningRate")
        #expect(field { $0.every = 0 } == "every")
        #expect(field { $0.steps = 100_000; $0.every = 1 } == "every")
        #expect(field { $0.problem.start = [1] } == "start")
    }
}
