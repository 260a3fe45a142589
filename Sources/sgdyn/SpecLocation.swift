import Yams

/// A place in an experiment file, printed as `file:line:column` (or `file` alone when no line applies).
struct SpecLocation: CustomStringConvertible, Sendable {
    /// The file as the user named it.
    let file: String
    /// Line and column, both from 1 (libyaml counts columns in Unicode scalars); nil for the whole file.
    let line: Int?
    let column: Int?

    init(_ file: String, line: Int? = nil, column: Int? = nil) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// The place Yams gives a node.
    init(_ file: String, _ mark: Mark?) {
        self.init(file, line: mark?.line, column: mark?.column)
    }

    var description: String {
        guard let line else { return file }
        return column.map { "\(file):\(line):\($0)" } ?? "\(file):\(line)"
    }

    /// A usage error (exit 64) at this place.
    func error(_ message: String, code: Int32 = 64) -> CLIError {
        CLIError(message: "\(self): \(message)", code: code)
    }
}
