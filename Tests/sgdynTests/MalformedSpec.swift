import Testing

/// A malformed experiment file and what its one error line must name.
struct MalformedSpec: CustomTestStringConvertible, Sendable {
    /// What is wrong, for the test's name.
    let what: String
    /// File name (its extension matters only to the reader) and contents.
    let name: String
    let contents: String
    /// `line:column` the message must give after the file name, or nil when no line applies.
    let place: String?
    /// Texts the message must contain (the field, what would be valid).
    let mentions: [String]
    /// Whether the error shows only when the study runs (not in `--dry-run`'s checks).
    var needsRun = false

    var testDescription: String { what }
}
