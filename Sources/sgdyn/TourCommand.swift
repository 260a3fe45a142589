import ArgumentParser
import Foundation
import SGDynamics

/// `sgdyn tour`: the project's story end to end — five studies, each a claim of the theory and what
/// was measured, kept in the run store and shown in one HTML report.
struct TourCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tour",
        abstract: "Run the five-part tour (GD vs gradient flow, SGD vs its SMEs, SGLD's stationary law, finite-η SGD, real gradient noise) and write one HTML report.",
        discussion: """
        Each part runs an ordinary study command (shown before it runs, so it can be repeated alone), \
        keeps it in the run store and prints the claim of the theory and the reading of what was measured. \
        The last line is the path of the HTML report of all parts. --quick uses smaller ensembles \
        (for tests and slow machines): the readings then carry more Monte Carlo noise.
        """
    )

    @Option(name: .long, help: ArgumentHelp("Directory for the parts' CSV/JSON/SVG files and the report.", valueName: "dir"))
    var out: String = "sgdyn-tour"

    @Option(name: .long, help: ArgumentHelp("Run store (SQLite). Default: $SGDYN_STORE, else sgdyn.sqlite.", valueName: "path"))
    var store: String?

    @Flag(name: .long, help: "Smaller ensembles (10⁴ instead of 10⁶ paths for the weak error; shorter stationary runs).")
    var quick = false

    @Option(name: .long, help: ArgumentHelp("Threads (default: all cores).", valueName: "n"))
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
        guard !out.isEmpty else { throw ValidationError.field("--out", "give a directory name, e.g. sgdyn-tour") }
        guard threads >= 1 else { throw ValidationError.field("--threads", "must be at least 1, got \(threads)") }
    }

    /// One part of the tour (the library's `TourStudy` part) with the command line of each of its
    /// steps, printed so that a user can run it alone; each gives its step's spec (a test checks).
    struct Part {
        let tag: String
        let title: String
        let claim: String
        let commands: [[String]]
    }

    var parts: [Part] {
        let paths = quick ? "10000" : "1000000"
        let ensemble = quick ? ["--paths", "1000", "--steps", "100"] : []
        let commands: [String: [[String]]] = [
            "a": [["flow"], ["gap", "--objective", "ill-quadratic", "--etas", "0.02,0.01,0.005,0.0025,0.00125"]],
            "b": [["weak-error", "--mode", "mc", "--paths", paths, "--threads", "\(threads)"]],
            "c": [["stationary", "--algorithm", "sgld", "--objective", "double-well", "--threads", "\(threads)"] + ensemble],
            "d": [["stationary", "--example", "bernoulli", "--eta-lambda", "0.5", "--threads", "\(threads)"] + ensemble],
            "e": [["noise"]],
        ]
        return Self.library(quick: quick).parts.map { Part(tag: $0.tag, title: $0.title, claim: $0.claim, commands: commands[$0.tag] ?? []) }
    }

    /// The tour as the library defines it.
    static func library(quick: Bool) -> TourStudy { TourStudy(quick: quick) }

    func run() throws {
        let storePath = StoreLocation.resolve(store)
        let started = Date()
        var ids: [Int64] = []
        var headings: [Int64: String] = [:]
        print("SGDynamics tour: five claims about stochastic-gradient dynamics, each measured; runs kept in \(storePath).\n")
        for part in parts {
            print(String(repeating: "=", count: 100))
            print("(\(part.tag)) \(part.title)")
            print("Claim: \(part.claim)")
            for (i, command) in part.commands.enumerated() {
                let dir = (out as NSString).appendingPathComponent("\(part.tag)\(part.commands.count > 1 ? "\(i + 1)" : "")-\(command[0])")
                let args = command + ["--out", dir, "--store", storePath]
                print("$ sgdyn " + args.joined(separator: " ") + "\n")
                let t0 = Date()
                let record = try Entry.execute(arguments: args)
                fflush(nil)
                guard let id = record.id else {
                    throw CLIError.runtime("part (\(part.tag)): the run was not kept in the store")
                }
                ids.append(id)
                headings[id] = "(\(part.tag)) \(part.title)"
                let reading = record.reading ?? "(no reading)"
                print("\nMeasured (run \(id), \(String(format: "%.1f", Date().timeIntervalSince(t0))) s): \(reading)\n")
            }
        }
        print(String(repeating: "=", count: 100))
        let report = (out as NSString).appendingPathComponent("report.html")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let url = try ReportCommand.write(ids: ids, headings: headings, store: StoreLocation.open(storePath, create: false),
                                          out: report, title: "SGDynamics tour: five claims about stochastic-gradient dynamics, measured")
        print(String(format: "tour finished in %.1f s; runs %@ in %@", Date().timeIntervalSince(started),
                     ids.map(String.init).joined(separator: ", "), storePath))
        print("report: \(url.path)")
    }
}
