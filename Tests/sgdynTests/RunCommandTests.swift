import Foundation
import Testing

@Suite("sgdyn run and sgdyn spec")
struct RunCommandTests {
    /// Write `contents` to a new temporary file.
    func file(_ name: String, _ contents: String) throws -> String {
        let path = CLI.tempDir() + "/" + name
        try contents.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("a sweep expands to the cartesian product (first option slowest); lists, flags and negative numbers become options")
    func sweepExpansion() throws {
        let path = try file("s.yaml", """
        study: fokker-planck
        objective: quadratic
        diagonal: [1]
        stationary: false
        time: 0.5
        start: -1
        no-files: true
        sweep:
          temperature: [0.1, 0.2]
          dt: [0.01, 0.02, 0.05]
        """)
        let r = try CLI.run(["run", path, "--dry-run", "--store", "/tmp/s.sqlite"])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 6)
        #expect(lines.first == "sgdyn fokker-planck --objective quadratic --diagonal 1 --time 0.5 --start=-1 --no-files --temperature 0.1 --dt 0.01 --store /tmp/s.sqlite")
        #expect(lines[1].hasSuffix("--temperature 0.1 --dt 0.02 --store /tmp/s.sqlite") && lines[5].contains("--temperature 0.2 --dt 0.05"))
        let noStore = try CLI.run(["run", path, "--dry-run", "--no-store"])
        #expect(noStore.stdout.split(separator: "\n").allSatisfy { $0.hasSuffix("--no-store") })
    }

    @Test("run executes every point and prints each command line before its output")
    func runsPoints() throws {
        let dir = CLI.tempDir()
        let path = try file("w.yaml", """
        study: weak-error
        name: two horizons
        mode: exact
        etas: [0.1, 0.05]
        out: \(dir)/out
        sweep: {horizon: [0.5, 1]}
        """)
        let r = try CLI.run(["run", path, "--store", dir + "/runs.sqlite"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("experiment: two horizons\n"))
        // each point of the sweep writes into its own directory under out
        #expect(r.stdout.contains("[1/2] $ sgdyn weak-error --mode exact --etas 0.1,0.05 --horizon 0.5 --store \(dir)/runs.sqlite --out \(dir)/out/point-1"))
        #expect(r.stdout.contains("[2/2] $ sgdyn weak-error") && r.stdout.contains("--out \(dir)/out/point-2"))
        for n in [1, 2] { #expect(FileManager.default.fileExists(atPath: "\(dir)/out/point-\(n)/weak-error.csv")) }
        // the file's name and the point reach the store and the report
        let show = try CLI.run(["runs", "show", "2", "--store", dir + "/runs.sqlite"])
        #expect(show.stdout.contains("experiment: two horizons; point 2 of 2: horizon=1"), "\(show.stdout)")
        let report = try CLI.run(["report", "1", "2", "--store", dir + "/runs.sqlite", "--out", dir + "/r.html"])
        let html = try String(contentsOfFile: dir + "/r.html", encoding: .utf8)
        #expect(report.status == 0 && html.contains("Experiment: two horizons"))
        #expect(r.stdout.components(separatedBy: "fitted order SME-2").count == 3)
    }

    @Test("sgdyn spec writes every option with its default, sorted, and the file runs as the same command", arguments: [
        "flow", "gap", "weak-error", "simulate", "fokker-planck", "master", "stationary", "noise", "stability",
    ])
    func specRoundTrip(study: String) throws {
        let spec = try CLI.run(["spec", study])
        #expect(spec.status == 0, "\(spec.stderr)")
        let fields = spec.stdout.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { String($0.prefix { $0 != ":" }) }
        #expect(fields.first == "study" && Array(fields.dropFirst()) == fields.dropFirst().sorted())
        #expect(!fields.contains("threads") && !fields.contains("out") && !fields.contains("store"))
        let path = try file("\(study).yaml", spec.stdout)
        let dry = try CLI.run(["run", path, "--dry-run"])
        #expect(dry.status == 0, "\(dry.stderr)")
        let line = dry.stdout.trimmingCharacters(in: .newlines)
        #expect(line.hasPrefix("sgdyn \(study)"))
        // The file's command line has the same canonical spec as the bare study (its defaults).
        let args = Array(line.split(separator: " ").map(String.init).dropFirst())
        let a = try CLI.run(["spec", "--canonical"] + args), b = try CLI.run(["spec", "--canonical", study])
        #expect(a.status == 0 && a.stdout == b.stdout, "\(a.stderr)")
    }

    @Test("sgdyn spec of a command line keeps its values; lists as YAML lists; a canonical spec ignores spelling and output options")
    func specOfCommandLine() throws {
        let r = try CLI.run(["spec", "weak-error", "--mode", "mc", "--etas", "0.1,0.05", "--no-files", "--x0=-1,2"])
        #expect(r.status == 0, "\(r.stderr)")
        for line in ["study: weak-error", "mode: mc", "etas: [0.1, 0.05]", "no-files: true", "x0: [-1, 2]", "paths: 100000", "data: null"] {
            #expect(r.stdout.contains("\n\(line)\n"), "\(line) in \(r.stdout)")
        }
        let a = try CLI.run(["spec", "--canonical", "weak-error", "--mode", "mc", "--etas", "0.10,0.050", "--threads", "1"])
        let b = try CLI.run(["spec", "--canonical", "weak-error", "--etas=0.1,0.05", "--mode=mc", "--horizon", "1"])
        #expect(a.status == 0 && a.stdout == b.stdout && a.stdout.hasPrefix("{\"configuration\":") && a.stdout.contains("\"study\":\"weak-error\""))
        for bad in [["spec"], ["spec", "merge"], ["spec", "weak-error", "--mode", "fast"], ["spec", "flow", "--etaz", "1"]] {
            let e = try CLI.run(bad)
            #expect(e.status == 64 && e.stderr.split(separator: "\n").count == 1, "\(bad): \(e.stderr)")
        }
    }

    @Test("text values YAML would misread are quoted, and read back as written")
    func quoting() throws {
        // every value must be valid (the study is validated), so the data file exists under a name YAML would misread
        let dir = CLI.tempDir()
        let data = dir + "/a b: c.csv"
        try "u,v,y\n1,2,3\n2,1,0\n0,1,1\n3,3,2\n1,1,1\n".write(toFile: data, atomically: true, encoding: .utf8)
        let r = try CLI.run(["spec", "weak-error", "--objective", "least-squares", "--mode", "mc", "--test", "x1^4", "--data", data, "--out", "null"])
        #expect(r.status == 0, "\(r.stderr)")
        for line in ["data: \"\(data)\"", "test: x1^4", "out: \"null\""] {
            #expect(r.stdout.contains("\n\(line)\n"), "\(line) in \(r.stdout)")
        }
        let path = try file("q.yaml", r.stdout)
        let dry = try CLI.run(["run", path, "--dry-run"])
        #expect(dry.status == 0, "\(dry.stderr)")
        for part in ["--data '\(data)'", "--test x1^4", "--out null"] {
            #expect(dry.stdout.contains(part), "\(part) in \(dry.stdout)")
        }
    }

    @Test("a sweep of a library study ends with one table across its points and the fitted 1/b slope; runs aggregate gives the same")
    func sweepAggregate() throws {
        let store = freshStore()
        let path = try file("b.yaml", "study: weak-error\nmode: exact\netas: [0.1, 0.05]\nno-files: true\nsweep:\n  batch: [1, 2, 4]\n")
        let r = try CLI.run(["run", path, "--store", store])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("aggregate over the 3 points (sgdyn runs aggregate 1 2 3):"))
        let lines = r.stdout.split(separator: "\n").map(String.init)
        let header = try #require(lines.first { $0.hasPrefix("run  batch") })
        #expect(header.contains("order SME-1") && header.contains("error SME-2 at η=0.1"))
        #expect(lines.contains { $0.hasPrefix("1    1 ") } && lines.contains { $0.hasPrefix("3    4 ") })
        // SGD's noise covariance is Σ/b, so the SME-1 weak error falls with b; its slope is fitted with an interval
        let slope = try #require(lines.first { $0.hasPrefix("error SME-2 at η=0.1 against batch: slope ") })
        #expect(slope.contains("±") && slope.hasSuffix("(95% interval)"))
        #expect(lines.contains("(a quantity ∝ 1/b has slope −1 against the batch size)"))
        #expect(!lines.contains { $0.hasPrefix("order SME-1 against batch") }, "a fitted order is not fitted again")
        let dir = CLI.tempDir()
        let again = try CLI.run(["runs", "aggregate", "1", "2", "3", "--store", store, "--out", dir])
        #expect(again.status == 0 && again.stdout.contains(slope))
        #expect(FileManager.default.fileExists(atPath: dir + "/aggregate.csv") && FileManager.default.fileExists(atPath: dir + "/aggregate.svg"))
        let mixed = try CLI.run(["runs", "aggregate", "1", "99", "--store", store])
        #expect(mixed.status != 0 && mixed.stderr.split(separator: "\n").count == 1)
    }
}
