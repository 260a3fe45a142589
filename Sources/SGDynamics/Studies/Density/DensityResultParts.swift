import Foundation

/// Pieces shared by the results of the density studies (`fokker-planck`, `master`,
/// `stationary`): progress of iterations, density series and figures, library errors renamed to
/// the studies' parameter names.
enum DensityResultParts {
    /// A progress callback `(done, total)` for iterations reported under `label` (nil without a
    /// progress handler).
    static func progress(_ context: StudyContext, _ label: String) -> ((Int, Int) -> Void)? {
        guard let report = context.progress else { return nil }
        return { done, total in report(StudyProgress(label: label, done: done, total: total, stepsPerUnit: 1)) }
    }

    /// Run `body`, renaming the fields of a library `ConfigurationError` to the study's names
    /// (`fields` first, then the shared names of the density studies).
    static func renaming<T>(_ fields: [String: String] = [:], _ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as ConfigurationError {
            let shared = ["grid": "grid", "grid.count": "grid", "grid.spacing": "grid", "learningRate": "objective.learningRate",
                          "batchSize": "objective.batchSize", "sampling": "objective.sampling", "sampleCount": "objective.name",
                          "objective": "objective.name", "potential": "objective.name", "maximumIterations": "maxIterations"]
            throw e.renamed(fields[e.field] ?? shared[e.field] ?? e.field)
        }
    }

    /// A table of densities `p_j/Δx` of several laws on one grid: `x`, then one column per law.
    static func densityTable(_ name: String, title: String, _ columns: [(key: String, law: Density1D)]) -> ResultTable {
        let g = columns[0].law.grid
        var t = ResultTable(name: name, title: title,
                            columns: [ResultColumn("x", isKey: true)] + columns.map { ResultColumn($0.key, title: $0.key) })
        let dens = columns.map { $0.law.densities }
        for j in 0..<g.count { t.add([.number(g[j])] + dens.map { .number($0[j]) }) }
        return t
    }

    /// A density curve restricted to `range` (the part of the grid a figure shows).
    static func curve(_ label: String, _ p: Density1D, range: ClosedRange<Double>?, dash: FigureSeries.Dash = .solid,
                      width: Double = 2, color: String? = nil) -> FigureSeries {
        let nodes = p.grid.nodes, dens = p.densities
        let keep = nodes.indices.filter { range?.contains(nodes[$0]) ?? true }
        return FigureSeries(label: label, x: keep.map { nodes[$0] }, y: keep.map { dens[$0] }, marker: .none, dash: dash,
                            color: color, lineWidth: width)
    }

    /// A figure of densities against `xLabel`, 780 × 500 pixels.
    static func densityFigure(_ name: String, title: String, xLabel: String = "θ", curves: [FigureSeries],
                              bars: [FigureBars] = []) -> ResultFigure {
        var f = ResultFigure(name: name, title: title, xLabel: xLabel, yLabel: "density", series: curves)
        f.bars = bars
        f.width = 780
        f.height = 500
        return f
    }

    /// A heat map of a 2-D density (densities at the nodes).
    static func heatmapFigure(_ name: String, title: String, _ q: Density2D, xLabel: String, yLabel: String,
                              width: Int = 700, height: Int = 600) -> ResultFigure {
        let g = q.grid, dens = q.densities
        var f = ResultFigure(name: name, title: title, xLabel: xLabel, yLabel: yLabel)
        f.heatmap = FigureGrid(x: g.x.lower...g.x.upper, y: g.y.lower...g.y.upper,
                               values: (0..<g.y.count).map { j in (0..<g.x.count).map { i in dens[g.index(i, j)] } },
                               valueLabel: "density")
        f.equalAspect = true
        f.width = width
        f.height = height
        return f
    }

    /// The distance columns `p`, `q`, TV, KL(p‖q), W1 (5 digits).
    static func distanceColumns(_ p: String = "p", _ q: String? = "q", kl: String = "KL(p‖q)") -> [ResultColumn] {
        (q.map { [ResultColumn("p", title: p, kind: .text, isKey: true), ResultColumn("q", title: $0, kind: .text, isKey: true)] }
            ?? [ResultColumn("q", title: p, kind: .text, isKey: true)])
            + [ResultColumn("tv", title: "TV", digits: 5), ResultColumn("kl", title: kl, digits: 5), ResultColumn("w1", title: "W1", digits: 5)]
    }

    /// The distance metrics `tv|kl|w1 <p>–<q>`.
    static func distanceMetrics(_ d: LawDistances, _ p: String, _ q: String) -> [StudyMetric] {
        [StudyMetric(key: "tv \(p)–\(q)", title: "total variation between \(p) and \(q)", value: d.tv),
         StudyMetric(key: "kl \(p)–\(q)", title: "KL(\(p)‖\(q)), ε = 1e-12 per cell", value: d.kl),
         StudyMetric(key: "w1 \(p)–\(q)", title: "Wasserstein-1 between \(p) and \(q)", value: d.w1)]
    }
}
