import Foundation
import Testing
import SGDynamics
import SGDynamicsReport   // not @testable: the samples use the public API only, as a user's package would

// The code samples of the DocC article Sources/SGDynamicsReport/SGDynamicsReport.docc/DrawingAResult.md,
// compiled and run here so that they cannot drift from the module. Each test holds one sample
// verbatim, followed by the property the article states about it.

@Suite("DrawingAResult.md samples")
struct DrawingAResultSamples {
    /// What `sgdyn gap --objective quartic --no-store --no-files` printed, without its last line
    /// (`time … s`, which the CLI adds).
    static let printedByTheCLI = """
        GD on quartic from x0 = (1), T = 1, max-norm gap
        η       steps  gap to gradient flow  gap to IGR flow  local order (gf)  local order (igr)
        ------  -----  --------------------  ---------------  ----------------  -----------------
        0.1     10     0.04296               0.009968
        0.05    20     0.01973               0.002273         1.12              2.13
        0.025   40     0.009512              5.506e-04        1.05              2.05
        0.0125  80     0.004675              1.357e-04        1.02              2.02
        fitted order vs gradient flow: 1.065 ± 0.068 (95% interval)
        fitted order vs IGR flow: 2.064 ± 0.079 (95% interval)

        """

    @Test("text, CSV and JSON: the text is what the CLI prints; the CSV has the column keys and full precision; the JSON reads back to the same result")
    func textCSVAndJSON() throws {
        let result = try GapStudy(.init(objective: .init(name: "quartic"))).run(StudyContext())
        let text = ResultRenderer.text(result)           // what `sgdyn gap --objective quartic` prints
        let csv = ResultRenderer.csv(result.series[0])   // gap.csv: column keys, every digit
        let json = try result.jsonText()                 // gap.json
        let again = try StudyResult(json: json)          // == result

        #expect(text == Self.printedByTheCLI)
        #expect(csv.hasPrefix("model,eta,steps,gap,diverged_at\n"))
        #expect(csv.contains(",0.1,10,0.04295908269562865,"))   // the CLI's gap.csv has this row
        #expect(again == result)
    }

    @Test("files: the names and contents --out writes (gap.csv, gap.json, gap.svg)")
    func files() throws {
        let result = try GapStudy(.init(objective: .init(name: "quartic"))).run(StudyContext())
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sgdyn-docs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for file in try ResultRenderer.files(result) {
            try file.contents.write(to: directory.appendingPathComponent(file.name), atomically: true, encoding: .utf8)
        }

        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(names == ["gap.csv", "gap.json", "gap.svg"])
        let svg = try String(contentsOf: directory.appendingPathComponent("gap.svg"), encoding: .utf8)
        #expect(svg == ResultRenderer.svg(result.figures[0]))
        try? FileManager.default.removeItem(at: directory)
    }

    @Test("a study's figure as SVG, and as a LinePlot value to change before drawing")
    func studyFigure() throws {
        let result = try GapStudy(.init(objective: .init(name: "quartic"))).run(StudyContext())
        let figure = result.figures[0]                   // gap against η, log–log, with slopes 1 and 2
        let svg = ResultRenderer.svg(figure)             // 720 × 480, as gap.svg
        var plot = ResultRenderer.lineplot(figure)
        plot.legendPosition = .bottomRight
        let wide = plot.render(width: 960, height: 480)

        #expect(svg.contains("<svg") && svg.contains("width=\"720\"") && svg.contains("height=\"480\""))
        #expect(wide.contains("width=\"960\""))
        #expect(figure.xScale == .log && figure.yScale == .log)
    }

    @Test("a figure of your own: ensemble means with error bars next to the exact (1 − ηλ)ᵏ")
    func ownFigure() throws {
        var configuration = SimulateStudy.Configuration()   // SGD on li-tai-e, η = 0.1, x₀ = (1, 1)
        configuration.paths = 1000
        configuration.saves = 10
        let table = try SimulateStudy(configuration).run(StudyContext()).table("simulate")!
        let t = table.numbers("t").map { $0! }
        var figure = ResultFigure(name: "mean", title: "SGD on li-tai-e: E x₁", xLabel: "t = kη", yLabel: "E x₁")
        figure.series = [
            FigureSeries(label: "ensemble ± 1 SE", x: t, y: table.numbers("mean x1").map { $0! },
                         errors: table.numbers("sd x1").map { $0! / 1000.0.squareRoot() }),
            FigureSeries(label: "exact (1 − η)ᵏ", x: t, y: t.map { pow(0.9, $0 / 0.1) }, marker: .none, dash: .dashed),
        ]
        let svg = ResultRenderer.svg(figure)

        #expect(t.count == 11)
        #expect(svg.contains("ensemble ± 1 SE") && svg.contains("exact (1 − η)ᵏ"))
    }

    @Test("an HTML report of a result: one file, its table, its picture inline, the reading; no scripts")
    func htmlReport() throws {
        let study = try GapStudy(.init(objective: .init(name: "quartic")))
        let result = try study.run(StudyContext())
        var run = ReportRun(id: 1, study: result.study, question: "Is GD's gap to gradient flow O(η)?",
                            claim: result.claim, spec: try study.spec().text, status: result.status.rawValue,
                            started: "2026-01-01 12:00:00", reading: result.reading)
        run.result = result                              // tables and figures drawn from the numbers
        let html = HTMLReport(title: "GD against gradient flow", runs: [run]).render()

        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.components(separatedBy: "<svg").count == 1 + result.figures.count)
        #expect(html.contains("gap to gradient flow") && html.contains(HTMLText.escape(result.reading)))
        #expect(!html.lowercased().contains("<script"))
    }
}
