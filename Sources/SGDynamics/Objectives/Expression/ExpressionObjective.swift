/// An objective written as a formula, e.g. `(x^2 - 1)^2 + 0.5*y^2`.
///
/// The formula is parsed and differentiated once: value, gradient and Hessian-vector product come
/// from compiled tapes of the symbolic derivatives (exact, not finite differences), and the lane
/// gradient evaluates four points at once, bitwise equal lane by lane to the scalar one.
///
///     let f = try ExpressionObjective("(x^2 - 1)^2 + a*y^2", parameters: ["a": 0.5])
///     f.variables   // ["x", "y"]
///
/// Variables are the names that are not parameters, constants (`pi`, `e`) or functions, in
/// natural order (`x` before `y`, `w2` before `w10`) unless `variables` gives the order. The
/// grammar is that of docs/THEORY.md §11.1 (`+ - * / ^`, unary minus, parentheses,
/// `exp expm1 log log1p sqrt sin cos tan atan sinh cosh tanh sigmoid softplus abs sign min max pow`).
public struct ExpressionObjective: Objective {
    /// The formula as written.
    public let formula: String
    /// The variables, in the order of the parameter vector.
    public var variables: [String] { compiled.variables }
    public let parameters: [String: Double]
    public var name: String
    let compiled: ExpressionFormula

    /// Throws an ``ExpressionError`` that names the column of a malformed formula.
    /// `everyVariableUsed: false` accepts listed variables that the formula does not use (a
    /// component of a drift that depends on x only, a constant diffusion).
    public init(_ formula: String, variables: [String]? = nil, parameters: [String: Double] = [:],
                name: String? = nil, everyVariableUsed: Bool = true) throws {
        self.formula = formula
        self.parameters = parameters
        compiled = try ExpressionFormula(formula, variables: variables, parameters: parameters, everyVariableUsed: everyVariableUsed)
        self.name = name ?? "expr: \(formula)"
    }

    public var dimension: Int { compiled.variables.count }
    public var hasExactHessian: Bool { true }
    public var hasLaneGradient: Bool { true }

    public func value(_ x: [Double]) -> Double {
        var out = 0.0
        x.withUnsafeBufferPointer { compiled.value.evaluate($0.baseAddress!, into: &out) }
        return out
    }

    public func gradient(_ x: [Double], into g: inout [Double]) {
        x.withUnsafeBufferPointer { xp in
            g.withUnsafeMutableBufferPointer { compiled.gradient.evaluate(xp.baseAddress!, into: $0.baseAddress!) }
        }
    }

    public func hessianVectorProduct(_ x: [Double], _ v: [Double], into hv: inout [Double]) {
        let d = dimension
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * d) { input in
            for i in 0..<d { input[i] = x[i]; input[d + i] = v[i] }
            hv.withUnsafeMutableBufferPointer { compiled.hessianVector.evaluate(input.baseAddress!, into: $0.baseAddress!) }
        }
    }

    public func gradient(lanes x: UnsafePointer<Lanes>, into g: UnsafeMutablePointer<Lanes>) {
        compiled.gradient.evaluate(lanes: x, into: g)
    }
}
