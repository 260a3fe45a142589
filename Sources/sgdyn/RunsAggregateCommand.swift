import ArgumentParser
import Foundation
import SGDynamics
import SGDynamicsReport
import SGDynamicsStore

/// `sgdyn runs aggregate ID…`: one table across stored runs of one study (the points of a sweep).
struct RunsAggregateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aggregate",
        abstract: "One table across stored runs of one study: the settings that differ, every shared metric with its interval, and a power-law fit when one numeric setting varies.",
        discussion: """
        Runs must have kept their results (every study run since results are stored). When exactly one numeric \
        setting varies, each metric is fitted as a power law in it with a 95% interval (an order in a \
        step size, the 1/b scaling in a batch size) and drawn on log–log axes (--out).
        """
    )

    @OptionGroup var location: StoreLocation

    @Argument(help: ArgumentHelp("Run ids, as 'sgdyn runs list' shows them (at least two).", valueName: "id"))
    var ids: [Int64] = []

    @Option(name: .long, help: ArgumentHelp("Also write aggregate.csv and aggregate.svg into this directory.", valueName: "dir"))
    var out: String?

    func validate() throws {
        guard ids.count >= 2 else { throw ValidationError.field("<id>", "give at least two run ids, got \(ids.count)") }
        for id in ids where id <= 0 { throw ValidationError.field("<id>", "run ids are positive integers, got \(id)") }
    }

    func run() throws {
        let store = try location.open()
        print(try Self.aggregate(ids, in: store, out: out), terminator: "")
    }

    /// The aggregate's text (and files in `out`) for runs `ids` of `store`.
    static func aggregate(_ ids: [Int64], in store: RunStore, out: String?) throws -> String {
        var specs: [String] = [], results: [StudyResult] = [], study: String?
        for id in ids {
            let r = try RunFormatting.run(id, in: store)
            if let study, study != r.study { throw CLIError.usage("<id>", "run \(id) is \(r.study), not \(study): aggregate runs of one study") }
            study = r.study
            let files = try RunFormatting.artifacts(id, in: store)
            guard let result = files.first(where: { $0.name == "\(r.study).json" }).flatMap({ try? StudyResult(json: $0.contents) }) else {
                throw CLIError.usage("<id>", "run \(id) (\(r.study)) kept no result to aggregate (it was stored by an older sgdyn)")
            }
            specs.append(r.spec)
            results.append(result)
        }
        let aggregate = ResultAggregate(labels: ids.map { "\($0)" }, specs: specs, results: results)
        var text = ResultRenderer.text(aggregate.result)
        if let out {
            let result = aggregate.result
            let files = [("aggregate.csv", ResultRenderer.csv(aggregate.table))] + result.figures.map { ("\($0.name).svg", ResultRenderer.svg($0)) }
            let written = try ResultFileWriter(out: out).write(files)
            text += "wrote " + written.joined(separator: ", ") + "\n"
        }
        return text
    }
}
