/// A table of a result: named, typed columns (with units) and rows of cells.
///
/// Cells hold numbers, not formatted text: the renderers format them (`ResultColumn.digits` for
/// text, full precision for CSV and JSON), so the same table serves every output.
public struct ResultTable: Codable, Sendable, Equatable {
    /// A stable name, e.g. `weak-error` (also the CSV file's stem for a raw series).
    public var name: String
    /// A caption for the report.
    public var title: String
    public var columns: [ResultColumn]
    public var rows: [[ResultCell]]
    /// Lines printed under the table (definitions, notes).
    public var notes: [String]

    public init(name: String, title: String, columns: [ResultColumn], rows: [[ResultCell]] = [], notes: [String] = []) {
        self.name = name
        self.title = title
        self.columns = columns
        self.rows = rows
        self.notes = notes
    }

    /// Append a row; it must have one cell per column.
    public mutating func add(_ row: [ResultCell]) {
        precondition(row.count == columns.count, "row of \(row.count) cells for \(columns.count) columns")
        rows.append(row)
    }

    /// The column with this key.
    public func columnIndex(_ key: String) -> Int? { columns.firstIndex { $0.key == key } }

    /// The numbers of column `key` (nil for cells that are not numbers).
    public func numbers(_ key: String) -> [Double?] {
        guard let c = columnIndex(key) else { return [] }
        return rows.map { $0[c].number }
    }
}

/// A column: a key (the CSV header), a title for text and HTML, a unit, and how to show it.
public struct ResultColumn: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        /// Real numbers, shown with `digits` significant digits.
        case number
        /// Counts, shown as integers.
        case integer
        /// Words.
        case text
        /// Intervals [low, high].
        case interval
    }
    public var key: String
    public var title: String
    public var kind: Kind
    public var unit: String?
    /// Significant digits in text and HTML (CSV and JSON keep full precision).
    public var digits: Int
    /// Whether this column identifies a row (the learning rate, the model): used to match rows
    /// when two results are compared.
    public var isKey: Bool

    public init(_ key: String, title: String? = nil, kind: Kind = .number, unit: String? = nil, digits: Int = 4, isKey: Bool = false) {
        self.key = key
        self.title = title ?? key
        self.kind = kind
        self.unit = unit
        self.digits = digits
        self.isKey = isKey
    }
}

/// One cell: a number, an interval, a word, or nothing.
///
/// JSON: a number is a JSON number (non-finite ones the strings `"nan"`, `"inf"`, `"-inf"`), an
/// interval `{"low": a, "high": b}`, a word a string, nothing `null`.
public enum ResultCell: Codable, Sendable, Equatable {
    case number(Double)
    case interval(low: Double, high: Double)
    case text(String)
    case missing

    /// An integer count.
    public static func integer(_ n: Int) -> ResultCell { .number(Double(n)) }

    /// The number, if the cell holds one.
    public var number: Double? { if case .number(let v) = self { return v } else { return nil } }

    private enum IntervalKeys: String, CodingKey { case low, high }

    public init(from decoder: any Decoder) throws {
        if let keyed = try? decoder.container(keyedBy: IntervalKeys.self) {
            self = .interval(low: try ResultCell.decodeNumber(keyed, .low), high: try ResultCell.decodeNumber(keyed, .high))
            return
        }
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .missing; return }
        if let v = try? c.decode(Double.self) { self = .number(v); return }
        let s = try c.decode(String.self)
        self = ResultCell.nonFinite[s].map { .number($0) } ?? .text(s)
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .interval(let low, let high):
            var keyed = encoder.container(keyedBy: IntervalKeys.self)
            try ResultCell.encodeNumber(low, &keyed, .low)
            try ResultCell.encodeNumber(high, &keyed, .high)
        case .number(let v):
            var c = encoder.singleValueContainer()
            if v.isFinite { try c.encode(v) } else { try c.encode(ResultCell.text(of: v)) }
        case .text(let s):
            var c = encoder.singleValueContainer()
            try c.encode(s)
        case .missing:
            var c = encoder.singleValueContainer()
            try c.encodeNil()
        }
    }

    static let nonFinite: [String: Double] = ["nan": .nan, "inf": .infinity, "-inf": -.infinity]
    static func text(of v: Double) -> String { v.isNaN ? "nan" : v > 0 ? "inf" : "-inf" }

    private static func encodeNumber(_ v: Double, _ c: inout KeyedEncodingContainer<IntervalKeys>, _ key: IntervalKeys) throws {
        if v.isFinite { try c.encode(v, forKey: key) } else { try c.encode(text(of: v), forKey: key) }
    }
    private static func decodeNumber(_ c: KeyedDecodingContainer<IntervalKeys>, _ key: IntervalKeys) throws -> Double {
        if let v = try? c.decode(Double.self, forKey: key) { return v }
        let s = try c.decode(String.self, forKey: key)
        guard let v = nonFinite[s] else {
            throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "not a number: '\(s)'")
        }
        return v
    }
}

// Equality with NaN == NaN, so that a decoded result equals the one encoded.
extension ResultCell {
    public static func == (a: ResultCell, b: ResultCell) -> Bool {
        switch (a, b) {
        case (.number(let x), .number(let y)): return x == y || (x.isNaN && y.isNaN)
        case (.interval(let l1, let h1), .interval(let l2, let h2)):
            return (l1 == l2 || (l1.isNaN && l2.isNaN)) && (h1 == h2 || (h1.isNaN && h2.isNaN))
        case (.text(let s), .text(let t)): return s == t
        case (.missing, .missing): return true
        default: return false
        }
    }
}

extension ResultCell {
    /// The cell's text (a number in full precision, an interval as `low..high`).
    public var textValue: String {
        switch self {
        case .text(let s): return s
        case .number(let v): return "\(v)"
        case .interval(let l, let h): return "\(l)..\(h)"
        case .missing: return ""
        }
    }
}
