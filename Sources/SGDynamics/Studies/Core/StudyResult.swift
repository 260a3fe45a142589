/// What a study returns: its status, claim and reading, warnings, summary tables with typed
/// columns, figures as chart values, raw series and the headline metrics, all `Codable`.
///
/// One renderer (`SGDynamicsReport.ResultRenderer`) turns it into text, CSV, JSON, SVG and HTML,
/// and the run store keeps it as `result.json`, so comparisons and sweep aggregates work on
/// these numbers rather than on printed text.
public struct StudyResult: Codable, Sendable, Equatable {
    /// The study's name (e.g. `weak-error`).
    public var study: String
    public var status: StudyStatus
    /// The claim of the theory that the study tests, one sentence or two.
    public var claim: String
    /// One paragraph reading the measured numbers against the claim.
    public var reading: String
    /// Lines that say what was run (objective, start, method), printed before the tables.
    public var context: [String]
    /// Summary tables (what the text output and the report show).
    public var tables: [ResultTable]
    /// Lines printed after the tables (fitted orders, totals).
    public var findings: [String]
    /// Things a reader must know before trusting a number.
    public var warnings: [StudyWarning]
    /// Figures as chart values (rendered to SVG by the report module).
    public var figures: [ResultFigure]
    /// Raw series (the CSV files).
    public var series: [ResultTable]
    /// Headline numbers, by key, for `runs compare` and sweep aggregates.
    public var metrics: [StudyMetric]
    /// Machine-readable files a study produces besides its tables and figures (for example a
    /// shard's raw statistics, which `merge` combines).
    public var attachments: [ResultAttachment] = []

    public init(study: String, status: StudyStatus = .ok, claim: String, reading: String, context: [String] = [],
                tables: [ResultTable] = [], findings: [String] = [], warnings: [StudyWarning] = [],
                figures: [ResultFigure] = [], series: [ResultTable] = [], metrics: [StudyMetric] = []) {
        self.study = study
        self.status = status
        self.claim = claim
        self.reading = reading
        self.context = context
        self.tables = tables
        self.findings = findings
        self.warnings = warnings
        self.figures = figures
        self.series = series
        self.metrics = metrics
    }

    /// The metric with this key.
    public func metric(_ key: String) -> StudyMetric? { metrics.first { $0.key == key } }

    /// The table (summary or series) with this name.
    public func table(_ name: String) -> ResultTable? { (tables + series).first { $0.name == name } }
}

/// How a study ended. A study that ran to its end is `ok` even with warnings; `diverged` when
/// some paths or runs diverged (the warnings say which, at which step); `failed` when no
/// statistic could be formed (for example every path diverged).
public enum StudyStatus: String, Codable, Sendable, CaseIterable {
    case ok
    case diverged
    case failed
}

/// A warning on a result: its kind and one line for the reader.
public struct StudyWarning: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        /// An order fitted over a grid that includes the pre-asymptotic range.
        case preAsymptotic
        /// The Monte Carlo error is not below the error measured.
        case monteCarloError
        /// Some paths or runs diverged.
        case diverged
        /// Anything else.
        case note
    }
    public var kind: Kind
    public var message: String
    public init(_ kind: Kind, _ message: String) { self.kind = kind; self.message = message }
}

/// A headline number of a result: a value with its standard error or interval when it has one.
///
///     StudyMetric(key: "order SME-1", title: "fitted order of SME-1", value: 0.905, low: 0.80, high: 1.01)
public struct StudyMetric: Codable, Sendable, Equatable {
    /// Stable key, e.g. `order SME-1`, `error SME-2 at η=0.1`.
    public var key: String
    /// What the number is, for a reader.
    public var title: String
    public var value: Double
    /// Standard error, for a Monte Carlo estimate.
    public var standardError: Double?
    /// Lower and upper ends of a 95% interval.
    public var low: Double?
    public var high: Double?
    /// The value the theory predicts, when there is one.
    public var expected: Double?
    public var unit: String?

    public init(key: String, title: String, value: Double, standardError: Double? = nil, low: Double? = nil,
                high: Double? = nil, expected: Double? = nil, unit: String? = nil) {
        self.key = key
        self.title = title
        self.value = value
        self.standardError = standardError
        self.low = low
        self.high = high
        self.expected = expected
        self.unit = unit
    }

    /// A 95% interval: the stated one, else value ± 1.96 SE, else nil.
    public var interval: ClosedRange<Double>? {
        if let low, let high, low <= high { return low...high }
        if let se = standardError, se.isFinite, value.isFinite { return (value - 1.96 * se)...(value + 1.96 * se) }
        return nil
    }
}

/// A file of a result that is neither a table nor a figure: its name and text.
public struct ResultAttachment: Codable, Sendable, Equatable {
    public var name: String
    public var contents: String
    public init(name: String, contents: String) { self.name = name; self.contents = contents }
}
