import Foundation
import Testing

@Suite("examples/: every experiment file runs")
struct ExampleFilesTests {
    /// A line each example's output must contain.
    static let keyLines: [String: String] = [
        "flow.yaml": "diverges",
        "gap.json": "fitted order vs IGR flow",
        "weak-error-seeds.yaml": "fitted order SME-2",
        "simulate.yaml": "SGD on noisy-quadratic: 2000 paths",
        "fokker-planck.yaml": "fp-stationary",
        "master.json": "master-equation",
        "stationary.yaml": "sgd-ensemble",
        "noise.yaml": "tail index",
        "stability.yaml": "η*_exact",
        "formula-flow.yaml": "Objective expr: (x^2 - 1)^2 + 0.5*y^2 + a*x (d = 2)",
        "samples-noise.yaml": "Gradient noise of samples: 0.5*(a*x_i + b - y_i)^2 (n = 60, d = 2)",
    ]

    static var files: [String] {
        let dir = CLI.repositoryRoot.appendingPathComponent("examples").path
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return names.filter { name in [".yaml", ".yml", ".json"].contains { name.hasSuffix($0) } }.sorted()
    }

    @Test("one example per study, a few in JSON, one with a sweep")
    func coverage() throws {
        let files = Self.files
        #expect(Set(files) == Set(Self.keyLines.keys), "every example has a key line: \(files)")
        #expect(files.filter { $0.hasSuffix(".json") }.count >= 2)
        let dir = CLI.repositoryRoot.appendingPathComponent("examples").path
        let studies = try files.map { name -> String in
            let text = try String(contentsOfFile: dir + "/" + name, encoding: .utf8)
            let study = try #require(text.firstMatch(of: #/"?study"?\s*:\s*"?([a-z-]+)/#))
            return String(study.output.1)
        }
        #expect(Set(studies) == ["flow", "gap", "weak-error", "simulate", "fokker-planck", "master", "stationary", "noise", "stability"])
        #expect(try files.contains { try String(contentsOfFile: dir + "/" + $0, encoding: .utf8).contains("sweep") })
    }

    @Test("example runs, exits 0 and prints its key line", arguments: files)
    func runs(_ name: String) throws {
        let dir = CLI.tempDir()
        let path = CLI.repositoryRoot.appendingPathComponent("examples/\(name)").path
        let r = try CLI.run(["run", path, "--store", dir + "/runs.sqlite"], environment: [:], in: dir)
        #expect(r.status == 0, "\(name): \(r.stderr)")
        let key = try #require(Self.keyLines[name])
        #expect(r.stdout.contains(key), "\(name): no '\(key)' in\n\(r.stdout)")

        // its stored runs can be listed, shown, compared and exported
        let store = dir + "/runs.sqlite"
        let isSweep = try String(contentsOfFile: path, encoding: .utf8).contains("sweep:")
        if !isSweep {
            let again = try CLI.run(["run", path, "--store", store], environment: [:], in: dir)
            #expect(again.status == 0, "\(name) again: \(again.stderr)")
        }
        let list = try CLI.run(["runs", "list", "--store", store])
        #expect(list.status == 0, "\(list.stderr)")
        let done = list.stdout.split(separator: "\n").filter { $0.contains(" done ") }
        #expect(done.count >= 2, "\(name): \(list.stdout)")
        let show = try CLI.run(["runs", "show", "1", "--store", store])
        #expect(show.status == 0 && show.stdout.contains(key), "\(name): \(show.stderr)")
        let compare = try CLI.run(["runs", "compare", "1", "2", "--store", store])
        #expect(compare.status == 0, "\(name): \(compare.stderr)")
        let export = try CLI.run(["runs", "export", "1", "--out", dir + "/export", "--store", store])
        #expect(export.status == 0, "\(name): \(export.stderr)")
        let exported = (try? FileManager.default.contentsOfDirectory(atPath: dir + "/export")) ?? []
        #expect(exported.contains { $0.hasSuffix(".csv") }, "\(name): exported \(exported)")
    }
}

@Suite("sgdyn run: sweeps skip stored points")
struct SweepSkipTests {
    @Test("running a sweep file again skips every point already stored with the same spec hash")
    func secondRunSkips() throws {
        let dir = CLI.tempDir()
        let path = CLI.repositoryRoot.appendingPathComponent("examples/weak-error-seeds.yaml").path
        let store = dir + "/runs.sqlite"
        let first = try CLI.run(["run", path, "--store", store], environment: [:], in: dir)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(!first.stdout.contains("skipped"))
        let points = first.stdout.split(separator: "\n").filter { $0.contains("fitted order SME-2") }.count
        #expect(points >= 2)
        let second = try CLI.run(["run", path, "--store", store], environment: [:], in: dir)
        #expect(second.status == 0, "\(second.stderr)")
        let skipped = second.stdout.split(separator: "\n").filter { $0.hasPrefix("skipped: same spec as run ") }
        #expect(skipped.count == points, "\(second.stdout)")
        #expect(!second.stdout.contains("fitted order"))
        let list = try CLI.run(["runs", "list", "--store", store])
        #expect(list.stdout.split(separator: "\n").filter { $0.contains(" done ") }.count == points)
    }
}
