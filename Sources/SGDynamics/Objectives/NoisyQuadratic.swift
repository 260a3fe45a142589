/// The Li–Tai–E additive-noise quadratic (THEORY.md §2.3):
///
///     f_γ(x) = ½ (x − γ)ᵀ H (x − γ) − ½ tr H,   γ ~ N(0, I_d)
///     f(x) = ½ xᵀ H x,   ∇f_γ(x) = H (x − γ),   Σ(x) = H²  (constant)
public struct NoisyQuadratic: StochasticOracleObjective {
    public let base: Quadratic
    public var dimension: Int { base.dimension }
    public var name: String { "noisy-quadratic" }
    public var hasExactHessian: Bool { true }
    let hSquared: Matrix

    public init(hessian: Matrix) {
        base = Quadratic(hessian: hessian)
        hSquared = base.hessianMatrix * base.hessianMatrix
    }

    public func value(_ x: [Double]) -> Double { base.value(x) }
    public func gradient(_ x: [Double], into g: inout [Double]) { base.gradient(x, into: &g) }
    public func hessianVectorProduct(_ x: [Double], _ v: [Double], into hv: inout [Double]) {
        base.hessianVectorProduct(x, v, into: &hv)
    }

    public func stochasticGradient(_ x: [Double], rng: CounterRNG, path: Int, step: Int, draw: Int, into g: inout [Double]) {
        let d = dimension
        let h = base.hessianMatrix
        for i in 0..<d {
            var r = 0.0
            for j in 0..<d {
                r += h[i, j] * (x[j] - rng.gaussian(path: path, step: step, component: draw * d + j))
            }
            g[i] = r
        }
    }

    public func noiseCovariance(_ x: [Double]) -> Matrix { hSquared }
    public var noiseIsConstant: Bool { true }
}
