import ArgumentParser
import Foundation
import SGDynamics
import SGDynamicsReport
import SGDynamicsStore

/// `sgdyn report ID…`: one self-contained HTML file of stored runs.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write one self-contained HTML report (inline CSS and SVG, no scripts) of stored runs.",
        discussion: """
        For each run: the study's question and claim, its settings, its tables, its pictures and the \
        reading of its numbers, with the printed output folded away. The file opens offline in any browser.
        """
    )

    @OptionGroup var location: StoreLocation

    @Argument(help: ArgumentHelp("Run ids, as 'sgdyn runs list' shows them.", valueName: "id"))
    var ids: [Int64] = []

    @Option(name: .long, help: ArgumentHelp("The HTML file to write.", valueName: "file"))
    var out: String = "sgdyn-report.html"

    @Option(name: .long, help: ArgumentHelp("The report's title.", valueName: "text"))
    var title: String?

    func validate() throws {
        guard !ids.isEmpty else { throw ValidationError.field("<id>", "give at least one run id, e.g. 'sgdyn report 3 4' ('sgdyn runs list' shows them)") }
        for id in ids where id <= 0 { throw ValidationError.field("<id>", "run ids are positive integers, got \(id)") }
        guard !out.isEmpty else { throw ValidationError.field("--out", "give a file name, e.g. report.html") }
    }

    func run() throws {
        let url = try Self.write(ids: ids, headings: [:], store: location.open(), out: out, title: title)
        print("wrote \(url.path)")
    }

    /// Write the report of runs `ids` (in that order, once each) to `out`; `headings` replace the
    /// "Run N · study" titles of some runs. Returns the file's URL.
    static func write(ids: [Int64], headings: [Int64: String], store: RunStore, out: String, title: String?) throws -> URL {
        let url = URL(fileURLWithPath: out)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw CLIError.usage("--out", "'\(out)' is a directory; give a file name, e.g. \(out)/report.html")
        }
        // Only a regular file is replaced (atomically): never a link, a device, a pipe or a socket.
        var st = stat()
        if lstat(url.path, &st) == 0, (st.st_mode & S_IFMT) != S_IFREG {
            throw CLIError.usage("--out", "'\(out)' exists and is not a regular file (a link, device, pipe or socket); give a new or regular file")
        }
        let parent = url.deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CLIError.usage("--out", "the directory '\(parent)' does not exist; create it or write elsewhere")
        }
        var unique: [Int64] = []
        for id in ids where !unique.contains(id) { unique.append(id) }
        var runs: [ReportRun] = []
        for id in unique {
            let r = try RunFormatting.run(id, in: store)
            let files = try RunFormatting.artifacts(id, in: store)
            runs.append(ReportRun(
                id: id, study: r.study, question: RunFormatting.question(of: r.study), claim: r.claim, spec: r.spec,
                status: r.status.rawValue, started: RunFormatting.time(r.startedAt),
                duration: r.duration.map(RunFormatting.duration), seed: r.seed, packageVersion: r.packageVersion,
                errorMessage: r.errorMessage, reading: r.reading, stdout: r.stdout,
                artifacts: files.map { ReportArtifact(name: $0.name, kind: $0.kind.rawValue, contents: $0.contents) }))
            runs[runs.count - 1].heading = headings[id]
            runs[runs.count - 1].experiment = r.experiment
            // A run that kept its result is shown from the numbers (tables and figures drawn anew).
            runs[runs.count - 1].result = files.first { $0.name == "\(r.study).json" }.flatMap { try? StudyResult(json: $0.contents) }
        }
        let heading = title ?? (runs.count == 1 ? "sgdyn report: run \(runs[0].id) (\(runs[0].study))"
                                               : "sgdyn report: runs " + runs.map { "\($0.id)" }.joined(separator: ", "))
        // Runs of one study that all kept their results (the points of a sweep): one table across them first.
        var aggregate: StudyResult?
        let results = runs.compactMap(\.result)
        if runs.count >= 2, results.count == runs.count, Set(runs.map(\.study)).count == 1 {
            let a = ResultAggregate(labels: runs.map { "\($0.id)" }, specs: runs.map(\.spec), results: results)
            if !a.varying.isEmpty { aggregate = a.result }
        }
        let report = HTMLReport(title: heading,
                                subtitle: "Made \(RunFormatting.time(Date())) by sgdyn \(PackageVersion.current) from the run store \(store.path).",
                                runs: runs, aggregate: aggregate)
        do {
            try Data(report.render().utf8).write(to: url, options: .atomic)
        } catch {
            throw CLIError.runtime("--out: cannot write '\(out)': \(RunsExportCommand.reason(error))")
        }
        return url
    }
}
