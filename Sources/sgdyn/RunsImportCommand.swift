import ArgumentParser
import Foundation
import SGDynamicsStore

/// `sgdyn runs import STORE…`: merge other run stores (e.g. one per array task) into this one.
struct RunsImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Copy the finished runs of other run stores (one per cluster array task, say) into this store.",
        discussion: """
        Each source is imported in one transaction. A run whose spec is already here as a finished run \
        with the same files is skipped; the same spec with different results is a conflict, and that \
        source is not imported. Runs that did not finish are left out. The target is --store (created \
        if missing).
        """
    )

    @Option(name: .long, help: ArgumentHelp("Run store to import into (created if missing). Default: $SGDYN_STORE, else sgdyn.sqlite.", valueName: "path"))
    var store: String?

    @Argument(help: ArgumentHelp("Run stores to import.", valueName: "store"))
    var sources: [String] = []

    func validate() throws {
        guard !sources.isEmpty else { throw ValidationError.field("<store>", "give at least one run store to import, e.g. sgdyn-point-1.sqlite") }
    }

    func run() throws {
        let targetPath = StoreLocation.resolve(store)
        // Every source is opened (read-only: a per-task store stays as its sgdyn wrote it) before the
        // target is made, so a bad source leaves nothing behind.
        var opened: [(path: String, store: RunStore)] = []
        for path in sources {
            guard (path as NSString).standardizingPath != (targetPath as NSString).standardizingPath else {
                throw CLIError.usage("<store>", "'\(path)' is the target store itself")
            }
            do { opened.append((path, try RunStore(path: path, create: false, readOnly: true))) } catch {
                throw CLIError.usage("<store>", error.description)
            }
        }
        let target = try StoreLocation.open(targetPath, create: true)
        for (path, source) in opened {
            let summary = try RunFailure.recorded { try target.importRuns(from: source) }
            let ids = summary.imported.map { "\($0.source) → \($0.id)" }
            print("\(path): imported \(summary.imported.count) run\(summary.imported.count == 1 ? "" : "s")"
                  + (ids.isEmpty ? "" : " (\(ids.joined(separator: ", ")))")
                  + (summary.duplicates.isEmpty ? "" : "; \(summary.duplicates.count) already here (" + summary.duplicates.map { "\($0.source) = \($0.id)" }.joined(separator: ", ") + ")"))
        }
    }
}
