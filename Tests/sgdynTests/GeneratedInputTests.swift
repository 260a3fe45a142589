import Foundation
import Testing
import SGDynamics
@testable import sgdyn

/// Generated inputs (fixed seeds, so a failure is repeatable) for the CLI's parsers: study flags,
/// experiment files, CSV data sets and shard files. Every input must either be accepted or give an
/// error that the CLI reports as one line with exit 64 (bad usage) or 1 (a failure) — never a trap —
/// and validating it must leave no file behind.
@Suite("generated inputs never trap")
struct GeneratedInputTests {
    /// Values that have broken parsers before: extremes, non-numbers, control characters, lists.
    static let values = [
        "0", "-0", "1", "-1", "2", "0.1", "1e-320", "1e308", "-1e308", "1e400", "nan", "NaN", "inf", "-inf", "+3", "007",
        "99999999999999999999", "-9223372036854775808", "9223372036854775807", "4294967296", "0x10", "1,2", "1,,2", ",",
        ",,", "0.1,", "1;2", "", " ", "abc", "x1^4", "x0", "x99", "norm2", "f", "sgd", "hb", "nag", "sme1", "sme2", "gf,igr",
        "li-tai-e", "least-squares", "logistic", "quartic", "quadratic", "mlp", "double-well", "exact", "mc", "auto",
        "with-replacement", "without-replacement", "reshuffling", "0/4", "3/4", "4/4", "-1/4", "0/0", "0/9999999999999",
        "\u{1B}[31mred", "a\nb", "é", "😀", "-3:3:101", "1e5", "1.5", "-0.5", "10000000", "1,10", "1,2,3",
    ]

    static let studies: [String: [String]] = [
        "flow": ["objective", "diagonal", "data", "x0", "etas", "horizon"],
        "gap": ["objective", "diagonal", "data", "x0", "algorithm", "models", "etas", "horizon", "norm"],
        "weak-error": ["objective", "diagonal", "data", "x0", "algorithm", "momentum", "models", "test", "etas", "horizon", "mode",
                       "paths", "batch", "substeps", "seed", "threads"],
        "simulate": ["run", "objective", "diagonal", "x0", "eta", "horizon", "saves", "batch", "sampling", "momentum", "temperature",
                     "amplification", "substeps", "paths", "seed", "shard", "threads"],
        "fokker-planck": ["objective", "temperature", "grid", "time", "dt", "start", "batch-size"],
        "master": ["example", "eta-lambda", "learning-rate", "batch-size", "sampling", "grid", "max-batches"],
        "stationary": ["example", "algorithm", "objective", "eta-lambda", "learning-rate", "paths", "steps", "grid"],
        "noise": ["objective", "data", "batch", "draws", "batches", "along", "algorithm", "seed"],
        "stability": ["objective", "batches", "sampling", "check-paths"],
    ]

    /// The result of parsing (and so validating) a command line: nil when accepted, else the report.
    static func outcome(_ args: [String]) -> ErrorReport? {
        do { _ = try SGDyn.parseAsRoot(args); return nil } catch { return ErrorReport(error) }
    }

    @Test("1,000 generated study command lines: accepted, or one line with exit 64 or 1; nothing written")
    func studyFlags() throws {
        let dir = CLI.tempDir()
        let before = try FileManager.default.contentsOfDirectory(atPath: dir)
        var rng = SplitMix64(seed: 20261204)
        var accepted = 0
        for _ in 0..<1000 {
            let study = Self.studies.keys.sorted()[Int(rng.next() % UInt64(Self.studies.count))]
            let options = Self.studies[study]!
            var args = [study]
            for _ in 0..<(1 + Int(rng.next() % 4)) {
                let option = options[Int(rng.next() % UInt64(options.count))]
                let value = Self.values[Int(rng.next() % UInt64(Self.values.count))]
                args += rng.next() % 2 == 0 ? ["--\(option)", value] : ["--\(option)=\(value)"]
            }
            args += ["--out", dir + "/out", "--store", dir + "/s.sqlite"]
            guard let report = Self.outcome(args) else { accepted += 1; continue }
            #expect(report.code == 64 || report.code == 1, "\(args): exit \(report.code)")
            #expect(!report.line.contains("\n") && !report.line.isEmpty, "\(args): \(report.line)")
            #expect(!report.line.unicodeScalars.contains { $0.properties.generalCategory == .control }, "\(args): control character echoed")
        }
        #expect(accepted > 10, "some generated command lines are valid (\(accepted))")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == before, "validation wrote nothing")
    }

    @Test("1,000 generated experiment files: loaded, or one located line")
    func experimentFiles() throws {
        let dir = CLI.tempDir()
        var rng = SplitMix64(seed: 7)
        let fields = ["study", "mode", "etas", "paths", "horizon", "sweep", "name", "description", "x0", "objective", "seed", "bogus"]
        let shapes = ["%@", "[%@]", "[%@, %@]", "{a: %@}", "\"%@\"", "- %@", "[[%@]]", "&a %@", "*a", "!!binary %@", "%@: %@"]
        for i in 0..<1000 {
            var text = rng.next() % 5 == 0 ? "" : "study: \(Self.studies.keys.sorted()[Int(rng.next() % 9)])\n"
            for _ in 0..<Int(rng.next() % 5) {
                let field = fields[Int(rng.next() % UInt64(fields.count))]
                var shape = shapes[Int(rng.next() % UInt64(shapes.count))]
                while let r = shape.range(of: "%@") {
                    shape.replaceSubrange(r, with: Self.values[Int(rng.next() % UInt64(Self.values.count))].replacingOccurrences(of: "\n", with: " "))
                }
                text += (rng.next() % 7 == 0 ? "  " : "") + "\(field): \(shape)\n"
            }
            let path = dir + "/f\(i).yaml"
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            do {
                let spec = try SpecFile.load(path: path)
                for point in spec.points.prefix(3) {
                    if let report = Self.outcome(point.arguments + ["--no-files", "--no-store"]) {
                        #expect(report.code == 64 || report.code == 1, "\(text)")
                    }
                }
            } catch {
                let report = ErrorReport(error)
                #expect(report.code == 64 || report.code == 1, "\(text): \(report.code)")
                #expect(!report.line.contains("\n"), "\(text): \(report.line)")
            }
        }
    }

    @Test("2,500 generated CSV texts: a data set, or a DatasetError naming the problem")
    func csvTexts() {
        var rng = SplitMix64(seed: 11)
        let cells = ["1", "2.5", "-3", "1e308", "1e400", "nan", "inf", "", " ", "a", "0x1", "1,2", "\"1\"", "\u{FEFF}1", "1\r"]
        for _ in 0..<2500 {
            let columns = 1 + Int(rng.next() % 5), rows = Int(rng.next() % 6)
            var text = (0..<columns).map { "c\($0)" }.joined(separator: ",") + "\n"
            for _ in 0..<rows {
                let n = columns + (rng.next() % 6 == 0 ? Int(rng.next() % 3) - 1 : 0)
                text += (0..<max(0, n)).map { _ in cells[Int(rng.next() % UInt64(cells.count))] }.joined(separator: ",")
                text += rng.next() % 4 == 0 ? "\r\n" : "\n"
            }
            do {
                let d = try Dataset.parse(csv: text, source: "gen.csv", name: "gen")
                #expect(d.targets.count >= 2 && d.targets.allSatisfy(\.isFinite))
            } catch let e as DatasetError {
                #expect(!e.description.isEmpty && !e.description.contains("\n"))
            } catch {
                Issue.record("unexpected error \(error) for \(text)")
            }
        }
    }

    @Test("700 tampered shard results: merged only when they form one split of one run")
    func shardFiles() throws {
        var c = SimulateStudy.Configuration()
        c.paths = 3000
        c.saves = 2
        var parts: [EnsembleResult] = []
        for i in 0..<3 {
            c.shard = try Shard(index: i, count: 3)
            parts.append(try SimulateStudy(c).ensemble(StudyContext(threads: 1)).result)
        }
        #expect(try SimulateStudy.merge(parts).study == "simulate")
        var rng = SplitMix64(seed: 5)
        let encoder = JSONEncoder()
        for _ in 0..<700 {
            var json = try parts.map { String(decoding: try encoder.encode($0), as: UTF8.self) }
            let k = Int(rng.next() % 3)
            let edits: [(String, String)] = [("\"index\":\(k)", "\"index\":-1"), ("\"index\":\(k)", "\"index\":99999999999"),
                                             ("\"count\":3", "\"count\":2"), ("\"paths\":3000", "\"paths\":3001"),
                                             ("\"positionDimension\":2", "\"positionDimension\":7"), ("[", "[["), ("1", "nan")]
            let (from, to) = edits[Int(rng.next() % UInt64(edits.count))]
            if let r = json[k].range(of: from) { json[k].replaceSubrange(r, with: to) }
            let decoded = json.compactMap { try? JSONDecoder().decode(EnsembleResult.self, from: Data($0.utf8)) }
            do {
                let merged = try SimulateStudy.merge(decoded)
                #expect(decoded == parts || merged.tables.first?.rows.isEmpty == false)
            } catch let e as ConfigurationError {
                #expect(e.field == "files")
            }
        }
    }
}
