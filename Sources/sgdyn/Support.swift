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
    @Option(name: .long, help: ArgumentHelp("Objective to study. One of: \(ObjectiveCatalog.validNames).", valueName: "name"))
    var objective: String = "ill-quadratic"

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Hessian diagonal for --objective quadratic, e.g. 1,10.", valueName: "λ,…"))
    var diagonal: String?

    @Option(name: .long, help: ArgumentHelp("CSV data set (header row, last column the target) for least-squares, logistic or mlp.", valueName: "file"))
    var data: String?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Starting point, comma separated; its length must equal the objective's dimension.", valueName: "x,…"))
    var x0: String?

    /// The library's description of the chosen objective (flags parsed; the objective is built by the study).
    func choice() throws -> ObjectiveChoice {
        ObjectiveChoice(name: objective, diagonal: try diagonal.map { try parseNumbers($0, field: "--diagonal") }, data: data,
                        start: try x0.map { try parseNumbers($0, field: "--x0") })
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
