import Foundation
import Testing
@testable import SGDynamics

/// Relative agreement |a − b| ≤ tol · max(1, |b|).
private func close(_ a: Double, _ b: Double, _ tol: Double = 1e-12) -> Bool { abs(a - b) <= tol * max(1, abs(b)) }

private func points(_ d: Int, count: Int = 25, scale: Double = 1.5) -> [[Double]] {
    var rng = SplitMix64(seed: 7)
    return (0..<count).map { _ in (0..<d).map { _ in scale * (2 * rng.nextDouble() - 1) } }
}

/// Value, gradient and Hessian-vector product of `e` equal those of `f` to 1e-12 at random points.
private func expectSame(_ e: some Objective, _ f: some Objective, scale: Double = 1.5) {
    #expect(e.dimension == f.dimension)
    let d = f.dimension
    var ge = [Double](repeating: 0, count: d), gf = ge, he = ge, hf = ge
    for x in points(d, scale: scale) {
        let v = points(d, count: 1, scale: 1)[0].map { $0 + 0.3 }
        #expect(close(e.value(x), f.value(x)), "value at \(x)")
        e.gradient(x, into: &ge); f.gradient(x, into: &gf)
        for i in 0..<d { #expect(close(ge[i], gf[i]), "gradient \(i) at \(x): \(ge[i]) vs \(gf[i])") }
        e.hessianVectorProduct(x, v, into: &he); f.hessianVectorProduct(x, v, into: &hf)
        for i in 0..<d { #expect(close(he[i], hf[i], 1e-11), "Hv \(i) at \(x): \(he[i]) vs \(hf[i])") }
    }
}

@Suite("Expression objectives")
struct ExpressionObjectiveTests {
    @Test("The double well, Rosenbrock and the quartic written as formulas equal the built-ins to 1e-12")
    func builtInsAsFormulas() throws {
        expectSame(try ExpressionObjective("(x^2 - 1)^2/4"), DoubleWell(dimension: 1))
        expectSame(try ExpressionObjective("(x^2 - 1)^2 + 0.5*y^2"), DoubleWell(dimension: 2, height: 1))
        expectSame(try ExpressionObjective("(a - x)^2 + b*(y - x^2)^2", parameters: ["a": 1, "b": 100]), Rosenbrock())
        expectSame(try ExpressionObjective("x^4/4 + x^2/2"), Quartic(c: 1))
        expectSame(try ExpressionObjective("0.5*(u^2 + 10*v^2)", variables: ["u", "v"]), Quadratic(diagonal: [1, 10]))
    }

    @Test("Every function's derivative and second derivative match central differences")
    func functionDerivatives() throws {
        // Each formula is smooth at the test points (x ∈ [0.2, 0.9], y = 0.7 − x/3).
        let formulas = ["exp(x*y)", "expm1(x) * y", "log(1 + x^2 + y^2)", "log1p(x*y)", "sqrt(x + 2*y)", "sin(x)*cos(y)",
                        "tan(x/2) + atan(y)", "sinh(x) - cosh(y)", "tanh(3*x - y)", "sigmoid(2*x - y)", "softplus(x - 3*y)",
                        "abs(x - 2) * y", "min(x, y)^2 + max(x, 2*y)", "pow(x, y)", "x^y", "x^-2 + y^0.5", "e^x + pi*y",
                        "x / (1 + y^2)", "-x^2 * -y", "ln(x) + sign(y) * y"]
        for text in formulas {
            let f = try ExpressionObjective(text, variables: ["x", "y"])
            for t in stride(from: 0.2, through: 0.9, by: 0.1) {
                let x = [t, 0.7 - t / 3]
                let g = f.gradient(x)
                for i in 0..<2 {
                    var xp = x, xm = x
                    let h = 1e-6
                    xp[i] += h; xm[i] -= h
                    let fd = (f.value(xp) - f.value(xm)) / (2 * h)
                    #expect(close(g[i], fd, 1e-7), "\(text): ∂\(i) at \(x): \(g[i]) vs \(fd)")
                    let e = i == 0 ? [1.0, 0] : [0.0, 1]
                    var hv = [0.0, 0]
                    f.hessianVectorProduct(x, e, into: &hv)
                    let gp = f.gradient(xp), gm = f.gradient(xm)
                    for j in 0..<2 { #expect(close(hv[j], (gp[j] - gm[j]) / (2 * h), 1e-6), "\(text): H[\(j),\(i)] at \(x)") }
                }
            }
        }
    }

    @Test("Precedence: -x^2 is −(x²), ^ is right-associative, ** is ^, products bind before sums")
    func precedence() throws {
        let x = [3.0]
        #expect(try ExpressionObjective("-x^2").value(x) == -9)
        #expect(try ExpressionObjective("2^x^2 + 0*x").value([2]) == 16)   // 2^(x^2) = 2^4
        #expect(try ExpressionObjective("x**2/2").value(x) == 4.5)
        #expect(try ExpressionObjective("1 + 2*x - 6/x/2").value(x) == 6)
        #expect(try ExpressionObjective("2^-x").value(x) == 0.125)
        #expect(try ExpressionObjective(".5e1*x + 1E-1").value(x) == 15.1)
    }

    @Test("Variables are inferred in natural order, or taken in the order given")
    func variableOrder() throws {
        #expect(try ExpressionObjective("y^2 + x^2 + w10 + w2").variables == ["w2", "w10", "x", "y"])
        #expect(try ExpressionObjective("y^2 + x", variables: ["y", "x"]).gradient([2, 5]) == [4, 1])
        #expect(try ExpressionObjective("a*x^2", parameters: ["a": 3]).variables == ["x"])
        #expect(try ExpressionObjective("e*x + pi").value([1]) == M_E + .pi)
    }

    @Test("Malformed formulas give the column and what is wrong")
    func errors() {
        func error(_ text: String, variables: [String]? = nil) -> ExpressionError? {
            do { _ = try ExpressionObjective(text, variables: variables); return nil } catch let e as ExpressionError { return e } catch { return nil }
        }
        #expect(error("(x^2 - 1)^2 + sinn(y)")?.description == "column 15: unknown function 'sinn' (did you mean 'sin'?)")
        #expect(error("x + ")?.column == 5)
        #expect(error("(x + 1")?.column == 7)
        #expect(error("x + 1)")?.description == "column 6: unmatched ')'")
        #expect(error("2x")?.column == 2)
        #expect(error("x $ y")?.column == 3)
        #expect(error("1e")?.column == 3)
        #expect(error("1e999 * x")?.column == 1)
        #expect(error("sin x")?.column == 1)
        #expect(error("min(x)")?.column == 1)
        #expect(error("")?.column == 1)
        #expect(error("3 + 4")?.message == "the formula has no variables to optimize")
        #expect(error("x + q", variables: ["x"])?.column == 5)
        #expect(error(String(repeating: "(", count: 300) + "x" + String(repeating: ")", count: 300)) != nil)
        #expect(error("x\u{1b}[2J")?.description.contains("U+1B") == true)
    }

    @Test("The lane gradient equals the scalar gradient bitwise, lane by lane")
    func lanes() throws {
        let f = try ExpressionObjective("(x^2 - 1)^2 + 0.5*y^2 + tanh(x*y) + exp(-y^2)")
        let pts = points(2, count: 4)
        let xl = [Lanes(pts[0][0], pts[1][0], pts[2][0], pts[3][0]), Lanes(pts[0][1], pts[1][1], pts[2][1], pts[3][1])]
        var gl = [Lanes](repeating: .zero, count: 2)
        xl.withUnsafeBufferPointer { x in gl.withUnsafeMutableBufferPointer { f.gradient(lanes: x.baseAddress!, into: $0.baseAddress!) } }
        for l in 0..<4 {
            let g = f.gradient(pts[l])
            #expect(g[0].bitPattern == gl[0][l].bitPattern && g[1].bitPattern == gl[1][l].bitPattern)
        }
    }
}

@Suite("Formula objectives in studies")
struct FormulaStudyTests {
    @Test("GapStudy on the quartic written as a formula gives the built-in's metrics (to 1e-10)")
    func gapOnFormula() throws {
        let builtIn = try GapStudy(.init(objective: .init(name: "quartic"))).run(StudyContext())
        let formula = try GapStudy(.init(objective: .init(expression: "x^4/4 + x^2/2", start: [1]))).run(StudyContext())
        #expect(builtIn.metrics.count == formula.metrics.count && !builtIn.metrics.isEmpty)
        for (a, b) in zip(builtIn.metrics, formula.metrics) {
            #expect(a.key == b.key && abs(a.value - b.value) <= 1e-10 * max(1, abs(a.value)), "\(a.key): \(a.value) vs \(b.value)")
        }
    }

    @Test("A formula's local minimizer is the one of its start's basin (double well from x0 = (0.2, 1) → (1, 0))")
    func basinMinimizer() throws {
        let (entry, _) = try ObjectiveChoice(expression: "(x^2 - 1)^2 + 0.5*y^2", start: [0.2, 1]).resolve()
        let m = try #require(entry.minimizer)
        #expect(abs(m[0] - 1) < 1e-12 && abs(m[1]) < 1e-12)
        let (left, _) = try ObjectiveChoice(expression: "(x^2 - 1)^2 + 0.5*y^2", start: [-0.2, 1]).resolve()
        #expect(abs(try #require(left.minimizer)[0] + 1) < 1e-12)
        // unbounded below: no minimizer
        #expect(try ObjectiveChoice(expression: "x^3").resolve().entry.minimizer == nil)
    }

    @Test("Logistic regression written as samples over the CSV equals the built-in finite sum (value, gradients, Σ, Hv to 1e-12)")
    func logisticSamples() throws {
        // A small logistic regression: three features and a 0/1 target.
        let csv = "a,b,c,t\n0.5,-1,2,1\n-0.3,0.8,0.1,0\n1.2,0.4,-0.7,1\n-1.1,-0.2,0.9,0\n0.05,1.5,-1.3,1\n"
        let data = try Dataset.parse(csv: csv, source: "test.csv", name: "test")
        let builtIn = try LogisticRegression(dataset: data, standardize: false, intercept: false)
        let formula = try ExpressionFiniteSum("softplus(w1*a_i + w2*b_i + w3*c_i) - t_i*(w1*a_i + w2*b_i + w3*c_i)", dataset: data)
        #expect(formula.variables == ["w1", "w2", "w3"] && formula.sampleCount == 5)
        expectSame(formula, builtIn, scale: 2)
        let x = [0.3, -0.4, 0.8]
        for i in 0..<5 {
            let a = formula.sampleGradient(i, x), b = builtIn.sampleGradient(i, x)
            for k in 0..<3 { #expect(close(a[k], b[k])) }
        }
        var ca = Matrix(rows: 3, columns: 3), cb = ca
        formula.noiseCovariance(x, into: &ca); builtIn.noiseCovariance(x, into: &cb)
        for k in 0..<9 { #expect(close(ca.storage[k], cb.storage[k])) }
    }

    @Test("A sample formula names a column the data lacks: the error names it and suggests the nearest")
    func missingColumn() throws {
        let data = try Dataset.parse(csv: "x,y\n1,2\n3,4\n", source: "t.csv", name: "t")
        #expect(throws: ExpressionError.self) { try ExpressionFiniteSum("0.5*(w*z_i - y_i)^2", dataset: data) }
        do { _ = try ExpressionFiniteSum("0.5*(w*xx_i - y_i)^2", dataset: data) } catch let e as ExpressionError {
            #expect(e.column == 8 && e.message.contains("did you mean 'x_i'"))
        }
    }
}

@Suite("Stochastic oracles as formulas")
struct ExpressionOracleTests {
    static let liTaiE = "0.5*(x - z1)^2 + (y - z2)^2 - 1.5"

    @Test("The Li–Tai–E quadratic as an oracle formula: f = ½xᵀHx, Σ = H² constant, stochastic gradients bit for bit")
    func liTaiEOracle() throws {
        let e = try ExpressionOracle(Self.liTaiE, noise: ["z1", "z2"])
        let q = NoisyQuadratic(hessian: .diagonal([1, 2]))
        #expect(e.variables == ["x", "y"] && e.noiseIsConstant)
        expectSame(e, q)
        let s = e.noiseCovariance([0.3, -0.7])
        #expect(s[0, 0] == 1 && s[1, 1] == 4 && s[0, 1] == 0)
        let rng = CounterRNG(seed: 9)
        var ge = [0.0, 0], gq = [0.0, 0]
        for step in 0..<50 {
            let x = [Double(step) * 0.1 - 2, 1.3 - Double(step) * 0.05]
            for draw in 0..<3 {
                e.stochasticGradient(x, rng: rng, path: step % 7, step: step, draw: draw, into: &ge)
                q.stochasticGradient(x, rng: rng, path: step % 7, step: step, draw: draw, into: &gq)
                #expect(ge[0].bitPattern == gq[0].bitPattern && ge[1].bitPattern == gq[1].bitPattern)
            }
        }
    }

    @Test("simulate on the Li–Tai–E oracle formula gives the built-in ensemble's positions to the last bit (same seed), E f to 1e-14")
    func simulateSame() throws {
        var builtIn = SimulateStudy.Configuration()
        builtIn.paths = 2_000
        var formula = builtIn
        formula.objective = "expression"
        formula.expression = Self.liTaiE
        formula.noise = ["z1", "z2"]
        formula.start = [1, 1]
        let a = try SimulateStudy(builtIn).ensemble(StudyContext()).result, b = try SimulateStudy(formula).ensemble(StudyContext()).result
        #expect(a.moments.count == b.moments.count && a.moments.count > 1)
        // The iterates are the same bits: the same draws and the same operations (H(x − γ) with H
        // diagonal is the symbolic gradient's u and 2u). f is summed in another order (½x² + y² − 3/2
        // against ½ Σᵢ xᵢ(Hx)ᵢ), so E f agrees to rounding only.
        for (ma, mb) in zip(a.moments, b.moments) {
            #expect(ma.mean[0].bitPattern == mb.mean[0].bitPattern && ma.mean[1].bitPattern == mb.mean[1].bitPattern)
            #expect(abs(ma.mean[2] - mb.mean[2]) <= 1e-14 * max(1, abs(ma.mean[2])))
        }
    }

    @Test("State-dependent noise: f_γ = ½x² + x·z·s gives Σ(x) = s²x² (not constant); noise not affine is refused")
    func multiplicative() throws {
        let e = try ExpressionOracle("0.5*x^2 + s*x^2*z/2", noise: ["z"], parameters: ["s": 0.3])
        #expect(!e.noiseIsConstant)
        #expect(abs(e.noiseCovariance([2])[0, 0] - 0.36) < 1e-15)   // J = s·x = 0.6
        #expect(abs(e.value([2]) - 2) < 1e-15)
        #expect(throws: ExpressionError.self) { try ExpressionOracle("0.5*x^2 + x*z^2", noise: ["z"]) }
        #expect(throws: ExpressionError.self) { try ExpressionOracle("0.5*x^2 + z^4", noise: ["z"]) }
        #expect(throws: ExpressionError.self) { try ExpressionOracle("0.5*x^2 + exp(z)*x", noise: ["z"]) }
    }
}

@Suite("Fokker–Planck from formulas")
struct FokkerPlanckFormulaTests {
    @Test("1-D drift −x with D(x) = 0.25 + 0.1x²: the stationary E x² matches p ∝ (0.25 + 0.1x²)⁻⁶ by quadrature (O(Δx²), 2e-4)")
    func stateDependent() throws {
        var c = FokkerPlanckStudy.Configuration()
        c.model = .sde
        c.drift = ["-x"]
        c.diffusion = ["0.25 + 0.1*x^2"]
        c.grid = [GridAxis(lower: -4, upper: 4, count: 801)]
        let r = try FokkerPlanckStudy(c).run(StudyContext())
        let m2 = try #require(r.metric("second moment")).value
        // p(x) ∝ exp(∫ b/D)/D = (0.25 + 0.1x²)^(−5)/(0.25 + 0.1x²): Simpson's rule on [−4, 4].
        let n = 20_000, h = 8.0 / Double(n)
        var z = 0.0, s2 = 0.0
        for i in 0...n {
            let x = -4 + Double(i) * h, w = (i == 0 || i == n) ? 1.0 : (i % 2 == 1 ? 4.0 : 2.0)
            let p = pow(0.25 + 0.1 * x * x, -6)
            z += w * p; s2 += w * p * x * x
        }
        #expect(abs(m2 - s2 / z) < 2e-4, "\(m2) vs \(s2 / z)")
    }

    @Test("2-D Ornstein–Uhlenbeck b = (−x, −2y), D = (0.3; 0.1): stationary variances D/θ = 0.3 and 0.05 (to 1e-3)")
    func ornsteinUhlenbeck2D() throws {
        var c = FokkerPlanckStudy.Configuration()
        c.model = .sde
        c.drift = ["-x", "-2*y"]
        c.diffusion = ["0.3", "0.1"]
        let r = try FokkerPlanckStudy(c).run(StudyContext())
        #expect(r.status == .ok)
        let vx = try #require(r.metric("variance x")).value, vy = try #require(r.metric("variance y")).value
        #expect(abs(vx - 0.3) < 1e-3 && abs(vy - 0.05) < 1e-3, "\(vx), \(vy)")
    }

    @Test("A diffusion that is not positive semidefinite is refused naming the point; a malformed drift names its component")
    func refused() throws {
        var c = FokkerPlanckStudy.Configuration()
        c.model = .sde
        c.drift = ["-x", "-y"]
        c.diffusion = ["0.3", "0.4", "0.3"]
        #expect(throws: ConfigurationError.self) { try FokkerPlanckStudy(c) }
        do { _ = try FokkerPlanckStudy(c) } catch let e as ConfigurationError { #expect(e.field == "diffusion" && e.message.contains("at (")) }
        c.diffusion = ["0.3"]
        c.drift = ["-x", "-y +"]
        do { _ = try FokkerPlanckStudy(c) } catch let e as ConfigurationError { #expect(e.field == "drift" && e.message.hasPrefix("component 2: column 5")) }
    }
}

@Suite("Weak error on oracle formulas")
struct WeakErrorFormulaTests {
    @Test("The Li–Tai–E study with its objective as an oracle formula gives the built-in's exact weak errors to the last bit")
    func liTaiEExact() throws {
        var builtIn = WeakErrorStudy.Configuration()
        builtIn.mode = .exact
        var formula = builtIn
        formula.objective = .expression
        formula.expression = ExpressionOracleTests.liTaiE
        formula.noise = ["z1", "z2"]
        formula.start = [1, 1]
        let a = try WeakErrorStudy(builtIn).run(StudyContext()), b = try WeakErrorStudy(formula).run(StudyContext())
        #expect(a.metrics.count == b.metrics.count && a.metrics.count >= 8)
        for (ma, mb) in zip(a.metrics, b.metrics) {
            #expect(ma.key == mb.key && ma.value.bitPattern == mb.value.bitPattern, "\(ma.key): \(ma.value) vs \(mb.value)")
        }
    }

    @Test("Exact mode is refused for an oracle whose moments do not close (state-dependent noise)")
    func refusedExact() throws {
        var c = WeakErrorStudy.Configuration()
        c.mode = .exact
        c.objective = .expression
        c.expression = "0.5*x^2 + 0.3*x^2*z/2"
        c.noise = ["z"]
        #expect(throws: ConfigurationError.self) { try WeakErrorStudy(c) }
    }
}
