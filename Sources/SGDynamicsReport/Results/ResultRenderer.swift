import Foundation
import SGDynamics

/// The one code path from a `StudyResult` to every output: text for a terminal, CSV for each
/// raw series, the result's JSON, SVG for each figure, and (through `HTMLReport`) HTML.
public enum ResultRenderer {
    /// The text a terminal shows: context lines, each summary table with its notes, the
    /// findings and the warnings (`warning: …`).
    public static func text(_ result: StudyResult) -> String {
        var lines = result.context
        for table in result.tables {
            lines.append(text(table))
            lines += table.notes.map { "\n" + $0 }
        }
        lines += result.findings
        lines += result.warnings.map { "warning: \($0.message)" }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A fixed-width text table: header, rule, rows (columns two spaces apart).
    public static func text(_ table: ResultTable) -> String {
        let header = table.columns.map { c in c.unit.map { "\(c.title) [\($0)]" } ?? c.title }
        let rows = table.rows.map { row in zip(table.columns, row).map { cellText($1, $0) } }
        return TextGrid(header: header, rows: rows).render()
    }

    /// A cell as the text table and the HTML report show it.
    public static func cellText(_ cell: ResultCell, _ column: ResultColumn) -> String {
        switch cell {
        case .number(let v):
            if column.kind == .integer, v.isFinite, abs(v) < 9e15 { return "\(Int(v))" }
            return NumberText.short(v, column.digits)
        case .interval(let low, let high): return "[\(NumberText.short(low, column.digits)), \(NumberText.short(high, column.digits))]"
        case .text(let s): return s
        case .missing: return ""
        }
    }

    /// CSV (RFC 4180 quoting) with column keys as the header and full-precision numbers; an
    /// interval becomes two columns `key_low`, `key_high`.
    public static func csv(_ table: ResultTable) -> String {
        var header: [String] = []
        for c in table.columns { if c.kind == .interval { header += ["\(c.key)_low", "\(c.key)_high"] } else { header.append(c.key) } }
        var lines = [header.map(csvField).joined(separator: ",")]
        for row in table.rows {
            var cells: [String] = []
            for (c, cell) in zip(table.columns, row) {
                if c.kind == .interval {
                    if case .interval(let l, let h) = cell { cells += ["\(l)", "\(h)"] } else { cells += [plain(cell, c), ""] }
                } else {
                    cells.append(plain(cell, c))
                }
            }
            lines.append(cells.map(csvField).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func plain(_ cell: ResultCell, _ c: ResultColumn) -> String {
        if c.kind == .integer, case .number(let v) = cell, v.isFinite, abs(v) < 9e15 { return "\(Int(v))" }
        return cell.textValue
    }

    static func csvField(_ s: String) -> String {
        s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r")
            ? "\"\(s.replacingOccurrences(of: "\"", with: "\"\""))\"" : s
    }

    /// The figure as SVG markup: a contour plot, a heat map, or a line plot.
    public static func svg(_ figure: ResultFigure) -> String {
        if let grid = figure.contour { return contourPlot(figure, grid).render(width: figure.width, height: figure.height) }
        if let grid = figure.heatmap { return heatmap(figure, grid).render(width: figure.width, height: figure.height) }
        return lineplot(figure).render(width: figure.width, height: figure.height)
    }

    static func marker(_ m: FigureSeries.Marker) -> Marker {
        switch m {
        case .none: return .none
        case .circle: return .circle
        case .square: return .square
        case .triangle: return .triangle
        case .diamond: return .diamond
        }
    }

    /// The figure as a `LinePlot` value.
    public static func lineplot(_ figure: ResultFigure) -> LinePlot {
        var plot = LinePlot(title: figure.title, xLabel: figure.xLabel, yLabel: figure.yLabel,
                            xScale: figure.xScale == .log ? .log : .linear, yScale: figure.yScale == .log ? .log : .linear)
        for b in figure.bars {
            plot.add(BarSeries(label: b.label, edges: b.edges, heights: b.heights, color: b.color.map { Color(hex: $0) }, opacity: b.opacity))
        }
        for s in figure.series {
            let band = s.lower.flatMap { l in s.upper.map { (lower: l, upper: $0) } }
            let dash: StrokeDash = s.dash == .dashed ? .dashed : s.dash == .dotted ? .dotted : .solid
            plot.add(Series(label: s.label, x: s.x, y: s.y, errors: s.errors, band: band, color: s.color.map { Color(hex: $0) },
                            dash: dash, marker: marker(s.marker), lineWidth: s.pointsOnly ? 0 : s.lineWidth))
        }
        for g in figure.guides {
            switch g.kind {
            case .slope: plot.addReferenceSlope(g.slope, through: (x: g.x, y: g.y), label: g.label)
            case .horizontal: plot.addHorizontalLine(y: g.y, label: g.label)
            case .vertical: plot.addVerticalLine(x: g.x, label: g.label)
            }
        }
        return plot
    }

    /// A contour figure: the grid's function (interpolated between its nodes), its arrows and the
    /// series as trajectories.
    static func contourPlot(_ figure: ResultFigure, _ grid: FigureGrid) -> ContourPlot {
        var plot = ContourPlot(title: figure.title, xLabel: figure.xLabel, yLabel: figure.yLabel, xRange: grid.x, yRange: grid.y) { x, y in
            grid.value(x, y)
        }
        plot.valueLabel = grid.valueLabel
        if let arrows = figure.arrows { plot.vectorField = { x, y in (arrows.u.value(x, y), arrows.v.value(x, y)) } }
        if figure.logColour { plot.colorScaling = .logarithmic(epsilon: nil) }
        plot.equalAspect = figure.equalAspect
        for s in figure.series {
            plot.add(Trajectory(label: s.label, x: s.x, y: s.y, color: s.color.map { Color(hex: $0) }, marker: marker(s.marker),
                                lineWidth: s.lineWidth))
        }
        return plot
    }

    static func heatmap(_ figure: ResultFigure, _ grid: FigureGrid) -> Heatmap {
        var map = Heatmap(title: figure.title, values: grid.doubleValues, xLabel: figure.xLabel, yLabel: figure.yLabel,
                          valueLabel: grid.valueLabel, xRange: grid.x, yRange: grid.y)
        if figure.logColour { map.colorScaling = .logarithmic(epsilon: nil) }
        map.equalAspect = figure.equalAspect
        return map
    }

    /// Every file of a result, in order: one CSV per raw series, the result's JSON
    /// (`<study>.json`), one SVG per figure, then the attachments. Names are `<name>.<ext>`.
    public static func files(_ result: StudyResult) throws -> [(name: String, contents: String)] {
        var out: [(String, String)] = result.series.map { ("\($0.name).csv", csv($0)) }
        out.append(("\(result.study).json", try result.jsonText()))
        out += result.figures.map { ("\($0.name).svg", svg($0)) }
        out += result.attachments.map { ($0.name, $0.contents) }
        return out
    }
}

/// Columns of text padded to their widths, two spaces apart, with a rule under the header.
public struct TextGrid: Sendable {
    public var header: [String]
    public var rows: [[String]]
    public init(header: [String], rows: [[String]] = []) { self.header = header; self.rows = rows }

    public func render() -> String {
        let all = [header] + rows
        let widths = (0..<header.count).map { c in all.map { $0.indices.contains(c) ? $0[c].count : 0 }.max() ?? 0 }
        func line(_ r: [String]) -> String {
            r.enumerated().map { i, s in i < widths.count ? s.padding(toLength: widths[i], withPad: " ", startingAt: 0) : s }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        return ([line(header), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")] + rows.map(line))
            .joined(separator: "\n")
    }
}
