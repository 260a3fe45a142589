import Foundation
import Testing

/// The density commands `fokker-planck`, `master` and `stationary`, run end to end through the built binary.
@Suite("sgdyn density commands end to end")
struct DensityCLITests {
    /// The whitespace-separated fields of the first stdout line whose first field is `name`.
    static func row(_ out: String, _ name: String) -> [String]? {
        out.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
            .first { $0.first == name }
    }

    /// The fields of the distance row `p q TV KL W1`.
    static func pair(_ out: String, _ p: String, _ q: String) -> (tv: Double, kl: Double, w1: Double)? {
        for line in out.split(separator: "\n") {
            let f = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            if f.count >= 5, f[0] == p, f[1] == q, let tv = Double(f[2]), let kl = Double(f[3]), let w1 = Double(f[4]) {
                return (tv, kl, w1)
            }
        }
        return nil
    }

    @Test("master on the Bernoulli example at ηλ = 0.5: variance 1/3 and excess kurtosis −1.2 (docs/THEORY.md §8.4), batches enumerated")
    func masterBernoulli() throws {
        let dir = CLI.tempDir()
        let r = try CLI.run(["master", "--example", "bernoulli", "--eta-lambda", "0.5", "--out", dir])
        #expect(r.status == 0, "\(r.stderr)")
        let m = try #require(Self.row(r.stdout, "master-equation"), "\(r.stdout)")
        let variance = try #require(Double(m[2])), kurtosis = try #require(Double(m[3]))
        #expect(abs(variance - 1.0 / 3) < 1e-3, "variance \(variance)")
        #expect(abs(kurtosis + 1.2) < 5e-3, "excess kurtosis \(kurtosis)")
        let exact = try #require(Self.row(r.stdout, "exact-discrete"))
        #expect(exact[2] == "0.3333333" && exact[3] == "-1.2")
        let langevin = try #require(Self.row(r.stdout, "langevin-gaussian"))
        #expect(langevin[2] == "0.25")
        #expect(r.stdout.contains("all 2 batches (exact)"))
        #expect(r.stdout.contains("status ok"))
        for name in ["master.csv", "master.json", "master.svg"] {
            #expect(FileManager.default.fileExists(atPath: dir + "/" + name))
        }
        let svg = try String(contentsOfFile: dir + "/master.svg", encoding: .utf8)
        #expect(svg.contains("SGD master equation") && svg.contains("Langevin/OU Gaussian") && svg.contains("Gibbs"))
        // master.json is the study's result: its context says the batches were enumerated, its metrics hold the variance.
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/master.json"))) as? [String: Any]
        #expect(json?["study"] as? String == "master")
        #expect((json?["context"] as? [String])?.contains { $0.contains("all 2 batches (exact)") } == true)
        let metrics = (json?["metrics"] as? [[String: Any]]) ?? []
        let v = metrics.first { $0["key"] as? String == "variance master" }?["value"] as? Double
        #expect(v.map { abs($0 - 1.0 / 3) < 1e-3 } == true, "variance master \(String(describing: v))")
    }

    @Test("master transient from θ₀ = 1: the grid variance follows the exact recursion to the stationary 1/3")
    func masterTransient() throws {
        let r = try CLI.run(["master", "--example", "bernoulli", "--steps", "40", "--saves", "4", "--start", "1", "--no-files"])
        #expect(r.status == 0, "\(r.stderr)")
        let last = try #require(Self.row(r.stdout, "40"), "\(r.stdout)")
        // k, t, mass, mean, variance, exact variance, …
        #expect(abs((Double(last[2]) ?? 0) - 1) < 1e-12)
        #expect(abs((Double(last[4]) ?? 0) - 1.0 / 3) < 1e-3 && abs((Double(last[5]) ?? 0) - 1.0 / 3) < 1e-6)
    }

    @Test("stationary on the Bernoulli example: SGD's uniform law is far from Langevin's Gaussian; the Langevin Fokker–Planck law is its Gibbs density")
    func stationaryBernoulli() throws {
        let dir = CLI.tempDir()
        let r = try CLI.run(["stationary", "--example", "bernoulli", "--eta-lambda", "0.5", "--paths", "200", "--burn-in", "50",
                             "--steps", "300", "--threads", "2", "--out", dir])
        #expect(r.status == 0, "\(r.stderr)")
        for law in ["sgd-ensemble", "sgd-master", "langevin-fp", "gibbs"] {
            #expect(Self.row(r.stdout, law) != nil, "no row \(law)")
        }
        let master = try #require(Self.row(r.stdout, "sgd-master"))
        #expect(abs((Double(master[2]) ?? 0) - 1.0 / 3) < 1e-3)
        let ens = try #require(Self.row(r.stdout, "sgd-ensemble"))
        let v = try #require(Double(ens[2])), se = try #require(Double(ens[3]))
        #expect(se > 0 && abs(v - 1.0 / 3) < 5 * se, "ensemble variance \(v) ± \(se)")
        let lfp = try #require(Self.row(r.stdout, "langevin-fp"))
        #expect(abs((Double(lfp[2]) ?? 0) - 0.25) < 1e-3)
        let sgdVsLangevin = try #require(Self.pair(r.stdout, "sgd-master", "langevin-fp"), "\(r.stdout)")
        #expect(sgdVsLangevin.tv > 0.05 && sgdVsLangevin.w1 > 0.05)
        let ensVsLangevin = try #require(Self.pair(r.stdout, "sgd-ensemble", "langevin-fp"))
        #expect(ensVsLangevin.tv > 0.05)
        // The Chang–Cooper equilibrium of a gradient drift is the grid Gibbs law to round-off.
        let fpVsGibbs = try #require(Self.pair(r.stdout, "langevin-fp", "gibbs"))
        #expect(fpVsGibbs.tv < 1e-12 && fpVsGibbs.w1 < 1e-12)
        let ensVsMaster = try #require(Self.pair(r.stdout, "sgd-ensemble", "sgd-master"))
        #expect(ensVsMaster.tv < sgdVsLangevin.tv / 2)
        let svg = try String(contentsOfFile: dir + "/stationary.svg", encoding: .utf8)
        #expect(svg.contains("ensemble histogram") && svg.contains("master equation") && svg.contains("Langevin Fokker–Planck"))
    }

    @Test("fokker-planck, docs/THEORY.md §7.4 case 1: Σ x²g = 0.8405464652307093 and the stationary law is the Gibbs density")
    func fokkerPlanckGibbs() throws {
        let r = try CLI.run(["fokker-planck", "--objective", "double-well", "--temperature", "0.3", "--grid", "-3:3:121", "--no-files"])
        #expect(r.status == 0, "\(r.stderr)")
        let row = try #require(Self.row(r.stdout, "fp-stationary"), "\(r.stdout)")
        let ex2 = try #require(Double(row[4]))
        #expect(abs(ex2 - 0.8405464652307093) <= 2e-15, "Σx²p = \(row[4])")
        let d = try #require(Self.pair(r.stdout, "fp-stationary", "gibbs"))
        #expect(d.tv < 1e-13)
    }

    @Test("fokker-planck in 2-D (double-well-2d): Gibbs to round-off; a transient keeps mass 1")
    func fokkerPlanck2D() throws {
        let r = try CLI.run(["fokker-planck", "--objective", "double-well-2d", "--grid", "-3:3:41,-3:3:41", "--no-files"])
        #expect(r.status == 0, "\(r.stderr)")
        let d = try #require(Self.pair(r.stdout, "fp-stationary", "gibbs"), "\(r.stdout)")
        #expect(d.tv < 1e-12)
        let t = try CLI.run(["fokker-planck", "--time", "1", "--dt", "0.05", "--saves", "2", "--start", "-0.5", "--no-files"])
        #expect(t.status == 0, "\(t.stderr)")
        let last = try #require(Self.row(t.stdout, "1"), "\(t.stdout)")
        #expect(abs((Double(last[1]) ?? 0) - 1) < 1e-12)
    }

    @Test("bad input gives one error line naming the option and exit code 64", arguments: [
        (["master", "--eta-lambda", "2.5"], "--eta-lambda"),
        (["master", "--eta-lambda", "nan"], "--eta-lambda"),
        (["master", "--grid", "-1.5:1.5:2"], "--grid"),
        (["master", "--grid", "-1.5:1.5:5"], "--grid"),
        (["master", "--grid", "-0.5:0.5:301"], "--grid"),
        (["master", "--objective", "shifted-quadratics", "--centers", "-1,1", "--batch-size", "3"], "--batch-size"),
        (["master", "--objective", "shifted-quadratics", "--centers", "-1,1", "--learning-rate", "2.5"], "--learning-rate"),
        (["master", "--objective", "shifted-quadratics", "--centers", "-1,1", "--learning-rate", "-1"], "--learning-rate"),
        (["master", "--objective", "double-well"], "--objective"),
        (["fokker-planck", "--grid", "-3:3:121,-3:3:121,-3:3:121"], "--grid"),
        (["fokker-planck", "--objective", "quadratic", "--diagonal", "1,2,3"], "--diagonal"),
        (["fokker-planck", "--grid", "-3:3:7"], "--grid"),
        (["fokker-planck", "--grid", "-1:1:121"], "--grid"),
        (["fokker-planck", "--temperature", "nan"], "--temperature"),
        (["fokker-planck", "--model", "sme"], "--model"),
        (["fokker-planck", "--time", "1", "--stationary"], "--time"),
        (["stationary", "--eta-lambda", "0"], "--eta-lambda"),
        (["stationary", "--algorithm", "adam"], "--algorithm"),
        (["stationary", "--objective", "double-well", "--algorithm", "sgld", "--learning-rate", "1.5"], "--learning-rate"),
        (["stationary", "--grid", "-1.5:1.5:4"], "--grid"),
        (["stationary", "--paths", "1"], "--paths"),
    ])
    func badInput(args: [String], field: String) throws {
        let dir = CLI.tempDir()
        let r = try CLI.run(args + ["--out", dir])
        #expect(r.status == 64, "\(args): exit \(r.status)")
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(args): \(r.stderr)")
        // A choice outside an option's values is refused by the argument parser, whose message names the option.
        #expect(r.stderr.hasPrefix("sgdyn: error: \(field):") || r.stderr.hasPrefix("sgdyn: error: The value") && r.stderr.contains("for '\(field) "),
                "\(args): \(r.stderr)")
        #expect(r.stdout.isEmpty, "\(args): \(r.stdout)")
        // Nothing half-written.
        #expect((try? FileManager.default.contentsOfDirectory(atPath: dir))?.isEmpty ?? true)
    }

    @Test("--help of the density commands explains the options")
    func help() throws {
        for cmd in ["fokker-planck", "master", "stationary"] {
            let r = try CLI.run([cmd, "--help"])
            #expect(r.status == 0)
            #expect(r.stdout.contains("OPTIONS") && r.stdout.contains("--grid"))
        }
    }
}
