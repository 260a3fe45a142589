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
}
