import ArgumentParser
import Foundation
import SGDynamicsStore

/// `sgdyn runs list`: one line per stored run.
struct RunsListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the stored runs: id, study, status, start, duration, seed, spec hash and reading."
    )

    @OptionGroup var location: StoreLocation

    @Option(name: .long, help: ArgumentHelp("Only runs of this study, e.g. weak-error.", valueName: "name"))
    var study: String?

    @Option(name: .long, help: ArgumentHelp("Only runs with this status: \(RunStatus.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "status"))
    var status: String?

    func validate() throws {
        if let status, RunStatus(rawValue: status) == nil {
            throw ValidationError.field("--status", "'\(status)' is not a status; use one of \(RunStatus.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() throws {
        let store = try location.open()
        var runs: [StoredRun]
        do { runs = try store.runs() } catch { throw CLIError(storeError: error) }
        if let study { runs = runs.filter { $0.study == study } }
        if let status { runs = runs.filter { $0.status.rawValue == status } }
        guard !runs.isEmpty else {
            print("no runs\(study != nil || status != nil ? " matching" : "") in \(store.path)")
            return
        }
        var table = TextTable(["id", "study", "status", "started", "duration", "seed", "hash", "reading"])
        for r in runs {
            table.add(["\(r.id ?? 0)", r.study, r.status.rawValue, RunFormatting.time(r.startedAt), RunFormatting.duration(of: r),
                       r.seed ?? "-", String(r.specHash.prefix(10)), RunFormatting.truncated(r.reading ?? r.errorMessage, 70)])
        }
        print(table.render())
    }
}
