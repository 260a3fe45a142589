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
    /// The files of a result (default: `ResultRenderer.files`).
    func outputFiles(_ result: StudyResult) throws -> [(name: String, contents: String)]
    /// Lines for stderr before the work starts (default: none).
    func announcements() throws -> [String]
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
    func outputFiles(_ result: StudyResult) throws -> [(name: String, contents: String)] { try ResultRenderer.files(result) }
    func announcements() throws -> [String] { [] }

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

    func run() throws { _ = try execute(record: false, skipIfStored: false, progressContext: nil, experiment: nil) }

    /// The command's option group of type `T`, if it has one (threads, memory).
    func optionGroup<T: ParsableArguments>(_ type: T.Type) -> T? {
        Mirror(reflecting: self).children.lazy.compactMap { ($0.value as? OptionGroup<T>)?.wrappedValue ?? ($0.value as? T) }.first
    }

    /// Build (and so validate) the study before any work: a bad value is a usage error naming its flag.
    func validate() throws {
        do {
            let study = try makeStudy()
            let limit = optionGroup(MemoryOptions.self)?.limit
                ?? Double(ProcessInfo.processInfo.physicalMemory) / 2
            if study.estimatedBytes > limit {
                throw CLIError.usage("--max-memory", "this run needs about \(NumberText.short(study.estimatedBytes / 1e6, 3)) MB, more than the limit of \(NumberText.short(limit / 1e6, 3)) MB; shorten the horizon, coarsen the grid or raise --max-memory")
            }
            try OutputWriter.check(out: output.out, noFiles: output.noFiles)
            if !storeOptions.noStore { try StoreLocation.check(storeOptions.path) }
        } catch let e as CLIError where e.code == 64 { throw ValidationError(e.message) }
    }

    /// Run the study: outputs checked first, the run begun in the store (unless `record` is false),
    /// the result rendered to stdout and to files (written together), then stored.
    func execute(record: Bool, skipIfStored: Bool, progressContext: String?, experiment: String?) throws -> StudyRunRecord {
        let study = try makeStudy()
        let spec: StudySpec
        do { spec = try study.spec() } catch let e as ConfigurationError { throw CLIError.usage(Self.flag(e.field), e.message) }
        let writer = try OutputWriter(output)
        var store: RunStore?
        var id: Int64?
        if record {
            let s = try StoreLocation.open(storeOptions.path, create: true)
            store = s
            if skipIfStored, let earlier = try RunFailure.recorded({ try s.latestDoneRun(specHash: spec.hash) }), let eid = earlier.id {
                // The stored run's files go to this --out (it may differ from the earlier one's).
                let stored = try RunFailure.recorded { try s.artifacts(of: eid) }.map { (name: $0.name, contents: $0.contents) }
                let written = try writer.write(stored)
                print("skipped: same spec as run \(eid)" + (written.isEmpty ? "" : "; wrote its files " + written.joined(separator: ", ")))
                return StudyRunRecord(id: eid, reading: earlier.reading, storePath: storeOptions.path)
            }
            id = try RunFailure.recorded {
                try s.begin(study: Runner.name, spec: spec.text, seed: study.configuration.seedValue.map(String.init),
                            packageVersion: PackageVersion.current, experiment: experiment)
            }
        }
        for line in try announcements() { FileHandle.standardError.write(Data("sgdyn: \(line)\n".utf8)) }
        let bars = ProgressBars(context: progressContext)
        let threads = optionGroup(ThreadOptions.self)?.threads
        let context = StudyContext(threads: threads ?? ProcessInfo.processInfo.activeProcessorCount, progress: { bars.handle($0) })
        let started = Date()
        var staged: OutputWriter.Staged?
        defer { staged?.discard() }
        let result: StudyResult
        let text: String
        do {
            result = try study.run(context)
            bars.finishAll()
            let files = try outputFiles(result)
            // Every file is written and every target checked before anything replaces an old file.
            staged = try writer.stage(files)
            var out = ResultRenderer.text(result) + String(format: "time %.2f s\n", Date().timeIntervalSince(started))
            if let paths = staged?.paths, !paths.isEmpty { out += "wrote " + paths.joined(separator: ", ") + "\n" }
            text = out
            // The files go into place together (or not at all); then the run is finished in the store.
            try staged?.commit()
            if let store, let id {
                // The files as written; `<study>.json` is the result itself.
                try RunFailure.recorded {
                    try store.finish(id: id, outcome: RunOutcome(claim: result.claim, reading: result.reading, stdout: text, artifacts: files))
                }
            }
        } catch {
            bars.finishAll()
            staged?.discard()
            staged = nil
            writer.removeIfUnused()
            if let store, let id {
                let failure = RunFailure.describe(Self.mapped(error))
                if failure.code == 64 { try? store.discard(id: id) } else { try? store.fail(id: id, message: failure.message, outcome: RunOutcome()) }
            }
            throw Self.mapped(error)
        }
        print(text, terminator: "")
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
    /// Shown before every bar's label (a sweep's point `i/n`).
    let context: String?
    init(context: String?) { self.context = context }

    func handle(_ p: StudyProgress) {
        lock.lock()
        defer { lock.unlock() }
        if p.finished {
            bars.removeValue(forKey: p.label)?.finish()
            return
        }
        let bar = bars[p.label] ?? {
            let b = ProgressBar(p.label, total: p.total, workPerUnit: Double(p.stepsPerUnit), workName: "path-steps", context: context)
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
    /// Whether this writer made the directory (so that a run that writes nothing can take it away).
    let created: Bool
    /// The directory as the user gave it (for the "wrote …" line).
    let shown: String

    /// Check that `options.out` can hold files (nil directory with --no-files).
    init(_ options: OutputOptions) throws { try self.init(out: options.out, noFiles: options.noFiles) }

    /// Whether `out` could hold the files, without creating anything: an existing writable
    /// directory, or a path whose nearest existing ancestor is a directory.
    static func check(out: String, noFiles: Bool) throws {
        guard !noFiles else { return }
        guard !out.isEmpty else { throw CLIError.usage("--out", "give a directory, e.g. sgdyn-out") }
        var path = URL(fileURLWithPath: out, isDirectory: true).standardizedFileURL
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw CLIError.usage("--out", "'\(out)' is a file; give a directory") }
            return
        }
        while path.path != "/" {
            path = path.deletingLastPathComponent()
            if FileManager.default.fileExists(atPath: path.path, isDirectory: &isDirectory) {
                guard isDirectory.boolValue else { throw CLIError.usage("--out", "cannot make '\(out)': '\(path.path)' is a file") }
                return
            }
        }
    }

    init(out: String, noFiles: Bool = false) throws {
        shown = out
        guard !noFiles else { directory = nil; created = false; return }
        try Self.check(out: out, noFiles: noFiles)
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
            directory = dir
            created = true
            return
        }
        directory = dir
        created = false
    }

    /// Files written into a staging directory beside their targets, not yet in place.
    struct Staged {
        let staging: URL?
        let targets: [(from: URL, to: URL)]
        /// The paths the files will have, as the user gave the directory.
        let paths: [String]

        /// Move every file into place (each move atomic; every target was checked to be a plain file or absent).
        /// Old files are first moved aside into the staging directory; if any move fails, every
        /// file moved so far goes back, so the directory holds either the old set or the new one.
        func commit() throws {
            guard let staging else { return }
            var done: [(from: URL, to: URL, backup: URL?)] = []
            func rollBack() {
                for d in done.reversed() {
                    _ = rename(d.to.path, d.from.path)
                    if let b = d.backup { _ = rename(b.path, d.to.path) }
                }
            }
            for (i, t) in targets.enumerated() {
                var backup: URL?
                if FileManager.default.fileExists(atPath: t.to.path) {
                    let b = staging.appendingPathComponent(".old-\(i)")
                    guard rename(t.to.path, b.path) == 0 else {
                        let reason = String(cString: strerror(errno))
                        rollBack()
                        throw CLIError.runtime("cannot replace \(t.to.lastPathComponent) in '\(t.to.deletingLastPathComponent().path)': \(reason)")
                    }
                    backup = b
                }
                guard rename(t.from.path, t.to.path) == 0 else {
                    let reason = String(cString: strerror(errno))
                    if let backup { _ = rename(backup.path, t.to.path) }
                    rollBack()
                    throw CLIError.runtime("cannot move \(t.to.lastPathComponent) into '\(t.to.deletingLastPathComponent().path)': \(reason)")
                }
                done.append((t.from, t.to, backup))
            }
        }

        /// Remove what was not moved.
        func discard() { if let staging { try? FileManager.default.removeItem(at: staging) } }
    }

    /// Write every file into a staging directory and check every target (absent, or a regular
    /// file to replace); nothing is in place until `commit()`.
    func stage(_ files: [(name: String, contents: String)]) throws -> Staged {
        guard let directory else { return Staged(staging: nil, targets: [], paths: []) }
        let staging = directory.appendingPathComponent(".sgdyn-staging-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))")
        do {
            try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: false)
            var targets: [(URL, URL)] = []
            for f in files {
                let from = staging.appendingPathComponent(f.name), to = directory.appendingPathComponent(f.name)
                var st = stat()
                if lstat(to.path, &st) == 0, (st.st_mode & S_IFMT) != S_IFREG {
                    throw CLIError.runtime("cannot write \(f.name) into '\(shown)': something that is not a regular file is in the way")
                }
                try Data(f.contents.utf8).write(to: from)
                targets.append((from, to))
            }
            return Staged(staging: staging, targets: targets, paths: files.map { (shown as NSString).appendingPathComponent($0.name) })
        } catch let e as CLIError {
            try? FileManager.default.removeItem(at: staging)
            throw e
        } catch {
            try? FileManager.default.removeItem(at: staging)
            throw CLIError.runtime("cannot write into '\(shown)': \(RunsExportCommand.reason(error))")
        }
    }

    /// Remove the directory this writer made if nothing was written into it.
    func removeIfUnused() {
        guard created, let directory, (try? FileManager.default.contentsOfDirectory(atPath: directory.path))?.isEmpty == true else { return }
        try? FileManager.default.removeItem(at: directory)
    }

    /// Write every file at once; returns their paths (none with --no-files).
    func write(_ files: [(name: String, contents: String)]) throws -> [String] {
        let staged = try stage(files)
        defer { staged.discard() }
        try staged.commit()
        return staged.paths
    }

}
