import Foundation

/// A finite sum `f(w) = (1/n) Σᵢ fᵢ(w)` whose sample loss is a formula over the variables `w` and
/// the columns of a data table, e.g. `0.5*(w*x_i - y_i)^2` over a CSV with columns `x` and `y`.
///
/// A name ending in `_i` is the value of the column before the suffix in row `i` (a column whose
/// full name ends in `_i` is taken as it is); every other name that is not a parameter, a constant
/// or a function is a variable. Per-sample values, gradients and Hessian-vector products are exact
/// (symbolic), so minibatch noise is the real sampling noise and `Σ(w)` is exact.
public struct ExpressionFiniteSum: SampleHessianObjective {
    public let formula: String
    public var name: String
    public var variables: [String] { compiled.variables }
    /// The data columns the formula reads, in input order.
    public var columns: [String] { compiled.dataNames }
    public let sampleCount: Int
    /// Row-major `n × m` values of ``columns``.
    let rows: [Double]
    let compiled: ExpressionFormula

    /// `table` gives the columns by name (all of equal length ≥ 1). Throws ``ExpressionError`` for a
    /// malformed formula and `ConfigurationError` (field `data`) for a column it names that the
    /// table lacks.
    public init(_ formula: String, columns table: [(name: String, values: [Double])], variables: [String]? = nil,
                parameters: [String: Double] = [:], name: String? = nil) throws {
        let n = table.first?.values.count ?? 0
        guard n >= 1, table.allSatisfy({ $0.values.count == n }) else {
            throw ConfigurationError(field: "data", "needs at least one row and columns of equal length")
        }
        let byName = Dictionary(table.map { ($0.name, $0.values) }, uniquingKeysWith: { a, _ in a })
        // The data names the formula uses, in order of first use.
        let used = try ExpressionParser(formula).valueNames.filter { $0.name.hasSuffix("_i") }
        var dataNames: [String] = [], columnValues: [[Double]] = []
        for (n, column) in used {
            let key = byName[n] != nil ? n : String(n.dropLast(2))
            guard let values = byName[key] else {
                let hint = ExpressionParser.closest(to: key, in: Array(byName.keys)).map { " (did you mean '\($0)_i'?)" } ?? ""
                throw ExpressionError(column: column, "'\(n)' names the data column '\(key)', which the data lacks\(hint); columns: \(table.map(\.name).joined(separator: ", "))")
            }
            dataNames.append(n)
            columnValues.append(values)
        }
        guard !dataNames.isEmpty else {
            throw ExpressionError(column: 0, "the sample formula reads no data column; write the columns of row i as name_i (columns: \(table.map(\.name).joined(separator: ", ")))")
        }
        let index = Dictionary(uniqueKeysWithValues: dataNames.enumerated().map { ($1, $0) })
        compiled = try ExpressionFormula(formula, variables: variables, parameters: parameters, dataNames: dataNames,
                                         dataIndex: { index[$0] })
        let m = dataNames.count
        var r = [Double](repeating: 0, count: n * m)
        for i in 0..<n { for j in 0..<m { r[i * m + j] = columnValues[j][i] } }
        rows = r
        sampleCount = n
        self.formula = formula
        self.name = name ?? "samples: \(formula)"
    }

    /// The sum over the rows of a data set (its feature columns and its target, by their header names).
    public init(_ formula: String, dataset: Dataset, variables: [String]? = nil, parameters: [String: Double] = [:],
                name: String? = nil) throws {
        var table: [(String, [Double])] = []
        for j in 0..<dataset.featureCount { table.append((dataset.featureNames[j], (0..<dataset.sampleCount).map { dataset.features[$0, j] })) }
        table.append((dataset.targetName, dataset.targets))
        try self.init(formula, columns: table, variables: variables, parameters: parameters, name: name)
    }

    public var dimension: Int { compiled.variables.count }
    public var hasExactHessian: Bool { true }
    var dataCount: Int { compiled.dataNames.count }

    /// Run `body` with an input buffer holding `x` followed by row `i` (and `extra` free values after).
    @inline(__always)
    func withInputs<R>(_ i: Int, _ x: [Double], extra: Int = 0, _ body: (UnsafeMutablePointer<Double>) -> R) -> R {
        let d = dimension, m = dataCount
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: d + m + extra) { buf in
            let p = buf.baseAddress!
            for k in 0..<d { p[k] = x[k] }
            rows.withUnsafeBufferPointer { r in for j in 0..<m { p[d + j] = r[i * m + j] } }
            return body(p)
        }
    }

    public func sampleValue(_ i: Int, _ x: [Double]) -> Double {
        withInputs(i, x) { p in var out = 0.0; compiled.value.evaluate(p, into: &out); return out }
    }

    public func addSampleGradient(_ i: Int, _ x: [Double], scale: Double, into g: inout [Double]) {
        let d = dimension
        withUnsafeTemporaryAllocation(of: Double.self, capacity: d) { out in
            withInputs(i, x) { compiled.gradient.evaluate($0, into: out.baseAddress!) }
            for k in 0..<d { g[k] += scale * out[k] }
        }
    }

    public func addSampleHessianVectorProduct(_ i: Int, _ x: [Double], _ v: [Double], scale: Double, into hv: inout [Double]) {
        let d = dimension, m = dataCount
        withUnsafeTemporaryAllocation(of: Double.self, capacity: d) { out in
            withInputs(i, x, extra: d) { p in
                for k in 0..<d { p[d + m + k] = v[k] }
                compiled.hessianVector.evaluate(p, into: out.baseAddress!)
            }
            for k in 0..<d { hv[k] += scale * out[k] }
        }
    }

    public func hessianVectorProduct(_ x: [Double], _ v: [Double], into hv: inout [Double]) {
        for k in 0..<hv.count { hv[k] = 0 }
        let w = 1 / Double(sampleCount)
        for i in 0..<sampleCount { addSampleHessianVectorProduct(i, x, v, scale: w, into: &hv) }
    }

    /// `Σ(x) = (1/n) Σᵢ ∇fᵢ∇fᵢᵀ − ∇f∇fᵀ` in one pass over the rows (per-sample gradients from the
    /// tape, no allocation beyond stack buffers), centred at the mean for accuracy.
    public func noiseCovariance(_ x: [Double], into m: inout Matrix) {
        let d = dimension, n = sampleCount
        var mean = [Double](repeating: 0, count: d)
        gradient(x, into: &mean)
        for k in 0..<(d * d) { m.storage[k] = 0 }
        withUnsafeTemporaryAllocation(of: Double.self, capacity: d) { gi in
            let g = gi.baseAddress!
            for i in 0..<n {
                withInputs(i, x) { compiled.gradient.evaluate($0, into: g) }
                for a in 0..<d { g[a] -= mean[a] }
                m.storage.withUnsafeMutableBufferPointer { s in
                    for a in 0..<d { let ga = g[a]; for b in a..<d { s[a * d + b] += ga * g[b] } }
                }
            }
        }
        let w = 1 / Double(n)
        for a in 0..<d { for b in a..<d { let v = m.storage[a * d + b] * w; m.storage[a * d + b] = v; m.storage[b * d + a] = v } }
    }

    public var hasLaneGradient: Bool { true }

    /// The full gradient at four points: every row's gradient tape in lanes, averaged in row order
    /// (the same order and operations as the scalar ``gradient(_:into:)``, so bitwise equal to it).
    public func gradient(lanes x: UnsafePointer<Lanes>, into g: UnsafeMutablePointer<Lanes>) {
        let d = dimension, m = dataCount, tape = compiled.gradient
        let w = 1 / Double(sampleCount)
        withUnsafeTemporaryAllocation(of: Lanes.self, capacity: d + m + d + max(tape.registerCount, 1)) { buf in
            let input = buf.baseAddress!, out = input + d + m, regs = out + d
            for k in 0..<d { input[k] = x[k]; g[k] = Lanes(repeating: 0) }
            rows.withUnsafeBufferPointer { r in
                for i in 0..<sampleCount {
                    for j in 0..<m { input[d + j] = Lanes(repeating: r[i * m + j]) }
                    tape.evaluate(lanes: input, registers: regs, into: out)
                    for k in 0..<d { g[k] += w * out[k] }
                }
            }
        }
    }
}
