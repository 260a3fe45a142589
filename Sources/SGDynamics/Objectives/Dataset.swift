import Foundation

/// A tabular data set: `n` samples of `p` numeric features and one numeric target.
///
///     features: n × p (row-major, row i = sample x_i),   targets: y_i, i = 0..<n
///
/// CSV format (``load(csvAt:name:)``): a header row naming the columns, then one row per sample,
/// comma separated, every field a finite decimal number; the **last column is the target**. Quoting is
/// not supported; blank lines are skipped; fields may carry surrounding spaces; `\r\n` line ends are
/// accepted. Problems are reported as ``DatasetError`` naming the file, the 1-based line (the header is
/// line 1), the column and what would be valid.
///
/// Built-in data sets (``builtIn(_:)``): `breast_cancer` (569 × 30, binary target `benign` ∈ {0, 1}),
/// `diabetes` (442 × 10, real target `progression`), `digits` (1797 × 64 pixels 0…16, target
/// `digit` ∈ {0, …, 9}).
public struct Dataset: Sendable {
    /// A short name for tables and plots (the file name without extension for a loaded CSV).
    public var name: String
    /// The `n × p` feature matrix, one sample per row.
    public var features: Matrix
    /// The `n` targets.
    public var targets: [Double]
    /// The `p` feature column names.
    public var featureNames: [String]
    /// The target column name.
    public var targetName: String

    /// Number of samples `n`.
    public var sampleCount: Int { features.rows }
    /// Number of features `p`.
    public var featureCount: Int { features.columns }

    /// A data set from its parts. Feature names default to `x0, x1, …`.
    public init(
        name: String, features: Matrix, targets: [Double],
        featureNames: [String]? = nil, targetName: String = "target"
    ) {
        precondition(features.rows == targets.count, "Dataset: \(features.rows) feature rows but \(targets.count) targets")
        let names = featureNames ?? (0..<features.columns).map { "x\($0)" }
        precondition(names.count == features.columns, "Dataset: \(features.columns) feature columns but \(names.count) names")
        self.name = name
        self.features = features
        self.targets = targets
        self.featureNames = names
        self.targetName = targetName
    }

    /// Sample `i` as a new array (convenience; allocates).
    public func sample(_ i: Int) -> [Double] {
        let p = featureCount
        return Array(features.storage[(i * p)..<((i + 1) * p)])
    }

    /// The first `count` samples (all of them if `count ≥ n`).
    public func prefix(_ count: Int) -> Dataset {
        precondition(count >= 0, "Dataset.prefix: count must be non-negative")
        let m = Swift.min(count, sampleCount), p = featureCount
        return Dataset(
            name: name,
            features: Matrix(rows: m, columns: p, storage: Array(features.storage[0..<(m * p)])),
            targets: Array(targets[0..<m]), featureNames: featureNames, targetName: targetName)
    }

    // MARK: transformations

    /// Features shifted and scaled to zero mean and unit variance, column by column:
    ///
    ///     x_ij ← (x_ij − μ_j) / s_j,   μ_j = (1/n) Σ_i x_ij,   s_j² = (1/n) Σ_i (x_ij − μ_j)²
    ///
    /// with the population standard deviation (divide by `n`, docs/THEORY.md §1). A constant column
    /// (`s_j ≤ 1e-12 · max(1, |μ_j|)`) becomes exactly 0. Targets are unchanged.
    public func standardized() -> Dataset {
        let n = sampleCount, p = featureCount
        var out = self
        guard n > 0 else { return out }
        for j in 0..<p {
            var mean = 0.0
            for i in 0..<n { mean += features.storage[i * p + j] }
            mean /= Double(n)
            var ss = 0.0
            for i in 0..<n { let d = features.storage[i * p + j] - mean; ss += d * d }
            let sd = (ss / Double(n)).squareRoot()
            if sd <= 1e-12 * Swift.max(1, Swift.abs(mean)) {
                for i in 0..<n { out.features.storage[i * p + j] = 0 }
            } else {
                let inv = 1 / sd
                for i in 0..<n { out.features.storage[i * p + j] = (features.storage[i * p + j] - mean) * inv }
            }
        }
        return out
    }

    /// The data set with a last feature column of ones, named `intercept`, so a linear model
    /// `xᵀw` carries a bias in its last weight.
    public func withInterceptColumn() -> Dataset {
        let n = sampleCount, p = featureCount
        var storage = [Double](repeating: 1, count: n * (p + 1))
        for i in 0..<n {
            for j in 0..<p { storage[i * (p + 1) + j] = features.storage[i * p + j] }
        }
        return Dataset(
            name: name, features: Matrix(rows: n, columns: p + 1, storage: storage),
            targets: targets, featureNames: featureNames + ["intercept"], targetName: targetName)
    }

    // MARK: loading

    /// Names accepted by ``builtIn(_:)``.
    public static let builtInNames = ["breast_cancer", "diabetes", "digits"]

    /// One of the data sets bundled with the library (see ``builtInNames``).
    public static func builtIn(_ name: String) throws -> Dataset {
        guard builtInNames.contains(name) else {
            throw DatasetError.unknownBuiltIn(name: name, available: builtInNames)
        }
        guard let url = Bundle.module.url(forResource: name, withExtension: "csv", subdirectory: "Resources") else {
            throw DatasetError.fileNotFound(path: "Resources/\(name).csv (bundled resource missing)")
        }
        return try load(csvAt: url.path, name: name)
    }

    /// Reads a CSV file (format in the type's documentation). `name` defaults to the file name
    /// without its extension.
    public static func load(csvAt path: String, name: String? = nil) throws -> Dataset {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw DatasetError.fileNotFound(path: path)
        }
        guard !isDirectory.boolValue else {
            throw DatasetError.unreadable(path: path, reason: "it is a directory")
        }
        // Bounded before reading: a regular file (not a device, pipe or socket) of at most 64 MiB.
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        guard (attributes?[.type] as? FileAttributeType) == .typeRegular else {
            throw DatasetError.unreadable(path: path, reason: "it is not a regular file")
        }
        let size = (attributes?[.size] as? NSNumber)?.int64Value ?? 0
        guard size <= maximumBytes else {
            throw DatasetError.unreadable(path: path, reason: "it has \(size) bytes, more than the \(maximumBytes) a CSV data set may have")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DatasetError.unreadable(path: path, reason: "permission denied or I/O error")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw DatasetError.unreadable(path: path, reason: "not UTF-8 text")
        }
        let base = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        return try parse(csv: text, source: path, name: name ?? base)
    }

    /// Parses CSV text (format in the type's documentation); `source` names the text in errors.
    public static func parse(csv text: String, source: String, name: String) throws -> Dataset {
        // "\r\n" is one Character in Swift, so split on it as well as on "\n" and "\r".
        var lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }
        // Header: the first non-blank line.
        var headerIndex = 0
        while headerIndex < lines.count, isBlank(lines[headerIndex]) { headerIndex += 1 }
        guard headerIndex < lines.count else { throw DatasetError.emptyFile(path: source) }
        if headerIndex == 0, lines[0].hasPrefix("\u{FEFF}") { lines[0] = lines[0].dropFirst() }
        let header = lines[headerIndex].split(separator: ",", omittingEmptySubsequences: false).map {
            String(trimmed($0))
        }
        let columns = header.count
        guard columns >= 2 else {
            throw DatasetError.tooFewColumns(path: source, line: headerIndex + 1, found: columns)
        }
        guard columns <= maximumColumns else {
            throw DatasetError.unreadable(path: source, reason: "its header has \(columns) columns, more than \(maximumColumns)")
        }
        if let long = lines.firstIndex(where: { $0.utf8.count > maximumLineBytes }) {
            throw DatasetError.unreadable(path: source, reason: "line \(long + 1) is longer than \(maximumLineBytes) bytes")
        }
        guard (lines.count - headerIndex) * columns <= maximumCells else {
            throw DatasetError.unreadable(path: source, reason: "\(lines.count - headerIndex) rows × \(columns) columns is more than \(maximumCells) numbers")
        }

        var storage: [Double] = []
        var targets: [Double] = []
        storage.reserveCapacity((lines.count - headerIndex) * (columns - 1))
        targets.reserveCapacity(lines.count - headerIndex)
        for li in (headerIndex + 1)..<lines.count {
            let line = lines[li]
            if isBlank(line) { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count == columns else {
                throw DatasetError.wrongFieldCount(path: source, line: li + 1, expected: columns, found: fields.count)
            }
            for (j, raw) in fields.enumerated() {
                let field = trimmed(raw)
                guard let v = Double(field) else {
                    throw DatasetError.nonNumeric(path: source, line: li + 1, column: header[j], field: String(field))
                }
                guard v.isFinite else {
                    throw DatasetError.nonFinite(path: source, line: li + 1, column: header[j], field: String(field))
                }
                if j == columns - 1 { targets.append(v) } else { storage.append(v) }
            }
        }
        guard targets.count >= 2 else { throw DatasetError.tooFewRows(path: source, found: targets.count) }
        return Dataset(
            name: name,
            features: Matrix(rows: targets.count, columns: columns - 1, storage: storage),
            targets: targets, featureNames: Array(header.dropLast()), targetName: header[columns - 1])
    }

    /// Limits on what a CSV data set may hold, checked before it is parsed.
    public static let maximumBytes: Int64 = 64 << 20
    /// Longest line (10⁴ columns of 20 characters fit easily).
    public static let maximumLineBytes = 1 << 20
    public static let maximumColumns = 10_000
    public static let maximumCells = 50_000_000

    private static func isBlank(_ s: Substring) -> Bool {
        s.allSatisfy { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\r\n" }
    }

    /// Drops surrounding spaces, tabs and a trailing carriage return.
    private static func trimmed(_ s: Substring) -> Substring {
        var t = s
        while let c = t.first, c == " " || c == "\t" { t = t.dropFirst() }
        while let c = t.last, c == " " || c == "\t" || c == "\r" || c == "\r\n" { t = t.dropLast() }
        return t
    }
}

/// Why a data set could not be loaded or used. Each description is one line naming the file (or
/// data set), the 1-based line (the header is line 1), the column, and what would be valid.
public enum DatasetError: Error, Equatable, CustomStringConvertible {
    /// No file at `path`.
    case fileNotFound(path: String)
    /// The file exists but cannot be read as UTF-8 text.
    case unreadable(path: String, reason: String)
    /// The file has no header row (it is empty or blank).
    case emptyFile(path: String)
    /// The header has fewer than 2 columns (at least one feature and the target are needed).
    case tooFewColumns(path: String, line: Int, found: Int)
    /// A data row has a different number of fields than the header.
    case wrongFieldCount(path: String, line: Int, expected: Int, found: Int)
    /// A field is not a decimal number.
    case nonNumeric(path: String, line: Int, column: String, field: String)
    /// A field parses as NaN or ±infinity.
    case nonFinite(path: String, line: Int, column: String, field: String)
    /// Fewer than 2 data rows.
    case tooFewRows(path: String, found: Int)
    /// ``Dataset/builtIn(_:)`` was given a name it does not know.
    case unknownBuiltIn(name: String, available: [String])
    /// A target is not valid for the model (e.g. a label outside {0, 1}); `row` is 0-based, the CSV
    /// line is `row + 2`.
    case invalidTarget(dataset: String, row: Int, column: String, value: Double, expected: String)

    public var description: String {
        let format = "a header row, then comma-separated numeric rows, target in the last column"
        switch self {
        case let .fileNotFound(path):
            return "\(path): no such file (expected a CSV file: \(format))"
        case let .unreadable(path, reason):
            return "\(path): cannot be read as a CSV text file: \(reason)"
        case let .emptyFile(path):
            return "\(path): the file is empty (expected \(format), at least 2 data rows)"
        case let .tooFewColumns(path, line, found):
            return "\(path) line \(line): the header has \(found) column\(found == 1 ? "" : "s"); "
                + "at least 2 are needed (one or more features, then the target)"
        case let .wrongFieldCount(path, line, expected, found):
            return "\(path) line \(line): \(found) field\(found == 1 ? "" : "s"), expected \(expected) "
                + "(one per header column on line 1)"
        case let .nonNumeric(path, line, column, field):
            let what = field.isEmpty ? "the field is empty" : "'\(field)' is not a number"
            return "\(path) line \(line), column '\(column)': \(what) "
                + "(expected a finite decimal number such as 3.5 or -1.2e-3; missing values are not supported)"
        case let .nonFinite(path, line, column, field):
            return "\(path) line \(line), column '\(column)': '\(field)' is not finite "
                + "(expected a finite decimal number; NaN and infinity are not allowed)"
        case let .tooFewRows(path, found):
            return "\(path): \(found) data row\(found == 1 ? "" : "s") after the header; at least 2 are needed"
        case let .unknownBuiltIn(name, available):
            return "unknown built-in data set '\(name)' (valid: \(available.joined(separator: ", ")))"
        case let .invalidTarget(dataset, row, column, value, expected):
            let v = value == value.rounded() && Swift.abs(value) < 1e15 ? String(Int(value)) : "\(value)"
            return "data set '\(dataset)' row \(row + 1) (CSV line \(row + 2)), column '\(column)': "
                + "target \(v) is not valid (expected \(expected))"
        }
    }
}
