import Foundation
import SGDynamics

/// A self-contained HTML report of stored runs: one file with inline CSS and inline SVG, no scripts
/// and no network references, readable offline and printable.
///
/// Per run, in reading order: the study's question and claim, its settings (the spec), its tables
/// (every CSV artifact as an HTML table, long ones shortened to their first and last rows), its
/// pictures (every SVG artifact shown as an image, never inlined: stored files are untrusted), the one-paragraph reading, then the printed output and any
/// other files folded away. All text is escaped; SVG ids are prefixed per picture (`InlineSVG`).
public struct HTMLReport: Sendable {
    public var title: String
    /// A line under the title, e.g. when and from which store the report was made.
    public var subtitle: String?
    public var runs: [ReportRun]
    /// A CSV longer than this shows every k-th row (first and last included), at most this many:
    /// densities and paths keep their shape, where head and tail would show only their empty ends.
    public var maximumRows: Int = 25

    /// A table across the runs (the points of a sweep), shown before them.
    public var aggregate: StudyResult?

    public init(title: String, subtitle: String? = nil, runs: [ReportRun], aggregate: StudyResult? = nil) {
        self.title = title
        self.subtitle = subtitle
        self.runs = runs
        self.aggregate = aggregate
    }

    /// The whole document.
    public func render() -> String {
        var out = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(HTMLText.escape(title))</title>
        <style>
        \(Self.styleSheet)
        </style>
        </head>
        <body>
        <header class="r-header">
        <h1>\(HTMLText.escape(title))</h1>

        """
        if let subtitle { out += "<p class=\"r-meta\">\(HTMLText.escape(subtitle))</p>\n" }
        if runs.count > 1 {
            out += "<nav class=\"r-contents\"><ol>\n"
            if aggregate != nil { out += "<li><a href=\"#aggregate\">Across the \(runs.count) runs</a></li>\n" }
            for run in runs {
                out += "<li><a href=\"#run-\(run.id)\">\(HTMLText.escape(Self.title(of: run)))</a> "
                    + "<span class=\"r-status r-\(Self.statusClass(run.status))\">\(HTMLText.escape(run.status))</span></li>\n"
            }
            out += "</ol></nav>\n"
        }
        out += "</header>\n<main>\n"
        if let aggregate {
            out += "<section class=\"r-run\" id=\"aggregate\">\n<h2>Across the \(runs.count) runs</h2>\n"
            out += "<p class=\"r-question\">\(HTMLText.escape(aggregate.tables.first?.title ?? ""))</p>\n"
            out += resultSections(aggregate, run: ReportRun(id: 0, study: "aggregate", spec: "", status: "done", started: ""))
            out += "</section>\n"
        }
        for run in runs { out += section(run) }
        out += "</main>\n</body>\n</html>\n"
        return out
    }

    /// "Run N · study", or the run's heading followed by "(run N · study)".
    static func title(of run: ReportRun) -> String {
        let plain = "Run \(run.id) · \(run.study)"
        return run.heading.map { "\($0) (\(plain.prefix(1).lowercased() + plain.dropFirst()))" } ?? plain
    }

    func section(_ run: ReportRun) -> String {
        var out = "<section class=\"r-run\" id=\"run-\(run.id)\">\n"
        out += "<h2>\(HTMLText.escape(Self.title(of: run))) "
            + "<span class=\"r-status r-\(Self.statusClass(run.status))\">\(HTMLText.escape(run.status))</span></h2>\n"
        if let q = run.question { out += "<p class=\"r-question\">\(HTMLText.escape(q))</p>\n" }
        if let e = run.experiment { out += "<p class=\"r-meta\">Experiment: \(HTMLText.escape(e))</p>\n" }
        if let claim = run.claim {
            out += "<div class=\"r-claim\"><h3>Claim</h3>\n<p>\(HTMLText.escape(claim))</p></div>\n"
        }
        if let message = run.errorMessage {
            out += "<p class=\"r-error\"><strong>\(run.status == "interrupted" ? "Interrupted" : "Failed"):</strong> \(HTMLText.escape(message))</p>\n"
        }

        out += "<h3>Settings</h3>\n<div class=\"r-settings\">\n"
        let spec = SpecFields(run.spec)
        if spec.fields.isEmpty {
            out += "<pre>\(HTMLText.escape(run.spec))</pre>\n"
        } else {
            out += "<table class=\"r-spec\">\n<tbody>\n"
            for f in spec.fields {
                out += "<tr><th scope=\"row\">\(HTMLText.escape(f.name))</th><td>\(HTMLText.escape(f.value))</td></tr>\n"
            }
            out += "</tbody>\n</table>\n"
        }
        var facts: [(String, String)] = [("started", run.started)]
        if let d = run.duration { facts.append(("duration", d)) }
        if let s = run.seed { facts.append(("seed", s)) }
        if let v = run.packageVersion { facts.append(("sgdyn", v)) }
        out += "<dl class=\"r-facts\">" + facts.map { "<dt>\(HTMLText.escape($0.0))</dt><dd>\(HTMLText.escape($0.1))</dd>" }.joined() + "</dl>\n"
        out += "</div>\n"

        if let result = run.result {
            out += resultSections(result, run: run)
        } else {
            out += artifactSections(run)
        }
        out += "<h3>Reading</h3>\n"
        out += run.reading.map { "<p class=\"r-reading\">\(HTMLText.escape($0))</p>\n" }
            ?? "<p class=\"r-reading r-missing\">No reading was recorded for this run.</p>\n"

        let others = run.result != nil ? [] : run.artifacts.filter { $0.kind != "csv" && $0.kind != "svg" }
        if let stdout = run.stdout, !stdout.isEmpty {
            out += "<details class=\"r-more\"><summary>Printed output</summary>\n<pre>\(HTMLText.escape(stdout))</pre></details>\n"
        }
        for f in others {
            out += "<details class=\"r-more\"><summary>\(HTMLText.escape(f.name))</summary>\n<pre>\(HTMLText.escape(f.contents))</pre></details>\n"
        }
        out += "</section>\n"
        return out
    }

    /// Tables and pictures of a run without a stored result: its CSV and SVG files.
    func artifactSections(_ run: ReportRun) -> String {
        var out = ""
        let tables = run.artifacts.filter { $0.kind == "csv" }
        if !tables.isEmpty {
            out += "<h3>Tables</h3>\n"
            for t in tables { out += table(t) }
        }
        let pictures = run.artifacts.filter { $0.kind == "svg" }
        if !pictures.isEmpty {
            out += "<h3>Pictures</h3>\n"
            for p in pictures {
                // A stored picture is untrusted text: it is shown as an image (a browser runs no script
                // and follows no link in an SVG image), never inlined into the page.
                guard p.contents.contains("<svg") else {
                    out += "<p class=\"r-error\">\(HTMLText.escape(p.name)): not an SVG document</p>\n"
                    continue
                }
                let data = Data(p.contents.utf8).base64EncodedString()
                out += "<figure class=\"r-picture\">\n<img alt=\"\(HTMLText.escape(p.name))\" src=\"data:image/svg+xml;base64,\(data)\">\n"
                    + "<figcaption>\(HTMLText.escape(p.name))</figcaption>\n</figure>\n"
            }
        }
        return out
    }

    /// A result's warnings, summary tables, findings, figures and raw series.
    func resultSections(_ result: StudyResult, run: ReportRun) -> String {
        var out = ""
        if !result.warnings.isEmpty {
            out += "<div class=\"r-warnings\"><h3>Warnings</h3>\n<ul>\n"
            for w in result.warnings { out += "<li><strong>\(HTMLText.escape(Self.warningTitle(w.kind)))</strong>: \(HTMLText.escape(w.message))</li>\n" }
            out += "</ul></div>\n"
        }
        if !result.tables.isEmpty || !result.findings.isEmpty {
            out += "<h3>Results</h3>\n"
            if !result.context.isEmpty {
                out += "<p class=\"r-context\">" + result.context.filter { !$0.hasPrefix("Claim: ") }.map { HTMLText.escape($0.trimmingCharacters(in: .whitespacesAndNewlines)) }.joined(separator: "<br>\n") + "</p>\n"
            }
            for t in result.tables { out += summaryTable(t) }
            if !result.findings.isEmpty {
                out += "<ul class=\"r-findings\">\n" + result.findings.map { "<li>\(HTMLText.escape($0))</li>\n" }.joined() + "</ul>\n"
            }
        }
        if !result.figures.isEmpty {
            out += "<h3>Pictures</h3>\n"
            for (i, f) in result.figures.enumerated() {
                guard let svg = InlineSVG(ResultRenderer.svg(f), idPrefix: "r\(run.id)-f\(i)-") else { continue }
                out += "<figure class=\"r-picture\">\n\(svg.markup)\n<figcaption>\(HTMLText.escape(f.title))</figcaption>\n</figure>\n"
            }
        }
        if !result.series.isEmpty {
            out += "<p class=\"r-downloads\">Raw series: " + result.series.map { t in
                let csv = Data(ResultRenderer.csv(t).utf8).base64EncodedString()
                return "<a download=\"\(HTMLText.escape(t.name)).csv\" href=\"data:text/csv;base64,\(csv)\">\(HTMLText.escape(t.name)).csv</a> (\(t.rows.count) rows)"
            }.joined(separator: ", ") + "</p>\n"
        }
        return out
    }

    static func warningTitle(_ kind: StudyWarning.Kind) -> String {
        switch kind {
        case .preAsymptotic: return "pre-asymptotic fit"
        case .monteCarloError: return "Monte Carlo error"
        case .diverged: return "diverged"
        case .note: return "note"
        }
    }

    /// A summary table with its typed columns: numbers right-aligned, formatted as in the text output.
    func summaryTable(_ t: ResultTable) -> String {
        var out = "<figure class=\"r-table\">\n<figcaption>\(HTMLText.escape(t.title))</figcaption>\n<table>\n<thead><tr>"
        for c in t.columns { out += "<th scope=\"col\">\(HTMLText.escape(c.unit.map { u in "\(c.title) [\(u)]" } ?? c.title))</th>" }
        out += "</tr></thead>\n<tbody>\n"
        for row in t.rows {
            out += "<tr>"
            for (c, cell) in zip(t.columns, row) {
                let numeric: Bool
                switch cell { case .number, .interval: numeric = true; default: numeric = false }
                out += "<td\(numeric ? " class=\"r-num\"" : "")>\(HTMLText.escape(ResultRenderer.cellText(cell, c)))</td>"
            }
            out += "</tr>\n"
        }
        out += "</tbody>\n</table>\n"
        for n in t.notes { out += "<p class=\"r-note\">\(HTMLText.escape(n))</p>\n" }
        out += "</figure>\n"
        return out
    }

    func table(_ artifact: ReportArtifact) -> String {
        let csv = CSVTable(parsing: artifact.contents)
        let columns = csv.columnCount
        let n = csv.rows.count
        var shown = Array(0..<n)
        var stride = 1
        if n > maximumRows {
            stride = (n - 1 + maximumRows - 2) / (maximumRows - 1)
            shown = Array(Swift.stride(from: 0, to: n - 1, by: stride))
            shown.append(n - 1)
        }
        let count = "\(n) row\(n == 1 ? "" : "s")" + (stride > 1 ? "; every \(Self.ordinal(stride)) row shown, and the last (all are in the stored CSV)" : "")
        var out = "<figure class=\"r-table\">\n<figcaption>\(HTMLText.escape(artifact.name))"
            + " <span class=\"r-count\">\(count)</span></figcaption>\n"
        // A column whose non-empty cells are all numbers is right-aligned, header included.
        let numeric = (0..<columns).map { c in
            let cells = csv.rows.compactMap { c < $0.count ? $0[c].trimmingCharacters(in: .whitespaces) : nil }.filter { !$0.isEmpty }
            return !cells.isEmpty && cells.allSatisfy { Double($0) != nil }
        }
        out += "<div class=\"r-scroll\">\n<table>\n<thead><tr>"
        for c in 0..<columns {
            out += "<th scope=\"col\"\(numeric[c] ? " class=\"r-num\"" : "")>\(HTMLText.escape(c < csv.header.count ? csv.header[c] : ""))</th>"
        }
        out += "</tr></thead>\n<tbody>\n"
        for index in shown {
            let row = csv.rows[index]
            out += "<tr>"
            for c in 0..<columns { out += Self.cell(c < row.count ? row[c] : "") }
            out += "</tr>\n"
        }
        out += "</tbody>\n</table>\n</div>\n</figure>\n"
        return out
    }

    /// A table cell: numbers right-aligned and shown with at most six significant digits (the full
    /// value in the tooltip), text as it is.
    static func cell(_ text: String) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let v = Double(trimmed), !trimmed.isEmpty, trimmed.first != "+" || trimmed.count > 1 else {
            return "<td>\(HTMLText.escape(text))</td>"
        }
        let short = v.isFinite ? String(format: "%.6g", v) : trimmed
        if short == trimmed { return "<td class=\"r-num\">\(HTMLText.escape(trimmed))</td>" }
        return "<td class=\"r-num\" title=\"\(HTMLText.escape(trimmed))\">\(HTMLText.escape(short))</td>"
    }

    /// 2nd, 3rd, 24th, 111th.
    static func ordinal(_ k: Int) -> String {
        let suffix = (11...13).contains(k % 100) ? "th" : [1: "st", 2: "nd", 3: "rd"][k % 10] ?? "th"
        return "\(k)\(suffix)"
    }

    static func statusClass(_ status: String) -> String {
        ["done", "failed", "running", "interrupted"].contains(status) ? status : "other"
    }

    /// The page's CSS. Class names start with `r-` so they cannot meet the classes inside the SVG charts.
    static let styleSheet = """
    :root { color-scheme: light; --ink: #1f2328; --muted: #59636e; --rule: #d0d7de; --soft: #f6f8fa; --accent: #0b5cad; }
    * { box-sizing: border-box; }
    body { margin: 0; padding: 24px 32px 48px; font: 15px/1.5 "DejaVu Sans", "Helvetica Neue", Helvetica, Arial, sans-serif; color: var(--ink); background: #fff; }
    main, .r-header { max-width: 1100px; margin: 0 auto; }
    h1 { font-size: 26px; margin: 0 0 4px; }
    h2 { font-size: 21px; margin: 0 0 8px; padding-bottom: 6px; border-bottom: 2px solid var(--rule); }
    h3 { font-size: 15px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); margin: 22px 0 8px; }
    .r-meta { color: var(--muted); margin: 0 0 12px; }
    .r-contents ol { margin: 8px 0 0; padding-left: 22px; }
    .r-contents a { color: var(--accent); text-decoration: none; }
    .r-run { margin: 32px 0 0; padding: 20px 24px 24px; border: 1px solid var(--rule); border-radius: 8px; break-inside: avoid-page; }
    .r-status { display: inline-block; font-size: 12px; font-weight: normal; padding: 1px 8px; border-radius: 10px; vertical-align: middle; background: var(--soft); border: 1px solid var(--rule); }
    .r-done { background: #dafbe1; border-color: #8fd19e; }
    .r-failed, .r-interrupted { background: #ffebe9; border-color: #f5a3a3; }
    .r-running { background: #fff8c5; border-color: #e3c567; }
    .r-question { font-size: 16px; margin: 4px 0 12px; }
    .r-claim { background: #eef5fd; border-left: 4px solid var(--accent); padding: 2px 16px 10px; border-radius: 0 6px 6px 0; }
    .r-claim h3 { margin-top: 10px; }
    .r-claim p { margin: 0; }
    .r-error { color: #a40e26; }
    .r-settings { display: flex; flex-wrap: wrap; gap: 12px 32px; align-items: flex-start; }
    .r-spec { border-collapse: collapse; font-size: 13.5px; }
    .r-spec th { text-align: left; font-weight: normal; color: var(--muted); padding: 2px 14px 2px 0; }
    .r-spec td { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; padding: 2px 0; }
    .r-facts { display: grid; grid-template-columns: auto auto; gap: 2px 14px; margin: 0; font-size: 13.5px; }
    .r-facts dt { color: var(--muted); }
    .r-facts dd { margin: 0; }
    figure { margin: 10px 0 18px; }
    figcaption { font-size: 13px; color: var(--muted); margin: 4px 0; }
    .r-count { margin-left: 6px; }
    .r-scroll { overflow-x: auto; max-width: 100%; border: 1px solid var(--rule); border-radius: 6px; }
    figure.r-table { overflow-x: auto; max-width: 100%; }
    .r-table table { border-collapse: collapse; font-size: 13px; width: max-content; min-width: 100%; }
    .r-table th { background: var(--soft); text-align: left; position: sticky; top: 0; }
    .r-table th.r-num { text-align: right; font-family: inherit; }
    .r-table th, .r-table td { padding: 4px 10px; border-bottom: 1px solid var(--rule); white-space: nowrap; }
    .r-table tbody tr:nth-child(even) { background: #fbfcfd; }
    .r-warnings { background: #fff8e6; border-left: 4px solid #d4a017; padding: 4px 16px; border-radius: 0 6px 6px 0; margin: 8px 0; }
    .r-warnings h3 { margin: 6px 0; }
    .r-context, .r-findings, .r-downloads { font-size: 14px; }
    .r-num { text-align: right; font-variant-numeric: tabular-nums; font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; }
    .r-picture svg, .r-picture img { display: block; max-width: 100%; height: auto; border: 1px solid var(--rule); border-radius: 6px; }
    .r-reading { font-size: 16px; background: #f3fbf4; border-left: 4px solid #2da44e; padding: 10px 16px; border-radius: 0 6px 6px 0; margin: 0; }
    .r-missing { background: var(--soft); border-left-color: var(--rule); color: var(--muted); }
    .r-more { margin-top: 12px; }
    .r-more summary { cursor: pointer; color: var(--accent); }
    pre { background: var(--soft); padding: 10px 12px; border-radius: 6px; overflow-x: auto; font-size: 12.5px; line-height: 1.4; }
    @media print { body { padding: 0; } .r-run { border: none; padding: 0; } details { display: none; } }
    """
}
