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

        On a cluster, a sweep runs one point per array task: with --point K, or inside a Slurm job \
        array or a Kubernetes indexed Job (the task's index, as for `simulate`, picks point index + 1), \
        only point K runs, and it keeps its run in its own store file, STORE-point-K.sqlite, so no \
        two tasks write one SQLite file; `sgdyn runs import` then merges the stores into one.
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

    @Option(name: .long, help: ArgumentHelp("Run only point K of the sweep (1 ≤ K ≤ points), into its own store file. Default: the array task's index + 1 inside a Slurm or Kubernetes job array.", valueName: "K"))
    var point: Int?

    func validate() throws {
        if store != nil && noStore { throw ValidationError.field("--no-store", "give either --store or --no-store, not both") }
    }

    func run() throws {
        let spec = try SpecFile.load(path: file)
        var chosen: Int?
        if !spec.sweep.isEmpty {
            chosen = try chosenPoint(count: spec.points.count)
        }
        // The points of a sweep that does not sweep `out` each write into their own directory.
        let separate = !spec.sweep.isEmpty && !spec.sweep.contains { $0.option.name == "out" }
        var points = spec.points.map { p in
            let point = p.storing(at: store, noStore: noStore)
            return separate ? point.ownOutputDirectory() : point
        }
        if let k = chosen {
            // One array task, one point, one store file; the task index picks the point, not a shard of it.
            points = [points[k - 1].ownStore(defaultStore: StoreLocation.resolve(store)).wholeEnsemble()]
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
                                               progressContext: points.count > 1 ? "\(point.index)/\(points.count)" : nil,
                                               experiment: experimentLabel(spec, point))
                if let id = record.id, let path = record.storePath { ids.append(id); stores.insert(path) }
            } catch { throw point.locate(error) }
        }
        if chosen != nil { return }
        // After a sweep of a library study: one table across its points (and a fit when one number varies).
        if isSweep, ids.count >= 2, Set(ids).count == ids.count, stores.count == 1, let path = stores.first,
           let s = try? StoreLocation.open(path, create: false), let text = try? RunsAggregateCommand.aggregate(ids, in: s, out: nil) {
            print("\naggregate over the \(ids.count) points (sgdyn runs aggregate \(ids.map(String.init).joined(separator: " "))):\n" + text, terminator: "")
        }
    }

    /// The one point to run: --point, else the array task's index + 1, else nil (all points).
    func chosenPoint(count: Int) throws -> Int? {
        if let point {
            guard point >= 1, point <= count else { throw CLIError.usage("--point", "must be between 1 and the \(count) points of the sweep, got \(point)") }
            return point
        }
        guard let task = try ShardEnvironment.resolve() else { return nil }
        guard task.shard.count == count else {
            throw CLIError.usage("--point", "the job array has \(task.shard.count) tasks (\(task.source)) but the sweep has \(count) points; make them equal or give --point")
        }
        FileHandle.standardError.write(Data("sgdyn: point \(task.shard.index + 1) of \(count) from \(task.source)\n".utf8))
        return task.shard.index + 1
    }

    /// What the store and the report say of the experiment: its name and description, the file, and
    /// the point of a sweep.
    func experimentLabel(_ spec: SpecFile, _ point: SpecPoint) -> String {
        var parts = ["\(spec.name ?? (file as NSString).lastPathComponent)" + (spec.description.map { " — \($0)" } ?? "")]
        if point.count > 1 { parts.append("point \(point.index) of \(point.count): \(point.sweepLabel)") }
        parts.append("file \(file)")
        return parts.joined(separator: "; ")
    }
}
