/// One option set in an experiment file: `etas: [0.1, 0.05]` at some line.
struct SpecField: Sendable {
    /// The study's option the field names.
    let option: StudyOption
    /// Where the field's name is.
    let key: SpecLocation
    /// Its value.
    let value: SpecValue
}
