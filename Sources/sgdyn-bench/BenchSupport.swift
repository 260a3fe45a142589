import Foundation
import SGDynamics
import SGDynamicsReport

/// An error with one line for the user and an exit code (64: bad usage, 1: runtime failure), printed
/// as `sgdyn-bench: error: …`.
struct BenchError: Error {
    let message: String
    let code: Int32
    static func usage(_ field: String, _ message: String) -> BenchError { BenchError(message: "\(field): \(message)", code: 64) }
    static func runtime(_ message: String) -> BenchError { BenchError(message: message, code: 1) }
}

/// Where the peer comparison's picture goes (`--out`, `--no-files`, as in `sgdyn`).
struct BenchOutput {
    var out: String
    var noFiles: Bool

    /// Write `contents` to `out/name` atomically, return the path (nil with `--no-files`).
    func write(_ contents: String, to name: String) throws -> String? {
        if noFiles { return nil }
        let dir = URL(fileURLWithPath: out, isDirectory: true)
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let url = dir.appendingPathComponent(name)
            try Data(contents.utf8).write(to: url, options: .atomic)
            return url.path
        } catch {
            throw BenchError.runtime("cannot write \(name) in '\(out)': \(error.localizedDescription)")
        }
    }
}

/// A number as the tables show it (`NumberText.short`: `digits` significant digits).
func fmt(_ v: Double, _ digits: Int = 4) -> String { NumberText.short(v, digits) }

extension TextGrid {
    /// A table with this header and no rows yet.
    init(_ header: [String]) { self.init(header: header) }
    mutating func add(_ row: [String]) { rows.append(row) }
}
