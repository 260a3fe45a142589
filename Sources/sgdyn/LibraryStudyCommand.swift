import ArgumentParser
import Foundation
import SGDynamics
import SGDynamicsReport
import SGDynamicsStore

/// A study command whose work is a library `Study`: the command only parses its flags into the
/// study's configuration; `execute` runs the study, renders the result (text, CSV, JSON, SVG) and
/// keeps it in the run store with `result.json`.
protocol LibraryStudyCommand: StudyCommand {
    associatedtype Runner: Study
    /// The study's configuration from the parsed flags.
    func configuration() throws -> Runner.Configuration
    var output: OutputOptions { get }
    /// Library parameter names (`ConfigurationError.field`) → this command's flags, where the
    /// flag is not `--` and the kebab-case of the name.
    static var flags: [String: String] { get }
}

/// What running one study command left behind: its store id (nil with --no-store) and reading.
struct StudyRunRecord {
    var id: Int64?
    var reading: String?
    /// The store that holds the run.
    var storePath: String? = nil
}

extension LibraryStudyCommand {
    static var flags: [String: String] { [:] }

    /// The CLI flag of a library parameter: `learningRates` → `--learning-rates` unless `flags` says otherwise.
    static func flag(_ field: String) -> String { CLIFlags.flag(field, overrides: flags) }

    /// The validated study, or a usage error naming the flag.
    func makeStudy() throws -> Runner {
        do {
            return try Runner(configuration())
        } catch let e as ConfigurationError {
            throw CLIError.usage(Self.flag(e.field), e.message)
        } catch let e as DatasetError {
            throw CLIError.usage("--data", e.description)
        }
    }

    /// The spec stored and hashed for this command line: the configuration's canonical JSON.
    func canonicalSpec() throws -> StudySpec {
        do { return try makeStudy().spec() } catch let e as ConfigurationError { throw CLIError.usage(Self.flag(e.field), e.message) }
    }

    func run() throws { _ = try execute(record: false, skipIfStored: false) }

    /// Build (and so validate) the study before any work: a bad value is a usage error naming its flag.
    func validate() throws {
        do { _ = try makeStudy() } catch let e as CLIError where e.code == 64 { throw ValidationError(e.message) }
    }

    /// Run the study: outputs checked first, the run begun in the store (unless `record` is false),
    /// the result rendered to stdout and to files (written together), then stored.
    func execute(record: Bool, skipIfStored: Bool) throws -> StudyRunRecord {
        let study = try makeStudy()
        let spec = try canonicalSpec()
        let writer = try OutputWriter(output)
        var store: RunStore?
        var id: Int64?
        if record {
            let s = try StoreLocation.open(storeOptions.path, create: true)
            store = s
            if skipIfStored, let earlier = try StudyRecorder.recorded({ try s.latestDoneRun(specHash: spec.hash) }), let eid = earlier.id {
                print("skipped: same spec as run \(eid)")
                return StudyRunRecord(id: eid, reading: earlier.reading, storePath: storeOptions.path)
            }
            id = try StudyRecorder.recorded {
                try s.begin(study: Runner.name, spec: spec.text, seed: study.configuration.seedValue.map(String.init),
                            packageVersion: PackageVersion.current)
            }
        }
        let bars = ProgressBars()
        let threads = Mirror(reflecting: self).children.lazy.compactMap { $0.value as? ThreadOptions }.first?.threads
        let context = StudyContext(threads: threads ?? ProcessInfo.processInfo.activeProcessorCount, progress: { bars.handle($0) })
        let started = Date()
        let result: StudyResult
        let files: [(name: String, contents: String)]
        do {
            result = try study.run(context)
            files = try ResultRenderer.files(result)
        } catch {
            bars.finishAll()
            if let store, let id {
                let failure = StudyRecorder.describe(error)
                if failure.code == 64 { try? store.discard(id: id) } else { try? store.fail(id: id, message: failure.message, outcome: RunOutcome()) }
            }
            throw Self.mapped(error)
        }
        bars.finishAll()
        let seconds = Date().timeIntervalSince(started)
        var text = ResultRenderer.text(result)
        text += String(format: "time %.2f s\n", seconds)
        let written = try writer.write(files)
        if !written.isEmpty { text += "wrote " + written.joined(separator: ", ") + "\n" }
        print(text, terminator: "")
        if let store, let id {
            // The files as written; `<study>.json` is the result itself.
            try StudyRecorder.recorded {
                try store.finish(id: id, outcome: RunOutcome(claim: result.claim, reading: result.reading, stdout: text, artifacts: files))
            }
        }
        return StudyRunRecord(id: id, reading: result.reading, storePath: record ? storeOptions.path : nil)
    }

    static func mapped(_ error: any Error) -> any Error {
        if let e = error as? ConfigurationError { return CLIError.usage(flag(e.field), e.message) }
        return error
    }
}

/// The CLI's names for the library's parameters.
enum CLIFlags {
    /// The flag of `field`: an override, a shared name, `field` itself when it already is a flag,
    /// else `--` and its kebab-case (`learningRates` → `--learning-rates`).
    static func flag(_ field: String, overrides: [String: String] = [:]) -> String {
        if field.hasPrefix("-") || field.hasPrefix("<") { return field }
        if let f = overrides[field] ?? shared[field] { return f }
        var out = "--"
        for ch in field {
            if ch.isUppercase { out += "-" + ch.lowercased() } else if ch == "." { out += "-" } else { out.append(ch) }
        }
        return out
    }

    /// Library names that mean the same flag in every command.
    static let shared: [String: String] = [
    "objective": "--objective", "objective.name": "--objective", "diagonal": "--diagonal", "objective.diagonal": "--diagonal",
    "data": "--data", "objective.data": "--data", "start": "--x0", "objective.start": "--x0", "learningRates": "--etas",
    ]
}

/// Progress bars on stderr, one per part of a study, from its context's reports.
final class ProgressBars: @unchecked Sendable {
    private let lock = NSLock()
    private var bars: [String: ProgressBar] = [:]

    func handle(_ p: StudyProgress) {
        lock.lock()
        defer { lock.unlock() }
        if p.finished {
            bars.removeValue(forKey: p.label)?.finish()
            return
        }
        let bar = bars[p.label] ?? {
            let b = ProgressBar(p.label, total: p.total, workPerUnit: Double(p.stepsPerUnit), workName: "path-steps")
            bars[p.label] = b
            return b
        }()
        bar.update(p.done)
    }

    func finishAll() {
        lock.lock()
        defer { lock.unlock() }
        for bar in bars.values { bar.finish() }
        bars = [:]
    }
}

/// Writes a run's files into the output directory together: checked before the work starts,
/// written into a temporary directory beside it, then moved into place.
struct OutputWriter {
    let directory: URL?
    /// The directory as the user gave it (for the "wrote …" line).
    let shown: String

    /// Check that `options.out` can hold files (nil directory with --no-files).
    init(_ options: OutputOptions) throws { try self.init(out: options.out, noFiles: options.noFiles) }

    init(out: String, noFiles: Bool = false) throws {
        shown = out
        guard !noFiles else { directory = nil; return }
        let dir = URL(fileURLWithPath: out, isDirectory: true)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: dir.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw CLIError.usage("--out", "'\(out)' is a file; give a directory") }
            guard FileManager.default.isWritableFile(atPath: dir.path) else {
                throw CLIError.usage("--out", "the directory '\(out)' is not writable")
            }
        } else {
            do { try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true) } catch {
                throw CLIError.usage("--out", "cannot create the directory '\(out)': \(RunsExportCommand.reason(error))")
            }
        }
        directory = dir
    }

    /// Write every file; returns their paths (none with --no-files).
    func write(_ files: [(name: String, contents: String)]) throws -> [String] {
        guard let directory else { return [] }
        let staging = directory.appendingPathComponent(".sgdyn-staging-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))")
        defer { try? FileManager.default.removeItem(at: staging) }
        do {
            try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: false)
            for f in files { try Data(f.contents.utf8).write(to: staging.appendingPathComponent(f.name)) }
            var paths: [String] = []
            for f in files {
                let target = directory.appendingPathComponent(f.name)
                if rename(staging.appendingPathComponent(f.name).path, target.path) != 0 {
                    throw CLIError.runtime("cannot move \(f.name) into '\(directory.path)': \(String(cString: strerror(errno)))")
                }
                paths.append((shown as NSString).appendingPathComponent(f.name))
            }
            return paths
        } catch let e as CLIError {
            throw e
        } catch {
            throw CLIError.runtime("cannot write into '\(directory.path)': \(RunsExportCommand.reason(error))")
        }
    }
}
