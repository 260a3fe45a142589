import Foundation
import SGDynamicsReport

/// Peer tools' rates on W1/W2 (from `benchmarks/peers/results.csv`), shown next to this run's.
struct PeerResults {
    struct Row { var tool: String; var version: String; var workload: String; var paths: Int; var rate: Double }

    /// Reads the CSV written by `benchmarks/peers/run_all.sh` (header `tool,version,workload,paths,steps,seconds,path_steps_per_second,check`).
    static func read(_ path: String) throws -> [Row] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw BenchError.usage("--peers", "cannot read '\(path)'; run benchmarks/peers/run_all.sh to make it")
        }
        var lines = text.split(whereSeparator: \.isNewline).map(String.init)
        guard let header = lines.first else { throw BenchError.usage("--peers", "'\(path)' is empty") }
        let names = split(header)
        guard let ti = names.firstIndex(of: "tool"), let vi = names.firstIndex(of: "version"),
              let wi = names.firstIndex(of: "workload"), let pi = names.firstIndex(of: "paths"),
              let ri = names.firstIndex(of: "path_steps_per_second") else {
            throw BenchError.usage("--peers", "'\(path)' needs the columns tool, version, workload, paths, path_steps_per_second")
        }
        lines.removeFirst()
        return try lines.enumerated().map { n, line in
            let f = split(line)
            guard f.count == names.count, let rate = Double(f[ri]), rate.isFinite, rate > 0, let paths = Int(f[pi]) else {
                throw BenchError.usage("--peers", "'\(path)' line \(n + 2): expected \(names.count) fields with a positive rate")
            }
            return Row(tool: f[ti], version: f[vi], workload: f[wi], paths: paths, rate: rate)
        }
    }

    /// CSV fields, with double-quoted fields that may hold commas.
    static func split(_ line: String) -> [String] {
        var out: [String] = [], cur = "", quoted = false
        for ch in line {
            if ch == "\"" { quoted.toggle() } else if ch == "," && !quoted { out.append(cur); cur = "" } else { cur.append(ch) }
        }
        out.append(cur)
        return out
    }

    /// Prints the table and writes `bench-peers.svg` (grouped bars, ×10⁷ path-steps/s).
    static func compare(_ rows: [Row], ours: [String: Double], output: BenchOutput) throws {
        let workloads = ["W1", "W2"].filter { ours[$0] != nil }
        guard !workloads.isEmpty else { return }
        var tools = ["SGDynamics (this run)"]
        for r in rows where !tools.contains(r.tool) { tools.append(r.tool) }
        func rate(_ tool: String, _ w: String) -> Double? {
            tool == tools[0] ? ours[w] : rows.first { $0.tool == tool && $0.workload == w }?.rate
        }
        var table = TextGrid(["tool"] + workloads.map { "\($0) path-steps/s" } + workloads.map { "SGDynamics / tool (\($0))" })
        for t in tools {
            table.add([t] + workloads.map { rate(t, $0).map { fmt($0, 3) } ?? "–" }
                      + workloads.map { w in rate(t, w).map { String(format: "%.2f×", ours[w]! / $0) } ?? "–" })
        }
        print("\nSame workloads in peer tools (benchmarks/peers; numbers from their results file, this machine):")
        print(table.render())
        var plot = LinePlot(title: "Euler–Maruyama ensembles, 2 cores: path-steps per second", xLabel: "workload (1 = W1 OU, 2 = W2 double well)",
                            yLabel: "path-steps/s (×10⁷)")
        let width = 0.8 / Double(tools.count)
        for (i, t) in tools.enumerated() {
            // one bar per workload; the bars of a series are joined by zero-height gaps
            var edges: [Double] = [], heights: [Double] = []
            for (k, w) in workloads.enumerated() {
                let c = Double(k + 1) + (Double(i) - Double(tools.count - 1) / 2) * width
                if !edges.isEmpty { heights.append(0) }
                edges += [c - 0.45 * width, c + 0.45 * width]
                heights.append((rate(t, w) ?? 0) / 1e7)
            }
            plot.add(BarSeries(label: t, edges: edges, heights: heights, opacity: 0.85))
        }
        plot.xDomain = 0.4...(Double(workloads.count) + 0.6)
        if let p = try output.write(plot.render(), to: "bench-peers.svg") { print("wrote \(p)") }
    }
}
