import Foundation
import Testing

/// Runs the built `sgdyn` binary end to end.
struct CLI {
    static let binary: URL = {
        let fromRunner = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("sgdyn")
        if FileManager.default.isExecutableFile(atPath: fromRunner.path) { return fromRunner }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/sgdyn")
    }()

    struct Result { var status: Int32; var stdout: String; var stderr: String }

    /// Run `sgdyn args`. Unless `environment` names `SGDYN_STORE`, the run store is a fresh file in a
    /// temporary directory, so studies run by tests never write `sgdyn.sqlite` into the working directory.
    static func run(_ args: [String], environment: [String: String] = [:]) throws -> Result {
        var env = ProcessInfo.processInfo.environment
        env["SGDYN_STORE"] = tempDir() + "/store.sqlite"
        for (k, v) in environment { env[k] = v }
        return try launch(args, environment: env, directory: nil)
    }

    static func tempDir() -> String {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("sgdyn-test-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d.path
    }
}

@Suite("sgdyn end to end")
struct CLITests {
    @Test("flow on the ill-conditioned quadratic writes CSV, JSON and a well-formed SVG, and flags η = 0.21 as diverging")
    func flow() throws {
        let dir = CLI.tempDir()
        let r = try CLI.run(["flow", "--objective", "ill-quadratic", "--etas", "0.1,0.19,0.21", "--out", dir])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("GD") && $0.contains("0.21") && $0.contains("diverges") })
        #expect(lines.contains { $0.hasPrefix("GD") && $0.contains("0.19") && $0.contains("stable") })
        for name in ["flow.csv", "flow.json", "flow.svg"] {
            #expect(FileManager.default.fileExists(atPath: dir + "/" + name))
        }
        let svg = try String(contentsOfFile: dir + "/flow.svg", encoding: .utf8)
        #expect(svg.hasPrefix("<svg") || svg.hasPrefix("<?xml"))
        #expect(svg.contains("gradient flow") && svg.contains("IGR flow"))
    }

    @Test("gap prints fitted orders 1 and 2 for GD against gradient flow and the IGR flow")
    func gap() throws {
        let r = try CLI.run(["gap", "--objective", "quartic", "--no-files"])
        #expect(r.status == 0, "\(r.stderr)")
        func order(_ model: String) -> Double? {
            guard let line = r.stdout.split(separator: "\n").first(where: { $0.contains("fitted order vs \(model)") }) else { return nil }
            return Double(line.split(separator: ":")[1].split(separator: " ")[0])
        }
        #expect(abs((order("gradient flow") ?? 0) - 1) < 0.1)
        #expect(abs((order("IGR flow") ?? 0) - 2) < 0.1)
    }

    @Test("bad input gives one error line naming the field and exit code 64", arguments: [
        (["flow", "--etas", "-0.1"], "--etas"),
        (["flow", "--etas", "0.1,abc"], "--etas"),
        (["flow", "--objective", "nope"], "--objective"),
        (["flow", "--x0", "1,2,3"], "--x0"),
        (["flow", "--horizon", "-1"], "--horizon"),
        (["flow", "--objective", "quadratic"], "--diagonal"),
        (["flow", "--objective", "quadratic", "--diagonal", "1,-2"], "--diagonal"),
        (["flow", "--objective", "logistic", "--data", "/nonexistent.csv"], "--data"),
        (["gap", "--algorithm", "adam"], "--algorithm"),
        (["gap", "--models", "gf,sde"], "--models"),
        (["gap", "--norm", "l7"], "--norm"),
        (["gap", "--etas", "0"], "--etas"),
        (["flow", "--unknown-flag"], "unknown-flag"),
        (["weak-error", "--etas", "1.5"], "--etas"),
        (["weak-error", "--mode", "fast"], "--mode"),
        (["weak-error", "--paths", "1"], "--paths"),
        (["weak-error", "--objective", "least-squares", "--mode", "exact"], "--mode"),
        (["weak-error", "--objective", "least-squares", "--batch", "5000", "--mode", "mc"], "--batch"),
        (["weak-error", "--test", "x9"], "--test"),
        (["weak-error", "--test", "x"], "--test"),
        (["weak-error", "--test", "x^"], "--test"),
        (["weak-error", "--diagonal", "2e8"], "--diagonal"),
        (["weak-error", "--horizon", "1e12"], "--horizon"),
        (["weak-error", "--algorithm", "adam"], "--algorithm"),
        (["weak-error", "--algorithm", "hb", "--momentum", "1"], "--momentum"),
        (["weak-error", "--algorithm", "hb", "--models", "sme1,sme2"], "--models"),
        (["weak-error", "--algorithm", "nag", "--models", "sme2"], "--models"),
        (["simulate", "--eta", "1e-300"], "--horizon"),
        (["simulate", "--amplification", "inf"], "--amplification"),
        (["simulate", "--paths", "100000000000"], "--paths"),
        (["simulate", "--eta", "-1"], "--eta"),
        (["simulate", "--run", "adam"], "--run"),
        (["simulate", "--shard", "4/4"], "--shard"),
        (["simulate", "--shard", "abc"], "--shard"),
        (["simulate", "--momentum", "1"], "--momentum"),
        (["simulate", "--sampling", "sometimes"], "--sampling"),
        (["simulate", "--objective", "rosenbrock", "--run", "sme1"], "--objective"),
    ])
    func badInput(args: [String], field: String) throws {
        let r = try CLI.run(args + ["--no-files"])
        #expect(r.status == 64, "\(args): exit \(r.status)")
        let errLines = r.stderr.split(separator: "\n")
        #expect(errLines.count == 1, "\(args): \(r.stderr)")
        #expect(r.stderr.contains(field), "\(args): \(r.stderr)")
        #expect(r.stdout.isEmpty || !r.stdout.contains("Fatal"))
    }

    @Test("malformed CSV data: one line naming file, line and column; NaN in data rejected")
    func malformedCSV() throws {
        let dir = CLI.tempDir()
        let bad = dir + "/bad.csv"
        try "a,b,target\n1,2,0\n3,x,1\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let r = try CLI.run(["flow", "--objective", "logistic", "--data", bad, "--no-files"])
        #expect(r.status == 64 && r.stderr.split(separator: "\n").count == 1)
        #expect(r.stderr.contains("line 3") && r.stderr.contains("b"), "\(r.stderr)")
        let nan = dir + "/nan.csv"
        try "a,b,target\n1,2,0\n3,nan,1\n".write(toFile: nan, atomically: true, encoding: .utf8)
        let r2 = try CLI.run(["flow", "--objective", "logistic", "--data", nan, "--no-files"])
        #expect(r2.status == 64 && r2.stderr.split(separator: "\n").count == 1, "\(r2.stderr)")
    }

    @Test("weak-error in exact mode reproduces the Li–Tai–E table of docs/THEORY.md §5.3")
    func weakErrorExact() throws {
        let r = try CLI.run(["weak-error", "--mode", "exact", "--no-files"])
        #expect(r.status == 0, "\(r.stderr)")
        let expected = [("0.1", "0.035498", "0.021072"), ("0.05", "0.020198", "0.0051703"),
                        ("0.025", "0.010621", "0.0012822"), ("0.0125", "0.0054419", "3.1936e-04")]
        let lines = r.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
        for (eta, e1, e2) in expected {
            let row = lines.first { $0.first == eta }
            #expect(row?[2] == e1 && row?[4] == e2, "row for η = \(eta): \(row ?? [])")
        }
    }

    @Test("simulate with 4 shards, merged, writes exactly the unsharded CSV")
    func shardsMerge() throws {
        let whole = CLI.tempDir(), parts = CLI.tempDir(), merged = CLI.tempDir()
        let args = ["simulate", "--paths", "3000", "--saves", "4", "--seed", "5"]
        #expect(try CLI.run(args + ["--out", whole]).status == 0)
        for i in [3, 1, 0, 2] { #expect(try CLI.run(args + ["--shard", "\(i)/4", "--out", parts]).status == 0) }
        let files = (0..<4).map { "\(parts)/shard-\($0)-of-4.json" }
        let m = try CLI.run(["merge"] + files + ["--out", merged])
        #expect(m.status == 0, "\(m.stderr)")
        let a = try String(contentsOfFile: whole + "/simulate.csv", encoding: .utf8)
        let b = try String(contentsOfFile: merged + "/simulate.csv", encoding: .utf8)
        #expect(a == b)
        let bad = try CLI.run(["merge", files[0], files[1], "--out", merged])
        #expect(bad.status == 64 && bad.stderr.split(separator: "\n").count == 1)
    }

    @Test("--help on every command explains the options")
    func help() throws {
        for cmd in [[], ["flow"], ["gap"], ["weak-error"], ["simulate"], ["merge"]] {
            let r = try CLI.run(cmd + ["--help"])
            #expect(r.status == 0)
            #expect(r.stdout.contains("OPTIONS") || r.stdout.contains("SUBCOMMANDS"))
        }
    }

    @Test("weak-error --algorithm hb/nag (exact): the regime-A SME's error shrinks at order → 1 (last local order within 1 ± 0.1)")
    func momentumWeakError() throws {
        for a in ["hb", "nag"] {
            let dir = CLI.tempDir()
            let r = try CLI.run(["weak-error", "--algorithm", a, "--momentum", "0.5", "--models", "sme1", "--mode", "exact",
                                 "--etas", "0.0025,0.00125,0.000625,0.0003125", "--out", dir])
            #expect(r.status == 0, "\(r.stderr)")
            let line = try #require(r.stdout.split(separator: "\n").first { $0.contains("local orders:") })
            let last = try #require(line.split(separator: ",").last.flatMap { Double($0.trimmingCharacters(in: .whitespaces)) })
            #expect(abs(last - 1) <= 0.1, "\(a): \(line)")
        }
    }
}
