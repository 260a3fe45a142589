import Foundation
import Testing
@testable import SGDynamics

// Mean-square stability of SGD at a minimum (docs/THEORY.md §10.2, Wu–Ma–E) and sharpness along GD.
// Exact checks: 1-D closed form, enumeration over every batch, the least-squares moment operator.

/// `count` random PSD `d × d` matrices `G Gᵀ / d` from a fixed seed.
private func randomPSD(_ count: Int, _ d: Int, seed: UInt64) -> [Matrix] {
    var rng = SplitMix64(seed: seed)
    return (0..<count).map { _ in
        var g = Matrix(rows: d, columns: d)
        for i in 0..<(d * d) { g.storage[i] = rng.nextGaussian() }
        return ((1 / Double(d)) * (g * g.transposed)).symmetrized
    }
}

/// Every batch with its probability: `nᵇ` ordered tuples (with replacement) or `C(n, b)` subsets.
private func allBatches(n: Int, b: Int, sampling: Sampling) -> [[Int]] {
    var out: [[Int]] = []
    func rec(_ prefix: [Int], _ from: Int) {
        if prefix.count == b { out.append(prefix); return }
        let start = sampling == .withReplacement ? 0 : from
        for i in start..<n { rec(prefix + [i], sampling == .withReplacement ? 0 : i + 1) }
    }
    rec([], 0)
    return out
}

/// `E[(I − ηH_B) M (I − ηH_B)]` by visiting every batch.
private func enumeratedStep(_ m: Matrix, _ hs: [Matrix], eta: Double, b: Int, sampling: Sampling) -> Matrix {
    let d = m.rows
    let batches = allBatches(n: hs.count, b: b, sampling: sampling)
    var out = Matrix(rows: d, columns: d)
    for batch in batches {
        var hb = Matrix(rows: d, columns: d)
        for i in batch { hb = hb + (1 / Double(b)) * hs[i] }
        let a = Matrix.identity(d) - eta * hb
        out = out + (1 / Double(batches.count)) * (a * m * a)
    }
    return out
}

/// `T` as a `d² × d²` matrix by visiting every batch.
private func enumeratedOperator(_ hs: [Matrix], eta: Double, b: Int, sampling: Sampling) -> Matrix {
    let d = hs[0].rows
    let batches = allBatches(n: hs.count, b: b, sampling: sampling)
    var t = Matrix(rows: d * d, columns: d * d)
    for batch in batches {
        var hb = Matrix(rows: d, columns: d)
        for i in batch { hb = hb + (1 / Double(b)) * hs[i] }
        let a = Matrix.identity(d) - eta * hb
        t = t + (1 / Double(batches.count)) * Matrix.kronecker(a, a)
    }
    return t
}

private func spectralRadiusOf(_ t: Matrix) -> Double {
    SymmetricEigen(t.symmetrized).values.reduce(0) { max($0, abs($1)) }
}

@Suite("Mean-square stability of SGD at a minimum (docs/THEORY.md §10.2)")
struct MeanSquareStabilityTests {
    @Test("1-D: η* = 2a/(a² + c s²) equals bisection on ρ(T) = 1 to 1e-10, and both closed-form criteria, for b ∈ {1, 2, 3}, with and without replacement")
    func oneDimensional() throws {
        let hs = [0.5, 1, 2, 4, 0.2].map { Matrix([[$0]]) }
        let st = try MeanSquareStability(sampleHessians: hs)
        #expect(abs(st.sharpness - 1.54) < 1e-15)
        let mean = 1.54, meanSq = (0.25 + 1 + 4 + 16 + 0.04) / 5
        #expect(abs(st.nonUniformity - (meanSq - mean * mean).squareRoot()) < 1e-14)
        for b in [1, 2, 3] {
            for s in [Sampling.withReplacement, .withoutReplacement] {
                let closed = try st.oneDimensionalCriticalLearningRate(batchSize: b, sampling: s)
                let c = s.covarianceFactor(batchSize: b, sampleCount: 5)
                #expect(abs(closed - 2 * mean / (mean * mean + c * (meanSq - mean * mean))) < 1e-14)
                let bis = try st.bisectionCriticalLearningRate(batchSize: b, sampling: s)
                #expect(abs(bis - closed) < 1e-10 * closed, "b = \(b) \(s)")
                #expect(abs(try st.criticalLearningRate(batchSize: b, sampling: s, criterion: .exact) - closed) < 1e-12 * closed)
                #expect(abs(try st.criticalLearningRate(batchSize: b, sampling: s, criterion: .lambdaMax) - closed) < 1e-12 * closed)
                // Growth factor 1 − 2ηa + η²E[H_B²] = 1 at η*.
                #expect(abs(try st.spectralRadius(learningRate: closed, batchSize: b, sampling: s) - 1) < 1e-12)
            }
        }
        // Full batch without replacement: Var H_B = 0, η* = 2/a.
        #expect(abs(try st.oneDimensionalCriticalLearningRate(batchSize: 5, sampling: .withoutReplacement) - 2 / mean) < 1e-14)
    }

    @Test("n = 4, b = 2, d = 2: the closed-form T equals T from enumerating every batch to 1e-12 (both schemes); E[eeᵀ] after 40 steps and ρ(T) agree to 1e-12; E[eeᵀ] decays at 0.99η* and grows at 1.01η*")
    func enumeration() throws {
        let hs = randomPSD(4, 2, seed: 1)
        let st = try MeanSquareStability(sampleHessians: hs)
        for s in [Sampling.withReplacement, .withoutReplacement] {
            let etaStar = try st.criticalLearningRate(batchSize: 2, sampling: s)
            let eta = 0.9 * etaStar
            let tEnum = enumeratedOperator(hs, eta: eta, b: 2, sampling: s)
            let tClosed = try st.meanSquareOperator(learningRate: eta, batchSize: 2, sampling: s)
            #expect((tEnum - tClosed).maxAbs < 1e-12)
            #expect(abs(try st.spectralRadius(learningRate: eta, batchSize: 2, sampling: s) - spectralRadiusOf(tEnum)) < 1e-12)
            var mEnum = Matrix([[1, 0.3], [0.3, 0.5]]), mClosed = mEnum
            for _ in 0..<40 {
                mEnum = enumeratedStep(mEnum, hs, eta: eta, b: 2, sampling: s)
                mClosed = try st.secondMomentStep(mClosed, learningRate: eta, batchSize: 2, sampling: s)
            }
            #expect((mEnum - mClosed).maxAbs < 1e-12 * mEnum.maxAbs)
            // The criterion decides growth of the enumerated second moment (power iteration).
            for (factor, grows) in [(0.99, false), (1.01, true)] {
                var m = Matrix([[1, 0.3], [0.3, 0.5]])
                for _ in 0..<2000 { m = enumeratedStep(m, hs, eta: factor * etaStar, b: 2, sampling: s) }
                let next = enumeratedStep(m, hs, eta: factor * etaStar, b: 2, sampling: s)
                let rhoEnum = next.trace / m.trace
                #expect((rhoEnum > 1) == grows, "\(s) factor \(factor): growth \(rhoEnum)")
                #expect(abs(rhoEnum - spectralRadiusOf(enumeratedOperator(hs, eta: factor * etaStar, b: 2, sampling: s))) < 1e-9)
            }
        }
    }

    @Test("d = 3, n = 6: the λ_max criterion is sufficient (η*_λ ≤ η*_exact) and the closed forms match bisection to 1e-9, for b ∈ {1, 2, 4, 6}")
    func lambdaMaxIsSufficient() throws {
        for seed in [2, 3, 4] as [UInt64] {
            let st = try MeanSquareStability(sampleHessians: randomPSD(6, 3, seed: seed))
            for row in try st.table(batchSizes: [1, 2, 4, 6]) {
                #expect(row.lambdaMax <= row.exact * (1 + 1e-12), "\(row)")
                #expect(row.exact <= row.gradientDescentLimit * (1 + 1e-12))
                for crit in MeanSquareStability.Criterion.allCases {
                    let bis = try st.bisectionCriticalLearningRate(batchSize: row.batchSize, sampling: row.sampling, criterion: crit)
                    let closed = crit == .exact ? row.exact : row.lambdaMax
                    #expect(abs(bis - closed) < 1e-9 * closed, "\(crit) b = \(row.batchSize) \(row.sampling)")
                }
            }
            // Full batch without replacement: c = 0, T = (I − ηH)⊗(I − ηH), so η* = 2/a.
            #expect(abs(try st.criticalLearningRate(batchSize: 6, sampling: .withoutReplacement) * st.sharpness - 2) < 1e-9)
        }
    }

    @Test("Least squares: ρ(T) equals LeastSquaresMoments' mean-square operator radius to 1e-10 (exact per-sample Hessians xᵢxᵢᵀ)")
    func leastSquaresOperator() throws {
        let (ls, wStar) = LeastSquares.synthetic(n: 12, d: 3, seed: 9)
        let st = try MeanSquareStability(ls, at: wStar)
        for s in [Sampling.withReplacement, .withoutReplacement] {
            let eta = 0.8 * (try st.criticalLearningRate(batchSize: 3, sampling: s))
            let ref = try LeastSquaresMoments(ls, learningRate: eta, batchSize: 3, sampling: s)
            #expect(abs(try st.spectralRadius(learningRate: eta, batchSize: 3, sampling: s) - ref.meanSquareSpectralRadius) < 1e-10)
            #expect((try st.meanSquareOperator(learningRate: eta, batchSize: 3, sampling: s) - ref.meanSquareOperator).maxAbs < 1e-10)
        }
    }

    @Test("Over-parameterised least squares (n = 3 < d = 5): the common null space is neutral and left out (r = 3); closed form equals bisection")
    func overParameterised() throws {
        let (ls, wStar) = LeastSquares.synthetic(n: 3, d: 5, seed: 12)
        let st = try MeanSquareStability(ls, at: wStar)
        #expect(st.reducedDimension == 3 && st.closedFormApplies)
        for b in [1, 2] {
            let closed = try st.criticalLearningRate(batchSize: b, sampling: .withReplacement)
            let bis = try st.bisectionCriticalLearningRate(batchSize: b, sampling: .withReplacement)
            #expect(abs(closed - bis) < 1e-9 * closed)
            #expect(closed < 2 / st.sharpness)
        }
    }

    @Test("Ensemble of linearised SGD (d = 2, 4000 paths, 10 steps): at 0.7η* the sampled E‖e_K‖² is within 4 SE of the exact tr T^K(e₀e₀ᵀ) and decays; at 1.5η* the exact value grows; typical growth ≤ mean-square growth")
    func ensemble() throws {
        // Mildly non-uniform Hᵢ = diag(1, 0.5) + 0.5 GᵢGᵢᵀ/2: E‖e_K‖² is then not dominated by rare paths.
        let hs = randomPSD(5, 2, seed: 21).map { Matrix.diagonal([1, 0.5]) + 0.5 * $0 }
        let st = try MeanSquareStability(sampleHessians: hs)
        let etaStar = try st.criticalLearningRate(batchSize: 2, sampling: .withReplacement)
        let rows = try st.ensemble(learningRates: [0.7 * etaStar, 1.5 * etaStar], batchSize: 2, sampling: .withReplacement,
                                   paths: 4000, steps: 10, seed: 3)
        #expect(rows[0].predictedStable && !rows[1].predictedStable)
        #expect(abs(rows[0].meanSquare - rows[0].exactMeanSquare) < 4 * rows[0].standardError)
        #expect(rows[0].exactMeanSquare < 1 && rows[1].exactMeanSquare > 1)
        for r in rows { #expect(exp(r.meanLogGrowthPerStep) <= r.measuredGrowthPerStep) }
        #expect(rows[1].measuredGrowthPerStep > 1 && exp(rows[1].meanLogGrowthPerStep) > 1)
        #expect(rows[0].fractionDiverged == 0 && rows[1].paths == 4000 && rows[1].steps == 10)
    }

    @Test("Bad configurations throw ConfigurationError naming the field")
    func configurationErrors() throws {
        func field(_ body: () throws -> Void) -> String? {
            do { try body() } catch let e as ConfigurationError { return e.field } catch {}
            return nil
        }
        let st = try MeanSquareStability(sampleHessians: randomPSD(4, 2, seed: 5))
        #expect(field { _ = try MeanSquareStability(sampleHessians: []) } == "sampleHessians")
        #expect(field { _ = try MeanSquareStability(sampleHessians: [Matrix([[-1]])]) } == "sampleHessians")
        #expect(field { _ = try st.spectralRadius(learningRate: 0, batchSize: 1, sampling: .withReplacement) } == "learningRate")
        #expect(field { _ = try st.spectralRadius(learningRate: 0.1, batchSize: 5, sampling: .withoutReplacement) } == "batchSize")
        #expect(field { _ = try st.criticalLearningRate(batchSize: 0, sampling: .withReplacement) } == "batchSize")
        #expect(field { _ = try st.criticalLearningRate(batchSize: 2, sampling: .reshuffling) } == "sampling")
        #expect(field { _ = try st.oneDimensionalCriticalLearningRate(batchSize: 1, sampling: .withReplacement) } == "dimension")
        #expect(field { _ = try st.ensemble(learningRates: [0.1], batchSize: 1, sampling: .withReplacement, paths: 1) } == "paths")
    }
}

@Suite("Sharpness along gradient descent (edge of stability)")
struct SharpnessTraceTests {
    @Test("Quadratic diag(1, 10): sharpness 10 at every recorded step; stable below 2/η (no crossing), diverges above")
    func quadratic() throws {
        let q = Quadratic(diagonal: [1, 10])
        let trace = try SharpnessTrace(steps: 20, every: 5, lanczosSteps: 2)
        let stable = try trace.run(q, learningRate: 0.15, start: [1, 1])
        #expect(stable.points.map(\.step) == [0, 5, 10, 15, 20])
        for p in stable.points { #expect(abs(p.sharpness - 10) < 1e-12) }
        #expect(stable.firstCrossing == nil && stable.divergedAt == nil && abs(stable.threshold - 2 / 0.15) < 1e-15)
        #expect(stable.points.last!.loss < stable.points.first!.loss)
        let unstable = try SharpnessTrace(steps: 400, every: 10, lanczosSteps: 2).run(q, learningRate: 0.25, start: [1, 1])
        #expect(unstable.firstCrossing == 0 && unstable.divergedAt != nil)
        #expect(throws: ConfigurationError.self) { try trace.run(q, learningRate: -1, start: [1, 1]) }
        #expect(throws: ConfigurationError.self) { try SharpnessTrace(steps: 1, every: 0) }
    }
}
