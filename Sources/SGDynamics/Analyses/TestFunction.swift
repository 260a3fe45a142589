/// A test function `g: Rᵈ → R` for weak-error studies (docs/THEORY.md §5.1): the statistic `E g(x_k)` of the
/// algorithm is compared with `E g(X_{kη})` of its model.
///
/// Indices are 0-based in code and 1-based in ``name``: `.coordinate(0)` is `x₁`.
///
/// - `objective`: `g = f`, the objective itself (`name` "f").
/// - `coordinate(i)`: `g(x) = x_i` (first moment).
/// - `squaredNorm`: `g(x) = ‖x‖²`.
/// - `fourthPower(i)`: `g(x) = x_i⁴` (a `G³`-smooth test of the weak order-2 theorem).
public enum TestFunction: Sendable, Hashable, CustomStringConvertible {
    case objective
    case coordinate(Int)
    case squaredNorm
    case fourthPower(Int)

    /// "f", "x₁", "‖x‖²", "x₁⁴" (subscripts are 1-based).
    public var name: String {
        switch self {
        case .objective: return "f"
        case let .coordinate(i): return "x" + TestFunction.subscripted(i + 1)
        case .squaredNorm: return "‖x‖²"
        case let .fourthPower(i): return "x" + TestFunction.subscripted(i + 1) + "⁴"
        }
    }

    public var description: String { name }

    /// The closed form ensembles evaluate inline, when there is one: every test function but ``objective``,
    /// and ``objective`` when `f = ½ (x − c)ᵀH(x − c)` is given by `quadratic`.
    public func form(quadratic: (hessian: Matrix, center: [Double])? = nil) -> ObservableForm? {
        switch self {
        case .objective: return quadratic.map { .quadratic(hessian: $0.hessian, center: $0.center) }
        case let .coordinate(i): return .coordinate(i)
        case .squaredNorm: return .squaredNorm
        case let .fourthPower(i): return .fourthPower(i)
        }
    }

    /// `g(x)` for Monte Carlo estimates; `objective` supplies `f` for ``objective``.
    @inlinable
    public func evaluate<F: Objective>(_ x: [Double], objective: F) -> Double {
        switch self {
        case .objective:
            return objective.value(x)
        case let .coordinate(i):
            precondition(i >= 0 && i < x.count, "TestFunction: coordinate \(i) out of range 0..<\(x.count)")
            return x[i]
        case .squaredNorm:
            var s = 0.0
            for v in x { s += v * v }
            return s
        case let .fourthPower(i):
            precondition(i >= 0 && i < x.count, "TestFunction: coordinate \(i) out of range 0..<\(x.count)")
            let v = x[i] * x[i]
            return v * v
        }
    }

    /// `E g(X)` for a Gaussian `X ~ N(m, S)`, in closed form:
    ///
    ///     f = ½ xᵀHx:  ½ tr(H (S + m mᵀ))
    ///     x_i:        m_i
    ///     ‖x‖²:       tr S + ‖m‖²
    ///     x_i⁴:       m_i⁴ + 6 m_i² S_ii + 3 S_ii²
    ///
    /// `quadraticHessian` is the `H` of `f = ½ xᵀHx`; it is needed (only) for ``objective``.
    /// Only `objective`, `coordinate` and `squaredNorm` are exact without Gaussianity (they use two
    /// moments).
    public func gaussianExpectation(mean m: [Double], covariance s: Matrix, quadraticHessian h: Matrix? = nil)
        -> Double
    {
        precondition(s.rows == m.count && s.columns == m.count, "TestFunction: covariance must be d × d")
        switch self {
        case .objective:
            guard let h else { preconditionFailure("TestFunction.objective needs the Hessian of f = ½ xᵀHx") }
            precondition(h.rows == m.count && h.columns == m.count, "TestFunction: Hessian must be d × d")
            let d = m.count
            var total = 0.0
            for i in 0..<d { for j in 0..<d { total += h[i, j] * (s[j, i] + m[j] * m[i]) } }
            return 0.5 * total
        case let .coordinate(i):
            precondition(i >= 0 && i < m.count, "TestFunction: coordinate \(i) out of range 0..<\(m.count)")
            return m[i]
        case .squaredNorm:
            var total = s.trace
            for v in m { total += v * v }
            return total
        case let .fourthPower(i):
            precondition(i >= 0 && i < m.count, "TestFunction: coordinate \(i) out of range 0..<\(m.count)")
            let mu2 = m[i] * m[i], v = s[i, i]
            return mu2 * mu2 + 6 * mu2 * v + 3 * v * v
        }
    }

    static func subscripted(_ n: Int) -> String {
        let digits: [Character] = ["₀", "₁", "₂", "₃", "₄", "₅", "₆", "₇", "₈", "₉"]
        return String(String(n).map { $0.isNumber ? digits[Int(String($0))!] : $0 })
    }
}
