import Foundation
import Testing

// End-to-end tests of `sgdyn noise` and `sgdyn stability` (the built debug binary, see `CLI` in
// CLITests.swift). Each run is kept to a few seconds: least squares on diabetes (n = 442, d = 11), small
// --draws, or the small over-parameterised example.

/// The JSON object written to `dir/name`.
private func json(_ dir: String, _ name: String) throws -> [String: Any] {
    let data = try Data(contentsOf: URL(fileURLWithPath: dir + "/" + name))
    return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
}

/// The metric `key` of a result JSON (`metrics` of a `StudyResult`).
private func metric(_ doc: [String: Any], _ key: String) -> [String: Any]? {
    (doc["metrics"] as? [[String: Any]])?.first { $0["key"] as? String == key }
}

/// The rows of the table (or raw series, `in: "series"`) `name` of a result JSON, as dictionaries by column key.
private func tableRows(_ doc: [String: Any], _ name: String, in section: String = "tables") -> [[String: Any]]? {
    guard let table = (doc[section] as? [[String: Any]])?.first(where: { $0["name"] as? String == name }),
          let columns = table["columns"] as? [[String: Any]], let rows = table["rows"] as? [[Any]] else { return nil }
    let keys = columns.compactMap { $0["key"] as? String }
    return rows.map { Dictionary(uniqueKeysWithValues: zip(keys, $0)) }
}

/// The first stdout line starting with `prefix`.
private func line(_ r: CLI.Result, _ prefix: String) -> String? {
    r.stdout.split(separator: "\n").map(String.init).first { $0.hasPrefix(prefix) }
}

/// The numbers in a line, in order ("-1.013 ± 0.027" gives [-1.013, 0.027]).
private func numbers(_ s: String) -> [Double] {
    s.split(whereSeparator: { !"0123456789.-+e".contains($0) }).compactMap { Double($0) }
}

@Suite("sgdyn noise and stability end to end")
struct NoiseCLITests {
    @Test("noise on least squares (diabetes, minimum): 1/b slope within −1 ± 0.2 and α̂ within 2 ± 0.25, on stdout and in noise.json; CSV, JSON and three well-formed SVGs written")
    func noiseLeastSquares() throws {
        let dir = CLI.tempDir()
        let r = try CLI.run(["noise", "--objective", "least-squares", "--draws", "2000", "--scaling-draws", "1000", "--out", dir])
        #expect(r.status == 0, "\(r.stderr)")
        let slopeLine = try #require(line(r, "1/b slope:"), "\(r.stdout)")
        let slope = numbers(String(slopeLine.dropFirst("1/b slope:".count)))[0]
        #expect(abs(slope + 1) <= 0.2, "\(slopeLine)")
        let tailLine = try #require(line(r, "tail index α̂:"), "\(r.stdout)")
        let alpha = numbers(String(tailLine.dropFirst("tail index α̂:".count)))[0]
        #expect(abs(alpha - 2) <= 0.25, "\(tailLine)")
        // Each section states its claim.
        #expect(r.stdout.contains("Gaussian noise ⇒ skewness 0, excess kurtosis 0"))
        #expect(r.stdout.contains("E‖ξ_B‖² = c(b) tr Σ, c(b) = 1/b with replacement"))
        let doc = try json(dir, "noise.json")
        let scaling = try #require(metric(doc, "slope 1/b"))
        #expect(abs((scaling["value"] as? Double ?? 0) - slope) < 1e-3)
        #expect((scaling["expected"] as? Double).map { abs($0 + 1) < 1e-12 } == true)
        let tail = try #require(metric(doc, "alpha"))
        #expect(abs((tail["value"] as? Double ?? 0) - 2) <= 0.25)
        #expect(tableRows(doc, "shape")?.count == 5)
        for name in ["noise.csv", "noise-spectrum.svg", "noise-scaling.svg", "noise-tail.svg"] {
            #expect(FileManager.default.fileExists(atPath: dir + "/" + name), "\(name)")
        }
        for name in ["noise-spectrum.svg", "noise-scaling.svg", "noise-tail.svg"] {
            let svg = try String(contentsOfFile: dir + "/" + name, encoding: .utf8)
            #expect((svg.hasPrefix("<svg") || svg.hasPrefix("<?xml")) && svg.contains("</svg>"), "\(name)")
        }
        #expect(try String(contentsOfFile: dir + "/noise-scaling.svg", encoding: .utf8).contains("slope −1"))
    }

    @Test("noise --along on least squares: one row per recorded step (0, 5, 10) of a GD run, written to noise.json")
    func noiseAlong() throws {
        let dir = CLI.tempDir()
        let r = try CLI.run(["noise", "--objective", "least-squares", "--along", "5", "--steps", "10", "--eta", "0.1",
                             "--draws", "1000", "--scaling-draws", "200", "--out", dir])
        #expect(r.status == 0, "\(r.stderr)")
        let rows = r.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true) }
        for k in ["0", "5", "10"] { #expect(rows.contains { $0.first.map(String.init) == k }, "step \(k): \(r.stdout)") }
        let doc = try json(dir, "noise.json")
        #expect(tableRows(doc, "noise", in: "series")?.count == 3)
        #expect(FileManager.default.fileExists(atPath: dir + "/noise-along.svg"))
        #expect(FileManager.default.fileExists(atPath: dir + "/noise-along-shape.svg"))
    }

    @Test("stability --example overparameterized: η*_λmax ≤ η*_exact < 2/a for every b < n; η*_exact = 2/a (to 1e-9) at b = n without replacement")
    func stabilityOverparameterized() throws {
        let dir = CLI.tempDir()
        let r = try CLI.run(["stability", "--example", "overparameterized", "--out", dir])
        #expect(r.status == 0, "\(r.stderr)")
        let doc = try json(dir, "stability.json")
        let n = try #require((metric(doc, "samples")?["value"] as? NSNumber)?.intValue)
        let gd = try #require(metric(doc, "GD limit 2/a")?["value"] as? Double)
        #expect((metric(doc, "reduced dimension")?["value"] as? NSNumber)?.intValue == n)  // rank n < d: the common null space is left out
        let limits = try #require(tableRows(doc, "stability", in: "series"))
        #expect(limits.count == 2 * 5)  // b = 1, 2, 4, 8, 10, both samplings
        var sawFullBatch = false
        for row in limits {
            let b = try #require((row["batch_size"] as? NSNumber)?.intValue)
            let exact = try #require(row["eta_exact"] as? Double)
            let lmax = try #require(row["eta_lambda_max"] as? Double)
            let sampling = try #require(row["sampling"] as? String)
            #expect(lmax <= exact * (1 + 1e-9), "b = \(b) \(sampling)")
            if b == n && sampling == "without-replacement" {
                sawFullBatch = true
                #expect(abs(exact - gd) <= 1e-9 * gd, "full batch: η* = \(exact), 2/a = \(gd)")
            } else {
                #expect(exact < gd * (1 - 1e-6), "b = \(b) \(sampling): η* = \(exact), 2/a = \(gd)")
            }
        }
        #expect(sawFullBatch)
        #expect(r.stdout.contains("yes (= 2/a)"))
        #expect(!r.stdout.contains("NO"))
    }

    @Test("stability --check-paths: at 0.5η* the sampled E‖e_K‖² is within 4 SE of the exact tr T^K and decays; at 1.5η* ρ(T) > 1")
    func stabilityCheck() throws {
        let dir = CLI.tempDir()
        let r = try CLI.run(["stability", "--example", "overparameterized", "--batches", "1,10", "--check-paths", "400",
                             "--check-steps", "30", "--check-factors", "0.5,1.5", "--out", dir])
        #expect(r.status == 0, "\(r.stderr)")
        let check = try #require(tableRows(try json(dir, "stability.json"), "stability-check", in: "series"))
        #expect(check.count == 2)
        let stable = check[0], unstable = check[1]
        let ms = stable["mean_square"] as? Double ?? .nan, se = stable["standard_error"] as? Double ?? .nan
        let exact = stable["exact_mean_square"] as? Double ?? .nan
        #expect(abs(ms - exact) <= 4 * se, "sampled \(ms) ± \(se), exact \(exact)")
        #expect(exact < 1 && (stable["spectral_radius"] as? Double ?? 2) < 1)
        #expect((unstable["spectral_radius"] as? Double ?? 0) > 1)
        #expect((unstable["exact_mean_square"] as? Double ?? 0) > exact)
    }

    @Test("stability --edge-of-stability on least squares: constant sharpness a; no crossing below 2/a, crossing at step 0 above")
    func edgeOfStability() throws {
        let below = try CLI.run(["stability", "--edge-of-stability", "--objective", "least-squares", "--eta", "0.4",
                                 "--steps", "20", "--every", "5", "--no-files"])
        #expect(below.status == 0, "\(below.stderr)")
        #expect(line(below, "first step with λ_max ≥ 2/η: none") != nil, "\(below.stdout)")
        let above = try CLI.run(["stability", "--edge-of-stability", "--objective", "least-squares", "--eta", "0.6",
                                 "--steps", "20", "--every", "5", "--no-files"])
        #expect(above.status == 0, "\(above.stderr)")
        #expect(line(above, "first step with λ_max ≥ 2/η: 0") != nil, "\(above.stdout)")
    }

    @Test("bad input gives one error line naming the field and exit code 64", arguments: [
        (["noise", "--along", "5", "--eta", "0"], "--eta"),
        (["noise", "--along", "5", "--eta", "-0.1"], "--eta"),
        (["noise", "--along", "5", "--eta", "nan"], "--eta"),
        (["noise", "--along", "0"], "--along"),
        (["noise", "--objective", "least-squares", "--batch", "500", "--sampling", "without-replacement"], "--batch"),
        (["noise", "--objective", "least-squares", "--batches", "1,1000", "--sampling", "without-replacement"], "--batches"),
        (["noise", "--sampling", "sometimes"], "--sampling"),
        (["noise", "--sampling", "reshuffling"], "--sampling"),
        (["noise", "--data", "/nonexistent/data.csv"], "--data"),
        (["noise", "--objective", "least-squares", "--x0", "1,2,3,4,5,6,7,8,9,10,nan"], "--x0"),
        (["noise", "--objective", "least-squares", "--x0", "1,2"], "--x0"),
        (["noise", "--batches", "1,2,abc"], "--batches"),
        (["noise", "--batches", "0,2"], "--batches"),
        (["noise", "--draws", "10"], "--draws"),
        (["noise", "--batch", "0"], "--batch"),
        (["noise", "--objective", "rosenbrock"], "--objective"),
        (["noise", "--objective", "least-squares", "--l2", "0.1"], "--l2"),
        (["noise", "--l2", "-1"], "--l2"),
        (["noise", "--at", "maximum"], "--at"),
        (["noise", "--algorithm", "adam", "--along", "5"], "--algorithm"),
        (["stability", "--example", "underparameterized"], "--example"),
        (["stability", "--edge-of-stability", "--eta", "0"], "--eta"),
        (["stability", "--edge-of-stability", "--eta", "nan"], "--eta"),
        (["stability", "--edge-of-stability", "--every", "0"], "--every"),
        (["stability", "--batches", "0"], "--batches"),
        (["stability", "--data", "/nonexistent/data.csv"], "--data"),
        (["stability", "--objective", "mlp"], "--objective"),
        (["stability", "--example", "overparameterized", "--example-samples", "30"], "--example-samples"),
        (["stability", "--example", "overparameterized", "--check-paths", "10", "--check-batch", "20", "--sampling", "without-replacement"], "--check-batch"),
        (["stability", "--check-factors", "-1"], "--check-factors"),
        (["stability", "--check-factors", "0.5,x"], "--check-factors"),
        (["stability", "--check-paths", "1"], "--check-paths"),
        (["stability", "--sampling", "reshuffling"], "--sampling"),
    ])
    func badInput(args: [String], field: String) throws {
        let r = try CLI.run(args + ["--no-files"])
        #expect(r.status == 64, "\(args): exit \(r.status), \(r.stderr)")
        let errLines = r.stderr.split(separator: "\n")
        #expect(errLines.count == 1, "\(args): \(r.stderr)")
        #expect(r.stderr.hasPrefix("sgdyn: error: ") && r.stderr.contains(field), "\(args): \(r.stderr)")
        #expect(r.stdout.isEmpty, "\(args): printed \(r.stdout)")
    }

    @Test("--help of noise and stability explains the options")
    func help() throws {
        for cmd in ["noise", "stability"] {
            let r = try CLI.run([cmd, "--help"])
            #expect(r.status == 0 && r.stdout.contains("OPTIONS"))
        }
        #expect(try CLI.run(["--help"]).stdout.contains("stability"))
    }
}
