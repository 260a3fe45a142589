import Foundation

/// Reads a formula into an ``ExpressionGraph``.
///
/// Grammar (usual precedence; `^` binds tighter than unary minus and is right-associative, so
/// `-x^2 = -(x²)` and `2^3^2 = 2⁹`):
///
///     sum     := product (('+' | '-') product)*
///     product := unary (('*' | '/') unary)*
///     unary   := ('-' | '+') unary | power
///     power   := atom (('^' | '**') unary)?
///     atom    := number | name | name '(' sum (',' sum)* ')' | '(' sum ')'
///
/// Numbers in decimal or scientific notation (`2`, `0.5`, `.5`, `1e-3`, `2.5E+4`); the constants
/// `pi` and `e`; the functions of ``ExpressionOp/functions``.
struct ExpressionParser {
    enum Token: Equatable {
        case number(Double)
        case name(String)
        case symbol(String)
        case end
    }

    struct Located { var token: Token; var column: Int }

    /// Longest formula accepted, and deepest nesting of parentheses and operators.
    static let maximumLength = 100_000
    static let maximumDepth = 400

    let tokens: [Located]
    private var position = 0
    private var depth = 0

    init(_ text: String) throws {
        tokens = try Self.tokenize(text)
        if tokens.count == 1 { throw ExpressionError(column: 1, "the formula is empty") }
    }

    /// The names used as values (not called as functions), in order of first use.
    var valueNames: [(name: String, column: Int)] {
        var seen = Set<String>(), out: [(String, Int)] = []
        for (i, t) in tokens.enumerated() {
            guard case let .name(n) = t.token else { continue }
            if i + 1 < tokens.count, tokens[i + 1].token == .symbol("(") { continue }
            if seen.insert(n).inserted { out.append((n, t.column)) }
        }
        return out
    }

    static func tokenize(_ text: String) throws -> [Located] {
        let s = Array(text.unicodeScalars)
        guard s.count <= maximumLength else {
            throw ExpressionError(column: 0, "the formula is \(s.count) characters long; at most \(maximumLength) are accepted")
        }
        var out: [Located] = []
        var i = 0
        func isDigit(_ c: Unicode.Scalar) -> Bool { c >= "0" && c <= "9" }
        func isNameStart(_ c: Unicode.Scalar) -> Bool { (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c == "_" }
        while i < s.count {
            let c = s[i]
            let column = i + 1
            if c == " " || c == "\t" || c == "\n" || c == "\r" { i += 1; continue }
            if isDigit(c) || (c == "." && i + 1 < s.count && isDigit(s[i + 1])) {
                var j = i
                while j < s.count, isDigit(s[j]) { j += 1 }
                if j < s.count, s[j] == "." { j += 1; while j < s.count, isDigit(s[j]) { j += 1 } }
                if j < s.count, s[j] == "e" || s[j] == "E" {
                    var k = j + 1
                    if k < s.count, s[k] == "+" || s[k] == "-" { k += 1 }
                    guard k < s.count, isDigit(s[k]) else {
                        throw ExpressionError(column: k + 1, "the exponent of a number needs digits, as in 1e-3")
                    }
                    while k < s.count, isDigit(s[k]) { k += 1 }
                    j = k
                }
                let literal = String(String.UnicodeScalarView(s[i..<j]))
                guard let v = Double(literal), v.isFinite else {
                    throw ExpressionError(column: column, "the number \(literal) is out of the range of a double")
                }
                if j < s.count, s[j] == "." {
                    throw ExpressionError(column: j + 1, "a number has at most one decimal point")
                }
                if j < s.count, isNameStart(s[j]) || isDigit(s[j]) {
                    throw ExpressionError(column: j + 1, "expected an operator after the number \(literal) (write \(literal)*\(Character(s[j])) for a product)")
                }
                out.append(Located(token: .number(v), column: column))
                i = j
                continue
            }
            if isNameStart(c) {
                var j = i
                while j < s.count, isNameStart(s[j]) || isDigit(s[j]) { j += 1 }
                out.append(Located(token: .name(String(String.UnicodeScalarView(s[i..<j]))), column: column))
                i = j
                continue
            }
            if c == "*", i + 1 < s.count, s[i + 1] == "*" {
                out.append(Located(token: .symbol("^"), column: column)); i += 2; continue
            }
            if "+-*/^(),".unicodeScalars.contains(c) {
                out.append(Located(token: .symbol(String(Character(c))), column: column)); i += 1; continue
            }
            throw ExpressionError(column: column, "unexpected character \(Self.quoted(c)); a formula uses numbers, names, + - * / ^ and parentheses")
        }
        out.append(Located(token: .end, column: s.count + 1))
        return out
    }

    static func quoted(_ c: Unicode.Scalar) -> String {
        c.value < 0x20 || c.value == 0x7f || (c.value >= 0x80 && c.value < 0xa0)
            ? "U+\(String(c.value, radix: 16, uppercase: true))" : "'\(Character(c))'"
    }

    // MARK: Parsing

    /// Parse the whole formula; `resolve` gives the node of a name used as a value (nil: unknown).
    mutating func parse(into g: inout ExpressionGraph, resolve: (String, Int, inout ExpressionGraph) throws -> Int32) throws -> Int32 {
        if tokens.count == 1 { throw ExpressionError(column: 1, "the formula is empty") }
        let r = try sum(&g, resolve)
        let t = tokens[position]
        guard t.token == .end else {
            if t.token == .symbol(")") { throw ExpressionError(column: t.column, "unmatched ')'") }
            throw ExpressionError(column: t.column, "expected an operator before \(Self.describe(t.token))")
        }
        return r
    }

    private static func describe(_ t: Token) -> String {
        switch t {
        case let .number(v): return "the number \(v)"
        case let .name(n): return "'\(n)'"
        case let .symbol(s): return "'\(s)'"
        case .end: return "the end of the formula"
        }
    }

    private var current: Located { tokens[position] }

    private mutating func enter() throws {
        depth += 1
        guard depth <= Self.maximumDepth else {
            throw ExpressionError(column: current.column, "the formula nests deeper than \(Self.maximumDepth / 2) levels of parentheses or signs")
        }
    }

    private mutating func sum(_ g: inout ExpressionGraph, _ resolve: (String, Int, inout ExpressionGraph) throws -> Int32) throws -> Int32 {
        try enter(); defer { depth -= 1 }
        var a = try product(&g, resolve)
        while case let .symbol(s) = current.token, s == "+" || s == "-" {
            position += 1
            let column = tokens[position - 1].column
            let b = try product(&g, resolve)
            a = try Self.finite(column) { try g.binary(s == "+" ? .add : .sub, a, b) }
        }
        return a
    }

    private mutating func product(_ g: inout ExpressionGraph, _ resolve: (String, Int, inout ExpressionGraph) throws -> Int32) throws -> Int32 {
        var a = try unary(&g, resolve)
        while case let .symbol(s) = current.token, s == "*" || s == "/" {
            position += 1
            let column = tokens[position - 1].column
            let b = try unary(&g, resolve)
            a = try Self.finite(column) { try g.binary(s == "*" ? .mul : .div, a, b) }
        }
        return a
    }

    private mutating func unary(_ g: inout ExpressionGraph, _ resolve: (String, Int, inout ExpressionGraph) throws -> Int32) throws -> Int32 {
        try enter(); defer { depth -= 1 }
        if case let .symbol(s) = current.token, s == "-" || s == "+" {
            position += 1
            let a = try unary(&g, resolve)
            return s == "-" ? try g.unary(.neg, a) : a   // −c of a finite c is finite
        }
        let base = try atom(&g, resolve)
        if current.token == .symbol("^") {
            let column = current.column
            position += 1
            let e = try unary(&g, resolve)
            return try Self.finite(column) { try g.binary(.pow, base, e) }
        }
        return base
    }

    private mutating func atom(_ g: inout ExpressionGraph, _ resolve: (String, Int, inout ExpressionGraph) throws -> Int32) throws -> Int32 {
        let t = current
        switch t.token {
        case let .number(v):
            position += 1
            return try g.constant(v)
        case .symbol("("):
            position += 1
            let a = try sum(&g, resolve)
            guard current.token == .symbol(")") else {
                throw ExpressionError(column: current.column, "expected ')' to close the '(' at column \(t.column)")
            }
            position += 1
            return a
        case let .name(n):
            position += 1
            if current.token == .symbol("(") { return try call(n, at: t.column, &g, resolve) }
            if ExpressionOp.functions[n] != nil {
                throw ExpressionError(column: t.column, "'\(n)' is a function; call it with parentheses, as in \(n)(x)")
            }
            return try resolve(n, t.column, &g)
        case .end:
            throw ExpressionError(column: t.column, "the formula ends where a number, a name or '(' was expected")
        case let .symbol(s):
            throw ExpressionError(column: t.column, "expected a number, a name or '(' but found '\(s)'")
        }
    }

    private mutating func call(_ name: String, at column: Int, _ g: inout ExpressionGraph,
                               _ resolve: (String, Int, inout ExpressionGraph) throws -> Int32) throws -> Int32 {
        guard let f = ExpressionOp.functions[name] else {
            let hint = Self.closest(to: name, in: Array(ExpressionOp.functions.keys)).map { " (did you mean '\($0)'?)" }
                ?? "; functions: \(ExpressionOp.functions.keys.sorted().joined(separator: ", "))"
            throw ExpressionError(column: column, "unknown function '\(name)'\(hint)")
        }
        position += 1  // '('
        var args: [Int32] = []
        while true {
            args.append(try sum(&g, resolve))
            if current.token == .symbol(",") { position += 1; continue }
            guard current.token == .symbol(")") else {
                throw ExpressionError(column: current.column, "expected ',' or ')' in the arguments of \(name)")
            }
            position += 1
            break
        }
        guard args.count == f.arity else {
            throw ExpressionError(column: column, "\(name) takes \(f.arity) argument\(f.arity == 1 ? "" : "s"), got \(args.count)")
        }
        return try Self.finite(column) { f.arity == 1 ? try g.unary(f.op, args[0]) : try g.binary(f.op, args[0], args[1]) }
    }

    /// `body`, with a constant that folds to ±∞ or NaN reported at `column`.
    static func finite(_ column: Int, _ body: () throws -> Int32) throws -> Int32 {
        do { return try body() } catch is ExpressionGraph.NonFinite {
            throw ExpressionError(column: column, "this part evaluates to a constant that is infinite or not a number (as 0^-1, log(-1) or 10^400 do); an objective must be finite")
        }
    }

    /// The candidate nearest to `name` by edit distance, when it is close (at most 2 edits).
    static func closest(to name: String, in candidates: [String]) -> String? {
        func distance(_ a: [Character], _ b: [Character]) -> Int {
            var prev = Array(0...b.count), cur = prev
            for i in 1...max(a.count, 1) where !a.isEmpty {
                cur[0] = i
                for j in 1...max(b.count, 1) where !b.isEmpty {
                    cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                }
                swap(&prev, &cur)
            }
            return a.isEmpty ? b.count : prev[b.count]
        }
        let n = Array(name.lowercased())
        func prefix(_ c: String) -> Int { zip(n, c).prefix { $0 == $1 }.count }
        let scored = candidates.map { ($0, distance(n, Array($0)), prefix($0)) }.filter { $0.1 <= min(2, max(1, n.count / 2)) && $0.1 < n.count }
        // Nearest first; among equals, the longest common prefix, then alphabetical.
        return scored.min { ($0.1, -$0.2, $0.0) < ($1.1, -$1.2, $1.0) }?.0
    }
}
