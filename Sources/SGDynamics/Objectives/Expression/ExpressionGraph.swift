import Foundation

/// The operations of a compiled formula. Unary functions act on operand `a`; binary ones on `a`, `b`.
public enum ExpressionOp: UInt8, Sendable, Hashable {
    case constant, input
    case neg, add, sub, mul, div, pow, powi
    case exp, expm1, log, log1p, sqrt, sin, cos, tan, atan, sinh, cosh, tanh, sigmoid, softplus
    case abs, sign, step, min, max

    /// The functions a formula may call, with their number of arguments.
    static let functions: [String: (op: ExpressionOp, arity: Int)] = [
        "exp": (.exp, 1), "expm1": (.expm1, 1), "log": (.log, 1), "ln": (.log, 1), "log1p": (.log1p, 1),
        "sqrt": (.sqrt, 1), "sin": (.sin, 1), "cos": (.cos, 1), "tan": (.tan, 1), "atan": (.atan, 1),
        "sinh": (.sinh, 1), "cosh": (.cosh, 1), "tanh": (.tanh, 1), "sigmoid": (.sigmoid, 1),
        "softplus": (.softplus, 1), "abs": (.abs, 1), "sign": (.sign, 1), "min": (.min, 2), "max": (.max, 2),
        "pow": (.pow, 2),
    ]
}

/// A formula as a hash-consed graph: every distinct subexpression is stored once, children before
/// parents, so node indices are a topological order and common subexpressions of a formula and its
/// derivatives are shared. Construction simplifies as it goes (constant folding, `0·u = 0`,
/// `1·u = u`, `u + 0 = u`, integer powers as repeated products).
///
/// Derivatives are symbolic (``derivative(of:seeds:)``): exact, not finite differences. The
/// simplification `0·u = 0` also drops `u` when it is infinite or NaN, so a derivative is the
/// analytic one wherever the formula is finite.
struct ExpressionGraph {
    struct Node: Hashable {
        var op: ExpressionOp
        var a: Int32 = -1
        var b: Int32 = -1
        /// The value of a constant (as bits), the index of an input, or the exponent of `powi`.
        var k: UInt64 = 0
        var constant: Double { Double(bitPattern: k) }
    }

    private(set) var nodes: [Node] = []
    private var index: [Node: Int32] = [:]
    /// Upper bound on nodes (formula plus derivatives): refuses formulas whose derivatives explode.
    static let maximumNodes = 200_000

    struct TooLarge: Error {}
    /// A constant (as written, or folded from constants) that is ±∞ or NaN.
    struct NonFinite: Error {}

    func node(_ i: Int32) -> Node { nodes[Int(i)] }

    mutating func intern(_ n: Node) throws -> Int32 {
        if let i = index[n] { return i }
        guard nodes.count < Self.maximumNodes else { throw TooLarge() }
        let i = Int32(nodes.count)
        nodes.append(n)
        index[n] = i
        return i
    }

    mutating func constant(_ v: Double) throws -> Int32 {
        guard v.isFinite else { throw NonFinite() }
        // +0 and −0 are one node (they differ in no finite result the graph produces).
        return try intern(Node(op: .constant, k: (v == 0 ? 0.0 : v).bitPattern))
    }

    mutating func input(_ i: Int) throws -> Int32 { try intern(Node(op: .input, k: UInt64(i))) }

    func constantValue(_ i: Int32) -> Double? {
        let n = node(i)
        return n.op == .constant ? n.constant : nil
    }

    // MARK: Building, with simplification

    /// `(c, u)` when node `i` is the product `c·u` of a constant and another node.
    func constantFactor(_ i: Int32) -> (Double, Int32)? {
        let n = node(i)
        guard n.op == .mul else { return nil }
        if let c = constantValue(n.a) { return (c, n.b) }
        if let c = constantValue(n.b) { return (c, n.a) }
        return nil
    }

    mutating func unary(_ op: ExpressionOp, _ a: Int32) throws -> Int32 {
        if let c = constantValue(a) { return try constant(Self.apply(op, c, 0, 0)) }
        if op == .neg, node(a).op == .neg { return node(a).a }
        return try intern(Node(op: op, a: a))
    }

    mutating func binary(_ op: ExpressionOp, _ a: Int32, _ b: Int32) throws -> Int32 {
        let ca = constantValue(a), cb = constantValue(b)
        if let ca, let cb { return try constant(Self.apply(op, ca, cb, 0)) }
        switch op {
        case .add:
            if ca == 0 { return b }
            if cb == 0 { return a }
            if node(b).op == .neg { return try binary(.sub, a, node(b).a) }
            if node(a).op == .neg { return try binary(.sub, b, node(a).a) }
        case .sub:
            if cb == 0 { return a }
            if ca == 0 { return try unary(.neg, b) }
            if a == b { return try constant(0) }
            if node(b).op == .neg { return try binary(.add, a, node(b).a) }
        case .mul:
            if ca == 0 || cb == 0 { return try constant(0) }
            if ca == 1 { return b }
            if cb == 1 { return a }
            if ca == -1 { return try unary(.neg, b) }
            if cb == -1 { return try unary(.neg, a) }
            if node(a).op == .neg, node(b).op == .neg { return try binary(.mul, node(a).a, node(b).a) }
            // c₁·(c₂·u) = (c₁c₂)·u: derivatives make such chains (2·(½·u)); exact for powers of two.
            if let ca, let (c2, u) = constantFactor(b) { return try binary(.mul, try constant(ca * c2), u) }
            if let cb, let (c2, u) = constantFactor(a) { return try binary(.mul, try constant(cb * c2), u) }
        case .div:
            if ca == 0 { return try constant(0) }
            if cb == 1 { return a }
            if cb == -1 { return try unary(.neg, a) }
        case .pow:
            if let cb, cb == cb.rounded(), Swift.abs(cb) <= 64 { return try powi(a, Int(cb)) }
        default: break
        }
        // Commutative operations keep one operand order, so `x*y` and `y*x` are one node.
        if op == .add || op == .mul || op == .min || op == .max, a > b { return try intern(Node(op: op, a: b, b: a)) }
        return try intern(Node(op: op, a: a, b: b))
    }

    /// `u^n` for an integer `n`, evaluated by repeated squaring (exact for small `n` where `pow` may round).
    mutating func powi(_ a: Int32, _ n: Int) throws -> Int32 {
        if let c = constantValue(a) { return try constant(Self.integerPower(c, n)) }
        if n == 0 { return try constant(1) }
        if n == 1 { return a }
        return try intern(Node(op: .powi, a: a, k: UInt64(bitPattern: Int64(n))))
    }

    // MARK: Derivatives

    /// The derivative of node `f` along the tangent that gives each input node in `seeds` the node
    /// of its tangent (for a partial derivative ∂/∂xₖ, `[xₖ: 1]`; for a directional derivative along
    /// `v`, `[xⱼ: vⱼ]`). Inputs not in `seeds` are constants.
    mutating func derivative(of f: Int32, seeds: [Int32: Int32]) throws -> Int32 {
        var memo: [Int32: Int32] = [:]
        let zero = try constant(0)
        // Nodes are in topological order, so one forward sweep over `0...f` differentiates each once.
        for i in 0...f {
            let n = node(i)
            let da = n.a >= 0 ? memo[n.a] ?? zero : zero
            let db = n.b >= 0 ? memo[n.b] ?? zero : zero
            if n.op != .input, n.op != .constant, da == zero, db == zero { continue }
            let d: Int32
            switch n.op {
            case .constant: continue
            case .input:
                guard let s = seeds[i] else { continue }
                d = s
            case .neg: d = try unary(.neg, da)
            case .add: d = try binary(.add, da, db)
            case .sub: d = try binary(.sub, da, db)
            case .mul: d = try binary(.add, try binary(.mul, da, n.b), try binary(.mul, n.a, db))
            case .div:
                // (a/b)' = a'/b − (a/b)·b'/b
                d = try binary(.sub, try binary(.div, da, n.b), try binary(.mul, i, try binary(.div, db, n.b)))
            case .powi:
                let e = Int(Int64(bitPattern: n.k))
                d = try binary(.mul, try binary(.mul, try constant(Double(e)), try powi(n.a, e - 1)), da)
            case .pow:
                // (a^b)' = a^b (b' log a + b a'/a)
                let t1 = try binary(.mul, db, try unary(.log, n.a))
                let t2 = try binary(.mul, n.b, try binary(.div, da, n.a))
                d = try binary(.mul, i, try binary(.add, t1, t2))
            case .exp: d = try binary(.mul, i, da)
            case .expm1: d = try binary(.mul, try unary(.exp, n.a), da)
            case .log: d = try binary(.div, da, n.a)
            case .log1p: d = try binary(.div, da, try binary(.add, try constant(1), n.a))
            case .sqrt: d = try binary(.div, da, try binary(.mul, try constant(2), i))
            case .sin: d = try binary(.mul, try unary(.cos, n.a), da)
            case .cos: d = try unary(.neg, try binary(.mul, try unary(.sin, n.a), da))
            case .tan: d = try binary(.mul, try binary(.add, try constant(1), try powi(i, 2)), da)
            case .atan: d = try binary(.div, da, try binary(.add, try constant(1), try powi(n.a, 2)))
            case .sinh: d = try binary(.mul, try unary(.cosh, n.a), da)
            case .cosh: d = try binary(.mul, try unary(.sinh, n.a), da)
            case .tanh: d = try binary(.mul, try binary(.sub, try constant(1), try powi(i, 2)), da)
            case .sigmoid: d = try binary(.mul, try binary(.mul, i, try binary(.sub, try constant(1), i)), da)
            case .softplus: d = try binary(.mul, try unary(.sigmoid, n.a), da)
            case .abs: d = try binary(.mul, try unary(.sign, n.a), da)
            case .sign, .step: continue
            case .min:
                // min(a,b)' = a' + step(a − b)(b' − a'): a' where a ≤ b, b' where a > b.
                let s = try unary(.step, try binary(.sub, n.a, n.b))
                d = try binary(.add, da, try binary(.mul, s, try binary(.sub, db, da)))
            case .max:
                let s = try unary(.step, try binary(.sub, n.b, n.a))
                d = try binary(.add, da, try binary(.mul, s, try binary(.sub, db, da)))
            }
            memo[i] = d
        }
        return memo[f] ?? zero
    }

    // MARK: Arithmetic shared by folding and evaluation

    static func integerPower(_ x: Double, _ n: Int) -> Double {
        var base = n < 0 ? 1 / x : x
        var e = n.magnitude
        var r = 1.0
        var first = true
        while e > 0 {
            if e & 1 == 1 { r = first ? base : r * base; first = false }
            e >>= 1
            if e > 0 { base *= base }
        }
        return r
    }

    static func sigmoid(_ x: Double) -> Double {
        x >= 0 ? 1 / (1 + Foundation.exp(-x)) : { let e = Foundation.exp(x); return e / (1 + e) }()
    }

    static func softplus(_ x: Double) -> Double {
        x > 0 ? x + Foundation.log1p(Foundation.exp(-x)) : Foundation.log1p(Foundation.exp(x))
    }

    static func apply(_ op: ExpressionOp, _ a: Double, _ b: Double, _ k: UInt64) -> Double {
        switch op {
        case .constant: return Double(bitPattern: k)
        case .input: return .nan
        case .neg: return -a
        case .add: return a + b
        case .sub: return a - b
        case .mul: return a * b
        case .div: return a / b
        case .pow: return Foundation.pow(a, b)
        case .powi: return integerPower(a, Int(Int64(bitPattern: k)))
        case .exp: return Foundation.exp(a)
        case .expm1: return Foundation.expm1(a)
        case .log: return Foundation.log(a)
        case .log1p: return Foundation.log1p(a)
        case .sqrt: return a.squareRoot()
        case .sin: return Foundation.sin(a)
        case .cos: return Foundation.cos(a)
        case .tan: return Foundation.tan(a)
        case .atan: return Foundation.atan(a)
        case .sinh: return Foundation.sinh(a)
        case .cosh: return Foundation.cosh(a)
        case .tanh: return Foundation.tanh(a)
        case .sigmoid: return sigmoid(a)
        case .softplus: return softplus(a)
        case .abs: return Swift.abs(a)
        case .sign: return a > 0 ? 1 : (a < 0 ? -1 : (a.isNaN ? .nan : 0))
        case .step: return a > 0 ? 1 : (a.isNaN ? .nan : 0)
        case .min: return a.isNaN || b.isNaN ? .nan : Swift.min(a, b)
        case .max: return a.isNaN || b.isNaN ? .nan : Swift.max(a, b)
        }
    }
}
