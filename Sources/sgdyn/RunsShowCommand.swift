import ArgumentParser
import Foundation
import SGDynamicsReport
import SGDynamicsStore

/// `sgdyn runs show ID`: everything the store keeps about one run.
struct RunsShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one stored run: spec, status, times, claim, reading, files and printed output."
    )

    @OptionGroup var location: StoreLocation

    @Argument(help: ArgumentHelp("Run id, as 'sgdyn runs list' shows it.", valueName: "id"))
    var id: Int64

    @Flag(name: .long, help: "Leave out the printed output.")
    var noStdout = false

    func validate() throws {
        guard id > 0 else { throw ValidationError.field("<id>", "run ids are positive integers, got \(id)") }
    }

    func run() throws {
        let store = try location.open()
        let r = try RunFormatting.run(id, in: store)
        let artifacts = try RunFormatting.artifacts(id, in: store)
        print("run \(id): \(r.study), \(r.status.rawValue)")
        print("spec:")
        for f in SpecFields(r.spec).fields { print("  \(f.name) = \(f.value)") }
        print("spec hash: \(r.specHash)")
        print("seed: \(r.seed ?? "-")")
        print("sgdyn: \(r.packageVersion)")
        print("started: \(RunFormatting.time(r.startedAt))")
        if let end = r.endedAt { print("ended: \(RunFormatting.time(end)) (\(RunFormatting.duration(of: r)))") }
        print("process: pid \(r.pid) on \(r.hostname)")
        if let e = r.errorMessage { print("error: \(e)") }
        print("claim: \(r.claim ?? "-")")
        if let e = r.experiment { print("experiment: \(e)") }
        print("reading: \(r.reading ?? "-")")
        if artifacts.isEmpty {
            print("files: none")
        } else {
            print("files:")
            var t = TextTable(["name", "kind", "size"])
            for a in artifacts { t.add([a.name, a.kind.rawValue, RunFormatting.size(a.contents.utf8.count)]) }
            print(t.render().split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
        }
        if !noStdout {
            print("stdout:")
            let out = r.stdout ?? ""
            print(out.isEmpty ? "  (nothing)" : out, terminator: out.hasSuffix("\n") ? "" : "\n")
        }
    }
}
