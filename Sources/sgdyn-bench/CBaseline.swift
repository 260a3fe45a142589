import Foundation
import SGDynamicsReport

/// The hand-written C baseline of W1/W2 (`../shared/bench/c-baseline/run.sh`), run right after this
/// process's own W1/W2 so that the two rates come from the same minute on the same machine, and
/// printed next to them with their ratio (issue 14: at least 0.5, target 0.8).
struct CBaseline {
    /// The script, from `--c-baseline` or found beside the repository; nil when there is none.
    static func locate(_ option: String?) -> String? {
        if let o = option { return o == "none" ? nil : o }
        let guess = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
            .appendingPathComponent("../shared/bench/c-baseline/run.sh").standardized.path
        return FileManager.default.isExecutableFile(atPath: guess) || FileManager.default.fileExists(atPath: guess) ? guess : nil
    }

    /// Runs `bash script W threads` for each workload and reads its line `C W1 threads=2 path-steps/s=9.5e+08`.
    static func rates(script: String, workloads: [String], threads: Int) throws -> [String: Double] {
        guard FileManager.default.fileExists(atPath: script) else {
            throw BenchError.usage("--c-baseline", "no file '\(script)'")
        }
        var out: [String: Double] = [:]
        for w in workloads {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = ["bash", script, w, "\(threads)"]
            let pipe = Pipe()
            p.standardOutput = pipe
            try p.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            let text = String(decoding: data, as: UTF8.self)
            guard p.terminationStatus == 0,
                  let line = text.split(whereSeparator: \.isNewline).first(where: { $0.hasPrefix("C \(w) ") }),
                  let field = line.split(separator: " ").first(where: { $0.hasPrefix("path-steps/s=") }),
                  let rate = Double(field.dropFirst("path-steps/s=".count)), rate > 0 else {
                throw BenchError.runtime("the C baseline '\(script) \(w)' failed or printed no rate (exit \(p.terminationStatus)): \(text)")
            }
            out[w] = rate
        }
        return out
    }

    /// The table of this run's rates, the C baseline's and the ratios.
    static func table(ours: [String: Double], c: [String: Double], threads: Int) -> String {
        var t = TextGrid(["workload", "SGDynamics path-steps/s", "C baseline path-steps/s", "ratio", "required", "target"])
        for w in ["W1", "W2"] {
            guard let a = ours[w], let b = c[w] else { continue }
            let r = a / b
            t.add([w, fmt(a, 3), fmt(b, 3), String(format: "%.2f", r) + (r >= 0.5 ? "" : " (below)"), "0.50", "0.80"])
        }
        return "\nAgainst the hand-written C baseline, same run, \(threads) threads (../shared/bench/c-baseline/run.sh):\n" + t.render()
    }
}
