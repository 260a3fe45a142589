import ArgumentParser
import Foundation
import SGDynamics
import SGDynamicsReport

/// An error with one line for the user and an exit code (64: bad usage, 1: runtime failure).
struct CLIError: Error {
    let message: String
    let code: Int32
    static func usage(_ field: String, _ message: String) -> CLIError { CLIError(message: "\(field): \(message)", code: 64) }
    static func runtime(_ message: String) -> CLIError { CLIError(message: message, code: 1) }
}

extension ValidationError {
    /// A usage error naming the option, reported by ArgumentParser with exit code 64.
    static func field(_ field: String, _ message: String) -> ValidationError { ValidationError("\(field): \(message)") }
}

/// Parse a comma-separated list of finite numbers for the option `field`.
func parseNumbers(_ text: String, field: String) throws -> [Double] {
    let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
    var out: [Double] = []
    for p in parts {
        guard let v = Double(p) else {
            throw CLIError.usage(field, "'\(p)' is not a number; give comma-separated numbers like 0.1,0.05")
        }
        guard v.isFinite else { throw CLIError.usage(field, "values must be finite, got '\(p)'") }
        out.append(v)
    }
    return out
}

/// Parse a comma-separated list of choices (`RawRepresentable` by their names) for the option `field`.
func parseChoices<T: RawRepresentable & CaseIterable>(_ text: String, field: String) throws -> [T] where T.RawValue == String {
    let names = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    guard !names.isEmpty else { throw CLIError.usage(field, "give at least one of \(T.allCases.map(\.rawValue).joined(separator: ", "))") }
    return try names.map { name in
        guard let v = T(rawValue: name) else {
            throw CLIError.usage(field, "unknown value '\(name)'; valid: \(T.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return v
    }
}

/// Options that choose an objective, shared by the studies.
struct ObjectiveOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Objective to study: one of \(ObjectiveCatalog.validNames), or a formula 'expr: (x^2 - 1)^2 + 0.5*y^2' (docs/THEORY.md §11.1).", valueName: "name"))
    var objective: String = "ill-quadratic"

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Hessian diagonal for --objective quadratic, e.g. 1,10.", valueName: "λ,…"))
    var diagonal: String?

    @Option(name: .long, help: ArgumentHelp("CSV data set (header row, last column the target) for least-squares, logistic, mlp or --samples.", valueName: "file"))
    var data: String?

    @OptionGroup var formula: FormulaOptions

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Starting point, comma separated; its length must equal the objective's dimension (default for a formula: 0.5 in every coordinate).", valueName: "x,…"))
    var x0: String?

    /// The library's description of the chosen objective (flags parsed; the objective is built by the study).
    func choice() throws -> ObjectiveChoice {
        let start = try x0.map { try parseNumbers($0, field: "--x0") }
        if let f = try formula.choice(objective: objective, data: data) {
            var c = f
            c.start = start
            return c
        }
        return ObjectiveChoice(name: objective, diagonal: try diagonal.map { try parseNumbers($0, field: "--diagonal") }, data: data,
                               start: start)
    }
}

/// Options of an objective written as a formula: `--objective 'expr: …'`, or `--samples` over `--data`.
struct FormulaOptions: ParsableArguments {
    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Per-sample loss f_i(w) over the rows of --data; names ending in _i are columns, e.g. '0.5*(w*x_i - y_i)^2'.", valueName: "formula"))
    var samples: String?

    @Option(name: .long, help: ArgumentHelp("Order of a formula's variables, comma separated (default: natural order of its names).", valueName: "x,y,…"))
    var variables: String?

    @Option(name: .long, help: ArgumentHelp("Constants of a formula, e.g. a=0.5,b=2.", valueName: "a=v,…"))
    var parameters: String?

    @Option(name: .long, help: ArgumentHelp("Names of an 'expr: …' formula that are standard normal draws: a stochastic oracle f_γ(x), e.g. --objective 'expr: 0.5*(x - z1)^2 + (y - z2)^2' --noise z1,z2 (docs/THEORY.md §11.3).", valueName: "z1,…"))
    var noise: String?

    var noiseNames: [String]? { noise.map(Self.names) }
    var variableNames: [String]? { variables.map(Self.names) }

    /// A comma-separated list of names, each trimmed.
    static func names(_ text: String) -> [String] { text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }

    /// The formula objective, when `objective` is `expr: …`/`samples: …` or `--samples` is given; nil otherwise.
    func choice(objective: String?, data: String?) throws -> ObjectiveChoice? {
        var expression: String?, sampleFormula = samples
        if let o = objective?.trimmingCharacters(in: .whitespaces) {
            if let r = Self.strip(o, "expr:") ?? Self.strip(o, "expression:") { expression = r }
            else if let r = Self.strip(o, "samples:") {
                guard samples == nil else { throw CLIError.usage("--samples", "give the per-sample formula once, in --samples or --objective 'samples: …'") }
                sampleFormula = r
            }
        }
        if expression == nil, sampleFormula == nil {
            if variables != nil { throw CLIError.usage("--variables", "applies to a formula objective (--objective 'expr: …' or --samples) only") }
            if parameters != nil { throw CLIError.usage("--parameters", "applies to a formula objective (--objective 'expr: …' or --samples) only") }
            if noise != nil { throw CLIError.usage("--noise", "applies to a formula objective (--objective 'expr: …') only") }
            return nil
        }
        return ObjectiveChoice(expression: expression, samples: sampleFormula, data: data,
                               variables: variableNames,
                               parameters: try parameters.map(Self.parseParameters), noise: noiseNames)
    }

    static func strip(_ s: String, _ prefix: String) -> String? {
        s.lowercased().hasPrefix(prefix) ? String(s.dropFirst(prefix.count)).trimmingCharacters(in: .whitespaces) : nil
    }

    static func parseParameters(_ text: String) throws -> [String: Double] {
        var out: [String: Double] = [:]
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let kv = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard kv.count == 2, !kv[0].isEmpty, let v = Double(kv[1]) else {
                throw CLIError.usage("--parameters", "'\(part.trimmingCharacters(in: .whitespaces))' is not name=value; give e.g. a=0.5,b=2")
            }
            guard v.isFinite else { throw CLIError.usage("--parameters", "\(kv[0]) must be finite, got \(kv[1])") }
            guard out.updateValue(v, forKey: kv[0]) == nil else { throw CLIError.usage("--parameters", "\(kv[0]) is given twice") }
        }
        return out
    }
}

/// Threads for ensembles (not part of a run's identity: results are the same for any count).
struct ThreadOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Threads (default: all cores).", valueName: "n"))
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
        guard threads >= 1, threads <= 4096 else { throw ValidationError.field("--threads", "must be between 1 and 4096, got \(threads)") }
    }
}

/// The memory a run may need before it is refused (not part of a run's identity).
struct MemoryOptions: ParsableArguments {
    @Option(name: .customLong("max-memory"), help: ArgumentHelp("Refuse a run whose estimated memory is above this many MB (default: half the machine's memory).", valueName: "MB"))
    var maxMemory: Double?

    /// The limit in bytes.
    var limit: Double { (maxMemory ?? Double(ProcessInfo.processInfo.physicalMemory) / 2 / 1e6) * 1e6 }

    func validate() throws {
        if let maxMemory { guard maxMemory > 0, maxMemory.isFinite else { throw ValidationError.field("--max-memory", "must be a positive number of MB, got \(maxMemory)") } }
    }
}

/// Where results go.
struct OutputOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Directory for the CSV, JSON and SVG files.", valueName: "dir"))
    var out: String = "sgdyn-out"

    @Flag(name: .long, help: "Print the table only; write no files.")
    var noFiles = false

}

/// Fixed-width text tables for stdout.
struct TextTable {
    var header: [String]
    var rows: [[String]] = []
    init(_ header: [String]) { self.header = header }
    mutating func add(_ row: [String]) { rows.append(row) }
    func render() -> String { TextGrid(header: header, rows: rows).render() }
    /// CSV with the same columns.
    func csv() -> String {
        func esc(_ s: String) -> String { s.contains(",") || s.contains("\"") ? "\"\(s.replacingOccurrences(of: "\"", with: "\"\""))\"" : s }
        return ([header] + rows).map { $0.map(esc).joined(separator: ",") }.joined(separator: "\n") + "\n"
    }
}

func fmt(_ v: Double, _ digits: Int = 4) -> String { NumberText.short(v, digits) }

/// JSON encoding of plain dictionaries (sorted keys, non-finite numbers as null); a value that
/// cannot be encoded is an error, never `{}`.
func jsonString(_ value: Any) throws -> String {
    func clean(_ v: Any) -> Any {
        if let d = v as? Double { return d.isFinite ? d : NSNull() }
        if let a = v as? [Any] { return a.map(clean) }
        if let m = v as? [String: Any] { return m.mapValues(clean) }
        return v
    }
    let cleaned = clean(value)
    guard JSONSerialization.isValidJSONObject(cleaned),
          let data = try? JSONSerialization.data(withJSONObject: cleaned, options: [.prettyPrinted, .sortedKeys]) else {
        throw CLIError.runtime("cannot encode the export as JSON")
    }
    return String(decoding: data, as: UTF8.self) + "\n"
}
