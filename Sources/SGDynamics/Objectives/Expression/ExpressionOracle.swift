import Foundation

/// A stochastic-oracle objective written as a formula `f_γ(x)` whose noise names `γ₁ … γ_k` are
/// independent standard normal draws (docs/THEORY.md §11.3), e.g. the Li–Tai–E quadratic
/// `0.5*(x - z1)^2 + (y - z2)^2` with noise `[z1, z2]`.
///
/// The stochastic gradient is `∇ₓf_γ(x)` at fresh draws. The formula must make it affine in `γ`
/// and `f_γ` at most quadratic in `γ` (checked symbolically when compiled), so that
///
///     f(x) = E f_γ(x) = f₀(x) + ½ Σⱼ ∂²f_γ/∂γⱼ²,   ∇f(x) = ∇ₓf₀(x),   Σ(x) = J(x) J(x)ᵀ,  J = ∂(∇ₓf_γ)/∂γ
///
/// are exact (`f₀` is `f_γ` at `γ = 0`). The draws are those of ``NoisyQuadratic`` (component
/// `draw·k + j` of the counter-based generator), so a formula that spells the Li–Tai–E quadratic
/// gives its stochastic gradients bit for bit.
public struct ExpressionOracle: StochasticOracleObjective {
    public let formula: String
    public var name: String
    public var variables: [String] { compiled.variables }
    /// The noise names, in draw order.
    public var noise: [String] { compiled.dataNames }
    public let noiseIsConstant: Bool
    let compiled: ExpressionFormula
    /// extra[0]: E f_γ at γ = 0 inputs; extra[1]: J (d × k, row-major) at γ = 0.
    var mean: ExpressionTape { compiled.extra[0] }
    var jacobian: ExpressionTape { compiled.extra[1] }
    public static let maximumNoise = 32
    /// Functions that are not differentiable everywhere: a formula must not apply them to anything
    /// that depends on the noise (their derivative in γ would be taken as 0 where it is not).
    static let nonSmooth: Set<ExpressionOp> = [.abs, .sign, .step, .min, .max]

    public init(_ formula: String, noise: [String], variables: [String]? = nil, parameters: [String: Double] = [:],
                name: String? = nil) throws {
        guard !noise.isEmpty, noise.count <= Self.maximumNoise else {
            throw ExpressionError(column: 0, "give between 1 and \(Self.maximumNoise) noise names (standard normal draws), got \(noise.count)", setting: "noise")
        }
        guard Set(noise).count == noise.count else { throw ExpressionError(column: 0, "each noise name once, got \(noise.joined(separator: ", "))", setting: "noise") }
        for n in noise where !ExpressionFormula.isName(n) || ExpressionOp.functions[n] != nil {
            throw ExpressionError(column: 0, "noise name '\(n)' is not a name (letters, digits and _, not a function)", setting: "noise")
        }
        let index = Dictionary(uniqueKeysWithValues: noise.enumerated().map { ($1, $0) })
        // The symbolic checks take d·k² + k³ derivative sweeps; bound them before compiling.
        let names = try ExpressionParser(formula).valueNames.map(\.name)
        for n in noise where !names.contains(n) {
            throw ExpressionError(column: 0, "noise name '\(n)' does not appear in the formula", setting: "noise")
        }
        let d = names.filter { index[$0] == nil && parameters[$0] == nil }.count
        guard Double(max(d, 1)) * Double(noise.count * noise.count) + pow(Double(noise.count), 3) <= 50_000 else {
            throw ExpressionError(column: 0, "an oracle with \(d) variables and \(noise.count) noise names needs too many symbolic checks; keep (variables + noise names) × noise names² below 5·10⁴", setting: "noise")
        }
        var constant = true
        compiled = try ExpressionFormula(formula, variables: variables, parameters: parameters, dataNames: noise,
                                         dataIndex: { index[$0] }, dataKind: "noise name") { g, p in
            let zero = try g.constant(0)
            // Which nodes depend on the noise (children come before parents).
            var noisy = [Bool](repeating: false, count: Int(p.f) + 1)
            let noiseInputs = Set(p.data)
            for i in 0...Int(p.f) {
                let n = g.node(Int32(i))
                noisy[i] = noiseInputs.contains(Int32(i)) || (n.a >= 0 && noisy[Int(n.a)]) || (n.b >= 0 && noisy[Int(n.b)])
                if noisy[i], Self.nonSmooth.contains(n.op) {
                    throw ExpressionError(column: 0, "abs, sign, min and max must not act on the noise (\(noise.joined(separator: ", "))): f_γ must be smooth in it so that E f_γ and Σ are exact")
                }
            }
            // ∇ₓf_γ affine in γ: every ∂²gᵢ/∂γⱼ∂γₗ vanishes identically.
            var jac: [Int32] = []
            for gi in p.gradient {
                for (j, gj) in p.data.enumerated() {
                    let dij = try g.derivative(of: gi, seeds: [gj: try g.constant(1)])
                    for gl in p.data[j...] where try g.derivative(of: dij, seeds: [gl: try g.constant(1)]) != zero {
                        throw ExpressionError(column: 0, "the gradient must be affine in the noise (∂²∇f/∂\(noise[j])∂… ≠ 0), so that Σ(x) is exact; write f_γ at most quadratic in \(noise.joined(separator: ", ")) with no products of noise terms that depend on x")
                    }
                    for xv in p.variables where try g.derivative(of: dij, seeds: [xv: try g.constant(1)]) != zero { constant = false }
                    jac.append(dij)
                }
            }
            // f_γ at most quadratic in γ: every third derivative in γ vanishes, so E f_γ = f₀ + ½ Σ ∂²f/∂γⱼ².
            var trace = zero
            for (j, gj) in p.data.enumerated() {
                let fj = try g.derivative(of: p.f, seeds: [gj: try g.constant(1)])
                for (k, gk) in p.data.enumerated() where k >= j {
                    let fjk = try g.derivative(of: fj, seeds: [gk: try g.constant(1)])
                    for gl in p.data[k...] where try g.derivative(of: fjk, seeds: [gl: try g.constant(1)]) != zero {
                        throw ExpressionError(column: 0, "f_γ must be at most quadratic in the noise (\(noise.joined(separator: ", "))), so that E f_γ is exact")
                    }
                    if k == j { trace = try g.binary(.add, trace, fjk) }
                }
            }
            let mean = try g.binary(.add, p.f, try g.binary(.mul, try g.constant(0.5), trace))
            let inputs = p.variables.count + p.data.count
            return [ExpressionTape(graph: g, outputs: [mean], inputCount: inputs), ExpressionTape(graph: g, outputs: jac, inputCount: inputs)]
        }
        noiseIsConstant = constant
        self.formula = formula
        self.name = name ?? "oracle: \(formula)"
    }

    public var dimension: Int { compiled.variables.count }
    public var hasExactHessian: Bool { true }
    public var hasLaneGradient: Bool { true }
    var noiseCount: Int { compiled.dataNames.count }

    /// `body` with inputs `[x…, γ…]`, `γ = 0` (and `extra` free values after).
    @inline(__always)
    func atZeroNoise<R>(_ x: [Double], extra: Int = 0, _ body: (UnsafeMutablePointer<Double>) -> R) -> R {
        let d = dimension, k = noiseCount
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: d + k + extra) { buf in
            let p = buf.baseAddress!
            for i in 0..<d { p[i] = x[i] }
            for j in 0..<(k + extra) { p[d + j] = 0 }
            return body(p)
        }
    }

    public func value(_ x: [Double]) -> Double {
        atZeroNoise(x) { p in var out = 0.0; mean.evaluate(p, into: &out); return out }
    }

    public func gradient(_ x: [Double], into g: inout [Double]) {
        atZeroNoise(x) { p in g.withUnsafeMutableBufferPointer { compiled.gradient.evaluate(p, into: $0.baseAddress!) } }
    }

    public func hessianVectorProduct(_ x: [Double], _ v: [Double], into hv: inout [Double]) {
        let d = dimension, k = noiseCount
        atZeroNoise(x, extra: d) { p in
            for i in 0..<d { p[d + k + i] = v[i] }
            hv.withUnsafeMutableBufferPointer { compiled.hessianVector.evaluate(p, into: $0.baseAddress!) }
        }
    }

    public func gradient(lanes x: UnsafePointer<Lanes>, into g: UnsafeMutablePointer<Lanes>) {
        let d = dimension, k = noiseCount
        withUnsafeTemporaryAllocation(of: Lanes.self, capacity: d + k) { buf in
            for i in 0..<d { buf[i] = x[i] }
            for j in 0..<k { buf[d + j] = Lanes(repeating: 0) }
            compiled.gradient.evaluate(lanes: buf.baseAddress!, into: g)
        }
    }

    public func stochasticGradient(_ x: [Double], rng: CounterRNG, path: Int, step: Int, draw: Int, into g: inout [Double]) {
        let d = dimension, k = noiseCount
        withUnsafeTemporaryAllocation(of: Double.self, capacity: d + k) { buf in
            let p = buf.baseAddress!
            for i in 0..<d { p[i] = x[i] }
            // γ: components draw·k … draw·k + k − 1, two per Philox block (as NoisyQuadratic draws them).
            var j = 0
            while j < k {
                let c = draw * k + j
                if c & 1 == 0 && j + 1 < k {
                    let (a, b) = rng.gaussianPair(path: path, step: step, block: c >> 1)
                    p[d + j] = a; p[d + j + 1] = b
                    j += 2
                } else {
                    p[d + j] = rng.gaussian(path: path, step: step, component: c)
                    j += 1
                }
            }
            g.withUnsafeMutableBufferPointer { compiled.gradient.evaluate(p, into: $0.baseAddress!) }
        }
    }

    /// Lanes take their `k ≤ d` draws from the first `k` of the `d` normals the caller supplies.
    public var hasLaneOracle: Bool { noiseCount <= dimension }

    public func stochasticGradient(lanes x: UnsafePointer<Lanes>, normals: UnsafePointer<Lanes>, into g: UnsafeMutablePointer<Lanes>) {
        let d = dimension, k = noiseCount
        withUnsafeTemporaryAllocation(of: Lanes.self, capacity: d + k) { buf in
            for i in 0..<d { buf[i] = x[i] }
            for j in 0..<k { buf[d + j] = normals[j] }
            compiled.gradient.evaluate(lanes: buf.baseAddress!, into: g)
        }
    }

    /// `Σ(x) = J Jᵀ` with `J = ∂(∇ₓf_γ)/∂γ` (exact: the gradient is affine in γ).
    public func noiseCovariance(_ x: [Double]) -> Matrix {
        let d = dimension, k = noiseCount
        var j = [Double](repeating: 0, count: d * k)
        atZeroNoise(x) { p in j.withUnsafeMutableBufferPointer { jacobian.evaluate(p, into: $0.baseAddress!) } }
        var m = Matrix(rows: d, columns: d)
        for a in 0..<d {
            for b in a..<d {
                var s = 0.0
                for l in 0..<k { s += j[a * k + l] * j[b * k + l] }
                m[a, b] = s; m[b, a] = s
            }
        }
        return m
    }
}
