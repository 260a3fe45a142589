import ArgumentParser
import Foundation

/// Where a study's run is kept: the SQLite run store at `$SGDYN_STORE`, else `./sgdyn.sqlite`, unless told otherwise.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Run store (SQLite) that keeps this run's spec, tables and pictures. Default: $SGDYN_STORE, else sgdyn.sqlite.", valueName: "path"))
    var store: String?

    @Flag(name: .long, help: "Do not keep this run in the run store.")
    var noStore = false

    /// The store's path: --store, else $SGDYN_STORE, else `sgdyn.sqlite` in the working directory.
    var path: String { StoreLocation.resolve(store) }
}

/// A subcommand whose runs are studies: kept in the run store, writable as an experiment file.
protocol StudyCommand: ParsableCommand {
    var storeOptions: StoreOptions { get }
}

/// The canonical spec of a command line, the text whose hash identifies a run in the store.
enum StudyRecording {
    /// A study command line's spec: the study's configuration as canonical JSON with the content
    /// hash of every input file (`StudySpec`); output-only options (--out, --no-files, --store,
    /// --no-store, --threads) are not part of it.
    static func canonicalSpec(arguments: [String]) throws -> String {
        let command: any ParsableCommand
        do { command = try SGDyn.parseAsRoot(arguments) } catch { throw CLIError.usage(arguments.first ?? "study", ErrorReport(error).message) }
        guard let study = command as? any LibraryStudyCommand else {
            throw CLIError.usage("study", "'\(arguments.first ?? "")' is not a study; valid: \(StudyInterface.studyNames.joined(separator: ", "))")
        }
        return try study.canonicalSpec().text
    }
}
