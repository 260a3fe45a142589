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
            try ResultFileWriter.check(out: output.out, noFiles: output.noFiles)
            if !storeOptions.noStore { try StoreLocation.check(storeOptions.path) }
        } catch let e as CLIError where e.code == 64 {
            throw ValidationError(e.message)
        } catch let e as ResultFileError where e.isUsage {
            throw ValidationError("--out: \(e.message)")
        }
    }

    /// Run the study: outputs checked first, the run begun in the store (unless `record` is false),
    /// the result rendered to stdout and to files (written together), then stored.
    func execute(record: Bool, skipIfStored: Bool, progressContext: String?, experiment: String?) throws -> StudyRunRecord {
        let study = try makeStudy()
        let spec: StudySpec
        do { spec = try study.spec() } catch let e as ConfigurationError { throw CLIError.usage(Self.flag(e.field), e.message) }
        let writer = try ResultFileWriter(out: output.out, noFiles: output.noFiles)
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
        var staged: ResultFileWriter.Staged?
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
