/// A CSV text read into a header and rows of cells (RFC 4180: commas, double-quoted cells with `""`
/// for a quote, CR LF or LF line ends). Rows shorter or longer than the header are kept as they are.
public struct CSVTable: Sendable, Equatable {
    public var header: [String]
    public var rows: [[String]]

    public init(header: [String], rows: [[String]]) {
        self.header = header
        self.rows = rows
    }

    /// Parse `text`; the first record is the header. Empty lines are skipped.
    public init(parsing text: String) {
        var records: [[String]] = []
        var record: [String] = []
        var cell = ""
        var quoted = false
        var cellStarted = false
        var chars = text.makeIterator()
        var pending: Character? = nil
        func endRecord() {
            if cellStarted || !record.isEmpty { record.append(cell) }
            if !(record.count == 1 && record[0].isEmpty) && !record.isEmpty { records.append(record) }
            record = []; cell = ""; cellStarted = false
        }
        while let c = pending ?? chars.next() {
            pending = nil
            if quoted {
                if c == "\"" {
                    if let next = chars.next() {
                        if next == "\"" { cell.append("\"") } else { quoted = false; pending = next }
                    } else { quoted = false }
                } else { cell.append(c) }
                continue
            }
            switch c {
            case "\"" where cell.isEmpty: quoted = true; cellStarted = true
            case ",": record.append(cell); cell = ""; cellStarted = true
            case "\n", "\r\n", "\r": endRecord()
            default: cell.append(c); cellStarted = true
            }
        }
        endRecord()
        header = records.first ?? []
        rows = Array(records.dropFirst())
    }

    /// Number of columns: the longest of header and rows.
    public var columnCount: Int { max(header.count, rows.map(\.count).max() ?? 0) }
}
