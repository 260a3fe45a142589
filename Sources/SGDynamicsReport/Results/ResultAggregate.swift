import Foundation
import SGDynamics

/// Results of several runs of one study (the points of a sweep) as one table: the settings that
/// differ between them, then every metric they share, with intervals. When exactly one numeric
/// setting varies, each metric's power law in it is fitted (`log metric = a + p log setting`, 95%
/// interval): the order in η or a step size, the 1/b scaling (p = −1 expected) in a batch size.
public struct ResultAggregate: Sendable {
    public struct Point: Sendable {
        public var label: String
        /// The settings that vary, by name, as text.
        public var settings: [String: String]
        public var result: StudyResult
        public init(label: String, settings: [String: String], result: StudyResult) {
            self.label = label
            self.settings = settings
            self.result = result
        }
    }

    public var points: [Point]
    /// The settings that differ between points, in order.
    public var varying: [String]
    /// Metrics every point has, in the first point's order.
    public var metricKeys: [String]

    /// `specs` are the points' spec texts (any form `SpecFields` reads).
    public init(labels: [String], specs: [String], results: [StudyResult]) {
        precondition(labels.count == specs.count && specs.count == results.count, "one label and spec per result")
        let fields = specs.map(SpecFields.init)
        var names: [String] = []
        for f in fields { for n in f.fields.map(\.name) where !names.contains(n) { names.append(n) } }
        let varying = names.filter { n in Set(fields.map { $0.value(n) ?? "" }).count > 1 }
        self.varying = varying
        points = zip(zip(labels, fields), results).map { lf, r in
            Point(label: lf.0, settings: Dictionary(uniqueKeysWithValues: varying.map { ($0, lf.1.value($0) ?? "") }), result: r)
        }
        let first = results.first?.metrics.map(\.key) ?? []
        metricKeys = first.filter { k in results.allSatisfy { $0.metric(k) != nil } }
    }

    /// The one numeric setting that varies, if there is exactly one (a seed or a shard is no axis:
    /// a power law in it means nothing).
    public var axis: String? {
        guard varying.count == 1, let name = varying.first, !["seed", "shard"].contains(where: { name.lowercased().contains($0) }) else { return nil }
        return points.allSatisfy({ Double($0.settings[name] ?? "") != nil }) ? name : nil
    }

    /// Whether the axis is a batch size (its fit is the 1/b scaling) rather than a step.
    public var axisIsBatch: Bool { axis.map { $0.lowercased().contains("batch") } ?? false }

    /// The power-law fit of each metric against the axis (positive values only).
    public func fits() -> [(key: String, fit: OrderFit)] {
        guard let axis else { return [] }
        let x = points.map { Double($0.settings[axis]!)! }
        // Fitted orders are exponents already: a power law of an exponent means nothing.
        return metricKeys.filter { !$0.hasPrefix("order ") }.compactMap { k in
            let y = points.map { $0.result.metric(k)!.value }
            return OrderFit(steps: x, errors: y).map { (k, $0) }
        }
    }

    /// The aggregate table: one row per point.
    public var table: ResultTable {
        var columns = [ResultColumn("run", kind: .text, isKey: true)] + varying.map { ResultColumn($0, kind: .text, isKey: true) }
        for k in metricKeys {
            columns.append(ResultColumn(k, digits: 5))
            if points.contains(where: { $0.result.metric(k)?.interval != nil }) {
                columns.append(ResultColumn("\(k) 95%", kind: .interval, digits: 3))
            }
        }
        var t = ResultTable(name: "aggregate", title: "\(points.first?.result.study ?? "study") over \(varying.isEmpty ? "repeated runs" : varying.joined(separator: ", "))", columns: columns)
        for p in points {
            var row: [ResultCell] = [.text(p.label)] + varying.map { .text(p.settings[$0] ?? "") }
            for k in metricKeys {
                let m = p.result.metric(k)!
                row.append(.number(m.value))
                if columns.contains(where: { $0.key == "\(k) 95%" }) {
                    row.append(m.interval.map { .interval(low: $0.lowerBound, high: $0.upperBound) } ?? .missing)
                }
            }
            t.add(row)
        }
        return t
    }

    /// Lines that state each fit.
    public var findings: [String] {
        guard let axis else {
            return varying.count > 1 ? ["\(varying.count) settings vary (\(varying.joined(separator: ", "))): no power law is fitted"] : []
                + (varying.count == 1 ? ["\(varying[0]) varies but is not a step, a size or another number to scale by: no power law is fitted"] : [])
        }
        let lines = fits().map { k, f in
            axisIsBatch ? "\(k) against \(axis): slope \(f.description) (95% interval)"
                        : "\(k) against \(axis): order \(f.description) (95% interval)"
        }
        return lines + (axisIsBatch && !lines.isEmpty ? ["(a quantity ∝ 1/b has slope −1 against the batch size)"] : [])
    }

    /// A log–log figure of every metric against the axis, when there is one.
    public var figure: ResultFigure? {
        guard let axis else { return nil }
        let x = points.map { Double($0.settings[axis]!)! }
        var f = ResultFigure(name: "aggregate", title: "\(points.first?.result.study ?? "") metrics against \(axis)", xLabel: axis,
                             yLabel: "metric", xScale: .log, yScale: .log)
        for (k, fit) in fits() {
            let y = points.map { $0.result.metric(k)!.value }
            let keep = zip(x, y).filter { $0.0 > 0 && $0.1 > 0 }
            f.series.append(FigureSeries(label: "\(k) (\(axisIsBatch ? "slope" : "order") \(fit.description))", x: keep.map(\.0), y: keep.map(\.1)))
        }
        if axisIsBatch, let s = f.series.first, let x0 = s.x.first, let y0 = s.y.first {
            f.guides.append(.slope(-1, through: x0, y0, label: "slope −1"))
        }
        return f.series.isEmpty ? nil : f
    }

    /// The aggregate as a result of its own (for the renderers and the report).
    public var result: StudyResult {
        StudyResult(study: "aggregate", claim: "One table across the points of a sweep.", reading: findings.joined(separator: "; "),
                    tables: [table], findings: findings, figures: figure.map { [$0] } ?? [])
    }
}
