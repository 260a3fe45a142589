import Foundation
import Testing
@testable import sgdyn

@Suite("sweeps on a cluster")
struct ClusterSweepTests {
    @Test("one point per Slurm array task, each in its own store; imported, the aggregate equals the local sweep's")
    func arraySweepImportAggregate() throws {
        let dir = CLI.tempDir()
        let file = dir + "/b.yaml"
        try "study: weak-error\nmode: exact\netas: [0.1, 0.05]\nno-files: true\nsweep:\n  batch: [1, 2, 4]\n"
            .write(toFile: file, atomically: true, encoding: .utf8)
        for task in 1...3 {
            let r = try CLI.run(["run", file, "--store", dir + "/runs.sqlite"], environment: [
                "SLURM_ARRAY_TASK_ID": "\(task)", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_COUNT": "3"])
            #expect(r.status == 0 && r.stderr.contains("point \(task) of 3 from SLURM_ARRAY_TASK_ID"), "\(r.stderr)")
            #expect(r.stdout.components(separatedBy: "$ sgdyn").count == 2, "one point per task")
            #expect(FileManager.default.fileExists(atPath: dir + "/runs-point-\(task).sqlite"))
        }
        #expect(!FileManager.default.fileExists(atPath: dir + "/runs.sqlite"), "no task wrote the shared store")
        let imported = try CLI.run(["runs", "import", dir + "/runs-point-1.sqlite", dir + "/runs-point-2.sqlite",
                                    dir + "/runs-point-3.sqlite", "--store", dir + "/all.sqlite"])
        #expect(imported.status == 0 && imported.stdout.split(separator: "\n").allSatisfy { $0.contains("imported 1 run") })
        let again = try CLI.run(["runs", "import", dir + "/runs-point-2.sqlite", "--store", dir + "/all.sqlite"])
        #expect(again.stdout.contains("imported 0 runs; 1 already here"), "importing twice adds nothing")
        let cluster = try CLI.run(["runs", "aggregate", "1", "2", "3", "--store", dir + "/all.sqlite"])
        let local = try CLI.run(["run", file, "--store", dir + "/local.sqlite"])
        let table = cluster.stdout.split(separator: "\n").filter { $0.hasPrefix("run ") || $0.contains(" against batch") }
        #expect(table.count >= 3 && table.allSatisfy { local.stdout.contains($0) }, "\(cluster.stdout)")
        // the report of the points shows the table across them first
        let report = try CLI.run(["report", "1", "2", "3", "--store", dir + "/all.sqlite", "--out", dir + "/r.html"])
        #expect(report.status == 0)
        let html = try String(contentsOfFile: dir + "/r.html", encoding: .utf8)
        let aggregate = try #require(html.range(of: "id=\"aggregate\""))
        let first = try #require(html.range(of: "id=\"run-1\""))
        #expect(aggregate.lowerBound < first.lowerBound && html.contains("Across the 3 runs") && !html.contains("<script"))
        // a task index that does not fit the sweep is refused before any work
        let wrong = try CLI.run(["run", file], environment: ["SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_COUNT": "2"])
        #expect(wrong.status == 64 && wrong.stderr.contains("--point"))
    }

    @Test("identical runs write byte-identical result files, whatever the thread count (timings stay out of them)")
    func byteIdenticalResults() throws {
        let a = CLI.tempDir(), b = CLI.tempDir()
        for (dir, threads) in [(a, "1"), (b, "2")] {
            #expect(try CLI.run(["simulate", "--paths", "3000", "--saves", "3", "--threads", threads, "--out", dir, "--no-store"]).status == 0)
        }
        for name in ["simulate.csv", "simulate.json", "simulate.svg"] {
            #expect(FileManager.default.contents(atPath: a + "/" + name) == FileManager.default.contents(atPath: b + "/" + name), "\(name)")
        }
    }

    @Test("a sweep over η prints one table across its points with a fitted order in η, and reports it with a log–log figure")
    func etaSweepOrder() throws {
        let dir = CLI.tempDir()
        let file = dir + "/eta.yaml"
        // SGD's stationary-ish variance on the Li–Tai–E quadratic grows like η (docs/THEORY.md §6.3): order ≈ 1
        try "study: simulate\nhorizon: 20\npaths: 4000\nsaves: 2\nno-files: true\nsweep:\n  eta: [0.08, 0.04, 0.02, 0.01]\n"
            .write(toFile: file, atomically: true, encoding: .utf8)
        let r = try CLI.run(["run", file, "--store", dir + "/s.sqlite"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("aggregate over the 4 points"))
        let line = try #require(r.stdout.split(separator: "\n").first { $0.hasPrefix("variance x1 at t=20 against learningRate: order ") })
        let order = try #require(Double(line.split(separator: " ")[7]))
        #expect(abs(order - 1) < 0.2, "\(line)")
        let out = dir + "/agg"
        #expect(try CLI.run(["runs", "aggregate", "1", "2", "3", "4", "--store", dir + "/s.sqlite", "--out", out]).status == 0)
        let svg = try String(contentsOfFile: out + "/aggregate.svg", encoding: .utf8)
        #expect(svg.hasPrefix("<svg") || svg.contains("<svg"))
    }

    @Test("changing one byte of a --data CSV makes sgdyn run compute again instead of skipping the stored point")
    func dataEditRecomputes() throws {
        let dir = CLI.tempDir()
        let csv = dir + "/d.csv"
        try "u,v,y\n1,2,3\n2,1,0\n0,1,1\n3,3,2\n1,1,1\n2,2,5\n0,3,1\n".write(toFile: csv, atomically: true, encoding: .utf8)
        let file = dir + "/n.yaml"
        try "study: noise\nobjective: least-squares\ndata: \(csv)\ndraws: 1000\ndirections: 2\nbatch: 2\nbatches: \"1,2,4\"\nscaling-draws: 100\nno-files: true\nsweep:\n  seed: [1, 2]\n"
            .write(toFile: file, atomically: true, encoding: .utf8)
        let first = try CLI.run(["run", file, "--store", dir + "/s.sqlite"])
        #expect(first.status == 0, "\(first.stderr)")
        let again = try CLI.run(["run", file, "--store", dir + "/s.sqlite"])
        #expect(again.stdout.components(separatedBy: "skipped: same spec").count == 3, "both points stored: skipped")
        #expect(!first.stdout.contains("against seed"), "no power law is fitted against a seed")
        try "u,v,y\n1,2,3\n2,1,0\n0,1,1\n3,3,2\n1,1,1\n2,2,5\n0,3,2\n".write(toFile: csv, atomically: true, encoding: .utf8)
        let edited = try CLI.run(["run", file, "--store", dir + "/s.sqlite"])
        #expect(edited.status == 0 && !edited.stdout.contains("skipped"), "the data changed: computed again")
        // a stored point run again into another directory writes its stored files there
        let other = dir + "/other.yaml"
        try (try String(contentsOfFile: file, encoding: .utf8)).replacingOccurrences(of: "no-files: true\n", with: "out: \(dir)/elsewhere\n")
            .write(toFile: other, atomically: true, encoding: .utf8)
        let moved = try CLI.run(["run", other, "--store", dir + "/s.sqlite"])
        #expect(moved.stdout.contains("skipped: same spec") && moved.stdout.contains("wrote its files"), "\(moved.stdout)")
    }

    @Test("counts that would overflow are refused with one line: a sweep of 12¹⁸ points, extreme Slurm variables")
    func overflowingCounts() throws {
        let dir = CLI.tempDir()
        let options = ["seed", "paths", "horizon", "batch", "substeps", "momentum", "test", "mode", "diagonal", "x0", "etas", "models",
                       "algorithm", "objective", "threads", "out", "store", "data"]
        let file = dir + "/big.yaml"
        try ("study: weak-error\nsweep:\n" + options.map { "  \($0): [\((1...12).map(String.init).joined(separator: ","))]\n" }.joined())
            .write(toFile: file, atomically: true, encoding: .utf8)
        let big = try CLI.run(["run", file, "--dry-run"])
        #expect(big.status == 64 && big.stderr.contains("2.66e+19 points") && big.stderr.split(separator: "\n").count == 1, "\(big.stderr)")
        for env in [["SLURM_ARRAY_TASK_ID": "9223372036854775807", "SLURM_ARRAY_TASK_MIN": "-9223372036854775808", "SLURM_ARRAY_TASK_COUNT": "4"],
                    ["SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_COUNT": "99999999999999999999"],
                    ["JOB_COMPLETION_INDEX": "-9223372036854775808", "SGDYN_SHARD_COUNT": "4"]] {
            let r = try CLI.run(["simulate", "--paths", "100", "--no-files", "--no-store"], environment: env)
            #expect(r.status == 64 && r.stderr.split(separator: "\n").count == 1, "\(env): \(r.stderr)")
        }
    }

    @Test("a run whose estimated memory is above --max-memory (default half the machine) is refused before it starts")
    func memoryEstimate() throws {
        let huge = try CLI.run(["flow", "--objective", "mlp", "--etas", "1e-6", "--no-files", "--no-store"])
        #expect(huge.status == 64 && huge.stderr.contains("--max-memory") && huge.stderr.contains("MB"), "\(huge.stderr)")
        let small = try CLI.run(["flow", "--max-memory", "1", "--no-files", "--no-store"])
        #expect(small.status == 64 && small.stdout.isEmpty)
        #expect(try CLI.run(["flow", "--max-memory", "10", "--no-files", "--no-store"]).status == 0)
    }

    @Test("the --threads and --max-memory groups of a command are read (not the defaults)")
    func optionGroupsAreRead() throws {
        let w = try WeakErrorCommand.parse(["--threads", "3", "--max-memory", "123"])
        #expect(w.optionGroup(ThreadOptions.self)?.threads == 3)
        #expect(w.optionGroup(MemoryOptions.self)?.limit == 123e6)
    }
}
