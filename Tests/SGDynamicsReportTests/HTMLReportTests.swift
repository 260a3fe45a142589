import Foundation
import Testing
@testable import SGDynamicsReport

@Suite("HTML report")
struct HTMLReportTests {
    static let svg = """
        <?xml version="1.0" encoding="UTF-8"?>
        <svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10" viewBox="0 0 10 10">
        <defs><clipPath id="clip-a"><rect width="5" height="5"/></clipPath></defs>
        <g clip-path="url(#clip-a)"><use href="#clip-a"/></g>
        </svg>
        """

    static func run(id: Int64, reading: String? = "order 2.01 ± 0.03 <as claimed>") -> ReportRun {
        ReportRun(id: id, study: "weak-error", question: "Does SME-2 match SGD?", claim: "O(η²) & \"more\"",
                  spec: "study=weak-error\nmode=exact\netas=0.1,0.05", status: "done", started: "2026-01-01 00:00:00",
                  duration: "0.50 s", seed: "1", packageVersion: "0.8.0", reading: reading, stdout: "<b>printed</b>\n",
                  artifacts: [ReportArtifact(name: "w.csv", kind: "csv", contents: "eta,\"err, abs\"\n0.1,0.0123456789\n0.05,3e-4\n"),
                              ReportArtifact(name: "w.svg", kind: "svg", contents: svg),
                              ReportArtifact(name: "w.json", kind: "json", contents: "{\"a\": 1}")])
    }

    @Test("text is escaped everywhere: claim, reading, stdout, cells")
    func escaping() {
        #expect(HTMLText.escape("a<b>&\"c'") == "a&lt;b&gt;&amp;&quot;c&#39;")
        let html = HTMLReport(title: "T <1>", runs: [Self.run(id: 1)]).render()
        #expect(html.contains("<title>T &lt;1&gt;</title>"))
        #expect(html.contains("O(η²) &amp; &quot;more&quot;"))
        #expect(html.contains("&lt;as claimed&gt;"))
        #expect(html.contains("&lt;b&gt;printed&lt;/b&gt;"))
        #expect(!html.contains("<b>printed"))
    }

    @Test("per run: question, claim, settings, a table per CSV, a picture per stored SVG (as an image), the reading; no scripts or network")
    func structure() {
        let html = HTMLReport(title: "R", runs: [Self.run(id: 1), Self.run(id: 2, reading: nil)]).render()
        #expect(html.components(separatedBy: "<section class=\"r-run\"").count == 3)
        #expect(html.components(separatedBy: "<img alt=\"w.svg\" src=\"data:image/svg+xml;base64,").count == 3)
        #expect(!html.contains("<svg"), "stored pictures are never inlined")
        #expect(!html.contains("<?xml") && !html.contains("http") && !html.lowercased().contains("<script"))
        #expect(html.contains("<th scope=\"row\">mode</th><td>exact</td>"))
        #expect(html.contains("<th scope=\"col\">err, abs</th>") || html.contains("<th scope=\"col\" class=\"r-num\">err, abs</th>"))
        #expect(html.contains("title=\"0.0123456789\">0.0123457</td>"))
        #expect(html.contains("No reading was recorded"))
        #expect(html.contains("<summary>w.json</summary>"))
    }

    @Test("a tampered stored picture puts no script, handler, link or frame into the report")
    func untrustedPicture() {
        var run = Self.run(id: 1)
        let evil = #"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script><a href="javascript:alert(3)"><text>x</text></a><foreignObject><iframe src="x"></iframe></foreignObject></svg>"#
        run.artifacts = [ReportArtifact(name: "evil.svg", kind: "svg", contents: evil)]
        let html = HTMLReport(title: "R", runs: [run]).render().lowercased()
        for bad in ["<script", "onload=", "javascript:", "<iframe", "<foreignobject"] { #expect(!html.contains(bad), "\(bad)") }
    }

    @Test("long tables show evenly spaced rows, first and last included")
    func longTables() {
        let csv = "i\n" + (0..<601).map { "\($0)" }.joined(separator: "\n") + "\n"
        var run = Self.run(id: 1)
        run.artifacts = [ReportArtifact(name: "d.csv", kind: "csv", contents: csv)]
        let html = HTMLReport(title: "R", runs: [run]).render()
        let cells = html.components(separatedBy: "<td class=\"r-num\">").dropFirst().map { Int($0.prefix { $0.isNumber })! }
        #expect(cells.count <= 25 && cells.first == 0 && cells.last == 600)
        #expect(html.contains("every 25th row shown"))
    }

    @Test("CSV parsing: quotes, doubled quotes, embedded commas and newlines, CRLF, blank lines")
    func csvParsing() {
        let t = CSVTable(parsing: "a,b,c\r\n1,\"x, y\",\"say \"\"hi\"\"\"\r\n\r\n2,\"two\nlines\",\n")
        #expect(t.header == ["a", "b", "c"])
        #expect(t.rows == [["1", "x, y", "say \"hi\""], ["2", "two\nlines", ""]])
        #expect(CSVTable(parsing: "").header.isEmpty)
    }

    @Test("spec fields from name=value lines and from a command line; differences name both values")
    func specFields() {
        let lines = SpecFields("study=gap\nhorizon=1\netas=0.1,0.05\n")
        #expect(lines.fields.map(\.name) == ["study", "horizon", "etas"])
        let args = SpecFields("gap --objective quartic --x0 -1.5 --no-files --etas=0.1")
        #expect(args.value("study") == "gap" && args.value("x0") == "-1.5" && args.value("no-files") == "true" && args.value("etas") == "0.1")
        let d = lines.differences(from: SpecFields("study=gap\nhorizon=2\nnorm=max"))
        #expect(d.map(\.name) == ["horizon", "etas", "norm"])
        #expect(d[0].mine == "1" && d[0].theirs == "2" && d[1].theirs == nil && d[2].mine == nil)
    }
}
