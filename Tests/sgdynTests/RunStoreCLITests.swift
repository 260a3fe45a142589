import Foundation
import Testing
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A fresh run store path in its own temporary directory.
func freshStore() -> String { CLI.tempDir() + "/runs.sqlite" }

/// Run `sgdyn` with `--store store` appended and expect success.
@discardableResult
func sgdyn(_ args: [String], store: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> CLI.Result {
    let r = try CLI.run(args + ["--store", store])
    #expect(r.status == 0, "sgdyn \(args.joined(separator: " ")): exit \(r.status): \(r.stderr)", sourceLocation: sourceLocation)
    return r
}

/// The rows of `sgdyn runs list` as [id: status].
func statuses(in store: String) throws -> [Int: String] {
    let r = try CLI.run(["runs", "list", "--store", store])
    var out: [Int: String] = [:]
    for line in r.stdout.split(separator: "\n").dropFirst(2) {
        let cells = line.split(separator: " ", omittingEmptySubsequences: true)
        if cells.count >= 3, let id = Int(cells[0]) { out[id] = String(cells[2]) }
    }
    return out
}

@Suite("Run store from the command line")
struct RunStoreCLITests {
    @Test("a study is kept as done with spec, claim, reading, files and exactly the stdout it printed (a pipe)")
    func recordAndShow() throws {
        let store = freshStore()
        let dir = CLI.tempDir()
        let study = try sgdyn(["gap", "--objective", "quartic", "--out", dir], store: store)
        #expect(try statuses(in: store) == [1: "done"])

        let list = try sgdyn(["runs", "list"], store: store)
        #expect(list.stdout.contains("gap") && list.stdout.contains("the gap to gradient flow shrinks"))

        let show = try sgdyn(["runs", "show", "1"], store: store)
        #expect(show.stdout.hasPrefix("run 1: gap, done\n"))
        #expect(show.stdout.contains("objective.name = quartic"))
        #expect(show.stdout.contains("claim: GD's trajectory gap"))
        #expect(show.stdout.contains("reading: Over η = 0.1, 0.05, 0.025, 0.0125: the gap to gradient flow shrinks at order 1.0"))
        for name in ["gap.csv", "gap.json", "gap.svg"] { #expect(show.stdout.contains(name)) }
        #expect(show.stdout.hasSuffix("stdout:\n" + study.stdout), "the stored stdout is byte for byte what was printed")

        let export = CLI.tempDir()
        try sgdyn(["runs", "export", "1", "--format", "json", "--out", export], store: store)
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: export + "/run-1.json"))) as? [String: Any])
        #expect(doc["stdout"] as? String == study.stdout)
        #expect(doc["status"] as? String == "done" && doc["study"] as? String == "gap")
        #expect((doc["spec_hash"] as? String)?.count == 64)
        let artifacts = try #require(doc["artifacts"] as? [[String: Any]])
        #expect(artifacts.compactMap { $0["name"] as? String } == ["gap.csv", "gap.json", "gap.svg"])
        #expect(artifacts.first?["contents"] as? String == (try String(contentsOfFile: dir + "/gap.csv", encoding: .utf8)))
    }

    @Test("a long stdout through a pipe is kept whole and in order, and the real stdout is unchanged")
    func longStdout() throws {
        let store = freshStore()
        let recorded = try sgdyn(["stability", "--edge-of-stability", "--no-files"], store: store)
        let unrecorded = try CLI.run(["stability", "--edge-of-stability", "--no-files", "--no-store"])
        func withoutTiming(_ s: String) -> String { s.split(separator: "\n").filter { !$0.hasPrefix("time") }.joined(separator: "\n") }
        #expect(withoutTiming(recorded.stdout) == withoutTiming(unrecorded.stdout))
        let export = CLI.tempDir()
        try sgdyn(["runs", "export", "1", "--format", "json", "--out", export], store: store)
        let doc = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: export + "/run-1.json"))) as? [String: Any]
        #expect(doc?["stdout"] as? String == recorded.stdout)
        #expect(doc?["seed"] as? String == "1")
    }

    @Test("--no-store keeps nothing; SGDYN_STORE is the store when --store is not given")
    func storeChoice() throws {
        let envStore = freshStore()
        let r = try CLI.run(["flow", "--no-files"], environment: ["SGDYN_STORE": envStore])
        #expect(r.status == 0)
        #expect(try statuses(in: envStore) == [1: "done"])
        let untouched = freshStore()
        let n = try CLI.run(["flow", "--no-files", "--no-store", "--store", untouched])
        #expect(n.status == 0)
        #expect(!FileManager.default.fileExists(atPath: untouched))
    }

    @Test("an output directory that cannot be made is refused before any work, with one line naming --out and no run kept")
    func outputCheckedFirst() throws {
        let store = freshStore()
        let file = CLI.tempDir() + "/plain-file"
        try "x".write(toFile: file, atomically: true, encoding: .utf8)
        for out in [file, file + "/sub"] {
            let r = try CLI.run(["flow", "--out", out, "--store", store])
            #expect(r.status == 64 && r.stderr.split(separator: "\n").count == 1 && r.stderr.contains("--out"), "\(r.stderr)")
            #expect(r.stdout.isEmpty, "no work was done")
        }
        #expect(try statuses(in: store).isEmpty)
    }

    @Test("a study that fails at run time is kept failed with its one-line message; bad input leaves no run")
    func failedRun() throws {
        let store = freshStore()
        // a directory where the result's JSON must go: found after the work, before any file is replaced
        let dir = CLI.tempDir()
        try FileManager.default.createDirectory(atPath: dir + "/flow.json", withIntermediateDirectories: true)
        try "old".write(toFile: dir + "/flow.csv", atomically: true, encoding: .utf8)
        let r = try CLI.run(["flow", "--out", dir, "--store", store])
        #expect(r.status == 1 && r.stderr.split(separator: "\n").count == 1 && r.stderr.contains("flow.json"), "\(r.stderr)")
        #expect(try statuses(in: store) == [1: "failed"])
        let show = try sgdyn(["runs", "show", "1"], store: store)
        #expect(show.stdout.contains("error: cannot write flow.json"))
        #expect(try String(contentsOfFile: dir + "/flow.csv", encoding: .utf8) == "old", "no file of the run replaced an old one")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["flow.csv", "flow.json"], "no staging left behind")

        let bad = try CLI.run(["flow", "--etas", "0.1,abc", "--store", store])
        #expect(bad.status == 64)
        #expect(try statuses(in: store) == [1: "failed"], "a usage error does no work and keeps no run")
    }

    @Test("runs compare shows the spec differences and compares the results' metrics with their intervals")
    func compare() throws {
        let store = freshStore()
        try sgdyn(["gap", "--objective", "quartic", "--etas", "0.1,0.05,0.025", "--no-files"], store: store)
        try sgdyn(["gap", "--objective", "quartic", "--etas", "0.2,0.1,0.05", "--no-files"], store: store)
        try sgdyn(["gap", "--objective", "quartic", "--etas", "0.1,0.05,0.025", "--no-files"], store: store)
        let r = try sgdyn(["runs", "compare", "1", "2"], store: store)
        #expect(r.stdout.contains("spec differences:"))
        #expect(r.stdout.split(separator: "\n").contains { $0.hasPrefix("learningRates") && $0.hasSuffix("0.2,0.1,0.05") })
        #expect(r.stdout.contains("metrics (95% intervals):"))
        let orderLine = try #require(r.stdout.split(separator: "\n").first { $0.hasPrefix("order gf ") })
        #expect(orderLine.contains("[") && (orderLine.hasSuffix("agree (intervals overlap)") || orderLine.hasSuffix("differ (intervals disjoint)")))
        #expect(r.stdout.split(separator: "\n").contains { $0.hasPrefix("gap gf at η=0.1 ") && $0.hasSuffix("same") })
        #expect(r.stdout.split(separator: "\n").contains { $0.hasPrefix("gap gf at η=0.025 ") && $0.hasSuffix("only in A") })
        #expect(r.stdout.split(separator: "\n").contains { $0.hasPrefix("gap gf at η=0.2 ") && $0.hasSuffix("only in B") })
        let same = try sgdyn(["runs", "compare", "1", "3"], store: store)
        #expect(same.stdout.contains("spec: identical"))
        #expect(same.stdout.split(separator: "\n").filter { $0.hasPrefix("order ") || $0.hasPrefix("gap ") }.allSatisfy { $0.hasSuffix("same") })
    }

    @Test("runs export writes the run's files as they were written")
    func exportFiles() throws {
        let store = freshStore()
        let dir = CLI.tempDir()
        try sgdyn(["weak-error", "--mode", "exact", "--out", dir], store: store)
        let out = CLI.tempDir() + "/exported"
        let r = try sgdyn(["runs", "export", "1", "--out", out], store: store)
        #expect(r.stdout.hasPrefix("wrote "))
        for name in ["weak-error.csv", "weak-error.json", "weak-error.svg"] {
            #expect(try String(contentsOfFile: out + "/" + name, encoding: .utf8) == (try String(contentsOfFile: dir + "/" + name, encoding: .utf8)))
        }
    }

    @Test("report writes one self-contained HTML file: a section per run, an <svg> per picture, tables, no scripts or network")
    func report() throws {
        let store = freshStore()
        try sgdyn(["flow", "--no-files"], store: store)
        try sgdyn(["weak-error", "--mode", "exact", "--no-files"], store: store)
        try sgdyn(["master", "--example", "bernoulli", "--eta-lambda", "0.5", "--no-files"], store: store)
        let file = CLI.tempDir() + "/report.html"
        let r = try sgdyn(["report", "1", "2", "3", "--out", file], store: store)
        #expect(r.stdout == "wrote \(file)\n")
        let html = try String(contentsOfFile: file, encoding: .utf8)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(!html.lowercased().contains("<script"))
        #expect(!html.contains("http://") && !html.contains("https://"))
        #expect(!html.contains("<?xml"))
        #expect(html.components(separatedBy: "<section class=\"r-run\"").count - 1 == 3)
        for id in 1...3 { #expect(html.contains("id=\"run-\(id)\"")) }
        // flow.svg, weak-error.svg, master.svg: one inline picture each.
        #expect(html.components(separatedBy: "<svg").count - 1 == 3)
        #expect(html.contains("Claim") && html.contains("GD is forward Euler"))
        #expect(html.contains("SME-2 matches SGD at order"))
        // Ids stay unique across the inlined pictures.
        let ids = html.components(separatedBy: " id=\"").dropFirst().map { $0.prefix { $0 != "\"" } }
        #expect(Set(ids).count == ids.count)
        // Every table is well formed: parse the tables (HTML here is XML-clean) and check row widths.
        var rest = html[...]
        var tables = 0
        while let start = rest.range(of: "<table"), let end = rest.range(of: "</table>", range: start.upperBound..<rest.endIndex) {
            let table = String(rest[start.lowerBound..<end.upperBound]).replacingOccurrences(of: "&nbsp;", with: " ")
            let inspector = TableInspector()
            let parser = XMLParser(data: Data(table.utf8))
            parser.delegate = inspector
            #expect(parser.parse(), "table \(tables) is not well formed")
            #expect(Set(inspector.rowWidths).count <= 1, "rows of table \(tables) have widths \(Set(inspector.rowWidths))")
            tables += 1
            rest = rest[end.upperBound...]
        }
        #expect(tables >= 6, "three spec tables and three CSV tables")
    }

    @Test("kill -9 during a run: earlier runs stay intact and the killed run is marked interrupted")
    func killNine() throws {
        let store = freshStore()
        try sgdyn(["gap", "--objective", "quartic", "--no-files"], store: store)
        let p = Process()
        p.executableURL = CLI.binary
        p.arguments = ["weak-error", "--mode", "mc", "--paths", "2000000", "--no-files", "--store", store]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        var seen = false
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, p.isRunning {
            if try statuses(in: store)[2] == "running" { seen = true; break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        #expect(seen, "the long run shows as running while it runs")
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        #expect(p.terminationReason == .uncaughtSignal && p.terminationStatus == SIGKILL)
        #expect(try statuses(in: store) == [1: "done", 2: "interrupted"])
        let show = try sgdyn(["runs", "show", "1"], store: store)
        #expect(show.stdout.contains("reading: Over η") && show.stdout.contains("fitted order vs IGR flow"))
        let killed = try sgdyn(["runs", "show", "2"], store: store)
        #expect(killed.stdout.contains("error: the process \(p.processIdentifier)"))
        // The store takes new runs after the kill.
        try sgdyn(["flow", "--no-files"], store: store)
        #expect(try statuses(in: store) == [1: "done", 2: "interrupted", 3: "done"])
    }

    /// A store with one finished run, shared by the malformed-input cases.
    static let oneRunStore: String = {
        let store = freshStore()
        _ = try? CLI.run(["gap", "--objective", "quartic", "--no-files", "--store", store])
        return store
    }()

    /// Paths for the malformed-input cases: `STORE` is `oneRunStore`, `OTHER` another store with one run,
    /// `TEXT` a text file, `FOREIGN` an SQLite database of another program, `FILE` a plain file (not a
    /// directory), `DIR` a temporary directory.
    static let fixtures: [String: String] = {
        let dir = CLI.tempDir()
        let text = dir + "/notes.sqlite"
        try? String(repeating: "not a database\n", count: 100).write(toFile: text, atomically: true, encoding: .utf8)
        _ = try? CLI.run(["flow", "--no-files", "--store", dir + "/other.sqlite"])
        let foreign = dir + "/foreign.db"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["sqlite3", foreign, "CREATE TABLE t(x);"]
        try? p.run()
        p.waitUntilExit()
        return ["STORE": oneRunStore, "TEXT": text, "OTHER": dir + "/other.sqlite", "FOREIGN": foreign, "FILE": text, "DIR": dir]
    }()

    @Test("malformed input in the store commands: exactly one stderr line and a non-zero exit, no crash", arguments: [
        (["runs", "show", "99", "--store", "STORE"], "no run 99", 64),
        (["runs", "show", "abc", "--store", "STORE"], "abc", 64),
        (["runs", "show", "0", "--store", "STORE"], "<id>", 64),
        (["runs", "show", "2", "--store", "OTHER"], "no run 2", 64),
        (["runs", "list", "--store", "TEXT"], "not an SQLite database", 64),
        (["runs", "list", "--store", "DIR/absent.sqlite"], "no run store", 64),
        (["runs", "list", "--store", "DIR/no/such/dir/s.sqlite"], "no run store", 64),
        (["runs", "list", "--store", "DIR"], "is a directory", 64),
        (["runs", "list", "--store", "FOREIGN"], "not an sgdyn run store", 64),
        (["runs", "list", "--status", "finished", "--store", "STORE"], "--status", 64),
        (["flow", "--no-files", "--store", "DIR/no/such/dir/s.sqlite"], "--store", 64),
        (["flow", "--no-files", "--store", "TEXT"], "--store", 64),
        (["runs", "compare", "1", "--store", "STORE"], "exactly two run ids", 64),
        (["runs", "compare", "1", "2", "3", "--store", "STORE"], "exactly two run ids", 64),
        (["runs", "compare", "1", "7", "--store", "STORE"], "no run 7", 64),
        (["runs", "export", "1", "--out", "FILE/sub", "--store", "STORE"], "--out", 1),
        (["runs", "export", "1", "--format", "xml", "--store", "STORE"], "--format", 64),
        (["runs", "export", "5", "--store", "STORE"], "no run 5", 64),
        (["report", "--store", "STORE"], "at least one run id", 64),
        (["report", "1", "--out", "DIR/no/such/dir/r.html", "--store", "STORE"], "--out", 64),
        (["report", "1", "--out", "DIR", "--store", "STORE"], "is a directory", 64),
        (["report", "1", "42", "--out", "DIR/r.html", "--store", "STORE"], "no run 42", 64),
    ] as [([String], String, Int32)])
    func malformed(args: [String], message: String, code: Int32) throws {
        let fixtures = Self.fixtures
        let resolved = args.map { a in fixtures.reduce(a) { $0.replacingOccurrences(of: $1.key, with: $1.value) } }
        let before = try? Data(contentsOf: URL(fileURLWithPath: fixtures["TEXT"]!))
        let r = try CLI.run(resolved)
        #expect(r.status == code, "\(resolved): exit \(r.status): \(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1, "\(resolved): \(r.stderr)")
        #expect(r.stderr.contains(message), "\(resolved): \(r.stderr)")
        #expect(!r.stderr.contains("Fatal") && r.stdout.isEmpty, "\(resolved): \(r.stdout)")
        let after = try? Data(contentsOf: URL(fileURLWithPath: fixtures["TEXT"]!))
        #expect(after == before, "a non-SQLite file is never changed")
        #expect(!FileManager.default.fileExists(atPath: fixtures["DIR"]! + "/no"), "no directory is made for a store or a report")
        #expect(!FileManager.default.fileExists(atPath: fixtures["DIR"]! + "/r.html"), "no half-written report")
    }
}

/// Counts the cells of each `<tr>` of one HTML table parsed as XML.
final class TableInspector: NSObject, XMLParserDelegate {
    private(set) var rowWidths: [Int] = []
    private var cells = 0
    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        if name == "tr" { cells = 0 }
        if name == "td" || name == "th" { cells += Int(attributes["colspan"] ?? "1") ?? 1 }
    }
    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "tr" { rowWidths.append(cells) }
    }

    @Test("report --out refuses a symbolic link or a device instead of replacing it")
    func reportRefusesNonRegularTarget() throws {
        let store = freshStore()
        try sgdyn(["gap", "--objective", "quartic", "--no-files"], store: store)
        let dir = CLI.tempDir()
        let target = dir + "/target.html"
        try "keep".write(toFile: target, atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: dir + "/link.html", withDestinationPath: target)
        for out in [dir + "/link.html", "/dev/null"] {
            let r = try CLI.run(["report", "1", "--store", store, "--out", out])
            #expect(r.status == 64 && r.stderr.contains("--out") && r.stderr.split(separator: "\n").count == 1, "\(out): \(r.stderr)")
        }
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: dir + "/link.html") == target)
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "keep")
    }
}
