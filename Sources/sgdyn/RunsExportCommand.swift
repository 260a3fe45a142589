import ArgumentParser
import Foundation
import SGDynamicsReport
import SGDynamicsStore

/// `sgdyn runs export ID`: a stored run back out as files.
struct RunsExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a stored run's files (--format csv) or the whole run as one JSON file (--format json).",
        discussion: """
        --format csv writes every file the run wrote (its CSV tables, JSON summaries and SVG pictures) \
        into --out under its own name. --format json writes run-ID.json: spec, status, times, claim, \
        reading, printed output and every file's contents. Files are written whole or not at all.
        """
    )

    @OptionGroup var location: StoreLocation

    @Argument(help: ArgumentHelp("Run id, as 'sgdyn runs list' shows it.", valueName: "id"))
    var id: Int64

    @Option(name: .long, help: ArgumentHelp("Directory to write into (created if missing). Default: run-ID.", valueName: "dir"))
    var out: String?

    @Option(name: .long, help: ArgumentHelp("csv (the run's files as they were written) or json (one file with everything).", valueName: "format"))
    var format: String = "csv"

    func validate() throws {
        guard id > 0 else { throw ValidationError.field("<id>", "run ids are positive integers, got \(id)") }
        guard ["csv", "json"].contains(format) else {
            throw ValidationError.field("--format", "'\(format)' is not a format; use csv or json")
        }
    }

    func run() throws {
        let store = try location.open()
        let r = try RunFormatting.run(id, in: store)
        let artifacts = try RunFormatting.artifacts(id, in: store)
        let dir = out ?? "run-\(id)"
        var files: [(String, String)] = []
        if format == "json" {
            let doc: [String: Any] = [
                "id": Int(id), "study": r.study, "spec": r.spec, "spec_hash": r.specHash, "seed": r.seed as Any? ?? NSNull(),
                "package_version": r.packageVersion, "status": r.status.rawValue,
                "started": ISO8601DateFormatter().string(from: r.startedAt),
                "ended": r.endedAt.map { ISO8601DateFormatter().string(from: $0) } as Any? ?? NSNull(),
                "duration_seconds": r.duration as Any? ?? NSNull(), "error": r.errorMessage as Any? ?? NSNull(),
                "pid": Int(r.pid), "hostname": r.hostname,
                "claim": r.claim as Any? ?? NSNull(), "reading": r.reading as Any? ?? NSNull(), "stdout": r.stdout as Any? ?? NSNull(),
                "artifacts": artifacts.map { ["name": $0.name, "kind": $0.kind.rawValue, "contents": $0.contents] },
            ]
            files = [("run-\(id).json", try jsonString(doc))]
        } else {
            guard !artifacts.isEmpty else {
                throw CLIError.runtime("run \(id) kept no files to export; try --format json for the whole run")
            }
            for a in artifacts {
                let name = (a.name as NSString).lastPathComponent
                guard !name.isEmpty, name != ".", name != ".." else {
                    throw CLIError.runtime("run \(id) has a file named '\(a.name)' that cannot be written safely")
                }
                files.append((name, a.contents))
            }
        }
        let written = try Self.writeAll(files, into: dir)
        print("wrote " + written.joined(separator: ", "))
    }

    /// Write every file into `dir` atomically; on any failure remove the ones written and throw.
    static func writeAll(_ files: [(name: String, contents: String)], into dir: String) throws -> [String] {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: dir, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw CLIError.usage("--out", "'\(dir)' is a file; give a directory")
        }
        let url = URL(fileURLWithPath: dir, isDirectory: true)
        var written: [URL] = []
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            for f in files {
                let target = url.appendingPathComponent(f.name)
                try Data(f.contents.utf8).write(to: target, options: .atomic)
                written.append(target)
            }
        } catch {
            for w in written { try? FileManager.default.removeItem(at: w) }
            throw CLIError.runtime("--out: cannot write into '\(dir)': \(Self.reason(error))")
        }
        return written.map(\.path)
    }

    /// The underlying POSIX reason of a file error, in a few words.
    static func reason(_ error: any Error) -> String { ResultFileError.reason(error) }
}
