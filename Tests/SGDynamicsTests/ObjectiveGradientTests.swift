import Foundation
import Testing
#if canImport(_Differentiation)
import _Differentiation
#endif
@testable import SGDynamics

// MARK: helpers

/// Central differences: `(f(x + h eⱼ) − f(x − h eⱼ)) / 2h` with `h = 1e-5·max(1, |xⱼ|)`.
///
/// Error budget: truncation `h²|∂³f|/6 ≈ 2e-11·|∂³f|`, round-off `ε|f|/h ≈ 2e-11·|f|` (ε = 2.2e-16).
/// For the objectives and points below both are below 1e-8 relative to `max(1, ‖∇f‖∞)`, so a
/// tolerance of 1e-6 leaves two orders of margin while still catching any wrong term (a wrong
/// factor or a missing term gives an O(1) relative error).
let gradientTolerance = 1e-6

func finiteDifferenceGradient(_ f: ([Double]) -> Double, at x: [Double]) -> [Double] {
    var xp = x
    var g = [Double](repeating: 0, count: x.count)
    for j in 0..<x.count {
        let h = 1e-5 * max(1, abs(x[j]))
        xp[j] = x[j] + h
        let fp = f(xp)
        xp[j] = x[j] - h
        let fm = f(xp)
        xp[j] = x[j]
        g[j] = (fp - fm) / (2 * h)
    }
    return g
}

/// `max_j |a_j − b_j| / max(1, ‖b‖∞)`.
func relativeError(_ a: [Double], _ b: [Double]) -> Double {
    precondition(a.count == b.count)
    return Vec.distanceMax(a, b) / max(1, Vec.maxAbs(b))
}

/// The gradient of `objective` at `x` against central differences of its value.
func gradientError<O: Objective>(_ objective: O, at x: [Double]) -> Double {
    relativeError(finiteDifferenceGradient({ objective.value($0) }, at: x), objective.gradient(x))
}

/// The exact Hessian-vector product against a central difference of gradients along `v`
/// (step `1e-5/‖v‖`, same error budget as above with one derivative more).
func hessianVectorError<O: Objective>(_ objective: O, at x: [Double], along v: [Double]) -> Double {
    var exact = [Double](repeating: 0, count: objective.dimension)
    objective.hessianVectorProduct(x, v, into: &exact)
    let eps = 1e-5 * max(1, Vec.norm(x)) / Vec.norm(v)
    let gp = objective.gradient(Vec.add(x, Vec.scaled(eps, v)))
    let gm = objective.gradient(Vec.sub(x, Vec.scaled(eps, v)))
    let fd = (0..<x.count).map { (gp[$0] - gm[$0]) / (2 * eps) }
    return relativeError(fd, exact)
}

func gaussianVector(_ d: Int, scale: Double = 1, seed: UInt64) -> [Double] {
    var rng = SplitMix64(seed: seed)
    return (0..<d).map { _ in scale * rng.nextGaussian() }
}

/// Gradient and (when exact) Hessian-vector checks at a few points.
func checkObjective<O: Objective>(_ objective: O, at points: [[Double]], sourceLocation: SourceLocation = #_sourceLocation) {
    for (k, x) in points.enumerated() {
        let ge = gradientError(objective, at: x)
        #expect(ge < gradientTolerance, "\(objective.name) gradient at point \(k): relative error \(ge)", sourceLocation: sourceLocation)
        if objective.hasExactHessian {
            let v = gaussianVector(objective.dimension, seed: 1000 + UInt64(k))
            let he = hessianVectorError(objective, at: x, along: v)
            #expect(he < gradientTolerance, "\(objective.name) HVP at point \(k): relative error \(he)", sourceLocation: sourceLocation)
        }
    }
}

func randomPoints(_ d: Int, count: Int = 3, scale: Double = 1, seed: UInt64 = 7) -> [[Double]] {
    (0..<count).map { gaussianVector(d, scale: scale, seed: seed &+ UInt64($0)) }
}

/// A fresh temporary directory for malformed CSV files.
func temporaryDirectory() throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sgdyn-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}

// MARK: gradients of every built-in objective

@Suite("Objective gradients")
struct ObjectiveGradientTests {
    @Test("Quadratic: gradient H(x − c) and HVP H v match finite differences")
    func quadratic() {
        let q = Quadratic(hessian: Matrix([[3, 1, 0], [1, 2, 0.5], [0, 0.5, 1]]), center: [0.5, -1, 2])
        checkObjective(q, at: randomPoints(3))
    }

    @Test("Rosenbrock: gradient and exact HVP match finite differences")
    func rosenbrock() {
        checkObjective(Rosenbrock(), at: [[-1.2, 1], [0.5, 0.3], [1.1, 1.3]])
        checkObjective(Rosenbrock(a: 2, b: 10), at: randomPoints(2))
    }

    @Test("DoubleWell 1-D and 2-D: gradient and exact HVP match finite differences")
    func doubleWell() {
        checkObjective(DoubleWell(dimension: 1), at: [[-1.3], [0.2], [0.9]])
        checkObjective(DoubleWell(dimension: 2, height: 1), at: randomPoints(2))
    }

    @Test("Quartic: gradient and exact HVP match finite differences")
    func quartic() {
        checkObjective(Quartic(), at: [[-1.5], [0.3], [2]])
        checkObjective(Quartic(c: -1), at: [[0.7]])
    }

    @Test("NoisyQuadratic: mean oracle gradient and HVP match finite differences")
    func noisyQuadratic() {
        let nq = NoisyQuadratic(hessian: Matrix([[2, 0.5], [0.5, 1]]))
        checkObjective(nq, at: randomPoints(2))
    }

    @Test("NoisyQuadratic: sample mean of oracle draws is ∇f within 4 SE; covariance is H² (docs/THEORY.md §2.3)")
    func noisyQuadraticOracle() {
        let h = Matrix([[2, 0.5], [0.5, 1]])
        let nq = NoisyQuadratic(hessian: h)
        // H² by hand: [[4 + 0.25, 1 + 0.5], [1 + 0.5, 0.25 + 1]].
        let h2 = Matrix([[4.25, 1.5], [1.5, 1.25]])
        #expect(Vec.distanceMax(nq.noiseCovariance([0.3, -0.2]).storage, h2.storage) < 1e-14)

        let x = [0.7, -0.4]
        let mean = nq.gradient(x)
        let rng = CounterRNG(seed: 2024)
        let draws = 20_000
        var sum = [0.0, 0.0]
        var products = [[Double]](repeating: [], count: 3)  // u₀u₀, u₀u₁, u₁u₁ with u = g − ∇f
        var g = [0.0, 0.0]
        for s in 0..<draws {
            nq.stochasticGradient(x, rng: rng, path: 0, step: s, draw: 0, into: &g)
            sum[0] += g[0]; sum[1] += g[1]
            let u0 = g[0] - mean[0], u1 = g[1] - mean[1]
            products[0].append(u0 * u0); products[1].append(u0 * u1); products[2].append(u1 * u1)
        }
        // Mean: standard error from the exact variance Σᵢᵢ = (H²)ᵢᵢ.
        for i in 0..<2 {
            let se = (h2[i, i] / Double(draws)).squareRoot()
            let z = abs(sum[i] / Double(draws) - mean[i]) / se
            #expect(z < 4, "component \(i): sample mean is \(z) standard errors from ∇f")
        }
        // Covariance entries: mean of uᵢuⱼ with its empirical standard error.
        for (k, (i, j)) in [(0, 0), (0, 1), (1, 1)].enumerated() {
            let m = products[k].reduce(0, +) / Double(draws)
            let v = products[k].reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(draws - 1)
            let z = abs(m - h2[i, j]) / (v / Double(draws)).squareRoot()
            #expect(z < 4, "Σ[\(i),\(j)]: empirical \(m) is \(z) standard errors from H² = \(h2[i, j])")
        }
    }

    @Test("LeastSquares (diabetes): gradient H̄w − c̄ and HVP H̄v match finite differences")
    func leastSquaresDiabetes() throws {
        let ls = LeastSquares(dataset: try Dataset.builtIn("diabetes"))
        #expect(ls.dimension == 11 && ls.sampleCount == 442)
        checkObjective(ls, at: randomPoints(ls.dimension, scale: 10))
    }

    @Test("LeastSquares: value and gradient equal the sample means of fᵢ and ∇fᵢ")
    func leastSquaresSampleMeans() throws {
        let ls = LeastSquares(dataset: try Dataset.builtIn("diabetes"))
        let n = ls.sampleCount, d = ls.dimension
        for w in randomPoints(d, scale: 10) {
            var meanValue = 0.0
            var meanGradient = [Double](repeating: 0, count: d)
            for i in 0..<n {
                meanValue += ls.sampleValue(i, w) / Double(n)
                Vec.axpy(1 / Double(n), ls.sampleGradient(i, w), &meanGradient)
            }
            #expect(abs(ls.value(w) - meanValue) <= 1e-12 * max(1, meanValue))
            #expect(relativeError(ls.gradient(w), meanGradient) < 1e-12)
            // The quadratic form ½wᵀH̄w − c̄ᵀw + ½ mean(y²) is the same function.
            let ySquared = ls.targets.reduce(0) { $0 + $1 * $1 } / Double(n)
            let form = 0.5 * Vec.dot(w, ls.meanHessian * w) - Vec.dot(ls.meanCrossTerm, w) + 0.5 * ySquared
            #expect(abs(ls.value(w) - form) <= 1e-10 * max(1, form))
        }
        // ∇f vanishes at the minimizer.
        let wMin = try ls.minimizer
        #expect(Vec.maxAbs(ls.gradient(wMin)) < 1e-9 * Vec.maxAbs(ls.meanCrossTerm))
    }

    @Test("LeastSquares.synthetic: realizable problem has minimizer w*, zero value and zero noise there")
    func leastSquaresSynthetic() throws {
        let (ls, wStar) = LeastSquares.synthetic(n: 200, d: 5, noise: 0, seed: 3)
        #expect(Vec.distanceMax(try ls.minimizer, wStar) < 1e-10)
        #expect(ls.value(wStar) < 1e-25)
        #expect(Vec.maxAbs(ls.sampleGradient(17, wStar)) < 1e-12)
        checkObjective(ls, at: randomPoints(5))
        let (noisy, _) = LeastSquares.synthetic(n: 200, d: 5, noise: 0.5, seed: 3)
        #expect(noisy.value(try noisy.minimizer) > 0.01)
    }

    @Test("LogisticRegression (breast_cancer): gradient, per-sample gradient and exact HVP")
    func logisticRegression() throws {
        let data = try Dataset.builtIn("breast_cancer")
        for lambda in [0.0, 0.1] {
            let lr = try LogisticRegression(dataset: data, regularization: lambda)
            #expect(lr.dimension == 31 && lr.sampleCount == 569)
            checkObjective(lr, at: randomPoints(lr.dimension, scale: 0.5))
            let w = gaussianVector(lr.dimension, scale: 0.5, seed: 11)
            for i in [0, 100, 568] {
                let fd = finiteDifferenceGradient({ lr.sampleValue(i, $0) }, at: w)
                #expect(relativeError(fd, lr.sampleGradient(i, w)) < gradientTolerance)
            }
        }
    }

    @Test("LogisticRegression: softplus and sigmoid are finite and accurate at extreme logits")
    func logisticStability() {
        #expect(LogisticRegression.softplus(800) == 800)
        #expect(LogisticRegression.softplus(-800) == 0)
        #expect(abs(LogisticRegression.softplus(0) - log(2.0)) < 1e-15)
        #expect(LogisticRegression.sigmoid(-800) == 0 && LogisticRegression.sigmoid(800) == 1)
        #expect(abs(LogisticRegression.sigmoid(-40) - exp(-40.0)) < 1e-30)
    }

    @Test("MLPClassifier (first 50 digits, 8 hidden units): backprop gradient matches finite differences")
    func mlp() throws {
        let data = try Dataset.builtIn("digits").prefix(50)
        for lambda in [0.0, 0.01] {
            let mlp = try MLPClassifier(dataset: data, hiddenUnits: 8, classCount: 10, regularization: lambda)
            #expect(mlp.dimension == 8 * 64 + 8 + 10 * 8 + 10)
            #expect(!mlp.hasExactHessian)
            // Initial weights plus non-zero biases, so every block of θ is exercised.
            var theta = mlp.initialParameters(seed: 5)
            let jitter = gaussianVector(mlp.dimension, scale: 0.3, seed: 6)
            for k in 0..<theta.count { theta[k] += jitter[k] }
            let ge = gradientError(mlp, at: theta)
            #expect(ge < gradientTolerance, "λ = \(lambda): relative error \(ge)")
            for i in [0, 37] {
                let fd = finiteDifferenceGradient({ mlp.sampleValue(i, $0) }, at: theta)
                #expect(relativeError(fd, mlp.sampleGradient(i, theta)) < gradientTolerance)
            }
            // The sample mean of per-sample values is the value.
            let mean = (0..<mlp.sampleCount).reduce(0) { $0 + mlp.sampleValue($1, theta) } / Double(mlp.sampleCount)
            #expect(abs(mean - mlp.value(theta)) < 1e-12 * max(1, mean))
        }
    }

    @Test("MLPClassifier: at θ = 0 the loss is log K")
    func mlpUniform() throws {
        let mlp = try MLPClassifier(dataset: try Dataset.builtIn("digits").prefix(20), hiddenUnits: 4, classCount: 10)
        #expect(abs(mlp.value([Double](repeating: 0, count: mlp.dimension)) - log(10.0)) < 1e-14)
    }

    @Test("ClosureObjective: given gradient and the finite-difference fallback both match")
    func closure() {
        let f: @Sendable ([Double]) -> Double = { x in x[0] * x[0] * x[1] + sin(x[1]) }
        let withGradient = ClosureObjective(dimension: 2, value: f) { x, g in
            g[0] = 2 * x[0] * x[1]
            g[1] = x[0] * x[0] + cos(x[1])
        }
        checkObjective(withGradient, at: randomPoints(2))
        let fallback = ClosureObjective(dimension: 2, value: f)
        for x in randomPoints(2) {
            #expect(relativeError(fallback.gradient(x), withGradient.gradient(x)) < gradientTolerance)
        }
    }

    #if canImport(_Differentiation)
    @Test("DifferentiableObjective: automatic gradient equals the hand-derived one")
    func differentiable() {
        // f(x) = x₀² x₁ + e^{x₁} sin x₂,  ∇f = (2x₀x₁, x₀² + e^{x₁} sin x₂, e^{x₁} cos x₂).
        let objective = DifferentiableObjective(name: "ad", dimension: 3) { x in
            x[0] * x[0] * x[1] + exp(x[1]) * sin(x[2])
        }
        for x in randomPoints(3) {
            let hand = [2 * x[0] * x[1], x[0] * x[0] + exp(x[1]) * sin(x[2]), exp(x[1]) * cos(x[2])]
            #expect(relativeError(objective.gradient(x), hand) < 1e-14)
            let (v, g) = objective.valueWithGradient(x)
            #expect(v == objective.value(x))
            #expect(relativeError(g, hand) < 1e-14)
            #expect(gradientError(objective, at: x) < gradientTolerance)
        }
        // Through a loop: the chained Rosenbrock function against the built-in 2-D one.
        let chained = DifferentiableObjective(dimension: 2) { x in
            var s = 0.0
            for i in withoutDerivative(at: 0..<(x.count - 1)) {
                let u = 1 - x[i], w = x[i + 1] - x[i] * x[i]
                s += u * u + 100 * w * w
            }
            return s
        }
        for x in [[-1.2, 1.0], [0.5, 0.3]] {
            #expect(relativeError(chained.gradient(x), Rosenbrock().gradient(x)) < 1e-14)
        }
    }

    @Test("DifferentiableObjective: a zero tangent is expanded to a zero gradient of full length")
    func differentiableZeroTangent() {
        let flat = DifferentiableObjective(dimension: 3) { x in withoutDerivative(at: x[0] * x[0]) }
        #expect(flat.gradient([1, 2, 3]) == [0, 0, 0])
    }
    #endif
}

// MARK: data sets

@Suite("Data sets")
struct DatasetTests {
    @Test("Built-in data sets load from the bundle with their documented shapes")
    func builtIns() throws {
        let bc = try Dataset.builtIn("breast_cancer")
        #expect(bc.sampleCount == 569 && bc.featureCount == 30 && bc.targetName == "benign")
        #expect(Set(bc.targets) == [0, 1])
        let diabetes = try Dataset.builtIn("diabetes")
        #expect(diabetes.sampleCount == 442 && diabetes.featureCount == 10 && diabetes.featureNames[2] == "bmi")
        let digits = try Dataset.builtIn("digits")
        #expect(digits.sampleCount == 1797 && digits.featureCount == 64 && digits.targetName == "digit")
        #expect(Set(digits.targets) == Set((0..<10).map(Double.init)))
        #expect(throws: DatasetError.unknownBuiltIn(name: "iris", available: Dataset.builtInNames)) {
            try Dataset.builtIn("iris")
        }
    }

    @Test("standardized(): zero mean, unit population variance, constant columns exactly 0")
    func standardized() throws {
        let s = try Dataset.builtIn("digits").standardized()
        let n = s.sampleCount
        for j in 0..<s.featureCount {
            let col = (0..<n).map { s.features[$0, j] }
            let mean = col.reduce(0, +) / Double(n)
            let variance = col.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n)
            #expect(abs(mean) < 1e-12)
            if col.allSatisfy({ $0 == 0 }) { continue }  // px0 is constant (all zero)
            #expect(abs(variance - 1) < 1e-12, "column \(j)")
        }
        #expect((0..<n).allSatisfy { s.features[$0, 0] == 0 })
    }

    @Test("withInterceptColumn() appends a column of ones named intercept")
    func intercept() throws {
        let d = try Dataset.builtIn("diabetes").withInterceptColumn()
        #expect(d.featureCount == 11 && d.featureNames.last == "intercept")
        #expect((0..<d.sampleCount).allSatisfy { d.features[$0, 10] == 1 })
        #expect(d.features[0, 0] == 59)
    }

    @Test("CSV: CRLF line ends, spaces and blank lines are accepted")
    func lenientCSV() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("ok.csv").path
        try "a, b ,y\r\n1, 2,3\r\n\r\n4,5.5 ,-6e-1\r\n".write(toFile: path, atomically: true, encoding: .utf8)
        let d = try Dataset.load(csvAt: path)
        #expect(d.name == "ok" && d.featureNames == ["a", "b"] && d.targetName == "y")
        #expect(d.features.storage == [1, 2, 4, 5.5] && d.targets == [3, -0.6])
    }

    /// Writes `contents` to `<tmp>/<file>`, loads it, and returns the error and its path.
    func loadError(_ contents: String, file: String = "bad.csv") throws -> (DatasetError, String) {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent(file).path
        try contents.write(toFile: path, atomically: true, encoding: .utf8)
        do {
            _ = try Dataset.load(csvAt: path)
        } catch let error as DatasetError {
            return (error, path)
        }
        Issue.record("no error for \(contents.debugDescription)")
        return (.emptyFile(path: ""), path)
    }

    @Test("DatasetError: each malformed CSV gives its case and a one-line message naming file, line, column")
    func errors() throws {
        let missing = "/nonexistent-dir/none.csv"
        #expect(throws: DatasetError.fileNotFound(path: missing)) { try Dataset.load(csvAt: missing) }
        #expect(DatasetError.fileNotFound(path: missing).description.contains(missing))

        var (e, path) = try loadError("")
        #expect(e == .emptyFile(path: path))
        #expect(e.description.contains(path) && e.description.contains("empty"))

        (e, path) = try loadError("\n  \n")
        #expect(e == .emptyFile(path: path))

        (e, path) = try loadError("y\n1\n2\n")
        #expect(e == .tooFewColumns(path: path, line: 1, found: 1))

        (e, path) = try loadError("a,b,y\n1,2,3\n4,5\n")
        #expect(e == .wrongFieldCount(path: path, line: 3, expected: 3, found: 2))
        #expect(e.description.contains("\(path) line 3") && e.description.contains("expected 3"))

        // A blank line still counts: the bad row is on line 4.
        (e, path) = try loadError("a,b,y\n1,2,3\n\n4,x1,6\n")
        #expect(e == .nonNumeric(path: path, line: 4, column: "b", field: "x1"))
        #expect(e.description.contains("line 4, column 'b'") && e.description.contains("'x1' is not a number"))

        (e, path) = try loadError("a,b,y\n1,,3\n4,5,6\n")
        #expect(e == .nonNumeric(path: path, line: 2, column: "b", field: ""))
        #expect(e.description.contains("empty"))

        (e, path) = try loadError("a,b,y\n1,2,3\n4,5,NaN\n")
        #expect(e == .nonFinite(path: path, line: 3, column: "y", field: "NaN"))
        #expect(e.description.contains("line 3, column 'y'") && e.description.contains("not finite"))

        (e, path) = try loadError("a,b,y\n1,-inf,3\n4,5,6\n")
        #expect(e == .nonFinite(path: path, line: 2, column: "b", field: "-inf"))

        (e, path) = try loadError("a,b,y\n1,1e400,3\n4,5,6\n")
        #expect(e == .nonFinite(path: path, line: 2, column: "b", field: "1e400"))

        (e, path) = try loadError("a,b,y\n1,2,3\n")
        #expect(e == .tooFewRows(path: path, found: 1))
        #expect(e.description.contains("at least 2"))

        (e, path) = try loadError("a,b,y\n")
        #expect(e == .tooFewRows(path: path, found: 0))

        // Every message is a single line.
        for error in [e, .fileNotFound(path: missing), .unknownBuiltIn(name: "x", available: ["a"])] {
            #expect(!error.description.contains("\n"))
        }
    }

    @Test("Models reject targets they cannot use, naming the data set, row and column")
    func invalidTargets() throws {
        let data = Dataset(name: "toy", features: Matrix([[1, 2], [3, 4], [5, 6]]), targets: [0, 1, 2],
                           featureNames: ["a", "b"], targetName: "label")
        #expect(throws: DatasetError.invalidTarget(dataset: "toy", row: 2, column: "label", value: 2, expected: "a label 0 or 1")) {
            try LogisticRegression(dataset: data)
        }
        let message = DatasetError.invalidTarget(dataset: "toy", row: 2, column: "label", value: 2, expected: "a label 0 or 1").description
        #expect(message.contains("'toy' row 3 (CSV line 4), column 'label'") && message.contains("target 2"))

        #expect(throws: DatasetError.self) { try MLPClassifier(dataset: data, hiddenUnits: 2, classCount: 2) }
        var fractional = data
        fractional.targets = [0, 1.5, 1]
        do {
            _ = try MLPClassifier(dataset: fractional, hiddenUnits: 2)
            Issue.record("no error for a fractional class")
        } catch let error as DatasetError {
            #expect(error.description.contains("row 2 (CSV line 3)") && error.description.contains("1.5"))
        }
        // Inferred K = 3 accepts the original targets.
        #expect(try MLPClassifier(dataset: data, hiddenUnits: 2).classCount == 3)
    }
}
