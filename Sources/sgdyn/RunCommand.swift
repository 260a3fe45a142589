import ArgumentParser
import Foundation

/// `sgdyn run FILE`: run the study, or the sweep of studies, that an experiment file describes.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the study described by an experiment file (YAML or JSON), one command line per sweep point.",
        discussion: """
        An experiment file is a command line made into a document: `study: NAME` and one field per option \
        of that study, named as the long option without dashes. Lists become comma-separated values, \
        flags take true or false, numbers and names are given as on the command line. Optional: name and \
        description (for the report), and sweep, which maps options to lists of values; the file then \
        runs once for every combination (already stored points are skipped). Example:

          study: weak-error
          mode: mc
          etas: [0.1, 0.05]
          paths: 10000
          sweep: {seed: [1, 2, 3]}

        Every field is checked before anything runs; a problem is reported as one line \
        file:line:column naming the field and what would be valid. `sgdyn spec STUDY [OPTIONS…]` \
        writes the file of a command line. JSON files (.json) are read the same way.
        """
    )

    @Argument(help: ArgumentHelp("Experiment file (.yaml, .yml or .json).", valueName: "file"))
    var file: String

    @Option(name: .long, help: ArgumentHelp("Run store for every point (instead of the file's or the default).", valueName: "path"))
    var store: String?

    @Flag(name: .long, help: "Keep no point in the run store.")
    var noStore = false

    @Flag(name: .long, help: "Print the command line of every point; run nothing.")
    var dryRun = false

    func validate() throws {
        if store != nil && noStore { throw ValidationError.field("--no-store", "give either --store or --no-store, not both") }
    }

    func run() throws {
        let spec = try SpecFile.load(path: file)
        // The points of a sweep that does not sweep `out` each write into their own directory.
        let separate = !spec.sweep.isEmpty && !spec.sweep.contains { $0.option.name == "out" }
        let points = spec.points.map { p in
            let point = p.storing(at: store, noStore: noStore)
            return separate ? point.ownOutputDirectory() : point
        }
        // Every point must parse and pass its study's validation before any work starts.
        for point in points {
            do { _ = try SGDyn.parseAsRoot(point.arguments) } catch { throw point.locate(error) }
        }
        if dryRun {
            for point in points { print(point.commandLine) }
            return
        }
        if let name = spec.name {
            print("experiment: \(name)" + (spec.description.map { " — \($0)" } ?? ""))
        }
        let isSweep = !spec.sweep.isEmpty
        var ids: [Int64] = []
        var stores: Set<String> = []
        for point in points {
            let counter = points.count > 1 ? "[\(point.index)/\(points.count)] " : ""
            print("\(counter)$ \(point.commandLine)")
            do {
                // The progress bars of the point's study show which point of the sweep is running.
                let record = try Entry.execute(arguments: point.arguments, skipIfStored: isSweep,
                                               progressContext: points.count > 1 ? "\(point.index)/\(points.count)" : nil)
                if let id = record.id, let path = record.storePath { ids.append(id); stores.insert(path) }
            } catch { throw point.locate(error) }
        }
        // After a sweep of a library study: one table across its points (and a fit when one number varies).
        if isSweep, ids.count >= 2, Set(ids).count == ids.count, stores.count == 1, let path = stores.first,
           let s = try? StoreLocation.open(path, create: false), let text = try? RunsAggregateCommand.aggregate(ids, in: s, out: nil) {
            print("\naggregate over the \(ids.count) points (sgdyn runs aggregate \(ids.map(String.init).joined(separator: " "))):\n" + text, terminator: "")
        }
    }
}
