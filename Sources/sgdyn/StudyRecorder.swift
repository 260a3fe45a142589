import ArgumentParser
import Foundation
import SGDynamics
import SGDynamicsStore

/// Runs one study command while keeping it in the run store: spec and hash, a `running` row before
/// the work starts, the stdout as it is printed (tee), and at the end the claim, reading and
/// artifacts with status `done`, or `failed` with the error's message.
///
/// A study that stops on bad input (a usage error, exit 64) did no work and leaves no run behind.
struct StudyRecorder {
    let study: any StudyCommand
    let arguments: [String]
    /// Skip the run when its spec hash is already stored as a finished run (points of a sweep).
    var skipIfStored = false

    /// Record and run `command` (`Entry.execute` has reset `StudyRecording`).
    func run(_ command: inout any ParsableCommand) throws -> Int64 {
        let spec = try StudyRecording.canonicalSpec(arguments: arguments)
        let hash = SHA256.hex(spec)
        let store = try StoreLocation.open(study.storeOptions.path, create: true)
        if skipIfStored, let earlier = try Self.recorded({ try store.latestDoneRun(specHash: hash) }), let id = earlier.id {
            print("skipped: same spec as run \(id)")
            StudyRecording.readingText = earlier.reading
            return id
        }
        let name = type(of: study).configuration.commandName ?? "\(type(of: study))"
        let id = try Self.recorded {
            try store.begin(study: name, spec: spec, seed: seed.map(String.init), packageVersion: PackageVersion.current)
        }
        let capture = StdoutCapture.start()
        do {
            try command.run()
        } catch {
            let stdout = capture?.finish()
            let failure = Self.describe(error)
            if failure.code == 64 {
                try? store.discard(id: id)
            } else {
                try? store.fail(id: id, message: failure.message, outcome: outcome(stdout: stdout))
            }
            throw error
        }
        let stdout = capture?.finish()
        try Self.recorded { try store.finish(id: id, outcome: outcome(stdout: stdout)) }
        return id
    }

    /// The study's findings so far.
    private func outcome(stdout: String?) -> RunOutcome {
        RunOutcome(claim: StudyRecording.claimText, reading: StudyRecording.readingText, stdout: stdout,
                   artifacts: StudyRecording.artifacts)
    }

    /// The command's `--seed`, if it has one.
    var seed: UInt64? {
        for child in Mirror(reflecting: study).children where child.label == "_seed" {
            if let o = child.value as? Option<UInt64> { return o.wrappedValue }
            if let o = child.value as? Option<UInt64?> { return o.wrappedValue }
            if let o = child.value as? Option<Int> { return UInt64(truncatingIfNeeded: o.wrappedValue) }
        }
        return nil
    }

    static func recorded<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as RunStoreError { throw CLIError(storeError: error) }
    }

    /// The one-line message and exit code of an error, as `Entry.main` would report it.
    static func describe(_ error: any Error) -> (message: String, code: Int32) {
        switch error {
        case let e as CLIError: return (e.message, e.code)
        case let e as ConfigurationError: return ("\(CLIFlags.flag(e.field)): \(e.message)", 64)
        case let e as DatasetError: return (e.description, 64)
        case let e as LinearAlgebraError: return ("numerical failure: \(e.description)", 1)
        default:
            let code = SGDyn.exitCode(for: error)
            let line = SGDyn.message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            return (line, code == .validationFailure ? 64 : code.rawValue)
        }
    }
}
