import ArgumentParser
import Foundation
import SGDynamics
import SGDynamicsReport
import SGDynamicsStore

/// `sgdyn runs compare A B`: two runs side by side, spec and numbers.
struct RunsCompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare two stored runs: spec differences, then their results' numbers with intervals (or, for older runs, every CSV both wrote).",
        discussion: """
        Rows are matched on the leading columns that identify a row (e.g. the learning rate), else by \
        position. Each column then shows run A's value and run B's; a B value marked '*' differs from A's \
        (numbers are compared as numbers). Per column, the largest absolute and relative difference is given.
        """
    )

    @OptionGroup var location: StoreLocation

    @Argument(help: ArgumentHelp("Two run ids, as 'sgdyn runs list' shows them.", valueName: "id"))
    var ids: [Int64] = []

    @Option(name: .long, help: ArgumentHelp("Show at most this many rows per table (the summary counts all).", valueName: "n"))
    var rows: Int = 40

    func validate() throws {
        guard ids.count == 2 else {
            throw ValidationError.field("<id>", "give exactly two run ids to compare, got \(ids.count)")
        }
        for id in ids where id <= 0 { throw ValidationError.field("<id>", "run ids are positive integers, got \(id)") }
        guard rows > 0 else { throw ValidationError.field("--rows", "must be a positive integer, got \(rows)") }
    }

    func run() throws {
        let store = try location.open()
        let a = try RunFormatting.run(ids[0], in: store), b = try RunFormatting.run(ids[1], in: store)
        let fa = try RunFormatting.artifacts(ids[0], in: store), fb = try RunFormatting.artifacts(ids[1], in: store)
        print("run \(ids[0]) (A): \(a.study), \(a.status.rawValue), \(RunFormatting.time(a.startedAt))")
        print("run \(ids[1]) (B): \(b.study), \(b.status.rawValue), \(RunFormatting.time(b.startedAt))")

        let diffs = SpecFields(a.spec).differences(from: SpecFields(b.spec))
        if diffs.isEmpty && a.specHash == b.specHash {
            print("\nspec: identical (hash \(a.specHash.prefix(10)))")
        } else {
            print("\nspec differences:" + (diffs.isEmpty ? " none in the fields shown, but the specs' hashes differ (\(a.specHash.prefix(10)) and \(b.specHash.prefix(10)))" : ""))
            var t = TextTable(["field", "A", "B"])
            for d in diffs { t.add([d.name, d.mine ?? "(absent)", d.theirs ?? "(absent)"]) }
            print(t.render())
        }
        if a.seed != b.seed { print("seed: A \(a.seed ?? "-"), B \(b.seed ?? "-")") }
        if a.reading != nil || b.reading != nil {
            print("\nreading A: \(a.reading ?? "-")")
            print("reading B: \(b.reading ?? "-")")
        }

        // Runs that kept their results are compared number by number, with intervals.
        if let ra = fa.first(where: { $0.name == "\(a.study).json" }).flatMap({ try? StudyResult(json: $0.contents) }),
           let rb = fb.first(where: { $0.name == "\(b.study).json" }).flatMap({ try? StudyResult(json: $0.contents) }) {
            print("\nresult status (ok, diverged or failed): A \(ra.status.rawValue), B \(rb.status.rawValue)")
            if ra.study != rb.study { print("note: A is \(ra.study), B is \(rb.study): a metric of the same name may measure something else in each") }
            let comparison = ResultComparison(ra, rb)
            print(comparison.rows.isEmpty ? "\nno metrics in either result" : "\nmetrics (95% intervals):\n" + comparison.render())
            return
        }
        let csvA = fa.filter { $0.kind == .csv }, csvB = fb.filter { $0.kind == .csv }
        let common = csvA.filter { x in csvB.contains { $0.name == x.name } }
        for x in csvA where !common.contains(where: { $0.name == x.name }) { print("\n\(x.name): only in A") }
        for y in csvB where !csvA.contains(where: { $0.name == y.name }) { print("\n\(y.name): only in B") }
        if common.isEmpty && csvA.isEmpty && csvB.isEmpty { print("\nno CSV tables in either run") }
        for x in common {
            let y = csvB.first { $0.name == x.name }!
            print("\n" + TableComparison(CSVTable(parsing: x.contents), CSVTable(parsing: y.contents)).render(name: x.name, maximumRows: rows))
        }
    }
}
