/// One option of a study's command line, as swift-argument-parser itself describes it.
///
/// The name is the long option without its dashes (`--etas` → `etas`); it is also the field name in
/// an experiment file. A flag takes no value: `true` writes `--name`, `false` leaves it out.
struct StudyOption: Sendable, Equatable {
    /// Long name without dashes, e.g. `etas`, `no-files`.
    let name: String
    /// Whether the option is a flag (no value).
    let isFlag: Bool
    /// The default as argument-parser prints it (`"1.0"`, `"li-tai-e"`); nil when the option has none
    /// (it is then unset unless given). Flags default to false.
    let defaultValue: String?
    /// One line of help, for messages.
    let abstract: String

    /// Options that say where or how results are written, never what they are: left out of the
    /// canonical spec, and written by `sgdyn spec` only when given.
    static let outputOnlyNames: Set<String> = ["out", "no-files", "store", "no-store", "threads"]

    /// Whether this option only affects where or how results are written.
    var isOutputOnly: Bool { Self.outputOnlyNames.contains(name) }
}
