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

/// The run being recorded by this process (at most one study runs at a time).
///
/// Commands call `claim(_:)` once with the claim of the theory they test, `reading(_:)` with a
/// one-paragraph reading of what they measured, and every file they write goes through
/// `OutputOptions.write`, which hands it to `artifact(name:contents:)`.
enum StudyRecording {
    nonisolated(unsafe) static var claimText: String?
    nonisolated(unsafe) static var readingText: String?
    nonisolated(unsafe) static var artifacts: [(name: String, contents: String)] = []

    /// The canonical spec of a command line (study name and every result-relevant option with its
    /// value, defaults filled in), as text whose hash identifies the run. Output-only options
    /// (--out, --no-files, --store, --no-store, --threads) are left out.
    ///
    /// The text is `study=NAME` and then sorted `name=value` lines (see
    /// `StudyInvocation.canonicalText`), for example
    ///
    ///     study=weak-error
    ///     algorithm=sgd
    ///     batch=1
    ///     …
    ///
    /// A command whose work is a library study has the study's spec instead: the configuration's
    /// canonical JSON with the content hash of every input file (`StudySpec`).
    static func canonicalSpec(arguments: [String]) throws -> String {
        if let study = try? SGDyn.parseAsRoot(arguments) as? any LibraryStudyCommand {
            return try study.canonicalSpec().text
        }
        return try StudyInvocation(arguments: arguments).canonicalText()
    }

    static func claim(_ text: String) { claimText = text }
    static func reading(_ text: String) { readingText = text }
    static func artifact(name: String, contents: String) { artifacts.append((name, contents)) }

    static func reset() { claimText = nil; readingText = nil; artifacts = [] }
}
