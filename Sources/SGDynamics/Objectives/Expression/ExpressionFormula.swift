import Foundation

/// A formula compiled for its value, its gradient and its Hessian-vector product with respect to
/// some of its names (the variables), with further per-evaluation inputs (data columns) after them.
///
/// Inputs are laid out `[variables…, data…]` for the value and gradient tapes and
/// `[variables…, data…, direction…]` for the Hessian-vector tape. All three are symbolic
/// derivatives of the one parsed graph, so they are exact and share their subexpressions.
struct ExpressionFormula: Sendable {
    let value: ExpressionTape
    let gradient: ExpressionTape
    let hessianVector: ExpressionTape
    let variables: [String]
    let dataNames: [String]
    /// Further tapes built by the caller's `analysis` from the same graph.
    let extra: [ExpressionTape]

    /// What an analysis sees: the graph, the formula's node, its gradient nodes, and the input
    /// nodes of the variables and of the data.
    struct Parts {
        var f: Int32
        var gradient: [Int32]
        var variables: [Int32]
        var data: [Int32]
    }

    /// Names that are constants unless a variable or parameter takes them.
    static let constants: [String: Double] = ["pi": Double.pi, "e": M_E]
    static let maximumVariables = 1_000

    /// Compile `text`. `variables` fixes the order of the variables (nil: every name that is not a
    /// parameter, a constant or data, in natural order: `x` before `y`, `w2` before `w10`).
    /// `dataName` maps a name to the index of a data input, when the name is data.
    init(_ text: String, variables given: [String]?, parameters: [String: Double], everyVariableUsed: Bool = true,
         dataNames: [String] = [], dataIndex: (String) -> Int? = { _ in nil },
         dataKind: String = "data column",
         analysis: ((inout ExpressionGraph, Parts) throws -> [ExpressionTape])? = nil) throws {
        var parser = try ExpressionParser(text)
        let used = Set(parser.valueNames.map(\.name))
        for name in parameters.keys.sorted() {
            guard used.contains(name) else {
                throw ExpressionError(column: 0, "parameter '\(name)' does not appear in the formula", setting: "parameters")
            }
            guard dataIndex(name) == nil else {
                throw ExpressionError(column: 0, "'\(name)' is both a parameter and a \(dataKind)", setting: "parameters")
            }
        }
        for (name, v) in parameters.sorted(by: { $0.key < $1.key }) {
            guard Self.isName(name) else { throw ExpressionError(column: 0, "parameter '\(name)' is not a name (letters, digits and _, not starting with a digit)", setting: "parameters") }
            guard v.isFinite else { throw ExpressionError(column: 0, "parameter \(name) = \(v) is not finite", setting: "parameters") }
        }
        let vars: [String]
        if let given {
            var seen = Set<String>()
            for v in given {
                guard Self.isName(v) else { throw ExpressionError(column: 0, "variable '\(v)' is not a name (letters, digits and _, not starting with a digit)", setting: "variables") }
                guard ExpressionOp.functions[v] == nil else { throw ExpressionError(column: 0, "variable '\(v)' is the name of a function", setting: "variables") }
                guard parameters[v] == nil else { throw ExpressionError(column: 0, "'\(v)' is both a variable and a parameter", setting: "variables") }
                guard dataIndex(v) == nil else { throw ExpressionError(column: 0, "'\(v)' is both a variable and a \(dataKind)", setting: "variables") }
                guard seen.insert(v).inserted else { throw ExpressionError(column: 0, "variable '\(v)' is listed twice", setting: "variables") }
            }
            for v in given where everyVariableUsed && !used.contains(v) {
                throw ExpressionError(column: 0, "variable '\(v)' does not appear in the formula (its names: \(parser.valueNames.map(\.name).joined(separator: ", ")))", setting: "variables")
            }
            vars = given
        } else {
            vars = parser.valueNames.map(\.name)
                .filter { parameters[$0] == nil && Self.constants[$0] == nil && dataIndex($0) == nil }
                .sorted { $0.compare($1, options: .numeric) == .orderedAscending }
        }
        guard !vars.isEmpty else {
            throw ExpressionError(column: 0, given != nil ? "give at least one variable" : "the formula has no variables to optimize", setting: given != nil ? "variables" : nil)
        }
        // Each gradient component and each Hessian-vector component is a sweep over the graph: bound
        // variables × operations before differentiating, so a huge formula is refused at once.
        let work = Double(vars.count) * Double(parser.tokens.count)
        guard work <= 4e6 else {
            throw ExpressionError(column: 0, "the formula has \(vars.count) variables and \(parser.tokens.count) symbols; differentiating it needs variables × symbols ≤ 4·10⁶ (write it with fewer variables or terms)")
        }
        guard vars.count <= Self.maximumVariables else {
            throw ExpressionError(column: 0, "the formula has \(vars.count) variables; at most \(Self.maximumVariables) are supported")
        }
        let d = vars.count, m = dataNames.count
        var g = ExpressionGraph()
        do {
            var inputOf: [String: Int32] = [:]
            for (i, v) in vars.enumerated() { inputOf[v] = try g.input(i) }
            let f = try parser.parse(into: &g) { name, column, g in
                if let i = inputOf[name] { return i }
                if let j = dataIndex(name) { return try g.input(d + j) }
                if let p = parameters[name] { return try g.constant(p) }
                if let c = Self.constants[name] { return try g.constant(c) }
                let known = vars.joined(separator: ", ")
                    + (parameters.isEmpty ? "" : "; parameters: \(parameters.keys.sorted().joined(separator: ", "))")
                    + (dataNames.isEmpty ? "" : "; data: \(dataNames.joined(separator: ", "))")
                let hint = ExpressionParser.closest(to: name, in: vars + Array(parameters.keys) + dataNames).map { " (did you mean '\($0)'?)" } ?? ""
                throw ExpressionError(column: column, "unknown name '\(name)'\(hint); variables: \(known)")
            }
            var grad: [Int32] = []
            for i in 0..<d { grad.append(try g.derivative(of: f, seeds: [try g.input(i): try g.constant(1)])) }
            var seeds: [Int32: Int32] = [:]
            for i in 0..<d { seeds[try g.input(i)] = try g.input(d + m + i) }
            var hv: [Int32] = []
            for i in 0..<d { hv.append(try g.derivative(of: grad[i], seeds: seeds)) }
            value = ExpressionTape(graph: g, outputs: [f], inputCount: d + m)
            gradient = ExpressionTape(graph: g, outputs: grad, inputCount: d + m)
            hessianVector = ExpressionTape(graph: g, outputs: hv, inputCount: 2 * d + m)
            let parts = Parts(f: f, gradient: grad, variables: try (0..<d).map { try g.input($0) },
                              data: try (0..<m).map { try g.input(d + $0) })
            extra = try analysis?(&g, parts) ?? []
        } catch is ExpressionGraph.NonFinite {
            throw ExpressionError(column: 0, "a derivative of the formula has a constant that is infinite or not a number; an objective must be finite and differentiable")
        } catch is ExpressionGraph.TooLarge {
            throw ExpressionError(column: 0, "the formula and its derivatives need more than \(ExpressionGraph.maximumNodes) operations; write it with fewer variables or terms")
        }
        variables = vars
        self.dataNames = dataNames
    }

    static func isName(_ s: String) -> Bool {
        guard let f = s.unicodeScalars.first, f == "_" || ("a"..."z").contains(f) || ("A"..."Z").contains(f) else { return false }
        return s.unicodeScalars.allSatisfy { $0 == "_" || ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) }
    }
}
