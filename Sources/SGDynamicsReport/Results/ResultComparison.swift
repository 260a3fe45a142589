import SGDynamics

/// Two results compared number by number: every headline metric (fitted orders, errors, …) of
/// either, with its interval, the difference, and whether the two agree within their intervals.
public struct ResultComparison: Sendable {
    public struct Row: Sendable, Equatable {
        public var key: String
        public var title: String
        public var a: StudyMetric?
        public var b: StudyMetric?

        /// `B − A`, when both have the metric.
        public var difference: Double? { a.flatMap { a in b.map { $0.value - a.value } } }

        /// How the two values relate: `same`, `agree (intervals overlap)`, `differ (intervals
        /// disjoint)`, `differ` (no intervals), or `only in A` / `only in B`.
        public var verdict: String {
            guard let a else { return "only in B" }
            guard let b else { return "only in A" }
            if a.value == b.value { return "same" }
            if let ia = a.interval, let ib = b.interval {
                return ia.overlaps(ib) ? "agree (intervals overlap)" : "differ (intervals disjoint)"
            }
            return "differ"
        }
    }

    public var rows: [Row]

    public init(_ a: StudyResult, _ b: StudyResult) {
        var keys: [String] = []
        for k in a.metrics.map(\.key) + b.metrics.map(\.key) where !keys.contains(k) { keys.append(k) }
        rows = keys.map { k in
            let ma = a.metric(k), mb = b.metric(k)
            return Row(key: k, title: (ma ?? mb)!.title, a: ma, b: mb)
        }
    }

    /// A metric as `value [low, high]` (or `value ± SE`).
    public static func text(_ m: StudyMetric?) -> String {
        guard let m else { return "—" }
        var s = NumberText.short(m.value, 5)
        if let i = m.interval { s += " [\(NumberText.short(i.lowerBound, 4)), \(NumberText.short(i.upperBound, 4))]" }
        return s
    }

    /// The comparison as a text table.
    public func render() -> String {
        TextGrid(header: ["metric", "A", "B", "B − A", "verdict"], rows: rows.map { r in
            [r.key, Self.text(r.a), Self.text(r.b), r.difference.map { NumberText.short($0, 3) } ?? "", r.verdict]
        }).render()
    }
}
