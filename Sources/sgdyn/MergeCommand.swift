import ArgumentParser
import Foundation
import SGDynamics
import SGDynamicsReport

/// `sgdyn merge`: combine shard results into the unsharded numbers (`SimulateStudy.merge`).
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge the shard-i-of-N.json files of a sharded `sgdyn simulate` into one result (bitwise the unsharded numbers).")

    @Argument(help: ArgumentHelp("Shard result files.", valueName: "file"))
    var files: [String]

    @OptionGroup var output: OutputOptions

    func run() throws {
        guard !files.isEmpty else { throw CLIError.usage("files", "give the shard-*.json files to merge") }
        let writer = try ResultFileWriter(out: output.out, noFiles: output.noFiles)
        var parts: [EnsembleResult] = []
        for f in files {
            guard let data = FileManager.default.contents(atPath: f) else { throw CLIError.usage("files", "cannot read '\(f)'") }
            do { parts.append(try JSONDecoder().decode(EnsembleResult.self, from: data)) }
            catch { throw CLIError.usage("files", "'\(f)' is not a shard result written by sgdyn simulate --shard") }
        }
        let result: StudyResult
        do { result = try SimulateStudy.merge(parts) } catch let e as ConfigurationError { throw CLIError.usage("files", e.message) }
        var text = ResultRenderer.text(result)
        let written = try writer.write(try ResultRenderer.files(result))
        if !written.isEmpty { text += "wrote " + written.joined(separator: ", ") + "\n" }
        print(text, terminator: "")
    }
}
